import CGMP

/// An arbitrary-size signed integer: a value type over a GMP `mpz_t`.
///
/// Copies share one immutable heap box; a mutating operator (`+=`, `-=`, `*=`) writes in place
/// only when the box is uniquely referenced and otherwise builds a new one, so a `BigInteger`
/// behaves exactly like `Int` as a value.
///
/// ```swift
/// let big = BigInteger(2).power(100) + 1
/// print(big)  // 1267650600228229401496703205377
/// ```
public struct BigInteger: Sendable {
  /// The GMP box; never mutated while shared.
  var storage: MPZStorage

  init(storage: MPZStorage) {
    self.storage = storage
  }

  /// The integer `value`.
  public init(_ value: Int) {
    storage = MPZStorage.make(value)
  }

  /// The integer `source` of any binary-integer type (always exact).
  public init<Source: BinaryInteger>(_ source: Source) {
    if let small = Int(exactly: source) {
      self.init(small)
      return
    }
    // Assemble |source| from its words, most significant first, then apply the sign.
    let box = MPZStorage()
    let word = MPZStorage()
    box.withPointer { z in
      word.withPointer { w in
        for limb in source.magnitude.words.reversed() {
          cgmp_mpz_mul_2exp(z, z, UInt(UInt.bitWidth))
          cgmp_mpz_set_ui(w, limb)
          cgmp_mpz_add(z, z, w)
        }
        if source < 0 { cgmp_mpz_neg(z, z) }
      }
    }
    self.init(storage: box)
  }

  /// Reads a decimal integer: an optional `+` or `-` followed by one or more ASCII digits, with
  /// nothing else (no whitespace, no separators).
  ///
  /// - Throws: ``RationalError/malformed(_:)`` if `text` does not have that form.
  public static func parse(_ text: String) throws -> BigInteger {
    guard let (negative, digits) = DecimalText.split(text[...]) else {
      throw RationalError.malformed(text)
    }
    if digits.utf8.count <= DecimalText.wordDigits {
      let value = DecimalText.smallValue(digits)
      return BigInteger(negative ? -value : value)
    }
    return BigInteger(storage: DecimalText.bigValue(negative: negative, digits: digits))
  }

  /// The value of `n!` for `n ≥ 0`.
  public static func factorial(_ n: Int) -> BigInteger {
    precondition(n >= 0, "factorial of a negative number")
    let box = MPZStorage()
    box.withPointer { cgmp_mpz_fac_ui($0, UInt(n)) }
    return BigInteger(storage: box)
  }

  /// The greatest common divisor of `a` and `b`, always ≥ 0 (`gcd(0, 0) == 0`).
  public static func gcd(_ a: BigInteger, _ b: BigInteger) -> BigInteger {
    BigInteger(storage: a.storage.combine(b.storage) { cgmp_mpz_gcd($0, $1, $2) })
  }

  /// The value as an `Int`, or nil if it does not fit.
  public var intValue: Int? {
    storage.withPointer { z in
      cgmp_mpz_fits_slong_p(z) != 0 ? cgmp_mpz_get_si(z) : nil
    }
  }

  /// -1, 0 or 1 according to the sign of the value.
  public var sign: Int {
    Int(storage.withPointer { cgmp_mpz_sgn($0) })
  }

  /// Whether the value is zero.
  public var isZero: Bool { sign == 0 }

  /// The absolute value.
  public var magnitude: BigInteger {
    sign >= 0 ? self : BigInteger(storage: storage.map { cgmp_mpz_abs($0, $1) })
  }

  /// The number of decimal digits of the magnitude (1 for zero).
  public var decimalDigitCount: Int {
    description.utf8.count - (sign < 0 ? 1 : 0)
  }

  /// `self` raised to a non-negative power (`x.power(0) == 1`, including for zero).
  public func power(_ exponent: UInt) -> BigInteger {
    BigInteger(storage: storage.map { cgmp_mpz_pow_ui($0, $1, exponent) })
  }

  /// The quotient rounded toward zero and the remainder with the sign of `self`, as for `Int`.
  ///
  /// - Precondition: `divisor` is not zero. Use ``dividing(by:)`` when it may be.
  public func quotientAndRemainder(dividingBy divisor: BigInteger)
    -> (quotient: BigInteger, remainder: BigInteger)
  {
    precondition(!divisor.isZero, "division by zero")
    let quotient = MPZStorage()
    let remainder = MPZStorage()
    quotient.withPointer { q in
      remainder.withPointer { r in
        storage.withPointer { n in divisor.storage.withPointer { d in cgmp_mpz_tdiv_qr(q, r, n, d) }
        }
      }
    }
    return (BigInteger(storage: quotient), BigInteger(storage: remainder))
  }

  /// The quotient rounded toward zero and the remainder with the sign of `self`.
  ///
  /// - Throws: ``RationalError/divisionByZero`` if `divisor` is zero.
  public func dividing(by divisor: BigInteger) throws
    -> (quotient: BigInteger, remainder: BigInteger)
  {
    guard !divisor.isZero else { throw RationalError.divisionByZero }
    return quotientAndRemainder(dividingBy: divisor)
  }
}

// MARK: - Arithmetic

extension BigInteger: SignedNumeric {
  /// The integer `source`; never nil, since every binary integer is representable.
  public init?<Source: BinaryInteger>(exactly source: Source) {
    self.init(source)
  }

  /// The sum.
  public static func + (lhs: BigInteger, rhs: BigInteger) -> BigInteger {
    BigInteger(storage: lhs.storage.combine(rhs.storage) { cgmp_mpz_add($0, $1, $2) })
  }

  /// The difference.
  public static func - (lhs: BigInteger, rhs: BigInteger) -> BigInteger {
    BigInteger(storage: lhs.storage.combine(rhs.storage) { cgmp_mpz_sub($0, $1, $2) })
  }

  /// The product.
  public static func * (lhs: BigInteger, rhs: BigInteger) -> BigInteger {
    BigInteger(storage: lhs.storage.combine(rhs.storage) { cgmp_mpz_mul($0, $1, $2) })
  }

  /// The negation.
  public static prefix func - (operand: BigInteger) -> BigInteger {
    BigInteger(storage: operand.storage.map { cgmp_mpz_neg($0, $1) })
  }

  /// Adds in place (reusing the box when it is not shared).
  public static func += (lhs: inout BigInteger, rhs: BigInteger) {
    lhs.update(with: rhs, cgmp_mpz_add, fallback: +)
  }

  /// Subtracts in place (reusing the box when it is not shared).
  public static func -= (lhs: inout BigInteger, rhs: BigInteger) {
    lhs.update(with: rhs, cgmp_mpz_sub, fallback: -)
  }

  /// Multiplies in place (reusing the box when it is not shared).
  public static func *= (lhs: inout BigInteger, rhs: BigInteger) {
    lhs.update(with: rhs, cgmp_mpz_mul, fallback: *)
  }

  /// The truncated quotient, as for `Int`.
  ///
  /// - Precondition: `rhs` is not zero. Use ``dividing(by:)`` when it may be.
  public static func / (lhs: BigInteger, rhs: BigInteger) -> BigInteger {
    lhs.quotientAndRemainder(dividingBy: rhs).quotient
  }

  /// The remainder of truncated division (sign of `lhs`), as for `Int`.
  ///
  /// - Precondition: `rhs` is not zero. Use ``dividing(by:)`` when it may be.
  public static func % (lhs: BigInteger, rhs: BigInteger) -> BigInteger {
    lhs.quotientAndRemainder(dividingBy: rhs).remainder
  }

  /// Copy-on-write update: GMP writes into the box itself when no other value shares it.
  private mutating func update(
    with rhs: BigInteger,
    _ op: (
      UnsafeMutablePointer<__mpz_struct>, UnsafePointer<__mpz_struct>, UnsafePointer<__mpz_struct>
    ) -> Void,
    fallback: (BigInteger, BigInteger) -> BigInteger
  ) {
    if isKnownUniquelyReferenced(&storage) {
      storage.withPointer { l in rhs.storage.withPointer { r in op(l, l, r) } }
    } else {
      self = fallback(self, rhs)
    }
  }
}

// MARK: - Protocols

extension BigInteger: ExpressibleByIntegerLiteral {
  /// The integer written as a literal.
  public init(integerLiteral value: Int) {
    self.init(value)
  }
}

extension BigInteger: Hashable {
  /// Equality of values.
  public static func == (lhs: BigInteger, rhs: BigInteger) -> Bool {
    lhs.storage === rhs.storage
      || lhs.storage.withPointer { a in rhs.storage.withPointer { b in cgmp_mpz_cmp(a, b) == 0 } }
  }

  /// Hashes the sign, the limb count (keeping the encoding prefix-free when combined with other
  /// fields) and the limbs of the magnitude, which determine the value uniquely.
  public func hash(into hasher: inout Hasher) {
    storage.withPointer { z in
      let limbs = cgmp_mpz_size(z)
      hasher.combine(cgmp_mpz_sgn(z))
      hasher.combine(limbs)
      for index in 0..<limbs { hasher.combine(cgmp_mpz_getlimbn(z, index)) }
    }
  }
}

extension BigInteger: Comparable {
  /// Numeric order.
  public static func < (lhs: BigInteger, rhs: BigInteger) -> Bool {
    lhs.storage.withPointer { a in rhs.storage.withPointer { b in cgmp_mpz_cmp(a, b) < 0 } }
  }
}

extension BigInteger: CustomStringConvertible, LosslessStringConvertible {
  /// Decimal digits with a leading `-` when negative, e.g. `"-1024"`.
  public var description: String {
    storage.withPointer { DecimalText.string(of: $0) }
  }

  /// Reads the syntax of ``parse(_:)``; nil when `description` is malformed.
  public init?(_ description: String) {
    guard let value = try? BigInteger.parse(description) else { return nil }
    self = value
  }
}
