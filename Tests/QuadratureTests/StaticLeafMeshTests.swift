import Foundation
import Numerics
import Testing

@testable import Quadrature

/// The static leaf mesh (one innermost mesh planned for the worst placement of its features)
/// against the adaptive nested quadrature at its reference setting, in 2 (series off) and 3
/// dimensions (4-D references take minutes in a debug build; `derive-bench quadrature` runs the
/// 4-D cases), for smooth integrands; and the cases it must leave to the adaptive mesh.
@Suite("Static leaf mesh")
struct StaticLeafMeshTests {
  static let staticLeaf = GaussianExpectation(
    options: .init(useClosedForms: false, useHermiteSeries: false))
  static let reference = GaussianExpectation(options: .reference)

  /// Covariances with correlations from 0 to 0.999, variances 0.05…16.
  static func kernels(_ d: Int) throws -> [CovarianceMatrix] {
    var result: [CovarianceMatrix] = []
    for (scale, rho) in [(1.0, 0.3), (0.05, 0.95), (16, 0.6), (2, 0.999), (1, -0.8), (0.7, 0)] {
      var rows = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
      for a in 0..<d {
        for b in 0..<d {
          let variance = scale * (1 + 0.3 * Double(a)) * (1 + 0.3 * Double(b))
          rows[a][b] = variance.squareRoot() * (a == b ? 1 : pow(rho, Double(abs(a - b))))
        }
      }
      result.append(try CovarianceMatrix(rows))
    }
    return result
  }

  /// Products of smooth factors on every coordinate.
  static func integrands(_ d: Int) -> [[GaussianFactor]] {
    let activations: [Activation] = [.tanh, .gelu, .swish, .softplus, .erf(scale: 1.5), .sin]
    var result = activations.map { a in (0..<d).map { GaussianFactor.activation(a, coordinate: $0) }
    }
    result.append(
      (0..<d).map { .activation(.tanh, derivative: $0 % 2, coordinate: $0) }
        + [.power(2, coordinate: d - 1)])
    return result
  }

  /// Error ≤ 1e-12 of the value or 1e-13 of the scale ⟨|F|⟩ (here bounded by the reference
  /// value of the product of absolute values, computed as ⟨F²⟩^{1/2}).
  @Test("agrees with the adaptive reference", arguments: [2, 3])
  func agreesWithReference(dimension d: Int) throws {
    let kernels = try Self.kernels(d)
    for factors in Self.integrands(d) {
      // 3-D references are slow in debug builds: three kernels suffice there.
      for k in d == 3 ? [kernels[0], kernels[1], kernels[3]] : kernels {
        let value = try Self.staticLeaf.expectation(of: factors, covariance: k)
        let exact = try Self.reference.expectation(of: factors, covariance: k)
        let scale = try Self.reference.expectation(of: factors + factors, covariance: k)
          .squareRoot()
        #expect(
          abs(value - exact) <= max(1e-12 * abs(exact), 1e-13 * scale),
          "\(factors.map(\.function)) K = \(k): \(value) vs \(exact)")
      }
    }
  }

  /// Kinks (ReLU at the leaf), moments and closures keep the adaptive mesh: planning declines.
  @Test func declinesKinksMomentsAndClosures() throws {
    let k = try CovarianceMatrix(k11: 1, k12: 0.5, k22: 1.2)
    func plan(
      _ functions: [[GaussianFactor.Function]], degree: Int = 0,
      closure: (([Double]) -> Double)? = nil
    ) throws -> Int {
      let engine = NestedGaussianQuadrature(
        factorisation: try CholeskyFactor(k), functions: functions,
        features: [[], []], maximumDegree: degree,
        rules: Self.staticLeaf.rules, options: Self.staticLeaf.options, closure: closure)
      var workspace = QuadratureWorkspace(engine)
      defer { workspace.deallocate() }
      workspace.prepareStaticLeaf(logTolerance: log(5e-14))
      return workspace.staticLeafCount
    }
    let tanh = GaussianFactor.Function.activation(.tanh, derivative: 0)
    let relu = GaussianFactor.Function.activation(.relu, derivative: 0)
    #expect(try plan([[tanh], [tanh]]) > 0)
    #expect(try plan([[tanh], [relu]]) == 0)
    #expect(try plan([[tanh], [tanh]], degree: 2) == 0)
    #expect(try plan([[], []], closure: { $0[0] * $0[1] }) == 0)
  }
}
