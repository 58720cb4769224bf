import CGMP

extension Rational: Hashable {
  /// Equality of values. Because both forms are canonical and the form is determined by the
  /// value, two values are equal exactly when their stored forms agree.
  public static func == (lhs: Rational, rhs: Rational) -> Bool {
    switch (lhs.representation, rhs.representation) {
    case (.small(let a, let b), .small(let c, let d)):
      return a == c && b == d
    case (.large(let x), .large(let y)):
      return x === y || x.withPointer { p in y.withPointer { q in cgmp_mpq_equal(p, q) != 0 } }
    default:
      return false
    }
  }

  /// Hashes the canonical numerator and denominator: the two words of a small value, or the sign
  /// and limbs of both parts of a large one. Equal values have equal stored forms, so this is
  /// consistent with `==`.
  public func hash(into hasher: inout Hasher) {
    switch representation {
    case .small(let n, let d):
      hasher.combine(n)
      hasher.combine(d)
    case .large(let box):
      box.withPointer { q in
        Rational.hashLimbs(of: cgmp_mpq_numref(q), into: &hasher)
        Rational.hashLimbs(of: cgmp_mpq_denref(q), into: &hasher)
      }
    }
  }

  /// Feeds the sign, limb count and limbs of a GMP integer to `hasher`.
  private static func hashLimbs(of z: UnsafePointer<__mpz_struct>, into hasher: inout Hasher) {
    let limbs = cgmp_mpz_size(z)
    hasher.combine(cgmp_mpz_sgn(z))
    hasher.combine(limbs)
    for index in 0..<limbs { hasher.combine(cgmp_mpz_getlimbn(z, index)) }
  }
}

extension Rational: Comparable {
  /// Numeric order (a total order, since values are canonical).
  public static func < (lhs: Rational, rhs: Rational) -> Bool {
    switch (lhs.representation, rhs.representation) {
    case (.small(let a, let b), .small(let c, let d)):
      return WordFraction.compare(a, b, c, d) < 0
    case (.large(let x), .small(let c, let d)):
      return x.withPointer { cgmp_mpq_cmp_si($0, c, UInt(d)) } < 0
    case (.small(let a, let b), .large(let y)):
      return y.withPointer { cgmp_mpq_cmp_si($0, a, UInt(b)) } > 0
    case (.large(let x), .large(let y)):
      return x.withPointer { p in y.withPointer { q in cgmp_mpq_cmp(p, q) } } < 0
    }
  }
}
