import Foundation

/// The m-point Gauss–Legendre rule on [−1, 1]: ∫₋₁¹ f(x) dx ≈ Σᵢ wᵢ f(xᵢ), exact for every
/// polynomial of degree ≤ 2m − 1.
///
/// Nodes are the roots of the Legendre polynomial Pₘ, found by Newton's method in θ = arccos x
/// from Tricomi's asymptotic approximation (accurate enough that Newton converges quadratically
/// from the first step for every m), with Pₘ and Pₘ₋₁ from the three-term recurrence. Weights
/// are wᵢ = 2 / ((1 − xᵢ²) Pₘ′(xᵢ)²), evaluated as 2 sin²θᵢ / (m (xᵢPₘ − Pₘ₋₁))² so that they
/// keep full relative precision next to ±1. The rule is exactly symmetric: only the
/// non-negative roots are computed and mirrored. Nodes and weights agree with published tables
/// to ~1 ulp.
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
      // Newton's method in θ (x = cos θ) for f(θ) = Pₘ(cos θ), from Tricomi's approximation of
      // the i-th largest root. Working in θ keeps sin θ = √(1 − x²) accurate near x = ±1, where
      // 1 − x² would cancel, so the weights keep full relative precision.
      var theta = acos(
        (1 - (n - 1) / (8 * n * n * n)) * cos(Double.pi * Double(4 * i + 3) / (4 * n + 2)))
      // Quadratic convergence: once a step is below 1e-10 θ, one more reaches rounding.
      var converged = false
      for _ in 0..<50 {
        let x = cos(theta)
        let (p, previous) = GaussLegendreRule.legendre(m, at: x)
        // f′(θ) = −sin θ Pₘ′(x) = m (x Pₘ − Pₘ₋₁) / sin θ.
        let slope = n * (x * p - previous) / sin(theta)
        let step = p / slope
        theta -= step
        if converged { break }
        converged = abs(step) <= 1e-10 * theta
      }
      let x = 2 * i + 1 == m ? 0 : cos(theta)  // the middle root of an odd rule is exactly 0
      let (p, previous) = GaussLegendreRule.legendre(m, at: x)
      let sine = sin(theta)
      // w = 2 / f′(θ)² = 2 sin²θ / (m (x Pₘ − Pₘ₋₁))².
      let slope = n * (x * p - previous)
      let weight = 2 * sine * sine / (slope * slope)
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

  /// Pₘ(x) and Pₘ₋₁(x) by the recurrence k Pₖ = (2k − 1) x Pₖ₋₁ − (k − 1) Pₖ₋₂.
  private static func legendre(_ m: Int, at x: Double) -> (value: Double, previous: Double) {
    var previous = 1.0
    var current = x
    if m >= 2 {
      for k in 2...m {
        let kk = Double(k)
        let next = ((2 * kk - 1) * x * current - (kk - 1) * previous) / kk
        previous = current
        current = next
      }
    }
    return (current, previous)
  }
}
