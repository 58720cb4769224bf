import Foundation
import Numerics
import Quadrature
import Testing

/// Split-at-kink Gauss–Legendre quadrature in Cholesky coordinates against closed forms
/// (FORMULAS.md §9), typed here independently of the library's own closed forms. Closed-form
/// fast paths are switched off so the quadrature itself is tested. Tolerance: 1e-12 relative
/// (the accuracy contract), absolute 1e-13 near zero.
@Suite struct SplitAtKinkQuadratureTests {
  let quadrature = GaussianExpectation(options: .init(useClosedForms: false))

  func close(_ x: Double, _ y: Double, _ tolerance: Double = 1e-12) -> Bool {
    abs(x - y) <= tolerance * max(abs(y), 1e-1)
  }

  func pair(_ a: Activation, _ k11: Double, _ k12: Double, _ k22: Double) throws -> Double {
    try quadrature.expectation(
      of: [.activation(a, coordinate: 0), .activation(a, coordinate: 1)],
      covariance: CovarianceMatrix(k11: k11, k12: k12, k22: k22))
  }

  static let covariances: [(Double, Double, Double)] = [
    (1, 0.3, 1), (2, -0.7, 0.5), (25, 4, 9), (1, 0.999, 1), (1, -0.999, 1), (0.01, 0.002, 0.04),
    (1, 0, 3),
  ]

  /// Catches: a missing split at the kink (error ∝ 1/m), wrong Cholesky coordinates, truncation
  /// too short for large K.
  @Test(arguments: covariances.indices)
  func reluArcCosine(_ c: Int) throws {
    let (k11, k12, k22) = Self.covariances[c]
    let theta = acos(k12 / (k11 * k22).squareRoot())
    let exact =
      (k11 * k22).squareRoot() / (2 * Double.pi) * (sin(theta) + (Double.pi - theta) * cos(theta))
    #expect(close(try pair(.relu, k11, k12, k22), exact))
  }

  @Test(arguments: covariances.indices)
  func leakyRelu(_ c: Int) throws {
    let (k11, k12, k22) = Self.covariances[c]
    let (a, b) = (0.1, 1.0)
    let theta = acos(k12 / (k11 * k22).squareRoot())
    let exact =
      (a - b) * (a - b) / (2 * Double.pi) * (k11 * k22 - k12 * k12).squareRoot()
      + ((a * a + b * b) / 2 - (a - b) * (a - b) / (2 * Double.pi) * theta) * k12
    #expect(close(try pair(.leakyRelu(slope: 0.1), k11, k12, k22), exact))
  }

  @Test(arguments: covariances.indices)
  func erfArcSine(_ c: Int) throws {
    let (k11, k12, k22) = Self.covariances[c]
    let b = 1.5
    let exact =
      2 / Double.pi
      * asin(2 * b * b * k12 / ((1 + 2 * b * b * k11) * (1 + 2 * b * b * k22)).squareRoot())
    #expect(close(try pair(.erf(scale: b), k11, k12, k22), exact))
  }

  @Test(arguments: covariances.indices.filter { Self.covariances[$0].0 < 10 })
  func sine(_ c: Int) throws {
    let (k11, k12, k22) = Self.covariances[c]
    let exact = exp(-(k11 + k22) / 2) * sinh(k12)
    #expect(close(try pair(.sin, k11, k12, k22), exact))
  }

  /// Single input: ⟨relu^{2m}⟩ = ½(2m−1)!! K^m.
  @Test func reluEvenMoments() throws {
    for m in 1...4 {
      let k = 2.5
      var factors: [GaussianFactor] = []
      for _ in 0..<(2 * m) { factors.append(.activation(.relu, coordinate: 0)) }
      let doubleFactorial = stride(from: 2 * m - 1, to: 0, by: -2).reduce(1.0) { $0 * Double($1) }
      let exact = 0.5 * doubleFactorial * pow(k, Double(m))
      #expect(
        close(
          try quadrature.expectation(of: factors, covariance: CovarianceMatrix(variance: k)), exact)
      )
    }
  }

  /// Four dimensions: Isserlis for z₁z₂z₃z₄ and ⟨relu relu relu relu⟩ at a diagonal K (product of
  /// one-dimensional moments).
  @Test func fourDimensions() throws {
    let rows: [[Double]] = [
      [2, 0.3, -0.2, 0.5], [0.3, 1, 0.1, -0.4], [-0.2, 0.1, 1.5, 0.2], [0.5, -0.4, 0.2, 1.2],
    ]
    let k = try CovarianceMatrix(rows)
    let z = try quadrature.expectation(
      of: (0..<4).map { GaussianFactor.power(1, coordinate: $0) }, covariance: k)
    let isserlis = rows[0][1] * rows[2][3] + rows[0][2] * rows[1][3] + rows[0][3] * rows[1][2]
    #expect(close(z, isserlis))
    let d = try CovarianceMatrix([[1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 3, 0], [0, 0, 0, 4]])
    let r = try quadrature.expectation(
      of: (0..<4).map { GaussianFactor.activation(.relu, coordinate: $0) }, covariance: d)
    let product = [1.0, 2, 3, 4].reduce(1.0) { $0 * ($1 / (2 * Double.pi)).squareRoot() }
    #expect(close(r, product))
  }

  /// Hermite (derivative-free) form against explicit derivatives for a smooth σ: for tanh,
  /// ⟨∂₁∂₂(σ₁σ₂)⟩ = ⟨σ'₁σ'₂⟩ and ⟨∂₁∂₁(σ₁σ₂)⟩ = ⟨σ''₁σ₂⟩. Catches wrong inverse-metric
  /// contractions in the Hermite tensors.
  @Test func hermiteFormMatchesDerivatives() throws {
    let k = try CovarianceMatrix(k11: 1.3, k12: 0.4, k22: 0.8)
    let f: [GaussianFactor] = [
      .activation(.tanh, coordinate: 0), .activation(.tanh, coordinate: 1),
    ]
    let mixed = try quadrature.derivativeExpectation(of: f, derivatives: [0, 1], covariance: k)
    let direct = try quadrature.expectation(
      of: [
        .activation(.tanh, derivative: 1, coordinate: 0),
        .activation(.tanh, derivative: 1, coordinate: 1),
      ], covariance: k)
    #expect(close(mixed, direct, 1e-11))
    let same = try quadrature.derivativeExpectation(of: f, derivatives: [0, 0], covariance: k)
    let direct2 = try quadrature.expectation(
      of: [.activation(.tanh, derivative: 2, coordinate: 0), .activation(.tanh, coordinate: 1)],
      covariance: k)
    #expect(close(same, direct2, 1e-11))
    // Fourth order: ⟨∂⁴ σ²⟩ for one input equals ⟨(σ²)''''⟩ by Leibniz.
    let one = try CovarianceMatrix(variance: 0.7)
    let four = try quadrature.derivativeExpectation(
      of: [.activation(.tanh, coordinate: 0), .activation(.tanh, coordinate: 0)],
      derivatives: [0, 0, 0, 0], covariance: one)
    var leibniz = 0.0
    for (j, binomial) in [1.0, 4, 6, 4, 1].enumerated() {
      leibniz +=
        binomial
        * (try quadrature.expectation(
          of: [
            .activation(.tanh, derivative: j, coordinate: 0),
            .activation(.tanh, derivative: 4 - j, coordinate: 0),
          ], covariance: one))
    }
    #expect(close(four, leibniz, 1e-10))
  }

  /// ReLU at one input: ⟨∂²(σ²)⟩ = 1 and ⟨∂⁴(σ²)⟩ = 0 exactly (the Hermite form handles the kink).
  @Test func hermiteFormForRelu() throws {
    let k = try CovarianceMatrix(variance: 1.7)
    let f: [GaussianFactor] = [
      .activation(.relu, coordinate: 0), .activation(.relu, coordinate: 0),
    ]
    #expect(
      close(try quadrature.derivativeExpectation(of: f, derivatives: [0, 0], covariance: k), 1))
    #expect(
      abs(try quadrature.derivativeExpectation(of: f, derivatives: [0, 0, 0, 0], covariance: k))
        < 1e-12)
  }

  /// A covariance that is not positive semidefinite is refused when integrated against — an
  /// error, never a NaN.
  @Test func nonPositiveDefiniteCovarianceThrows() throws {
    let bad = try CovarianceMatrix(k11: 1, k12: 2, k22: 1)
    #expect(throws: (any Error).self) { try pair(.tanh, 1, 2, 1) }
    #expect(throws: (any Error).self) {
      try quadrature.derivativeExpectation(
        of: [.activation(.relu, coordinate: 0)], derivatives: [0, 1], covariance: bad)
    }
  }

  /// Gauss–Legendre: the 5-point rule (Abramowitz & Stegun 25.4.29) and exactness for
  /// polynomials of degree ≤ 2m − 1.
  @Test func gaussLegendreRule() {
    let rule = GaussLegendreRule(order: 5)
    let nodes = rule.nodes.sorted()
    let expected = [
      -0.906179845938664, -0.538469310105683, 0, 0.538469310105683, 0.906179845938664,
    ]
    for (x, y) in zip(nodes, expected) { #expect(abs(x - y) < 1e-14) }
    let w0 = zip(rule.nodes, rule.weights).first { abs($0.0) < 1e-12 }?.1 ?? .nan
    #expect(abs(w0 - 0.568888888888889) < 1e-14)
    let r = GaussLegendreRule(order: 12)
    for degree in 0...23 {
      let integral = r.integrate(from: -1, to: 2) { pow($0, Double(degree)) }
      let exact = (pow(2, Double(degree + 1)) - pow(-1, Double(degree + 1))) / Double(degree + 1)
      #expect(abs(integral - exact) <= 1e-12 * max(1, abs(exact)))
    }
  }
}
