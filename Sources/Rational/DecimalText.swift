import CGMP

/// Strict parsing of decimal integers shared by ``BigInteger`` and ``Rational``.
///
/// The accepted syntax is `[+-]?[0-9]+` in ASCII: no whitespace, no digit separators, no other
/// bases. GMP's own `mpz_set_str` is more lenient (it skips embedded whitespace), so text is
/// validated here before GMP sees it.
enum DecimalText {
  /// Digits that certainly fit in an `Int` (10^18 < 2^63).
  static let wordDigits = 18

  /// Splits an optional leading sign from `text`; returns nil if what follows the sign is not a
  /// non-empty run of ASCII digits.
  static func split(_ text: Substring) -> (negative: Bool, digits: Substring)? {
    var digits = text
    var negative = false
    if let first = digits.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
      negative = first == UInt8(ascii: "-")
      digits = digits.dropFirst()
    }
    guard isDigitRun(digits) else { return nil }
    return (negative, digits)
  }

  /// Whether `text` is one or more ASCII digits and nothing else.
  static func isDigitRun(_ text: Substring) -> Bool {
    guard !text.utf8.isEmpty else { return false }
    return text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
  }

  /// The value of a digit run of at most ``wordDigits`` digits.
  static func smallValue(_ digits: Substring) -> Int {
    precondition(digits.utf8.count <= wordDigits, "digit run too long for a machine word")
    var value = 0
    for byte in digits.utf8 { value = value * 10 + Int(byte - UInt8(ascii: "0")) }
    return value
  }

  /// A new GMP integer holding ±`digits` (a validated digit run of any length).
  static func bigValue(negative: Bool, digits: Substring) -> MPZStorage {
    let box = MPZStorage()
    let status = box.withPointer { z in
      String(digits).withCString { cgmp_mpz_set_str(z, $0, 10) }
    }
    precondition(status == 0, "GMP rejected a validated digit run")
    if negative { box.withPointer { cgmp_mpz_neg($0, $0) } }
    return box
  }

  /// Decimal text of a GMP integer, with a leading `-` when negative.
  static func string(of z: UnsafePointer<__mpz_struct>) -> String {
    // mpz_sizeinbase may overestimate by one; +2 leaves room for the sign and the NUL.
    let capacity = cgmp_mpz_sizeinbase(z, 10) + 2
    return String(unsafeUninitializedCapacity: capacity) { buffer in
      guard let base = buffer.baseAddress else { return 0 }
      return base.withMemoryRebound(to: CChar.self, capacity: capacity) { chars in
        _ = cgmp_mpz_get_str(chars, 10, z)
        var length = 0
        while chars[length] != 0 { length += 1 }
        return length
      }
    }
  }
}
