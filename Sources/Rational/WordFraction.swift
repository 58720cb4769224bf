/// Overflow-checked arithmetic on canonical fractions of machine words: the fast path of
/// ``Rational``.
///
/// A word fraction `n/d` obeys the small-representation invariant of ``Rational``:
/// `gcd(|n|, d) == 1`, `1 ≤ d ≤ Int.max` and `n != Int.min` (so `-n` never overflows). Every
/// function returns nil instead of overflowing, or when the exact result would break that
/// invariant; the caller then redoes the operation in GMP.
enum WordFraction {
  /// Greatest common divisor by the binary (Stein) algorithm; `gcd(0, b) == b`.
  @inline(__always)
  static func gcd(_ a: UInt, _ b: UInt) -> UInt {
    // Integers (denominator 1) and ±1 are the most common coefficients; answer them at once.
    if a == 1 || b == 1 { return 1 }
    if a == 0 { return b }
    if b == 0 { return a }
    var a = a
    var b = b
    let shift = (a | b).trailingZeroBitCount
    a >>= a.trailingZeroBitCount
    repeat {
      b >>= b.trailingZeroBitCount
      if a > b { swap(&a, &b) }
      b -= a
    } while b != 0
    return a << shift
  }

  /// `numerator/denominator` in lowest terms with a positive denominator, for any words with a
  /// nonzero denominator; nil when the reduced fraction is not a word fraction (e.g. `Int.min/1`).
  @inline(__always)
  static func reduce(_ numerator: Int, _ denominator: Int) -> (Int, Int)? {
    let g = gcd(numerator.magnitude, denominator.magnitude)
    let top = numerator.magnitude / g
    let bottom = denominator.magnitude / g
    guard top <= UInt(Int.max), bottom <= UInt(Int.max) else { return nil }
    let negative = (numerator < 0) != (denominator < 0)
    return (negative ? -Int(top) : Int(top), Int(bottom))
  }

  /// `a/b + c/d` (Knuth, TAOCP 4.5.1: only `gcd(b, d)` and one further small gcd are needed).
  @inline(__always)
  static func add(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> (Int, Int)? {
    if b == d {
      let (sum, overflow) = a.addingReportingOverflow(c)
      guard !overflow, sum != .min else { return nil }
      if b == 1 { return (sum, 1) }
      let g = Int(bitPattern: gcd(sum.magnitude, UInt(b)))
      return (sum / g, b / g)
    }
    let g = Int(bitPattern: gcd(UInt(b), UInt(d)))
    if g == 1 {
      // gcd(ad + cb, bd) == 1 when both inputs are canonical and gcd(b, d) == 1.
      let (ad, o1) = a.multipliedReportingOverflow(by: d)
      let (cb, o2) = c.multipliedReportingOverflow(by: b)
      let (bd, o3) = b.multipliedReportingOverflow(by: d)
      let (sum, o4) = ad.addingReportingOverflow(cb)
      guard !(o1 || o2 || o3 || o4), sum != .min else { return nil }
      return (sum, bd)
    }
    // t = a(d/g) + c(b/g); the sum is t / lcm(b, d) and gcd(t, lcm) == gcd(t, g). Here t != 0,
    // because two canonical fractions with different denominators cannot cancel.
    let (ad, o1) = a.multipliedReportingOverflow(by: d / g)
    let (cb, o2) = c.multipliedReportingOverflow(by: b / g)
    let (t, o3) = ad.addingReportingOverflow(cb)
    guard !(o1 || o2 || o3) else { return nil }
    let g2 = Int(bitPattern: gcd(t.magnitude, UInt(g)))
    let numerator = t / g2
    let (denominator, o4) = (b / g2).multipliedReportingOverflow(by: d / g)
    guard !o4, numerator != .min else { return nil }
    return (numerator, denominator)
  }

  /// `(a/b)(c/d)`, cancelling crosswise first so no final gcd is needed.
  @inline(__always)
  static func multiply(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> (Int, Int)? {
    let g1 = Int(bitPattern: gcd(a.magnitude, UInt(d)))
    let g2 = Int(bitPattern: gcd(c.magnitude, UInt(b)))
    let (numerator, o1) = (a / g1).multipliedReportingOverflow(by: c / g2)
    let (denominator, o2) = (b / g2).multipliedReportingOverflow(by: d / g1)
    guard !(o1 || o2), numerator != .min else { return nil }
    return (numerator, denominator)
  }

  /// `base^exponent` for a word, nil on overflow or when the result is `Int.min`.
  @inline(__always)
  static func power(_ base: Int, _ exponent: UInt) -> Int? {
    var result = 1
    var square = base
    var remaining = exponent
    while true {
      if remaining & 1 == 1 {
        let (product, overflow) = result.multipliedReportingOverflow(by: square)
        guard !overflow else { return nil }
        result = product
      }
      remaining >>= 1
      if remaining == 0 { break }
      let (squared, overflow) = square.multipliedReportingOverflow(by: square)
      guard !overflow else { return nil }
      square = squared
    }
    return result == .min ? nil : result
  }

  /// The sign of `a/b - c/d` as -1, 0 or 1, computed exactly with double-width products.
  @inline(__always)
  static func compare(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Int {
    if b == d { return a < c ? -1 : (a == c ? 0 : 1) }
    let left = a.multipliedFullWidth(by: d)
    let right = c.multipliedFullWidth(by: b)
    if left.high != right.high { return left.high < right.high ? -1 : 1 }
    return left.low < right.low ? -1 : (left.low == right.low ? 0 : 1)
  }
}
