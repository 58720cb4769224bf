import Numerics
import Testing

@testable import Quadrature

/// Leaf interpolants shared between expectations (``LeafInterpolantCache``): the averages of a
/// kernel's sub-block that end on the same leaf reuse one interpolant, and every result is bit
/// for bit the one computed without the cache.
@Suite("Leaf interpolant cache")
struct LeafInterpolantCacheTests {
  static func kernel() throws -> CovarianceMatrix {
    try CovarianceMatrix([
      [0.9, 0.5, 0.3, 0.2], [0.5, 1.1, 0.4, 0.35], [0.3, 0.4, 0.8, 0.45], [0.2, 0.35, 0.45, 1.2],
    ])
  }

  /// ⟨σ_a² σ_b σ_c⟩ with the square on each of a, b, c (a < b < c), and ⟨σσσσ⟩.
  static func integrands(_ activation: Activation) -> [[GaussianFactor]] {
    let triples = (0..<3).map { squared in
      [GaussianFactor.activation(activation, coordinate: squared)]
        + (0..<3).map { GaussianFactor.activation(activation, coordinate: $0) }
    }
    return triples + [(0..<4).map { GaussianFactor.activation(activation, coordinate: $0) }]
  }

  @Test(
    "shared interpolants give the uncached values bit for bit",
    arguments: [
      Activation.tanh, .erf(scale: 1), .gelu,
    ])
  func sharedInterpolantsChangeNoBit(activation: Activation) throws {
    let integrator = GaussianExpectation()
    let cache = LeafInterpolantCache()
    for factors in Self.integrands(activation) {
      let alone = try integrator.expectation(of: factors, covariance: try Self.kernel())
      let shared = try integrator.expectation(
        of: factors, covariance: try Self.kernel(), leafCache: cache)
      #expect(shared.bitPattern == alone.bitPattern, "\(factors.map(\.coordinate))")
    }
    // The squares on a and on b end on the same leaf σ_c; the square on c ends on σ_c², the
    // 4-D average on σ_d with its own row of L.
    #expect(cache.count == 3)
    #expect(cache.hits == 1)
  }

  /// The key holds the options: integrators of different tolerances sharing one cache get
  /// their own interpolants (reusing one would give the other tolerance's values).
  @Test func optionsAreKeptApart() throws {
    let cache = LeafInterpolantCache()
    let factors = Self.integrands(.tanh)[0]
    for tolerance in [5e-14, 1e-8] {
      let integrator = GaussianExpectation(options: .init(tolerance: tolerance))
      let alone = try integrator.expectation(of: factors, covariance: try Self.kernel())
      let shared = try integrator.expectation(
        of: factors, covariance: try Self.kernel(), leafCache: cache)
      #expect(shared.bitPattern == alone.bitPattern, "tolerance \(tolerance)")
    }
    #expect(cache.count == 2)
    #expect(cache.hits == 0)
  }

  /// Derivative averages pass the cache on to their Leibniz terms.
  @Test func derivativeAveragesShareToo() throws {
    let integrator = GaussianExpectation()
    let cache = LeafInterpolantCache()
    let factors = (0..<3).map { GaussianFactor.activation(.tanh, coordinate: $0) }
    for derivatives in [[0], [1], [0, 1]] {
      let alone = try integrator.derivativeExpectation(
        of: factors, derivatives: derivatives, covariance: try Self.kernel())
      let shared = try integrator.derivativeExpectation(
        of: factors, derivatives: derivatives, covariance: try Self.kernel(), leafCache: cache)
      #expect(shared.bitPattern == alone.bitPattern, "∂\(derivatives)")
    }
    // Every term ends on σ_c with the same row: ⟨σ'σσ⟩, ⟨σσ'σ⟩ and ⟨σ'σ'σ⟩ share one leaf.
    #expect(cache.count == 1)
    #expect(cache.hits == 2)
  }
}
