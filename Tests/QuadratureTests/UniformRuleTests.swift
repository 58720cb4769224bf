import Foundation
import Numerics
import Testing

@testable import Quadrature

/// The uniform (trapezoidal) rule on smooth levels (``GaussianExpectation/Options/useUniformRule``):
/// where the plan takes it, that it takes fewer nodes than graded Gauss–Legendre pieces on the
/// kernels of a deep tanh network, and its accuracy — against the adaptive reference (3-D,
/// activation derivatives up to order 4, i.e. poles up to order 5), against exact
/// characteristic-function values (4-D products of sin and cos), and against the
/// Gauss–Legendre levels it replaces (4-D ⟨σσσσ⟩, whose reference takes minutes in a debug
/// build).
@Suite("Uniform rule")
struct UniformRuleTests {
  static let uniform = GaussianExpectation(
    options: .init(useClosedForms: false, useHermiteSeries: false))
  static let graded = GaussianExpectation(
    options: .init(useClosedForms: false, useHermiteSeries: false, useUniformRule: false))
  static let reference = GaussianExpectation(options: .reference)

  /// Layer 5 of `derive eval` for tanh (C_b 0.1, C_W 1) on four of its 8 inputs: variances
  /// ≈ 0.3, correlations ≈ 0.87, scaled by `scale`.
  static func deepKernel(_ scale: Double, dimension d: Int = 4) throws -> CovarianceMatrix {
    let k: [[Double]] = [
      [0.29680371564946, 0.262738675640075, 0.259474475432165, 0.259369932078578],
      [0.262738675640075, 0.29826109376587, 0.254624610452556, 0.2523548736835],
      [0.259474475432165, 0.254624610452556, 0.301243048608274, 0.267985204418297],
      [0.259369932078578, 0.2523548736835, 0.267985204418297, 0.295199154591483],
    ]
    return try CovarianceMatrix((0..<d).map { a in (0..<d).map { b in scale * k[a][b] } })
  }

  static func plan(_ factors: [GaussianFactor], _ k: CovarianceMatrix, uniform: Bool)
    throws -> NestedGaussianQuadrature
  {
    var functions = [[GaussianFactor.Function]](repeating: [], count: k.dimension)
    for f in factors { functions[f.coordinate].append(f.function) }
    return NestedGaussianQuadrature(
      factorisation: try CholeskyFactor(k), functions: functions,
      features: [[QuadratureFeature]](repeating: [], count: k.dimension), maximumDegree: 0,
      rules: Self.uniform.rules, options: .init(useUniformRule: uniform), closure: nil)
  }

  /// ⟨|F|⟩'s Hölder bound Π ⟨f⁴⟩^{1/4}: the scale the accuracy contract refers to.
  static func scale(_ factors: [GaussianFactor], _ k: CovarianceMatrix) throws -> Double {
    var result = 1.0
    for f in factors {
      let single = try CovarianceMatrix([[k[f.coordinate, f.coordinate]]])
      let fourth = try reference.expectation(
        covariance: single, kinks: [:],
        { z in pow(f.function(z[0]), 4) })
      result *= pow(fourth, 0.25)
    }
    return result
  }

  @Test("smooth levels take the uniform rule; kinks, closures and the reference do not")
  func planning() throws {
    let k = try Self.deepKernel(1)
    let tanh4 = (0..<4).map { GaussianFactor.activation(.tanh, coordinate: $0) }
    #expect(try Self.plan(tanh4, k, uniform: true).levels.allSatisfy(\.usesUniformRule))
    #expect(try !Self.plan(tanh4, k, uniform: false).levels.contains(where: \.usesUniformRule))
    let relu4 = (0..<4).map { GaussianFactor.activation(.relu, coordinate: $0) }
    #expect(try !Self.plan(relu4, k, uniform: true).levels.contains(where: \.usesUniformRule))
    #expect(!GaussianExpectation.Options.reference.useUniformRule)
    // A narrow feature (erf(8z): width 1/8 in z, about 0.2 in u) keeps graded pieces there.
    let steep = (0..<4).map { GaussianFactor.activation(.erf(scale: 8), coordinate: $0) }
    #expect(try !Self.plan(steep, k, uniform: true).levels[0].usesUniformRule)
  }

  @Test("on a deep tanh kernel the uniform rule takes about a third of the nodes")
  func fewerNodes() throws {
    let tanh4 = (0..<4).map { GaussianFactor.activation(.tanh, coordinate: $0) }
    for scale in [0.1, 1.0, 3.0] {
      let k = try Self.deepKernel(scale)
      let uniform = try Self.plan(tanh4, k, uniform: true).run()
      let graded = try Self.plan(tanh4, k, uniform: false).run()
      let nodes = { (s: NestedGaussianQuadrature.Statistics) in s.levelNodes.reduce(0, +) }
      #expect(
        2 * nodes(uniform.statistics) < nodes(graded.statistics),
        "scale \(scale): \(uniform.statistics.levelNodes) vs \(graded.statistics.levelNodes)")
      // Both bound their error by ~10⁻¹³ of |tanh| ≤ 1, not of the value: at scale 0.1
      // (tanh z ≈ z, values ≈ 2·10⁻³) each sits 1–2·10⁻¹¹ (relative) from the reference.
      #expect(
        abs(uniform.values[0] - graded.values[0]) <= 3e-11 * abs(graded.values[0]),
        "scale \(scale): \(uniform.values[0]) vs \(graded.values[0])")
    }
  }

  /// Three coordinates, activation derivatives of order 0, 2 and 4 on the first (poles up to
  /// order 5 for tanh), against the adaptive reference, to 10⁻¹¹ of the Hölder scale.
  @Test(
    "3-D products with derivatives up to order 4 agree with the reference",
    arguments: [Activation.tanh, .erf(scale: 1), .gelu, .swish, .softplus])
  func derivatives(_ activation: Activation) throws {
    for scale in [0.3, 3.0] {
      let k = try Self.deepKernel(scale, dimension: 3)
      for order in [0, 2, 4] {
        let factors: [GaussianFactor] = [
          .activation(activation, derivative: order, coordinate: 0),
          .activation(activation, coordinate: 1),
          .activation(activation, derivative: 1, coordinate: 2),
        ]
        let value = try Self.uniform.expectation(of: factors, covariance: k)
        let exact = try Self.reference.expectation(of: factors, covariance: k)
        let allowed = 1e-11 * Swift.max(abs(exact), try Self.scale(factors, k))
        #expect(
          abs(value - exact) <= allowed,
          "\(activation.name) order \(order), scale \(scale): \(value) vs \(exact)")
      }
    }
  }

  /// Products of sin and cos on four correlated coordinates, against the characteristic
  /// function: an entire, oscillating integrand on every level.
  @Test("4-D products of sin and cos equal the characteristic-function values")
  func trigonometric() throws {
    for scale in [0.3, 1.0, 3.0] {
      let k = try Self.deepKernel(scale)
      for sines in [
        [true, true, true, true], [true, true, false, false], [false, false, false, false],
      ] {
        let factors = (0..<4).map { a in
          GaussianFactor.activation(.sin, derivative: sines[a] ? 0 : 1, coordinate: a)
        }
        let value = try Self.uniform.expectation(of: factors, covariance: k)
        let exact = trigonometricProduct(sines: sines, covariance: k)
        #expect(abs(value - exact) <= 1e-12, "sines \(sines), scale \(scale): \(value) vs \(exact)")
      }
    }
  }
}
