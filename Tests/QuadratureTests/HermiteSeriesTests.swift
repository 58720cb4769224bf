import Foundation
import Numerics
import Testing

@testable import Quadrature

/// Mehler's series for two-coordinate products (``HermiteSeriesExpectation``) against the
/// nested quadrature at its reference setting, which never uses the series.
@Suite("Hermite (Mehler) series")
struct HermiteSeriesTests {
  static let reference = GaussianExpectation(options: .reference)
  /// The public entry point without closed forms: the series where it applies.
  static let automatic = GaussianExpectation(options: .init(useClosedForms: false))
  static let rules = GaussLegendreRuleTable(including: nil)
  static let tolerance = GaussianExpectation.Options().tolerance

  /// Two-coordinate integrands: the factors on coordinate 0 and on coordinate 1.
  static let integrands:
    [(name: String, f: [GaussianFactor.Function], g: [GaussianFactor.Function])] =
      [
        ("tanh·tanh", [.activation(.tanh, derivative: 0)], [.activation(.tanh, derivative: 0)]),
        ("gelu·gelu", [.activation(.gelu, derivative: 0)], [.activation(.gelu, derivative: 0)]),
        ("swish·swish", [.activation(.swish, derivative: 0)], [.activation(.swish, derivative: 0)]),
        (
          "softplus·softplus", [.activation(.softplus, derivative: 0)],
          [.activation(.softplus, derivative: 0)]
        ),
        (
          "erf·erf", [.activation(.erf(scale: 1), derivative: 0)],
          [.activation(.erf(scale: 1), derivative: 0)]
        ),
        ("relu·relu", [.activation(.relu, derivative: 0)], [.activation(.relu, derivative: 0)]),
        ("sin·sin", [.activation(.sin, derivative: 0)], [.activation(.sin, derivative: 0)]),
        (
          "tanh′tanh·tanh", [.activation(.tanh, derivative: 1), .activation(.tanh, derivative: 0)],
          [.activation(.tanh, derivative: 0)]
        ),
        (
          "tanh²z·tanh",
          [.activation(.tanh, derivative: 0), .activation(.tanh, derivative: 0), .power(1)],
          [.activation(.tanh, derivative: 0)]
        ),
        ("relu′·gelu", [.activation(.relu, derivative: 1)], [.activation(.gelu, derivative: 0)]),
        (
          "leaky·swish″", [.activation(.leakyRelu(slope: -0.2), derivative: 0)],
          [.activation(.swish, derivative: 2)]
        ),
        ("tanh·z²", [.activation(.tanh, derivative: 0), .power(1)], [.power(2)]),
      ]

  /// Variances from 0.01 to 25 and correlations up to the series' limit.
  static let kernels: [(k11: Double, k22: Double, rho: Double)] = {
    let variances: [(Double, Double)] = [(1, 1.3), (0.01, 1), (25, 25), (9, 0.1), (25, 0.01)]
    let rhos = [
      -HermiteSeriesExpectation.maximumCorrelation, -0.4, 0.1, 0.53,
      HermiteSeriesExpectation.maximumCorrelation,
    ]
    return variances.flatMap { v in rhos.map { (v.0, v.1, $0) } }
  }()

  /// The series at the default tolerance (a helper, so that failures print only the problem).
  static func series(_ problem: ProductProblem, terms: Int? = nil)
    -> HermiteSeriesExpectation.Result?
  {
    HermiteSeriesExpectation.evaluate(problem, rules: rules, tolerance: tolerance, terms: terms)
  }

  /// The product f(z₁) g(z₂) as factors.
  static func factors(_ f: [GaussianFactor.Function], _ g: [GaussianFactor.Function])
    -> [GaussianFactor]
  {
    f.map { GaussianFactor($0, coordinate: 0) } + g.map { GaussianFactor($0, coordinate: 1) }
  }

  /// √(E f² E g²) by the reference quadrature.
  static func scale(
    _ f: [GaussianFactor.Function], _ g: [GaussianFactor.Function], _ k11: Double, _ k22: Double
  ) throws -> Double {
    let ff = try reference.expectation(
      of: (f + f).map { GaussianFactor($0, coordinate: 0) },
      covariance: CovarianceMatrix(variance: k11))
    let gg = try reference.expectation(
      of: (g + g).map { GaussianFactor($0, coordinate: 0) },
      covariance: CovarianceMatrix(variance: k22))
    return (ff * gg).squareRoot()
  }

  /// The series itself (not a fallback) agrees with the reference to 1e-12 relative, or to
  /// 1e-13 of the Cauchy–Schwarz scale √(E f² E g²) for a cancellation.
  @Test("series against the reference nested quadrature", arguments: integrands.indices)
  func againstReference(_ index: Int) throws {
    let (name, f, g) = Self.integrands[index]
    for (k11, k22, rho) in Self.kernels {
      let k = try covariance(k11, k22, rho: rho)
      let factors = Self.factors(f, g)
      let problem = try ProductProblem(factors: factors, covariance: k)
      guard
        let series = HermiteSeriesExpectation.evaluate(
          problem, rules: Self.rules, tolerance: Self.tolerance)
      else {
        Issue.record("\(name) K = \(k): the series should apply")
        continue
      }
      let exact = try Self.reference.expectation(of: factors, covariance: k)
      let scale = try Self.scale(f, g, k11, k22)
      let allowed = max(1e-12 * abs(exact), 1e-13 * scale)
      #expect(
        abs(series.value - exact) <= allowed,
        "\(name) K = \(k): \(series.value) vs \(exact) (scale \(scale))")
      // The public entry point takes the same path.
      let viaEntryPoint = try Self.automatic.expectation(of: factors, covariance: k)
      #expect(viaEntryPoint == series.value, "\(name) K = \(k)")
    }
  }

  /// Beyond the limit the series declines and the nested quadrature stays accurate.
  @Test("|ρ| above the limit falls back", arguments: [0.92, -0.95, 0.99, -0.999])
  func fallback(_ rho: Double) throws {
    for (name, f, g) in Self.integrands.prefix(7) {
      let k = try covariance(1, 2, rho: rho)
      let factors = Self.factors(f, g)
      let problem = try ProductProblem(factors: factors, covariance: k)
      #expect(
        HermiteSeriesExpectation.evaluate(problem, rules: Self.rules, tolerance: Self.tolerance)
          == nil, "\(name) at ρ = \(rho)")
      let value = try Self.automatic.expectation(of: factors, covariance: k)
      let exact = try Self.reference.expectation(of: factors, covariance: k)
      let allowed = max(1e-12 * abs(exact), 1e-13 * (try Self.scale(f, g, 1, 2)))
      #expect(abs(value - exact) <= allowed, "\(name) at ρ = \(rho): \(value) vs \(exact)")
    }
  }

  /// Unusual problems decline: a zero variance, one or three coordinates.
  @Test("unusual problems decline")
  func declines() throws {
    let tanh = GaussianFactor.activation(.tanh, coordinate: 0)
    let other = GaussianFactor.activation(.tanh, coordinate: 1)
    let zero = try CovarianceMatrix(k11: 1, k12: 0, k22: 0)
    let degenerate = try ProductProblem(factors: [tanh, other], covariance: zero)
    #expect(
      HermiteSeriesExpectation.evaluate(degenerate, rules: Self.rules, tolerance: Self.tolerance)
        == nil)
    let one = try ProductProblem(factors: [tanh, tanh], covariance: zero)
    #expect(
      HermiteSeriesExpectation.evaluate(one, rules: Self.rules, tolerance: Self.tolerance) == nil)
    let k3 = try CovarianceMatrix([[1, 0.2, 0.1], [0.2, 1, 0.3], [0.1, 0.3, 1]])
    let three = try ProductProblem(
      factors: [tanh, other, .activation(.tanh, coordinate: 2)], covariance: k3)
    #expect(
      HermiteSeriesExpectation.evaluate(three, rules: Self.rules, tolerance: Self.tolerance)
        == nil)
    // z₂ ≡ 0 still works through the public entry point (the nested quadrature).
    let value = try Self.automatic.expectation(
      of: [tanh, tanh, .activation(.softplus, coordinate: 1)], covariance: zero)
    let tanhSquared = try Self.reference.expectation(
      of: [tanh, tanh], covariance: try CovarianceMatrix(variance: 1))
    #expect(relativeError(value, log(2) * tanhSquared) < 1e-13)
  }

  /// The truncation bound matters: the term count grows with |ρ|, and summing only half of
  /// the terms it asks for misses the tolerance by orders of magnitude.
  @Test("the truncation bound sets the number of terms")
  func truncationBound() throws {
    let counts = [0.1, 0.3, 0.5, 0.6, 0.7, 0.75, 0.9].map {
      HermiteSeriesExpectation.termCount(rho: $0, tolerance: Self.tolerance)
    }
    #expect(counts == counts.sorted() && Set(counts).count == counts.count, "\(counts)")
    #expect(HermiteSeriesExpectation.termCount(rho: 0, tolerance: Self.tolerance) == 0)
    #expect(
      HermiteSeriesExpectation.termCount(rho: -0.6, tolerance: Self.tolerance)
        == HermiteSeriesExpectation.termCount(rho: 0.6, tolerance: Self.tolerance))
    // E[erf(bz₁) erf(bz₂)] = (2/π) asin(2b²K₁₂ / √((1+2b²K₁₁)(1+2b²K₂₂))): a_k² decays like
    // r^k, r = 2b²/(1+2b²) = 50/51 at b = 5, K = 1, so half the terms leave ~(0.75 r)^{N/2}.
    let k = try covariance(1, 1, rho: 0.75)
    let exact = 2 / Double.pi * asin(50 * k[0, 1] / 51)
    let erf5 = Activation.erf(scale: 5)
    let problem = try ProductProblem(
      factors: [.activation(erf5, coordinate: 0), .activation(erf5, coordinate: 1)],
      covariance: k)
    let full = try #require(Self.series(problem))
    #expect(relativeError(full.value, exact) < 1e-13)
    let half = try #require(Self.series(problem, terms: full.terms / 2))
    #expect(relativeError(half.value, exact) > 1e-10, "error \(relativeError(half.value, exact))")
  }

  /// Parseval: Σ a_k² ≤ E f², with equality in the limit (for erf(σx), a_k² decays like
  /// (2σ²/(1+2σ²))ᵏ, so 200 terms nearly exhaust E f² for σ ≤ 2).
  @Test("coefficients obey Parseval")
  func parseval() throws {
    for sigma in [0.1, 1.0, 2.0] {
      guard
        let c = HermiteSeriesExpectation.coefficients(
          of: [.activation(.erf(scale: 1), derivative: 0)], scale: sigma, rho: 0.9, terms: 200,
          rules: Self.rules, tolerance: Self.tolerance)
      else {
        Issue.record("σ = \(sigma): no coefficients")
        continue
      }
      let sum = c.values.reduce(0) { $0 + $1 * $1 }
      #expect(sum <= c.secondMoment * (1 + 1e-13))
      #expect(sum >= c.secondMoment * (1 - 1e-6), "σ = \(sigma): \(sum) vs \(c.secondMoment)")
      // Odd function: every even coefficient vanishes.
      for k in stride(from: 0, through: 200, by: 2) { #expect(abs(c.values[k]) < 1e-15) }
    }
  }
}
