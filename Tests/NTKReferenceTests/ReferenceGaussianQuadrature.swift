import Foundation

/// The test's own Gaussian quadrature, written independently of `Sources/Quadrature`: centred
/// Gaussian expectations of functions of `d` correlated variables `z = L u` (`L` the Cholesky
/// factor of the covariance, `u` standard normal).
///
/// * `d = 1`: composite Gauss–Legendre in `u` on panels that meet at `u = 0` (a kink of relu-type
///   functions), out to `|u| = 14`.
/// * `d = 2`: polar coordinates `u = r(cos φ, sin φ)`. The angle is split at every direction
///   where some `z_a = 0` (the kinks of relu, σ', … lie on these rays through the origin), and at
///   the four quadrant angles; on each arc the integrand is smooth, so Gauss–Legendre in `φ`
///   converges fast, and in `r` the integrand is (for relu) a polynomial times `r e^{−r²/2}`:
///   composite Gauss–Legendre panels to `r = 14` are accurate to rounding. For tanh nothing is
///   kinked and the same rule converges geometrically. Relative accuracy ≈ 1e-13 on both.
/// * `d ≥ 3`: tensor product of composite Gauss–Legendre rules on `[−9, 9]`, 16 nodes per panel
///   (nodes of negligible weight dropped): agrees with `derive eval` at 1e-9 for tanh (three
///   inputs), but only ~1e-4 for kinked functions (relu), whose kinks are not aligned with the
///   axes; slow (~10⁶ nodes in 3-d). In 4-d (four inputs, four distinct samples in one
///   integral) only 5 nodes per panel fit in memory: a rough rule, untested.
struct ReferenceGaussianRule {
  /// `points[k][node]`: the value of `z_k` at each node.
  var points: [[Double]]
  var weights: [Double]

  /// Gauss–Legendre nodes and weights on [−1, 1] (Newton's method on `P_m`).
  static func legendre(_ m: Int) -> (nodes: [Double], weights: [Double]) {
    precondition(m >= 2)
    var nodes = [Double](repeating: 0, count: m)
    var weights = [Double](repeating: 0, count: m)
    for i in 0..<m {
      var x = cos(Double.pi * (Double(i) + 0.75) / (Double(m) + 0.5))
      var derivative = 0.0
      for _ in 0..<100 {
        var p0 = 1.0
        var p1 = x
        for k in 2...m {
          let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
          p0 = p1
          p1 = p2
        }
        derivative = Double(m) * (x * p1 - p0) / (x * x - 1)
        let step = p1 / derivative
        x -= step
        if abs(step) < 1e-16 { break }
      }
      nodes[i] = x
      weights[i] = 2 / ((1 - x * x) * derivative * derivative)
    }
    return (nodes, weights)
  }

  /// Composite Gauss–Legendre with `m` nodes per panel on the panels between `edges`.
  static func composite(_ edges: [Double], _ m: Int) -> (nodes: [Double], weights: [Double]) {
    let rule = legendre(m)
    var nodes: [Double] = []
    var weights: [Double] = []
    for k in 0..<(edges.count - 1) {
      let (a, b) = (edges[k], edges[k + 1])
      for i in 0..<m {
        nodes.append(0.5 * (a + b) + 0.5 * (b - a) * rule.nodes[i])
        weights.append(0.5 * (b - a) * rule.weights[i])
      }
    }
    return (nodes, weights)
  }

  static let radialEdges: [Double] = [0, 0.75, 1.5, 2.5, 3.5, 5, 6.5, 8.5, 11, 14]

  /// The rule for covariance `covariance` (`d × d`, positive definite); `refinement` multiplies
  /// the nodes per panel (a convergence check compares refinements 1 and 2).
  init(covariance: [[Double]], refinement: Int = 1) {
    let d = covariance.count
    let l = Self.cholesky(covariance)
    let density: (Double) -> Double = { exp(-0.5 * $0) }
    switch d {
    case 1:
      let half = Self.composite(Self.radialEdges, 16 * refinement)
      var points: [Double] = []
      var weights: [Double] = []
      for sign in [-1.0, 1.0] {
        for (u, w) in zip(half.nodes, half.weights) {
          points.append(l[0][0] * sign * u)
          weights.append(w * density(u * u) / (2 * Double.pi).squareRoot())
        }
      }
      self.points = [points]
      self.weights = weights
    case 2:
      var angles: [Double] = [0, 0.5 * Double.pi, Double.pi, 1.5 * Double.pi]
      for row in l {
        // z_a = row·u = 0 along the direction (row[1], −row[0]) and its opposite.
        let phi = atan2(-row[0], row[1])
        for candidate in [phi, phi + Double.pi] {
          var a = candidate.truncatingRemainder(dividingBy: 2 * Double.pi)
          if a < 0 { a += 2 * Double.pi }
          angles.append(a)
        }
      }
      angles.sort()
      var edges: [Double] = []
      for a in angles where edges.last.map({ a - $0 > 1e-12 }) ?? true { edges.append(a) }
      edges.append(2 * Double.pi)
      let angular = Self.composite(edges, 24 * refinement)
      let radial = Self.composite(Self.radialEdges, 16 * refinement)
      var z0: [Double] = []
      var z1: [Double] = []
      var weights: [Double] = []
      for (phi, wPhi) in zip(angular.nodes, angular.weights) {
        let (c, s) = (cos(phi), sin(phi))
        for (r, wR) in zip(radial.nodes, radial.weights) {
          let (u0, u1) = (r * c, r * s)
          z0.append(l[0][0] * u0)
          z1.append(l[1][0] * u0 + l[1][1] * u1)
          weights.append(wPhi * wR * r * density(r * r) / (2 * Double.pi))
        }
      }
      points = [z0, z1]
      self.weights = weights
    default:
      // 16 nodes per panel reach 1e-9 in 3-d; in 4-d memory allows only a rough rule.
      let line = Self.composite(
        [-9, -6, -3, -1.5, 0, 1.5, 3, 6, 9], (d == 3 ? 16 : 5) * refinement)
      var points = [[Double]](repeating: [], count: d)
      var weights: [Double] = []
      let m = line.nodes.count
      var index = [Int](repeating: 0, count: d)
      let scale = pow(2 * Double.pi, -0.5 * Double(d))
      outer: while true {
        var w = scale
        var u = [Double](repeating: 0, count: d)
        var norm = 0.0
        for k in 0..<d {
          u[k] = line.nodes[index[k]]
          w *= line.weights[index[k]]
          norm += u[k] * u[k]
        }
        w *= density(norm)
        if w > 1e-22 {
          for a in 0..<d {
            var z = 0.0
            for b in 0...a { z += l[a][b] * u[b] }
            points[a].append(z)
          }
          weights.append(w)
        }
        var k = 0
        while k < d {
          index[k] += 1
          if index[k] < m { continue outer }
          index[k] = 0
          k += 1
        }
        break
      }
      self.points = points
      self.weights = weights
    }
  }

  /// Lower Cholesky factor.
  static func cholesky(_ a: [[Double]]) -> [[Double]] {
    let d = a.count
    var l = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
    for i in 0..<d {
      for j in 0...i {
        var s = a[i][j]
        for k in 0..<j { s -= l[i][k] * l[j][k] }
        l[i][j] = i == j ? s.squareRoot() : s / l[j][j]
      }
    }
    return l
  }

  /// Inverse of a small symmetric positive-definite matrix (Gauss–Jordan).
  static func inverse(_ a: [[Double]]) -> [[Double]] {
    let d = a.count
    var m = a.enumerated().map { i, row in
      row + (0..<d).map { $0 == i ? 1.0 : 0.0 }
    }
    for c in 0..<d {
      var pivot = c
      for r in c..<d where abs(m[r][c]) > abs(m[pivot][c]) { pivot = r }
      m.swapAt(c, pivot)
      let p = m[c][c]
      for k in 0..<(2 * d) { m[c][k] /= p }
      for r in 0..<d where r != c {
        let f = m[r][c]
        for k in 0..<(2 * d) { m[r][k] -= f * m[c][k] }
      }
    }
    return m.map { Array($0[d...]) }
  }
}
