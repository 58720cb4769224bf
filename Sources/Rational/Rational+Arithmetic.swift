import CGMP

/// The signature of GMP's binary rational operations (`mpq_add`, `mpq_mul`, …).
typealias MPQOperation = (
  UnsafeMutablePointer<__mpq_struct>, UnsafePointer<__mpq_struct>, UnsafePointer<__mpq_struct>
) -> Void

extension Rational: SignedNumeric {
  /// The integer `source`; never nil, since every binary integer is representable.
  public init?<Source: BinaryInteger>(exactly source: Source) {
    if let value = Int(exactly: source) {
      self.init(value)
    } else {
      self.init(BigInteger(source))
    }
  }

  /// The absolute value.
  public var magnitude: Rational {
    switch representation {
    case .small(let n, let d):
      return n >= 0 ? self : Rational(canonicalNumerator: -n, denominator: d)
    case .large(let box):
      return sign >= 0 ? self : Rational(canonical: box.map { cgmp_mpq_abs($0, $1) })
    }
  }

  /// The sum.
  public static func + (lhs: Rational, rhs: Rational) -> Rational {
    if case .small(let a, let b) = lhs.representation,
      case .small(let c, let d) = rhs.representation,
      let (n, m) = WordFraction.add(a, b, c, d)
    {
      return Rational(canonicalNumerator: n, denominator: m)
    }
    return viaGMP(lhs, rhs) { cgmp_mpq_add($0, $1, $2) }
  }

  /// The difference.
  public static func - (lhs: Rational, rhs: Rational) -> Rational {
    // -c never overflows: the small form excludes Int.min.
    if case .small(let a, let b) = lhs.representation,
      case .small(let c, let d) = rhs.representation,
      let (n, m) = WordFraction.add(a, b, -c, d)
    {
      return Rational(canonicalNumerator: n, denominator: m)
    }
    return viaGMP(lhs, rhs) { cgmp_mpq_sub($0, $1, $2) }
  }

  /// The product.
  public static func * (lhs: Rational, rhs: Rational) -> Rational {
    if case .small(let a, let b) = lhs.representation,
      case .small(let c, let d) = rhs.representation,
      let (n, m) = WordFraction.multiply(a, b, c, d)
    {
      return Rational(canonicalNumerator: n, denominator: m)
    }
    return viaGMP(lhs, rhs) { cgmp_mpq_mul($0, $1, $2) }
  }

  /// The quotient.
  ///
  /// - Precondition: `rhs` is not zero ("division by zero"). Use ``dividing(by:)`` when the
  ///   divisor may be zero.
  public static func / (lhs: Rational, rhs: Rational) -> Rational {
    precondition(!rhs.isZero, "division by zero")
    // a/b ÷ c/d = (a/b)·(d/c), with the sign of c moved to the numerator d.
    if case .small(let a, let b) = lhs.representation,
      case .small(let c, let d) = rhs.representation,
      let (n, m) = WordFraction.multiply(a, b, c < 0 ? -d : d, c < 0 ? -c : c)
    {
      return Rational(canonicalNumerator: n, denominator: m)
    }
    return viaGMP(lhs, rhs) { cgmp_mpq_div($0, $1, $2) }
  }

  /// The negation.
  public static prefix func - (operand: Rational) -> Rational {
    switch operand.representation {
    case .small(let n, let d): return Rational(canonicalNumerator: -n, denominator: d)
    case .large(let box): return Rational(canonical: box.map { cgmp_mpq_neg($0, $1) })
    }
  }

  /// Adds in place; a large value's GMP box is reused when no other value shares it.
  public static func += (lhs: inout Rational, rhs: Rational) {
    lhs.update(with: rhs, fallback: +) { cgmp_mpq_add($0, $1, $2) }
  }

  /// Subtracts in place; a large value's GMP box is reused when no other value shares it.
  public static func -= (lhs: inout Rational, rhs: Rational) {
    lhs.update(with: rhs, fallback: -) { cgmp_mpq_sub($0, $1, $2) }
  }

  /// Multiplies in place; a large value's GMP box is reused when no other value shares it.
  public static func *= (lhs: inout Rational, rhs: Rational) {
    lhs.update(with: rhs, fallback: *) { cgmp_mpq_mul($0, $1, $2) }
  }

  /// Divides in place.
  ///
  /// - Precondition: `rhs` is not zero ("division by zero").
  public static func /= (lhs: inout Rational, rhs: Rational) {
    lhs = lhs / rhs
  }

  /// The quotient `self / divisor`.
  ///
  /// - Throws: ``RationalError/divisionByZero`` if `divisor` is zero.
  public func dividing(by divisor: Rational) throws -> Rational {
    guard !divisor.isZero else { throw RationalError.divisionByZero }
    return self / divisor
  }

  /// `1 / self`.
  ///
  /// - Precondition: `self` is not zero ("division by zero").
  public var reciprocal: Rational {
    precondition(!isZero, "division by zero")
    switch representation {
    case .small(let n, let d):
      return Rational(canonicalNumerator: n < 0 ? -d : d, denominator: Swift.abs(n))
    case .large(let box):
      return Rational(canonical: box.map { cgmp_mpq_inv($0, $1) })
    }
  }

  /// `self` raised to an integer power; `x.power(0) == 1` for every `x`, including zero.
  ///
  /// - Precondition: `self` is not zero when `exponent` is negative ("division by zero"). Use
  ///   ``raised(to:)`` when it may be.
  public func power(_ exponent: Int) -> Rational {
    if exponent < 0 {
      precondition(!isZero, "division by zero")
      return reciprocal.power(nonnegative: exponent.magnitude)
    }
    return power(nonnegative: UInt(exponent))
  }

  /// `self` raised to an integer power; `x.raised(to: 0) == 1` for every `x`.
  ///
  /// - Throws: ``RationalError/divisionByZero`` if `self` is zero and `exponent` is negative.
  public func raised(to exponent: Int) throws -> Rational {
    if exponent < 0 && isZero { throw RationalError.divisionByZero }
    return power(exponent)
  }

  /// `self^exponent`. Powers of coprime integers stay coprime, so no gcd is ever needed.
  private func power(nonnegative exponent: UInt) -> Rational {
    if case .small(let n, let d) = representation,
      let top = WordFraction.power(n, exponent),
      let bottom = WordFraction.power(d, exponent)
    {
      return Rational(canonicalNumerator: top, denominator: bottom)
    }
    let base = box
    let result = MPQStorage()
    result.withPointer { r in
      base.withPointer { q in
        cgmp_mpz_pow_ui(cgmp_mpq_numref(r), cgmp_mpq_numref(q), exponent)
        cgmp_mpz_pow_ui(cgmp_mpq_denref(r), cgmp_mpq_denref(q), exponent)
      }
    }
    return Rational(canonical: result)
  }

  /// The slow path of a binary operation: both operands as GMP boxes, result re-normalised.
  private static func viaGMP(_ lhs: Rational, _ rhs: Rational, _ op: MPQOperation) -> Rational {
    Rational(canonical: lhs.box.combine(rhs.box, op))
  }

  /// Copy-on-write compound assignment: when `self` is large and its box is not shared, GMP writes
  /// the result into that box (GMP allows the output to alias an input).
  private mutating func update(
    with rhs: Rational, fallback: (Rational, Rational) -> Rational, _ op: MPQOperation
  ) {
    guard case .large(var storage) = representation else {
      self = fallback(self, rhs)
      return
    }
    // Drop our own reference so that a box held only by `self` is seen as unique. The placeholder
    // is overwritten on both branches below.
    representation = .small(numerator: 0, denominator: 1)
    if isKnownUniquelyReferenced(&storage) {
      let other = rhs.box
      storage.withPointer { l in other.withPointer { r in op(l, l, r) } }
      self = Rational(canonical: storage)
    } else {
      self = Rational(canonical: storage.combine(rhs.box, op))
    }
  }
}
