import Foundation
import Numerics
import Testing

@testable import Quadrature

@Suite("Closed-form Gaussian integrals")
struct GaussianClosedFormsTests {
  @Test("piecewise-linear form reduces to ReLU and to the identity")
  func piecewiseLinearSpecialCases() {
    for (k11, k12, k22) in [(1.0, 0.3, 2.0), (25.0, -20.0, 25.0), (0.5, 0.4999, 0.5)] {
      let relu = GaussianClosedForms.reluCorrelation(k11: k11, k12: k12, k22: k22)
      let general = GaussianClosedForms.piecewiseLinearCorrelation(
        negativeSlope: 0, positiveSlope: 1, k11: k11, k12: k12, k22: k22)
      #expect(relativeError(general, relu) < 1e-14)
      let identity = GaussianClosedForms.piecewiseLinearCorrelation(
        negativeSlope: 1, positiveSlope: 1, k11: k11, k12: k12, k22: k22)
      #expect(relativeError(identity, k12) < 1e-14)
    }
  }

  @Test("ReLU kernel at ρ = ±1 and ρ = 0")
  func reluSpecialAngles() {
    // ρ = 1: ⟨relu(z)²⟩ = K/2. ρ = −1: z₂ = −z₁, so the product vanishes. ρ = 0: (1/2π)√(k11k22).
    #expect(relativeError(GaussianClosedForms.reluCorrelation(k11: 3, k12: 3, k22: 3), 1.5) < 1e-15)
    #expect(GaussianClosedForms.reluCorrelation(k11: 3, k12: -3, k22: 3) == 0)
    #expect(
      relativeError(GaussianClosedForms.reluCorrelation(k11: 1, k12: 0, k22: 4), 1 / Double.pi)
        < 1e-15)
    #expect(GaussianClosedForms.reluDerivativeCorrelation(k11: 2, k12: 2, k22: 2) == 0.5)
    #expect(GaussianClosedForms.reluDerivativeCorrelation(k11: 2, k12: -2, k22: 2) == 0)
  }

  @Test("ReLU kernel is stable near ρ = −1 (the bracket is O(δ³))")
  func reluNearAntiCorrelation() {
    // sin δ − δ cos δ summed in extended precision by hand: δ = arccos(0.999) ≈ 0.0447…
    let rho = -0.999
    let delta = acos(-rho)
    let series = delta * delta * delta / 3 - pow(delta, 5) / 30 + pow(delta, 7) / 840
    let expected = series / (2 * Double.pi)
    #expect(
      relativeError(GaussianClosedForms.reluCorrelation(k11: 1, k12: rho, k22: 1), expected) < 1e-12
    )
  }

  @Test("ReLU moments ½(n−1)!!Kⁿᐟ² (times √(2/π) for odd n)")
  func reluMoments() {
    let k = 2.5
    #expect(
      relativeError(
        GaussianClosedForms.reluMoment(1, variance: k), (k / (2 * Double.pi)).squareRoot()) < 1e-15)
    #expect(relativeError(GaussianClosedForms.reluMoment(2, variance: k), k / 2) < 1e-15)
    #expect(relativeError(GaussianClosedForms.reluMoment(4, variance: k), 1.5 * k * k) < 1e-15)
    #expect(relativeError(GaussianClosedForms.reluMoment(6, variance: k), 7.5 * k * k * k) < 1e-15)
  }

  @Test("erf kernel approaches the linear one for small K")
  func erfSmallVariance() {
    let b = 2.0
    let k = 1e-8
    let value = GaussianClosedForms.erfCorrelation(scale: b, k11: k, k12: 0.5 * k, k22: k)
    #expect(relativeError(value, 4 * b * b / Double.pi * 0.5 * k) < 1e-7)
  }

  @Test("sin and cos kernels")
  func trigonometric() throws {
    #expect(GaussianClosedForms.sinCorrelation(k11: 2, k12: 0, k22: 3) == 0)
    #expect(GaussianClosedForms.cosCorrelation(k11: 0, k12: 0, k22: 0) == 1)
    let k = try covariance(1.5, 0.7, rho: 0.4)
    #expect(
      relativeError(
        GaussianClosedForms.sinCorrelation(k11: k[0, 0], k12: k[0, 1], k22: k[1, 1]),
        trigonometricProduct(sines: [true, true], covariance: k)) < 1e-14)
    #expect(
      relativeError(
        GaussianClosedForms.cosCorrelation(k11: k[0, 0], k12: k[0, 1], k22: k[1, 1]),
        trigonometricProduct(sines: [false, false], covariance: k)) < 1e-14)
    // No overflow for large variances: e^{−(k11+k22)/2} sinh k12 with k12 ≈ 800.
    #expect(GaussianClosedForms.sinCorrelation(k11: 900, k12: 800, k22: 900).isFinite)
  }

  @Test("Isserlis moments")
  func isserlis() throws {
    let k = try CovarianceMatrix([
      [1.0, 0.5, 0.3, 0.2], [0.5, 1.2, 0.4, 0.1], [0.3, 0.4, 0.9, 0.3], [0.2, 0.1, 0.3, 1.1],
    ])
    let fourPoint = GaussianClosedForms.gaussianMoment(exponents: [1, 1, 1, 1], covariance: k)
    // K₁₂K₃₄ + K₁₃K₂₄ + K₁₄K₂₃
    #expect(relativeError(fourPoint, 0.5 * 0.3 + 0.3 * 0.1 + 0.2 * 0.4) < 1e-15)
    #expect(
      relativeError(
        GaussianClosedForms.gaussianMoment(exponents: [2, 2, 0, 0], covariance: k),
        1.0 * 1.2 + 2 * 0.5 * 0.5) < 1e-15)
    #expect(
      relativeError(
        GaussianClosedForms.gaussianMoment(exponents: [0, 0, 4, 0], covariance: k), 3 * 0.81)
        < 1e-15)
    #expect(GaussianClosedForms.gaussianMoment(exponents: [1, 2, 0, 0], covariance: k) == 0)
    #expect(GaussianClosedForms.gaussianMoment(exponents: [0, 0, 0, 0], covariance: k) == 1)
  }

  @Test("the dispatcher recognises the products it knows, and only those")
  func dispatcher() throws {
    let k = try covariance(1.3, 0.8, rho: 0.35)
    let relu = GaussianClosedForms.expectation(
      of: [.activation(.relu, coordinate: 0), .activation(.relu, coordinate: 1)], covariance: k)
    #expect(relu == GaussianClosedForms.reluCorrelation(k11: k[0, 0], k12: k[0, 1], k22: k[1, 1]))
    #expect(
      GaussianClosedForms.expectation(
        of: [.activation(.tanh, coordinate: 0), .activation(.tanh, coordinate: 1)], covariance: k)
        == nil)
    #expect(
      GaussianClosedForms.expectation(
        of: [.activation(.relu, coordinate: 0), .activation(.erf(scale: 1), coordinate: 1)],
        covariance: k) == nil)
    let single = try CovarianceMatrix(variance: 2)
    // ⟨relu(z) z²⟩ = ½E|z|³ = ½ · 2 √(2/π) K^{3/2}.
    let cubic = try #require(
      GaussianClosedForms.expectation(
        of: [.activation(.relu, coordinate: 0), .power(2, coordinate: 0)], covariance: single))
    #expect(relativeError(cubic, (2 / Double.pi).squareRoot() * pow(2, 1.5)) < 1e-15)
    #expect(
      GaussianClosedForms.expectation(
        of: [.activation(.linear, coordinate: 0), .activation(.linear, coordinate: 1)],
        covariance: k)
        == k[0, 1])
  }
}
