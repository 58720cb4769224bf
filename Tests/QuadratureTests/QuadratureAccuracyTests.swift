import Foundation
import Numerics
import Testing

@testable import Quadrature

/// Two-input covariances: moderate, large diagonal, ρ near ±1, very different scales, ρ = 0.
let twoInputKernels: [(k11: Double, k22: Double, rho: Double)] = [
  (1, 1.3, 0.53), (25, 25, 0.5), (1, 1, 0.999), (1, 1, -0.999), (25, 4, 0.999),
  (0.01, 1, 0.2), (9, 0.1, -0.7), (2, 2, 0),
]

/// Activations with a two-input closed form.
let closedFormActivations: [Activation] = [
  .relu, .leakyRelu(slope: 0.1), .leakyRelu(slope: -0.3), .erf(scale: 1), .erf(scale: 2.5), .sin,
]

/// ⟨σσ⟩ from the closed forms.
func closedFormCorrelation(_ activation: Activation, _ k11: Double, _ k12: Double, _ k22: Double)
  -> Double
{
  switch activation {
  case .relu: return GaussianClosedForms.reluCorrelation(k11: k11, k12: k12, k22: k22)
  case .leakyRelu(let slope):
    return GaussianClosedForms.piecewiseLinearCorrelation(
      negativeSlope: slope, positiveSlope: 1, k11: k11, k12: k12, k22: k22)
  case .erf(let scale):
    return GaussianClosedForms.erfCorrelation(scale: scale, k11: k11, k12: k12, k22: k22)
  case .sin: return GaussianClosedForms.sinCorrelation(k11: k11, k12: k12, k22: k22)
  default: return .nan
  }
}

@Suite("Quadrature against closed forms")
struct QuadratureAccuracyTests {
  /// Relative error 1e-12, except that values below 1% of the Cauchy–Schwarz scale
  /// √(⟨σ²⟩⟨σ²⟩) (cancellations, e.g. ⟨sin sin⟩ at K = 25) are held to 1e-13 of that scale.
  @Test("two-input ⟨σσ⟩ to 1e-12", arguments: closedFormActivations)
  func twoInputs(_ activation: Activation) throws {
    for (k11, k22, rho) in twoInputKernels {
      let k = try covariance(k11, k22, rho: rho)
      let factors: [GaussianFactor] = [
        .activation(activation, coordinate: 0), .activation(activation, coordinate: 1),
      ]
      let quadrature = try quadratureOnly.expectation(of: factors, covariance: k)
      let exact = closedFormCorrelation(activation, k11, k[0, 1], k22)
      let scale =
        (closedFormCorrelation(activation, k11, k11, k11)
        * closedFormCorrelation(activation, k22, k22, k22)).squareRoot()
      let allowed = max(1e-12 * abs(exact), 1e-13 * scale)
      #expect(
        abs(quadrature - exact) <= allowed,
        "\(activation.name) K = \(k): \(quadrature) vs \(exact)")
    }
  }

  @Test("two-input ⟨relu′ relu′⟩ to 1e-12")
  func reluDerivatives() throws {
    for (k11, k22, rho) in twoInputKernels {
      let k = try covariance(k11, k22, rho: rho)
      let factors: [GaussianFactor] = [
        .activation(.relu, derivative: 1, coordinate: 0),
        .activation(.relu, derivative: 1, coordinate: 1),
      ]
      let quadrature = try quadratureOnly.expectation(of: factors, covariance: k)
      let exact = GaussianClosedForms.reluDerivativeCorrelation(k11: k11, k12: k[0, 1], k22: k22)
      #expect(abs(quadrature - exact) <= 1e-12 * max(abs(exact), 0.01), "K = \(k)")
    }
  }

  @Test("one input: ⟨reluⁿ⟩ and ⟨σ²⟩", arguments: [0.3, 1.0, 25.0])
  func singleInput(_ variance: Double) throws {
    let k = try CovarianceMatrix(variance: variance)
    for n in 1...6 {
      let factors = [GaussianFactor](repeating: .activation(.relu, coordinate: 0), count: n)
      let quadrature = try quadratureOnly.expectation(of: factors, covariance: k)
      #expect(
        relativeError(quadrature, GaussianClosedForms.reluMoment(n, variance: variance)) < 1e-12,
        "relu^\(n) at K = \(variance)")
    }
    for activation in closedFormActivations {
      let factors: [GaussianFactor] = [
        .activation(activation, coordinate: 0), .activation(activation, coordinate: 0),
      ]
      let quadrature = try quadratureOnly.expectation(of: factors, covariance: k)
      let exact = closedFormCorrelation(activation, variance, variance, variance)
      #expect(relativeError(quadrature, exact) < 1e-12, "\(activation.name) at K = \(variance)")
    }
  }

  @Test("three inputs: ⟨relu(z₁) relu(z₂) z₃⟩ by Gaussian integration by parts")
  func threeInputsKinked() throws {
    // Stein: ⟨z₃F⟩ = K₃₁⟨θ(z₁)relu(z₂)⟩ + K₃₂⟨relu(z₁)θ(z₂)⟩, and
    // ⟨θ(z₁)relu(z₂)⟩ = √K₂₂ (1 + ρ₁₂) / (2√(2π)).
    let k = try CovarianceMatrix([[1.0, -0.6, 0.5], [-0.6, 2.0, 0.8], [0.5, 0.8, 1.5]])
    let rho = k[0, 1] / (k[0, 0] * k[1, 1]).squareRoot()
    let stepRelu = { (variance: Double) in
      variance.squareRoot() * (1 + rho) / (2 * (2 * Double.pi).squareRoot())
    }
    let exact = k[2, 0] * stepRelu(k[1, 1]) + k[2, 1] * stepRelu(k[0, 0])
    let quadrature = try quadratureOnly.expectation(
      of: [
        .activation(.relu, coordinate: 0), .activation(.relu, coordinate: 1),
        .power(1, coordinate: 2),
      ],
      covariance: k)
    #expect(relativeError(quadrature, exact) < 1e-12)
  }

  @Test("three and four inputs: products of sin and cos")
  func trigonometricProducts() throws {
    let k3 = try CovarianceMatrix([[1.2, 0.7, -0.3], [0.7, 0.9, 0.4], [-0.3, 0.4, 2.0]])
    let three = try quadratureOnly.expectation(
      of: [
        .activation(.sin, coordinate: 0), .activation(.sin, coordinate: 1),
        .activation(.sin, derivative: 1, coordinate: 2),
      ],
      covariance: k3)
    #expect(
      relativeError(three, trigonometricProduct(sines: [true, true, false], covariance: k3)) < 1e-12
    )

    let k4 = try CovarianceMatrix([
      [1.0, 0.5, 0.3, 0.2], [0.5, 1.2, 0.4, 0.1], [0.3, 0.4, 0.9, 0.3], [0.2, 0.1, 0.3, 1.1],
    ])
    let four = try quadratureOnly.expectation(
      of: (0..<4).map { .activation(.sin, coordinate: $0) }, covariance: k4)
    #expect(
      relativeError(four, trigonometricProduct(sines: [true, true, true, true], covariance: k4))
        < 1e-12)
  }

  @Test("four inputs: Isserlis ⟨z₁z₂z₃z₄⟩ = K₁₂K₃₄ + K₁₃K₂₄ + K₁₄K₂₃")
  func isserlisFourPoint() throws {
    let k = try CovarianceMatrix([
      [1.0, 0.5, 0.3, 0.2], [0.5, 1.2, 0.4, 0.1], [0.3, 0.4, 0.9, 0.3], [0.2, 0.1, 0.3, 1.1],
    ])
    let quadrature = try quadratureOnly.expectation(
      of: (0..<4).map { .activation(.linear, coordinate: $0) }, covariance: k)
    let exact = k[0, 1] * k[2, 3] + k[0, 2] * k[1, 3] + k[0, 3] * k[1, 2]
    #expect(relativeError(quadrature, exact) < 1e-12)
  }

  @Test("four inputs: ReLU on two independent correlated pairs factorises")
  func fourInputsKinked() throws {
    // Pairs (0, 2) and (1, 3): ⟨σ₀σ₁σ₂σ₃⟩ = ⟨σσ⟩_{K(0,2)} ⟨σσ⟩_{K(1,3)}.
    let k = try CovarianceMatrix([
      [1.0, 0, -0.9, 0], [0, 2.0, 0, 1.2], [-0.9, 0, 1.5, 0], [0, 1.2, 0, 0.8],
    ])
    let quadrature = try quadratureOnly.expectation(
      of: (0..<4).map { .activation(.relu, coordinate: $0) }, covariance: k)
    let exact =
      GaussianClosedForms.reluCorrelation(k11: 1.0, k12: -0.9, k22: 1.5)
      * GaussianClosedForms.reluCorrelation(k11: 2.0, k12: 1.2, k22: 0.8)
    #expect(relativeError(quadrature, exact) < 1e-12)
  }

  @Test("closure integrand with declared kinks")
  func closureIntegrand() throws {
    let k = try covariance(1.4, 0.6, rho: -0.8)
    let value = try quadratureOnly.expectation(covariance: k, kinks: [0: [0], 1: [0]]) { z in
      max(z[0], 0) * max(z[1], 0)
    }
    let exact = GaussianClosedForms.reluCorrelation(k11: k[0, 0], k12: k[0, 1], k22: k[1, 1])
    #expect(relativeError(value, exact) < 1e-12)
    // A kink away from 0: ⟨max(z − 1, 0)⟩ = √K φ(1/√K) − Φ(−1/√K) for K = 1.
    let shifted = try quadratureOnly.expectation(
      covariance: try CovarianceMatrix(variance: 1), kinks: [0: [1]]
    ) {
      max($0[0] - 1, 0)
    }
    let phi = exp(-0.5) / (2 * Double.pi).squareRoot()
    #expect(relativeError(shifted, phi - 0.5 * erfc(1 / 2.0.squareRoot())) < 1e-12)
  }

  @Test("coordinates without factors are integrated out")
  func marginalisation() throws {
    let k = try CovarianceMatrix([
      [2.0, 0.3, 0.5, 0.1, 0.0], [0.3, 1.0, 0.2, 0.0, 0.1], [0.5, 0.2, 1.5, 0.3, 0.2],
      [0.1, 0.0, 0.3, 1.0, 0.4], [0.0, 0.1, 0.2, 0.4, 3.0],
    ])
    let value = try quadratureOnly.expectation(
      of: [.activation(.tanh, coordinate: 4), .activation(.tanh, coordinate: 2)], covariance: k)
    let direct = try quadratureOnly.expectation(
      of: [.activation(.tanh, coordinate: 0), .activation(.tanh, coordinate: 1)],
      covariance: try CovarianceMatrix(k11: 1.5, k12: 0.2, k22: 3.0))
    #expect(relativeError(value, direct) < 1e-14)
  }

  @Test("identical inputs: the degenerate direction is dropped")
  func degenerateCovariance() throws {
    let k = try CovarianceMatrix(k11: 2, k12: 2, k22: 2)
    let value = try quadratureOnly.expectation(
      of: [.activation(.relu, coordinate: 0), .activation(.relu, coordinate: 1)], covariance: k)
    #expect(relativeError(value, 1.0) < 1e-13)
    let tanh = try quadratureOnly.expectation(
      of: [.activation(.tanh, coordinate: 0), .activation(.tanh, coordinate: 1)], covariance: k)
    let single = try quadratureOnly.expectation(
      of: [.activation(.tanh, coordinate: 0), .activation(.tanh, coordinate: 0)],
      covariance: try CovarianceMatrix(variance: 2))
    #expect(relativeError(tanh, single) < 1e-14)
    // z₂ ≡ 0: ⟨tanh²(z₁) softplus(z₂)⟩ = ln 2 · ⟨tanh²⟩.
    let zero = try CovarianceMatrix(k11: 1, k12: 0, k22: 0)
    let product = try quadratureOnly.expectation(
      of: [
        .activation(.tanh, coordinate: 0), .activation(.tanh, coordinate: 0),
        .activation(.softplus, coordinate: 1),
      ],
      covariance: zero)
    let tanhSquared = try quadratureOnly.expectation(
      of: [.activation(.tanh, coordinate: 0), .activation(.tanh, coordinate: 0)],
      covariance: try CovarianceMatrix(variance: 1))
    #expect(relativeError(product, log(2) * tanhSquared) < 1e-14)
  }

  @Test("closed-form fast path and quadrature agree")
  func fastPath() throws {
    let k = try covariance(1.7, 0.4, rho: 0.3)
    let factors: [GaussianFactor] = [
      .activation(.erf(scale: 1.5), coordinate: 0), .activation(.erf(scale: 1.5), coordinate: 1),
    ]
    let fast = try GaussianExpectation().expectation(of: factors, covariance: k)
    let slow = try quadratureOnly.expectation(of: factors, covariance: k)
    #expect(relativeError(fast, slow) < 1e-12)
  }
}
