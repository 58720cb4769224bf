import Numerics
import Testing

@testable import Quadrature

/// Leaf interpolants shared between expectations (``ExpectationCache``): the averages of a
/// kernel's sub-block that end on the same leaf reuse one interpolant, and every result is bit
/// for bit the one computed without the cache.
@Suite("Leaf interpolant cache")
struct ExpectationCacheTests {
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

  /// ⟨factors⟩ computed alone and through `cache` have the same bits.
  static func expectSameBits(
    _ integrator: GaussianExpectation, _ factors: [GaussianFactor], _ cache: ExpectationCache,
    _ label: String
  ) throws {
    let k = try kernel()
    let alone = try integrator.expectation(of: factors, covariance: k)
    let shared = try integrator.expectation(of: factors, covariance: k, cache: cache)
    #expect(shared.bitPattern == alone.bitPattern, "\(label)")
  }

  @Test(
    "shared interpolants give the uncached values bit for bit",
    arguments: [
      Activation.tanh, .erf(scale: 1), .gelu,
    ])
  func sharedInterpolantsChangeNoBit(activation: Activation) throws {
    let integrator = GaussianExpectation()
    let cache = ExpectationCache()
    for factors in Self.integrands(activation) {
      try Self.expectSameBits(integrator, factors, cache, "\(factors.map(\.coordinate))")
    }
    // The squares on a and on b end on the same leaf σ_c; the square on c ends on σ_c², the
    // 4-D average on σ_d with its own row of L.
    #expect(cache.count == 3)
    #expect(cache.hits == 1)
  }

  /// The key holds the options: integrators of different tolerances sharing one cache get
  /// their own interpolants (reusing one would give the other tolerance's values).
  @Test func optionsAreKeptApart() throws {
    let cache = ExpectationCache()
    let factors = Self.integrands(.tanh)[0]
    for tolerance in [5e-14, 1e-8] {
      let integrator = GaussianExpectation(options: .init(tolerance: tolerance))
      try Self.expectSameBits(integrator, factors, cache, "tolerance \(tolerance)")
    }
    #expect(cache.count == 2)
    #expect(cache.hits == 0)
  }

  /// Derivative averages pass the cache on to their Leibniz terms.
  @Test func derivativeAveragesShareToo() throws {
    let integrator = GaussianExpectation()
    let cache = ExpectationCache()
    let factors = (0..<3).map { GaussianFactor.activation(.tanh, coordinate: $0) }
    for derivatives in [[0], [1], [0, 1]] {
      let alone = try integrator.derivativeExpectation(
        of: factors, derivatives: derivatives, covariance: try Self.kernel())
      let shared = try integrator.derivativeExpectation(
        of: factors, derivatives: derivatives, covariance: try Self.kernel(), cache: cache)
      #expect(shared.bitPattern == alone.bitPattern, "∂\(derivatives)")
    }
    // Every term ends on σ_c with the same row: ⟨σ'σσ⟩, ⟨σσ'σ⟩ and ⟨σ'σ'σ⟩ share one leaf.
    #expect(cache.count == 1)
    #expect(cache.hits == 2)
  }
}

/// Hermite coefficients shared through the cache: each coordinate's set is computed once per
/// rung of the correlation ladder, the values stay within the series' tolerance of the uncached
/// ones, and a pair's value does not depend on what the cache held before.
@Suite("Shared Hermite coefficients")
struct SharedHermiteCoefficientTests {
  /// Four inputs of one variance; the pairs' correlations come two by two on three rungs of
  /// the ladder (0.1, 0.15 | 0.3, 0.35 | 0.62, 0.64), so sets are shared only by rounding up.
  static let correlations = [0.1, 0.15, 0.3, 0.35, 0.62, 0.64]

  static func kernel() throws -> CovarianceMatrix {
    var rows = [[Double]](repeating: [Double](repeating: 0.7, count: 4), count: 4)
    var next = 0
    for a in 0..<4 {
      for b in (a + 1)..<4 {
        rows[a][b] = 0.7 * correlations[next]
        rows[b][a] = rows[a][b]
        next += 1
      }
    }
    return try CovarianceMatrix(rows)
  }

  /// (ReLU's pairs and erf's derivatives have closed forms; these go through the series.)
  @Test(arguments: [Activation.tanh, .gelu])
  func sharedCoefficientsStayWithinTolerance(activation: Activation) throws {
    let k = try Self.kernel()
    let integrator = GaussianExpectation()
    let cache = ExpectationCache()
    var pairs = 0
    for a in 0..<4 {
      for b in (a + 1)..<4 {
        for derivative in [0, 1] {
          let factors: [GaussianFactor] = [
            .activation(activation, derivative: derivative, coordinate: a),
            .activation(activation, derivative: derivative, coordinate: b),
          ]
          let alone = try integrator.expectation(of: factors, covariance: k)
          let shared = try integrator.expectation(of: factors, covariance: k, cache: cache)
          // A fresh cache gives the same bits: the value is a function of the pair alone.
          let fresh = try integrator.expectation(
            of: factors, covariance: k, cache: ExpectationCache())
          let scale = try integrator.expectation(of: factors + factors, covariance: k)
            .squareRoot()
          #expect(abs(shared - alone) <= 1e-13 * scale, "\(a)\(b) ∂\(derivative)")
          #expect(shared.bitPattern == fresh.bitPattern, "\(a)\(b) ∂\(derivative)")
          pairs += 1
        }
      }
    }
    // Every coordinate has the same variance: one set per derivative order and rung in use,
    // where the series alone computes two per pair.
    let rungs = Set(
      Self.correlations.map { rho in
        HermiteSeriesExpectation.correlationLadder.firstIndex { rho <= $0 } ?? -1
      })
    #expect(cache.hermiteCount == 2 * rungs.count)
    #expect(cache.hermiteCount < 2 * pairs)
  }
}
