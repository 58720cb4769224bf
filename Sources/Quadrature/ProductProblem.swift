import Numerics

/// A validated product integrand restricted to the coordinates it uses.
struct ProductProblem {
  /// The original coordinates in use, increasing; marginal coordinate i is `coordinates[i]`.
  let coordinates: [Int]
  /// The factors, renumbered to marginal coordinates.
  let factors: [GaussianFactor]
  /// The covariance of the coordinates in use.
  let marginal: CovarianceMatrix
  /// Some factor vanishes identically.
  let isIdenticallyZero: Bool

  init(factors: [GaussianFactor], covariance: CovarianceMatrix) throws {
    let d = covariance.dimension
    var used = Set<Int>()
    var zero = false
    for factor in factors {
      guard (0..<d).contains(factor.coordinate) else {
        throw GaussianExpectationError.coordinateOutOfRange(
          coordinate: factor.coordinate, dimension: d)
      }
      switch factor.function {
      case .activation(let activation, let order):
        guard (0...4).contains(order) else {
          throw GaussianExpectationError.unsupportedDerivativeOrder(order)
        }
        if factor.function.isDistributional {
          throw GaussianExpectationError.distributionalDerivative(
            activation: activation.name, order: order)
        }
      case .power(let k):
        guard k >= 0 else { throw GaussianExpectationError.negativePower(k) }
      }
      if factor.function.isIdenticallyZero { zero = true }
      used.insert(factor.coordinate)
    }
    // Validate the whole covariance, not only the marginal in use (unless already checked).
    if !covariance.isKnownPositiveSemidefinite { _ = try CholeskyFactor(covariance) }
    let coordinates = used.sorted()
    guard coordinates.count <= GaussianExpectation.maximumDimension else {
      throw GaussianExpectationError.tooManyCoordinates(
        count: coordinates.count, maximum: GaussianExpectation.maximumDimension)
    }
    var position = [Int](repeating: -1, count: d)
    for (i, s) in coordinates.enumerated() { position[s] = i }
    self.coordinates = coordinates
    self.factors = factors.map { GaussianFactor($0.function, coordinate: position[$0.coordinate]) }
    self.marginal = covariance.marginal(coordinates)
    self.isIdenticallyZero = zero
    try GaussianExpectation.checkVariances(marginal, coordinates: coordinates)
  }
}
