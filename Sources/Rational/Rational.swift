import CGMP

/// An exact rational number, always stored in lowest terms with a positive denominator.
///
/// Values whose numerator and denominator fit in a machine word are stored inline and computed
/// with overflow-checked word arithmetic; everything else lives in a GMP `mpq_t` behind a
/// copy-on-write box. Which representation a value uses is decided by the value alone (see
/// <doc:Rational#Invariants>), so the split is invisible: `==`, hashing, ordering and printing
/// never depend on how a value was computed.
///
/// ```swift
/// let h = (1...10).reduce(Rational.zero) { $0 + Rational(1, $1) }
/// print(h)  // 7381/2520
/// ```
public struct Rational: Sendable {
  /// The two storage forms. A value is `.small` exactly when its canonical numerator lies in
  /// `Int.min + 1 ... Int.max` and its canonical denominator in `1 ... Int.max`; this uniqueness
  /// is what lets `==` and `hash(into:)` treat the forms separately.
  enum Representation: Sendable {
    /// A canonical word fraction (see ``WordFraction``).
    case small(numerator: Int, denominator: Int)
    /// A canonical GMP fraction that does not fit the small form; the box is never mutated while
    /// shared.
    case large(MPQStorage)
  }

  var representation: Representation

  /// Every `.small` value is created here or by ``init(canonical:)`` (which moves fitting GMP
  /// results to the small form). Building with `-Xswiftc -DRATIONAL_GMP_ONLY`
  /// routes every value through GMP instead, to measure the fast path or test the GMP path alone.
  @inline(__always)
  init(canonicalNumerator numerator: Int, denominator: Int) {
    #if RATIONAL_GMP_ONLY
      representation = .large(
        MPQStorage.make(canonicalNumerator: numerator, denominator: denominator))
    #else
      representation = .small(numerator: numerator, denominator: denominator)
    #endif
  }

  /// Wraps a canonical GMP fraction, moving it to the small form when it fits.
  @inline(__always)
  init(canonical box: MPQStorage) {
    #if !RATIONAL_GMP_ONLY
      let small: (Int, Int)? = box.withPointer { q in
        let num = cgmp_mpq_numref(q)
        let den = cgmp_mpq_denref(q)
        guard cgmp_mpz_fits_slong_p(num) != 0, cgmp_mpz_fits_slong_p(den) != 0 else { return nil }
        let n = cgmp_mpz_get_si(num)
        return n == .min ? nil : (n, cgmp_mpz_get_si(den))
      }
      if let (numerator, denominator) = small {
        representation = .small(numerator: numerator, denominator: denominator)
        return
      }
    #endif
    representation = .large(box)
  }

  /// Canonicalises the fraction held in `box` (any sign of denominator, nonzero) and wraps it.
  init(canonicalizing box: MPQStorage) {
    box.withPointer { cgmp_mpq_canonicalize($0) }
    self.init(canonical: box)
  }

  /// The fraction `numerator/denominator` of two words, reduced; `denominator != 0`.
  @inline(__always)
  init(reducing numerator: Int, _ denominator: Int) {
    if let (n, d) = WordFraction.reduce(numerator, denominator) {
      self.init(canonicalNumerator: n, denominator: d)
      return
    }
    // Only reachable with Int.min in the numerator or denominator.
    let box = MPQStorage()
    box.withPointer { q in
      cgmp_mpz_set_si(cgmp_mpq_numref(q), numerator)
      cgmp_mpz_set_si(cgmp_mpq_denref(q), denominator)
    }
    self.init(canonicalizing: box)
  }

  /// The integer `value`.
  public init(_ value: Int) {
    if value == .min {
      self.init(reducing: value, 1)
    } else {
      self.init(canonicalNumerator: value, denominator: 1)
    }
  }

  /// The fraction `numerator/denominator`, reduced to lowest terms.
  ///
  /// - Precondition: `denominator != 0`. Use ``init(numerator:denominator:)`` or ``parse(_:)``
  ///   for denominators that come from user input.
  public init(_ numerator: Int, _ denominator: Int) {
    precondition(denominator != 0, "division by zero")
    self.init(reducing: numerator, denominator)
  }

  /// The integer `value`.
  public init(_ value: BigInteger) {
    let box = MPQStorage()
    box.withPointer { q in value.storage.withPointer { cgmp_mpq_set_z(q, $0) } }
    self.init(canonical: box)
  }

  /// The fraction `numerator/denominator` of arbitrary integers, reduced to lowest terms.
  ///
  /// - Throws: ``RationalError/divisionByZero`` if `denominator` is zero.
  public init(numerator: BigInteger, denominator: BigInteger) throws {
    guard !denominator.isZero else { throw RationalError.divisionByZero }
    let box = MPQStorage()
    box.withPointer { q in
      numerator.storage.withPointer { cgmp_mpq_set_num(q, $0) }
      denominator.storage.withPointer { cgmp_mpq_set_den(q, $0) }
    }
    self.init(canonicalizing: box)
  }

  /// Zero.
  public static let zero = Rational(0)

  /// One.
  public static let one = Rational(1)

  /// `n!` as a rational, for `n ≥ 0`.
  public static func factorial(_ n: Int) -> Rational {
    Rational(BigInteger.factorial(n))
  }

  /// The numerator in lowest terms; carries the sign of the value.
  public var numerator: BigInteger {
    switch representation {
    case .small(let n, _): return BigInteger(n)
    case .large(let box):
      let z = MPZStorage()
      z.withPointer { r in box.withPointer { cgmp_mpz_set(r, cgmp_mpq_numref($0)) } }
      return BigInteger(storage: z)
    }
  }

  /// The denominator in lowest terms; always positive.
  public var denominator: BigInteger {
    switch representation {
    case .small(_, let d): return BigInteger(d)
    case .large(let box):
      let z = MPZStorage()
      z.withPointer { r in box.withPointer { cgmp_mpz_set(r, cgmp_mpq_denref($0)) } }
      return BigInteger(storage: z)
    }
  }

  /// Whether the value is 0.
  public var isZero: Bool {
    switch representation {
    case .small(let n, _): return n == 0
    case .large(let box): return box.withPointer { cgmp_mpq_sgn($0) == 0 }
    }
  }

  /// Whether the value is 1.
  public var isOne: Bool {
    switch representation {
    case .small(let n, let d): return n == 1 && d == 1
    case .large(let box): return box.withPointer { cgmp_mpq_cmp_si($0, 1, 1) == 0 }
    }
  }

  /// Whether the denominator is 1.
  public var isInteger: Bool {
    switch representation {
    case .small(_, let d): return d == 1
    case .large(let box): return box.withPointer { cgmp_mpz_cmp_si(cgmp_mpq_denref($0), 1) == 0 }
    }
  }

  /// -1, 0 or 1 according to the sign of the value.
  public var sign: Int {
    switch representation {
    case .small(let n, _): return n.signum()
    case .large(let box): return Int(box.withPointer { cgmp_mpq_sgn($0) })
    }
  }

  /// Whether the stored form obeys every invariant: lowest terms, positive denominator, and the
  /// small form used exactly when the value fits it. Always true; exposed for law checkers.
  public var isCanonical: Bool {
    switch representation {
    case .small(let n, let d):
      #if RATIONAL_GMP_ONLY
        return false
      #else
        return d > 0 && n != .min && WordFraction.gcd(n.magnitude, UInt(d)) == 1
      #endif
    case .large(let box):
      let copy = box.map { cgmp_mpq_set($0, $1) }
      let reduced = copy.withPointer { q in
        cgmp_mpq_canonicalize(q)
        return box.withPointer { cgmp_mpq_equal(q, $0) != 0 }
      }
      guard reduced else { return false }
      #if RATIONAL_GMP_ONLY
        return true
      #else
        if case .large = Rational(canonical: copy).representation { return true }
        return false
      #endif
    }
  }

  /// The value as a GMP box: the existing one, or a fresh one for a small value.
  var box: MPQStorage {
    switch representation {
    case .small(let n, let d): return MPQStorage.make(canonicalNumerator: n, denominator: d)
    case .large(let box): return box
    }
  }
}

extension Rational: ExpressibleByIntegerLiteral {
  /// The integer written as a literal.
  public init(integerLiteral value: Int) {
    self.init(value)
  }
}
