import Foundation

/// The m-point Gauss–Legendre rule on [−1, 1]: ∫₋₁¹ f(x) dx ≈ Σᵢ wᵢ f(xᵢ), exact for every
/// polynomial of degree ≤ 2m − 1.
///
/// Nodes are the roots of the Legendre polynomial Pₘ, found by Newton's method from Tricomi's
/// asymptotic approximation (accurate enough that Newton converges quadratically from the first
/// step for every m), with Pₘ and Pₘ′ from the three-term recurrence. Weights are
/// wᵢ = 2 / ((1 − xᵢ²) Pₘ′(xᵢ)²). The rule is exactly symmetric: only the non-negative roots are
/// computed and mirrored. Nodes and weights agree with published tables to ~1 ulp.
public struct GaussLegendreRule: Hashable, Sendable {
  /// The nodes xᵢ in (−1, 1), ascending.
  public let nodes: [Double]
  /// The weights wᵢ > 0 (they sum to 2), matching ``nodes``.
  public let weights: [Double]

  /// The number of points m.
  public var order: Int { nodes.count }

  /// Computes the m-point rule.
  ///
  /// - Precondition: `order >= 1`.
  public init(order m: Int) {
    precondition(m >= 1, "a Gauss–Legendre rule needs at least one node, got \(m)")
    var nodes = [Double](repeating: 0, count: m)
    var weights = [Double](repeating: 0, count: m)
    let n = Double(m)
    for i in 0..<(m + 1) / 2 {
      // Tricomi: the i-th largest root ≈ (1 − (m−1)/(8m³)) cos(π(4i + 3)/(4m + 2)), i from 0.
      var x = (1 - (n - 1) / (8 * n * n * n)) * cos(Double.pi * Double(4 * i + 3) / (4 * n + 2))
      var derivative = 0.0
      for iteration in 0..<100 {
        let (p, dp) = GaussLegendreRule.legendre(m, at: x)
        let step = p / dp
        x -= step
        derivative = dp
        if abs(step) <= 1e-16 * Swift.max(1, abs(x)) || iteration == 99 {
          derivative = GaussLegendreRule.legendre(m, at: x).derivative
          break
        }
      }
      if 2 * i + 1 == m { x = 0 }  // the middle root of an odd rule is exactly 0
      let weight = 2 / ((1 - x * x) * derivative * derivative)
      nodes[m - 1 - i] = x
      weights[m - 1 - i] = weight
      nodes[i] = -x
      weights[i] = weight
    }
    self.nodes = nodes
    self.weights = weights
  }

  /// ∫ₐᵇ f(x) dx by the rule mapped affinely onto [a, b].
  public func integrate(from a: Double, to b: Double, _ f: (Double) -> Double) -> Double {
    let half = 0.5 * (b - a)
    let mid = 0.5 * (a + b)
    var sum = 0.0
    for i in 0..<nodes.count { sum += weights[i] * f(mid + half * nodes[i]) }
    return half * sum
  }

  /// Pₘ(x) and Pₘ′(x) by the recurrence k Pₖ = (2k − 1) x Pₖ₋₁ − (k − 1) Pₖ₋₂.
  private static func legendre(_ m: Int, at x: Double) -> (value: Double, derivative: Double) {
    var previous = 1.0
    var current = x
    if m == 0 { return (1, 0) }
    if m >= 2 {
      for k in 2...m {
        let kk = Double(k)
        let next = ((2 * kk - 1) * x * current - (kk - 1) * previous) / kk
        previous = current
        current = next
      }
    }
    // Pₘ′(x) = m (x Pₘ − Pₘ₋₁) / (x² − 1), valid away from ±1 (roots are interior).
    let derivative = Double(m) * (x * current - previous) / (x * x - 1)
    return (current, derivative)
  }
}
