import Foundation

/// A small Gaussian quadrature of its own for the residual reference (independent of the
/// `Quadrature` module): E[f(x)] for a centred Gaussian vector x with covariance Σ = L Lᵀ,
/// integrated in Cholesky coordinates x = L t, t ~ N(0, 1), one coordinate after the other.
/// Each t_k runs over [−8.5, 8.5], cut into panels (narrow near 0, wide in the tails) with
/// Gauss–Legendre nodes on each; when the activation has a kink at 0, the panel holding the
/// point where x_k = 0 (known given t_1 … t_{k−1}) is split there, so every piece is smooth.
/// Each level's weights are normalised to sum to 1, so E[1] = 1 and an integrand that factorises
/// over independent blocks gives exactly the product of the block averages (a covariance of
/// independent coordinates is 0 to rounding, not to quadrature error).
struct NestedGaussQuadrature {
  let nodes: [Double]
  let weights: [Double]
  let breaks: [Double] = [-8.5, -5.5, -3.5, -2, -1, 0, 1, 2, 3.5, 5.5, 8.5]
  /// Gauss–Hermite nodes and weights (standard normal measure) when the rule is Hermite: exact
  /// for polynomial integrands of degree < 2·order (no panels, no kink split).
  let hermite: (nodes: [Double], weights: [Double])?

  /// The Gauss–Hermite rule of `order` nodes: the roots of He_order, bracketed on a fine grid
  /// and bisected; w_i = order! / (order · He_{order−1}(x_i))².
  init(hermite order: Int) {
    func he(_ n: Int, _ x: Double) -> Double {
      var (p0, p1) = (1.0, x)
      if n == 0 { return 1 }
      for k in 1..<n { (p0, p1) = (p1, x * p1 - Double(k) * p0) }
      return p1
    }
    var roots: [Double] = []
    let step = 1e-3
    var a = -Double(order).squareRoot() * 2 - 1
    while roots.count < order {
      let b = a + step
      if he(order, a) * he(order, b) <= 0 {
        var (lo, hi) = (a, b)
        for _ in 0..<60 {
          let mid = (lo + hi) / 2
          if he(order, lo) * he(order, mid) <= 0 { hi = mid } else { lo = mid }
        }
        roots.append((lo + hi) / 2)
      }
      a = b
    }
    var factorial = 1.0
    for k in 1...order { factorial *= Double(k) }
    let w = roots.map { factorial / pow(Double(order) * he(order - 1, $0), 2) }
    hermite = (roots, w)
    nodes = []
    weights = []
  }

  /// `order` (≥ 2) Gauss–Legendre nodes per piece (Newton on P_order from Chebyshev guesses).
  init(order: Int) {
    precondition(order >= 2)
    var x = [Double](repeating: 0, count: order)
    var w = [Double](repeating: 0, count: order)
    for i in 0..<order {
      var r = cos(Double.pi * (Double(i) + 0.75) / (Double(order) + 0.5))
      var derivative = 0.0
      for _ in 0..<100 {
        var p0 = 1.0
        var p1 = r
        for k in 2...order {
          let p2 = ((2 * Double(k) - 1) * r * p1 - (Double(k) - 1) * p0) / Double(k)
          p0 = p1
          p1 = p2
        }
        derivative = Double(order) * (r * p1 - p0) / (r * r - 1)
        let step = p1 / derivative
        r -= step
        if abs(step) < 1e-15 { break }
      }
      x[i] = r
      w[i] = 2 / ((1 - r * r) * derivative * derivative)
    }
    nodes = x
    weights = w
    hermite = nil
  }

  /// Lower Cholesky factor of a positive-definite matrix.
  static func cholesky(_ a: [[Double]]) -> [[Double]] {
    let d = a.count
    var l = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
    for i in 0..<d {
      for j in 0...i {
        var s = a[i][j]
        for k in 0..<j { s -= l[i][k] * l[j][k] }
        l[i][j] = i == j ? max(s, 0).squareRoot() : s / l[j][j]
      }
    }
    return l
  }

  /// E[f(x)] for x ~ N(0, covariance); `f` adds its `count` values, times the weight it is
  /// given, into the accumulator.
  func expectation(
    covariance: [[Double]], splitAtZero: Bool, count: Int,
    _ f: (_ x: [Double], _ weight: Double, _ into: inout [Double]) -> Void
  ) -> [Double] {
    let l = Self.cholesky(covariance)
    let d = covariance.count
    var sum = [Double](repeating: 0, count: count)
    var x = [Double](repeating: 0, count: d)
    var t = [Double](repeating: 0, count: d)
    func level(_ k: Int, _ weight: Double) {
      if k == d {
        f(x, weight, &sum)
        return
      }
      var offset = 0.0
      for j in 0..<k { offset += l[k][j] * t[j] }
      if let hermite {
        for (tk, wk) in zip(hermite.nodes, hermite.weights) {
          t[k] = tk
          x[k] = offset + l[k][k] * tk
          level(k + 1, weight * wk)
        }
        return
      }
      var cuts = breaks
      if splitAtZero, l[k][k] > 0 {
        let kink = -offset / l[k][k]
        if kink > breaks[0] && kink < breaks[breaks.count - 1] && !breaks.contains(kink) {
          cuts.append(kink)
          cuts.sort()
        }
      }
      var ts: [Double] = []
      var ws: [Double] = []
      for piece in 0..<(cuts.count - 1) {
        let (a, b) = (cuts[piece], cuts[piece + 1])
        let half = (b - a) / 2
        let mid = (b + a) / 2
        for (node, w) in zip(nodes, weights) {
          let tk = mid + half * node
          ts.append(tk)
          ws.append(w * half * exp(-tk * tk / 2))
        }
      }
      let total = ws.reduce(0, +)
      for (tk, wk) in zip(ts, ws) {
        t[k] = tk
        x[k] = offset + l[k][k] * tk
        level(k + 1, weight * wk / total)
      }
    }
    level(0, 1)
    return sum
  }
}
