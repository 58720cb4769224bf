import CGMP

extension Rational: CustomStringConvertible, LosslessStringConvertible {
  /// Reads a decimal integer or fraction: `[+-]?digits` or `[+-]?digits/digits`, ASCII only.
  ///
  /// The result is reduced (`"+4/6"` reads as 2/3). Whitespace anywhere, including around the
  /// number (`" 5 "`), is rejected rather than trimmed, so that `parse` is the exact inverse of
  /// ``description``; trim first when reading free-form input. The denominator takes no sign.
  ///
  /// - Throws: ``RationalError/divisionByZero`` for a zero denominator (`"1/0"`), and
  ///   ``RationalError/malformed(_:)`` for any other text outside the syntax (`""`, `"abc"`,
  ///   `"1//2"`, `"3/-"`, `"--1"`, `"1.5"`).
  public static func parse(_ text: String) throws -> Rational {
    let whole = text[...]
    let numeratorText: Substring
    let denominatorText: Substring?
    if let slash = whole.utf8.firstIndex(of: UInt8(ascii: "/")) {
      numeratorText = whole[..<slash]
      denominatorText = whole[whole.utf8.index(after: slash)...]
    } else {
      numeratorText = whole
      denominatorText = nil
    }
    guard let (negative, digits) = DecimalText.split(numeratorText) else {
      throw RationalError.malformed(text)
    }
    if let denominatorText, !DecimalText.isDigitRun(denominatorText) {
      throw RationalError.malformed(text)
    }
    let denominatorDigits = denominatorText ?? "1"
    if digits.utf8.count <= DecimalText.wordDigits
      && denominatorDigits.utf8.count <= DecimalText.wordDigits
    {
      let numerator = DecimalText.smallValue(digits)
      let denominator = DecimalText.smallValue(denominatorDigits)
      guard denominator != 0 else { throw RationalError.divisionByZero }
      return Rational(reducing: negative ? -numerator : numerator, denominator)
    }
    return try Rational(
      numerator: BigInteger(storage: DecimalText.bigValue(negative: negative, digits: digits)),
      denominator: BigInteger(
        storage: DecimalText.bigValue(negative: false, digits: denominatorDigits)))
  }

  /// Reads the syntax of ``parse(_:)``; nil when `description` is malformed or has a zero
  /// denominator.
  public init?(_ description: String) {
    guard let value = try? Rational.parse(description) else { return nil }
    self = value
  }

  /// The value in lowest terms: `"3"`, `"-7/12"`. For debugging and round-tripping through
  /// ``parse(_:)``; typeset output belongs to the Rendering module.
  public var description: String {
    switch representation {
    case .small(let n, let d):
      return d == 1 ? String(n) : "\(n)/\(d)"
    case .large(let box):
      return box.withPointer { q in
        let numerator = DecimalText.string(of: cgmp_mpq_numref(q))
        guard cgmp_mpz_cmp_si(cgmp_mpq_denref(q), 1) != 0 else { return numerator }
        return numerator + "/" + DecimalText.string(of: cgmp_mpq_denref(q))
      }
    }
  }
}
