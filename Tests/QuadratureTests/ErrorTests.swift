import Foundation
import Numerics
import Testing

@testable import Quadrature

@Suite("Invalid input is reported, never NaN")
struct ErrorTests {
  let relu: [GaussianFactor] = [
    .activation(.relu, coordinate: 0), .activation(.relu, coordinate: 1),
  ]

  @Test("covariance shape, finiteness and symmetry")
  func covarianceValidation() {
    #expect(throws: GaussianExpectationError.emptyCovariance) { try CovarianceMatrix([]) }
    #expect(throws: GaussianExpectationError.notSquare(rows: 2, row: 1, columns: 1)) {
      try CovarianceMatrix([[1, 0], [0]])
    }
    #expect(throws: GaussianExpectationError.nonFiniteEntry(row: 0, column: 1)) {
      try CovarianceMatrix([[1, .nan], [0, 1]])
    }
    #expect(throws: GaussianExpectationError.nonFiniteEntry(row: 0, column: 0)) {
      try CovarianceMatrix(variance: .infinity)
    }
    #expect(throws: GaussianExpectationError.notSymmetric(row: 0, column: 1)) {
      try CovarianceMatrix([[1, 0.5], [0.4, 1]])
    }
  }

  /// A matrix checked once (``CovarianceMatrix/checkedPositiveSemidefinite()``) is the same
  /// value, gives the same expectations, and the check refuses an indefinite one as the
  /// expectations would.
  @Test func checkedCovariance() throws {
    let k = try CovarianceMatrix([[1, 0.5, 0.2], [0.5, 1.2, 0.3], [0.2, 0.3, 0.8]])
    let checked = try k.checkedPositiveSemidefinite()
    #expect(checked == k)
    #expect(checked.hashValue == k.hashValue)
    let integrator = GaussianExpectation()
    let factors: [GaussianFactor] = [
      .activation(.tanh, coordinate: 0), .activation(.tanh, coordinate: 2),
    ]
    #expect(
      try integrator.expectation(of: factors, covariance: checked).bitPattern
        == integrator.expectation(of: factors, covariance: k).bitPattern)
    let indefinite = try CovarianceMatrix([[1, 0, 0], [0, 1, 2], [0, 2, 1]])
    #expect(throws: GaussianExpectationError.self) { try indefinite.checkedPositiveSemidefinite() }
    #expect(throws: GaussianExpectationError.self) {
      try integrator.expectation(of: factors, covariance: indefinite)
    }
  }

  @Test(
    "a covariance that is not positive semidefinite throws",
    arguments: [
      [[1.0, 2.0], [2.0, 1.0]], [[-1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0000001], [1.0000001, 1.0]],
      [[0.0, 0.5], [0.5, 1.0]],
      [[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]],
    ])
  func notPositiveSemidefinite(_ rows: [[Double]]) throws {
    let k = try CovarianceMatrix(rows)
    #expect(throws: GaussianExpectationError.self) {
      try quadratureOnly.expectation(of: relu, covariance: k)
    }
    do {
      _ = try quadratureOnly.expectation(of: relu, covariance: k)
    } catch let error as GaussianExpectationError {
      guard case .notPositiveSemidefinite = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(error.description.contains("not positive semidefinite"))
    }
  }

  @Test("the Hermite form needs an invertible covariance; direct derivatives do not")
  func singularForHermite() throws {
    let k = try CovarianceMatrix(k11: 1, k12: 1, k22: 1)
    #expect(throws: GaussianExpectationError.singular(pivot: 1)) {
      try quadratureOnly.derivativeExpectation(
        of: relu, derivatives: [0, 1], covariance: k, method: .hermite)
    }
    #expect(GaussianExpectationError.singular(pivot: 1).description.contains("singular"))
    // ⟨θ(z)θ(z)⟩ = ½ by differentiating each ReLU once.
    let direct = try quadratureOnly.derivativeExpectation(
      of: relu, derivatives: [0, 1], covariance: k)
    #expect(relativeError(direct, 0.5) < 1e-13)
    // A delta function at a degenerate point has no finite expectation form: Hermite, singular.
    #expect(throws: GaussianExpectationError.singular(pivot: 1)) {
      try quadratureOnly.derivativeExpectation(of: relu, derivatives: [0, 0], covariance: k)
    }
  }

  @Test("factor and derivative validation")
  func factorValidation() throws {
    let k = try covariance(1, 1, rho: 0.2)
    #expect(throws: GaussianExpectationError.coordinateOutOfRange(coordinate: 2, dimension: 2)) {
      try quadratureOnly.expectation(of: [.activation(.tanh, coordinate: 2)], covariance: k)
    }
    #expect(throws: GaussianExpectationError.unsupportedDerivativeOrder(5)) {
      try quadratureOnly.expectation(
        of: [.activation(.tanh, derivative: 5, coordinate: 0)], covariance: k)
    }
    #expect(throws: GaussianExpectationError.negativePower(-1)) {
      try quadratureOnly.expectation(of: [.power(-1, coordinate: 0)], covariance: k)
    }
    #expect(throws: GaussianExpectationError.distributionalDerivative(activation: "relu", order: 2))
    {
      try quadratureOnly.expectation(
        of: [.activation(.relu, derivative: 2, coordinate: 0)], covariance: k)
    }
    #expect(throws: GaussianExpectationError.coordinateOutOfRange(coordinate: 3, dimension: 2)) {
      try quadratureOnly.derivativeExpectation(of: relu, derivatives: [3], covariance: k)
    }
    let five = try CovarianceMatrix((0..<5).map { i in (0..<5).map { $0 == i ? 1.0 : 0.0 } })
    #expect(throws: GaussianExpectationError.tooManyCoordinates(count: 5, maximum: 4)) {
      try quadratureOnly.expectation(
        of: (0..<5).map { .activation(.tanh, coordinate: $0) }, covariance: five)
    }
    #expect(throws: GaussianExpectationError.tooManyCoordinates(count: 5, maximum: 4)) {
      try quadratureOnly.expectation(covariance: five) { _ in 1 }
    }
  }

  @Test("trivial products")
  func trivialProducts() throws {
    let k = try covariance(1, 1, rho: 0.2)
    #expect(try quadratureOnly.expectation(of: [], covariance: k) == 1)
    #expect(
      try quadratureOnly.expectation(
        of: [.activation(.linear, derivative: 2, coordinate: 0)], covariance: k)
        == 0)
  }
}
