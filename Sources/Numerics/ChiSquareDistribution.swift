import Foundation

/// The χ² distribution with `degreesOfFreedom` degrees of freedom: the goodness-of-fit test of
/// a width scan (`derive check`).
///
/// The survival function P(χ² > x) = Q(k/2, x/2) is the regularised upper incomplete gamma
/// function, computed by its power series for x/2 < k/2 + 1 and by Lentz's continued fraction
/// otherwise (both converge geometrically there), to about 1e-14 relative accuracy.
public struct ChiSquareDistribution: Hashable, Sendable {
  public var degreesOfFreedom: Int

  public init(degreesOfFreedom: Int) {
    precondition(degreesOfFreedom >= 1, "a χ² distribution needs at least one degree of freedom")
    self.degreesOfFreedom = degreesOfFreedom
  }

  /// P(χ² > x); 1 for x ≤ 0.
  public func survival(_ x: Double) -> Double {
    guard x > 0 else { return 1 }
    guard x.isFinite else { return 0 }
    let a = Double(degreesOfFreedom) / 2
    let y = x / 2
    let logPrefactor = a * log(y) - y - lgamma(a)
    if y < a + 1 {
      // P(a, y) = e^{-y} y^a / Γ(a) · Σ_k y^k / (a (a+1) ⋯ (a+k)).
      var term = 1 / a
      var sum = term
      var k = 1.0
      while k < 10_000 {
        term *= y / (a + k)
        sum += term
        if abs(term) < abs(sum) * 1e-16 { break }
        k += 1
      }
      return max(0, 1 - exp(logPrefactor) * sum)
    }
    // Q(a, y) = e^{-y} y^a / Γ(a) · 1/(y + 1 − a − 1·(1−a)/(y + 3 − a − …)) (modified Lentz).
    let tiny = 1e-300
    var b = y + 1 - a
    var c = 1 / tiny
    var d = 1 / b
    var h = d
    var i = 1.0
    while i < 10_000 {
      let an = -i * (i - a)
      b += 2
      d = an * d + b
      if abs(d) < tiny { d = tiny }
      c = b + an / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) < 1e-16 { break }
      i += 1
    }
    return min(1, exp(logPrefactor) * h)
  }
}
