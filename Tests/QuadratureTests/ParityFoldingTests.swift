import Foundation
import Numerics
import Testing

@testable import Quadrature

/// Folding the outermost level of an even integrand onto [0, U]
/// (``GaussianExpectation/Options/useParityFolding``): planned only for an even product of
/// parity-definite factors on three or more levels, about half the outermost nodes, and the
/// value of the unfolded run and of the reference quadrature to the default tolerance.
@Suite("Parity folding")
struct ParityFoldingTests {
  static let folded = GaussianExpectation(
    options: .init(useClosedForms: false, useHermiteSeries: false))
  static let unfolded = GaussianExpectation(
    options: .init(useClosedForms: false, useHermiteSeries: false, useParityFolding: false))
  static let reference = GaussianExpectation(options: .reference)

  static func kernel4() throws -> CovarianceMatrix {
    try CovarianceMatrix([
      [1.0, 0.5, 0.3, 0.2], [0.5, 1.2, 0.4, 0.35], [0.3, 0.4, 0.9, 0.45],
      [0.2, 0.35, 0.45, 1.1],
    ])
  }
  static func correlated4() throws -> CovarianceMatrix {
    try CovarianceMatrix([
      [2.0, 1.9, 1.8, 1.7], [1.9, 2.0, 1.9, 1.8], [1.8, 1.9, 2.1, 1.9], [1.7, 1.8, 1.9, 2.2],
    ])
  }

  static func plan(_ factors: [GaussianFactor], _ k: CovarianceMatrix, folding: Bool = true)
    throws -> NestedGaussianQuadrature
  {
    let factorisation = try CholeskyFactor(k)
    var functions = [[GaussianFactor.Function]](repeating: [], count: k.dimension)
    for f in factors { functions[f.coordinate].append(f.function) }
    return NestedGaussianQuadrature(
      factorisation: factorisation, functions: functions,
      features: [[QuadratureFeature]](repeating: [], count: k.dimension), maximumDegree: 0,
      rules: folded.rules, options: .init(useParityFolding: folding), closure: nil)
  }

  @Test func plannedOnlyForEvenProductsOfParityDefiniteFactors() throws {
    let k = try Self.kernel4()
    let tanh4 = (0..<4).map { GaussianFactor.activation(.tanh, coordinate: $0) }
    #expect(try Self.plan(tanh4, k).foldsOutermostLevel)
    #expect(try !Self.plan(tanh4, k, folding: false).foldsOutermostLevel)
    // tanh′ is even: three odd factors and one even one make an odd product.
    var odd = tanh4
    odd[3] = .activation(.tanh, derivative: 1, coordinate: 3)
    #expect(try !Self.plan(odd, k).foldsOutermostLevel)
    var relu = tanh4
    relu[0] = .activation(.relu, coordinate: 0)
    #expect(try !Self.plan(relu, k).foldsOutermostLevel)
    // Two levels: not folded (the 2-D paths are left as they were).
    let two = try CovarianceMatrix([[1, 0.95], [0.95, 1]])
    let pair = (0..<2).map { GaussianFactor.activation(.tanh, coordinate: $0) }
    #expect(try !Self.plan(pair, two).foldsOutermostLevel)
    // Folding visits about half the outermost nodes.
    let full = try Self.plan(tanh4, k, folding: false).run().statistics.levelNodes[0]
    let half = try Self.plan(tanh4, k).run().statistics.levelNodes[0]
    #expect(half * 10 <= full * 6, "\(half) of \(full) outermost nodes")
  }

  /// Against the reference (3-D: the 4-D reference takes minutes in a debug build) and the
  /// unfolded run (3-D and 4-D).
  @Test("even 3-D and 4-D products agree with the unfolded run and the reference")
  func agreesWithReference() throws {
    let k3 = try CovarianceMatrix([[1, 0.5, 0.3], [0.5, 1.2, 0.4], [0.3, 0.4, 0.9]])
    let integrands: [([GaussianFactor], CovarianceMatrix)] = [
      ((0..<4).map { .activation(.tanh, coordinate: $0) }, try Self.kernel4()),
      ((0..<4).map { .activation(.erf(scale: 1.3), coordinate: $0) }, try Self.correlated4()),
      (
        [
          .activation(.tanh, coordinate: 0), .activation(.tanh, coordinate: 0),
          .activation(.tanh, derivative: 1, coordinate: 1), .activation(.sin, coordinate: 2),
          .power(1, coordinate: 3),
        ], try Self.kernel4()
      ),
      (
        [
          .activation(.tanh, coordinate: 0), .activation(.tanh, coordinate: 0),
          .activation(.tanh, coordinate: 1), .activation(.tanh, coordinate: 2),
        ], k3
      ),
      (
        [
          .activation(.tanh, derivative: 2, coordinate: 0),
          .activation(.tanh, coordinate: 1), .activation(.tanh, derivative: 1, coordinate: 2),
        ], k3
      ),
    ]
    for (factors, k) in integrands {
      #expect(try Self.plan(factors, k).foldsOutermostLevel)
      let value = try Self.folded.expectation(of: factors, covariance: k)
      let unfolded = try Self.unfolded.expectation(of: factors, covariance: k)
      let scale = try Self.unfolded.expectation(of: factors + factors, covariance: k)
        .squareRoot()
      // The folded and unfolded runs share the right half of one mesh.
      #expect(
        abs(value - unfolded) <= 1e-13 * scale,
        "\(factors.map(\.function)): \(value) vs \(unfolded)")
      guard k.dimension == 3 else { continue }
      // The accuracy contract, 10⁻¹² ⟨|F|⟩ ≤ 10⁻¹² ⟨F²⟩^½.
      let exact = try Self.reference.expectation(of: factors, covariance: k)
      #expect(
        abs(value - exact) <= 1e-12 * scale,
        "\(factors.map(\.function)): \(value) vs \(exact)")
    }
  }

  /// g(c) = E[sin(c + 0.7u)] = sin(c) e^{−0.245} (odd) and E[cos(c + 0.7u)] (even), sampled
  /// on [0, 9] only and read on [−9, 9] through the parity.
  @Test func leafInterpolantUsesTheParity() throws {
    let damping = exp(-0.5 * 0.49)
    for (parity, g) in [(-1, { (c: Double) in sin(c) * damping }), (1, { cos($0) * damping })] {
      var sampled: [Double] = []
      let interpolant = try #require(
        LeafInterpolant(radius: 9, initialPieces: 8, tolerance: 5e-14, parity: parity) { c in
          sampled.append(c)
          return g(c)
        })
      defer { interpolant.deallocate() }
      #expect(sampled.allSatisfy { $0 >= 0 })
      for i in 0...1000 {
        let c = -9 + 18 * Double(i) / 1000
        #expect(abs(interpolant(c) - g(c)) <= 1e-12, "parity \(parity), c = \(c)")
      }
    }
  }
}
