import Foundation
import Numerics
import Testing

@testable import Quadrature

/// Products that share all factors but those on one coordinate, integrated in one pass
/// (``ExpectationBatch``, ``GaussianExpectation/expectations(of:covariance:cache:)``),
/// against the same products one by one and the adaptive reference.
@Suite("Expectation batches")
struct ExpectationBatchTests {
  /// A 6 × 6 kernel of a deep layer: variances near 0.3–0.6, correlations 0.3–0.9.
  static func kernel() throws -> CovarianceMatrix {
    let x: [[Double]] = [
      [1, 0.2, -0.3], [0.8, 0.5, 0.1], [0.3, -0.9, 0.4], [-0.2, 0.4, 0.9], [0.6, 0.6, -0.5],
      [0.1, 0.1, 0.1],
    ]
    return try CovarianceMatrix(
      x.map { a in
        x.map { b in 0.05 + 0.3 * zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } + (a == b ? 0.2 : 0) }
      })
  }

  static func product(_ activation: Activation, _ coordinates: [Int]) -> [GaussianFactor] {
    coordinates.map { GaussianFactor.activation(activation, coordinate: $0) }
  }

  @Test(
    "a group's values agree with its members one by one",
    arguments: [
      Activation.tanh, .erf(scale: 1), .gelu, .relu, .sin,
    ])
  func groupsAgreeWithSingles(activation: Activation) throws {
    let k = try Self.kernel()
    // 4-D members sharing (0, 1, 2), and 3-D ones sharing σ₀²σ₁ and σ₀σ₁.
    let products =
      [3, 4, 5].map { Self.product(activation, [0, 1, 2, $0]) }
      + [2, 3, 4].map { Self.product(activation, [0, 0, 1, $0]) }
      + [2, 3].map { Self.product(activation, [0, 1, $0, $0]) }
    let batch = ExpectationBatch(products: products)
    #expect(batch.groups.count >= 2)
    let integrator = GaussianExpectation()
    let reference = GaussianExpectation(options: .reference)
    var grouped = 0
    for group in batch.groups {
      guard let values = try integrator.expectations(of: group, covariance: k) else { continue }
      grouped += 1
      for (member, value) in zip(group.members, values) {
        let factors = products[member]
        let single = try integrator.expectation(of: factors, covariance: k)
        let scale = try integrator.expectation(of: factors + factors, covariance: k).squareRoot()
        #expect(
          abs(value - single) <= 1e-12 * scale,
          "\(factors.map(\.coordinate)): \(value) vs \(single)")
      }
      // One member of each group against the adaptive reference (3-D: the 4-D reference
      // takes minutes in a debug build).
      if let member = group.members.first, Set(products[member].map(\.coordinate)).count == 3 {
        let factors = products[member]
        let exact = try reference.expectation(of: factors, covariance: k)
        let scale = try integrator.expectation(of: factors + factors, covariance: k).squareRoot()
        #expect(
          abs(values[0] - exact) <= 1e-12 * scale, "\(factors.map(\.coordinate)) vs reference")
      }
    }
    #expect(grouped == batch.groups.count)
  }
}
