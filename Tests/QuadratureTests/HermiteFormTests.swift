import Foundation
import Numerics
import Testing

@testable import Quadrature

@Suite("Derivative expectations by Hermite forms")
struct HermiteFormTests {
  let kernels: [CovarianceMatrix]

  init() throws {
    kernels = [
      try covariance(1, 1.3, rho: 0.53), try covariance(0.4, 2.5, rho: -0.8),
      try covariance(4, 4, rho: 0.95),
    ]
  }

  /// ⟨σ^{(a)}(z₁) σ^{(b)}(z₂)⟩ computed directly from the derivatives.
  func direct(_ activation: Activation, _ a: Int, _ b: Int, _ k: CovarianceMatrix) throws -> Double
  {
    try quadratureOnly.expectation(
      of: [
        .activation(activation, derivative: a, coordinate: 0),
        .activation(activation, derivative: b, coordinate: 1),
      ],
      covariance: k)
  }

  @Test(
    "smooth σ: the Hermite form equals the direct derivative expectation",
    arguments: [Activation.tanh, .gelu])
  func smooth(_ activation: Activation) throws {
    let factors: [GaussianFactor] = [
      .activation(activation, coordinate: 0), .activation(activation, coordinate: 1),
    ]
    let cases: [([Int], Int, Int)] = [
      ([0], 1, 0), ([1], 0, 1), ([0, 1], 1, 1), ([0, 0], 2, 0), ([1, 1], 0, 2), ([0, 0, 1], 2, 1),
      ([0, 0, 1, 1], 2, 2), ([0, 1, 1, 1], 1, 3), ([0, 0, 0, 0], 4, 0),
    ]
    for k in kernels {
      for (derivatives, a, b) in cases {
        let hermite = try quadratureOnly.derivativeExpectation(
          of: factors, derivatives: derivatives, covariance: k, method: .hermite)
        let expected = try direct(activation, a, b, k)
        #expect(
          abs(hermite - expected) <= 1e-11 * max(abs(expected), 0.1),
          "\(activation.name) ∂\(derivatives) at \(k): \(hermite) vs \(expected)")
      }
    }
  }

  @Test("ReLU: ⟨∂₁∂₂(σσ)⟩ is the arc-cosine derivative kernel")
  func reluMixed() throws {
    let factors: [GaussianFactor] = [
      .activation(.relu, coordinate: 0), .activation(.relu, coordinate: 1),
    ]
    for k in kernels {
      let hermite = try quadratureOnly.derivativeExpectation(
        of: factors, derivatives: [0, 1], covariance: k, method: .hermite)
      let exact = GaussianClosedForms.reluDerivativeCorrelation(
        k11: k[0, 0], k12: k[0, 1], k22: k[1, 1])
      #expect(relativeError(hermite, exact) < 1e-11, "at \(k)")
    }
  }

  @Test("ReLU: ⟨∂₁²(σσ)⟩ = ⟨δ(z₁) relu(z₂)⟩, the delta function at the kink")
  func reluDelta() throws {
    // p(z₁ = 0) · E[relu(z₂) | z₁ = 0] = (2πK₁₁)^{−1/2} · √((K₂₂ − K₁₂²/K₁₁)/(2π)).
    let factors: [GaussianFactor] = [
      .activation(.relu, coordinate: 0), .activation(.relu, coordinate: 1),
    ]
    for k in kernels {
      let hermite = try quadratureOnly.derivativeExpectation(
        of: factors, derivatives: [0, 0], covariance: k, method: .hermite)
      let conditional = k[1, 1] - k[0, 1] * k[0, 1] / k[0, 0]
      let exact = (conditional / k[0, 0]).squareRoot() / (2 * Double.pi)
      #expect(relativeError(hermite, exact) < 1e-11, "at \(k)")
    }
  }

  @Test("ReLU: third and fourth order give products of delta and step functions")
  func reluHigherOrders() throws {
    let factors: [GaussianFactor] = [
      .activation(.relu, coordinate: 0), .activation(.relu, coordinate: 1),
    ]
    for k in kernels + [try covariance(1, 1, rho: 0.99), try covariance(2, 0.5, rho: -0.99)] {
      // ⟨∂₁²∂₂(σσ)⟩ = ⟨δ(z₁)θ(z₂)⟩ = p(z₁ = 0) P(z₂ > 0 | z₁ = 0) = 1/(2√(2πK₁₁)).
      let third = try quadratureOnly.derivativeExpectation(
        of: factors, derivatives: [0, 0, 1], covariance: k, method: .hermite)
      #expect(relativeError(third, 0.5 / (2 * Double.pi * k[0, 0]).squareRoot()) < 1e-10, "at \(k)")
      // ⟨∂₁²∂₂²(σσ)⟩ = ⟨δ(z₁)δ(z₂)⟩ = p(0, 0) = 1/(2π√det K).
      let fourth = try quadratureOnly.derivativeExpectation(
        of: factors, derivatives: [0, 0, 1, 1], covariance: k, method: .hermite)
      let determinant = k[0, 0] * k[1, 1] - k[0, 1] * k[0, 1]
      #expect(
        relativeError(fourth, 1 / (2 * Double.pi * determinant.squareRoot())) < 1e-10, "at \(k)")
    }
  }

  @Test("single input: derivatives of ReLU powers")
  func singleInput() throws {
    let k = try CovarianceMatrix(variance: 1.7)
    let relu: GaussianFactor = .activation(.relu, coordinate: 0)
    // relu″ = δ: ⟨δ(z)⟩ = (2πK)^{−1/2}.
    let delta = try quadratureOnly.derivativeExpectation(
      of: [relu], derivatives: [0, 0], covariance: k)
    #expect(relativeError(delta, 1 / (2 * Double.pi * 1.7).squareRoot()) < 1e-12)
    // (relu²)″ = 2θ: ⟨2θ⟩ = 1.
    let square = try quadratureOnly.derivativeExpectation(
      of: [relu, relu], derivatives: [0, 0], covariance: k)
    #expect(relativeError(square, 1) < 1e-12)
    // (relu⁴)⁗ = 24θ: ⟨24θ⟩ = 12.
    let fourth = try quadratureOnly.derivativeExpectation(
      of: [relu, relu, relu, relu], derivatives: [0, 0, 0, 0], covariance: k)
    #expect(relativeError(fourth, 12) < 1e-12)
    // (relu²)⁗ = 2δ′: ⟨2δ′⟩ = −2p′(0) = 0.
    let odd = try quadratureOnly.derivativeExpectation(
      of: [relu, relu], derivatives: [0, 0, 0, 0], covariance: k)
    #expect(abs(odd) < 1e-12)
  }

  @Test("automatic method: exact derivative products where they are ordinary functions")
  func automaticMethod() throws {
    let k = try covariance(1, 1, rho: 0.999)
    let tanh: [GaussianFactor] = [
      .activation(.tanh, coordinate: 0), .activation(.tanh, coordinate: 1),
    ]
    let automatic = try quadratureOnly.derivativeExpectation(
      of: tanh, derivatives: [0, 0, 1, 1], covariance: k)
    let direct = try quadratureOnly.expectation(
      of: [
        .activation(.tanh, derivative: 2, coordinate: 0),
        .activation(.tanh, derivative: 2, coordinate: 1),
      ],
      covariance: k)
    #expect(automatic == direct)
    // Leibniz on one coordinate: ∂²(σ²) = 2σ′² + 2σσ″.
    let single = try CovarianceMatrix(variance: 1.3)
    let square = try quadratureOnly.derivativeExpectation(
      of: [.activation(.gelu, coordinate: 0), .activation(.gelu, coordinate: 0)],
      derivatives: [0, 0],
      covariance: single)
    let hermite = try quadratureOnly.derivativeExpectation(
      of: [.activation(.gelu, coordinate: 0), .activation(.gelu, coordinate: 0)],
      derivatives: [0, 0],
      covariance: single, method: .hermite)
    #expect(relativeError(square, hermite) < 1e-12)
    // ReLU differentiated twice on one factor falls back to the Hermite form (a delta function).
    let relu: [GaussianFactor] = [
      .activation(.relu, coordinate: 0), .activation(.relu, coordinate: 1),
    ]
    let kink = try covariance(1, 2, rho: 0.3)
    let fallback = try quadratureOnly.derivativeExpectation(
      of: relu, derivatives: [0, 0], covariance: kink)
    let conditional = kink[1, 1] - kink[0, 1] * kink[0, 1] / kink[0, 0]
    #expect(
      relativeError(fallback, (conditional / kink[0, 0]).squareRoot() / (2 * Double.pi)) < 1e-12)
    // Powers: ∂²(z³σ) = 6zσ + 6z²σ′ + z³σ″ (an even integrand for odd σ).
    let power = try quadratureOnly.derivativeExpectation(
      of: [.power(3, coordinate: 0), .activation(.tanh, coordinate: 0)], derivatives: [0, 0],
      covariance: single)
    let powerHermite = try quadratureOnly.derivativeExpectation(
      of: [.power(3, coordinate: 0), .activation(.tanh, coordinate: 0)], derivatives: [0, 0],
      covariance: single, method: .hermite)
    #expect(relativeError(power, powerHermite) < 1e-12)
  }

  @Test("a derivative with respect to an unused coordinate vanishes")
  func unusedCoordinate() throws {
    let k = try CovarianceMatrix([[1, 0.3, 0.2], [0.3, 1, 0.1], [0.2, 0.1, 1]])
    let value = try quadratureOnly.derivativeExpectation(
      of: [.activation(.tanh, coordinate: 0), .activation(.tanh, coordinate: 1)],
      derivatives: [2, 0],
      covariance: k)
    #expect(value == 0)
  }

  @Test("first order is Stein's lemma: ⟨z_β F⟩ = Σ_γ K_{βγ}⟨∂_γ F⟩")
  func stein() throws {
    let k = try covariance(1.2, 0.7, rho: 0.4)
    let factors: [GaussianFactor] = [
      .activation(.swish, coordinate: 0), .activation(.relu, coordinate: 1),
    ]
    let d0 = try quadratureOnly.derivativeExpectation(of: factors, derivatives: [0], covariance: k)
    let d1 = try quadratureOnly.derivativeExpectation(of: factors, derivatives: [1], covariance: k)
    let weighted = try quadratureOnly.expectation(
      of: factors + [.power(1, coordinate: 0)], covariance: k)
    #expect(relativeError(k[0, 0] * d0 + k[0, 1] * d1, weighted) < 1e-12)
  }
}
