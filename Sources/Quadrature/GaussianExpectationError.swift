import Foundation

/// Why a Gaussian expectation could not be computed.
///
/// Covariance problems are reported with 0-based row/column indices. The ``description`` is a
/// complete, user-facing message.
public enum GaussianExpectationError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The covariance matrix has no rows.
  case emptyCovariance
  /// Row `row` has `columns` entries in a matrix with `rows` rows.
  case notSquare(rows: Int, row: Int, columns: Int)
  /// An entry is NaN or infinite.
  case nonFiniteEntry(row: Int, column: Int)
  /// K[row][column] and K[column][row] differ by more than rounding.
  case notSymmetric(row: Int, column: Int)
  /// The covariance has a negative direction: the Cholesky pivot of coordinate `pivot` came out
  /// as `value` < 0 (or an off-diagonal entry is inconsistent with a zero pivot).
  case notPositiveSemidefinite(pivot: Int, value: Double)
  /// A derivative (Hermite) form needs K⁻¹, but coordinate `pivot` is an exact linear combination
  /// of the earlier ones (for example two identical inputs).
  case singular(pivot: Int)
  /// A factor or derivative refers to coordinate `coordinate` of a `dimension`-dimensional
  /// covariance.
  case coordinateOutOfRange(coordinate: Int, dimension: Int)
  /// The integrand depends on `count` coordinates; the quadrature handles at most `maximum`.
  case tooManyCoordinates(count: Int, maximum: Int)
  /// An activation derivative of this order was requested (0…4 are supported).
  case unsupportedDerivativeOrder(Int)
  /// A negative power zᵏ was requested.
  case negativePower(Int)
  /// The expectation of a derivative of order ≥ 2 of a kinked activation was requested
  /// directly; pointwise it is zero and would silently drop the delta functions at the kink.
  case distributionalDerivative(activation: String, order: Int)
  /// The variance K[coordinate][coordinate] = `variance` exceeds `maximum`
  /// (``GaussianExpectation/maximumVariance``), beyond which the quadrature's meshes cannot be
  /// planned to its accuracy contract.
  case varianceOutOfRange(coordinate: Int, variance: Double, maximum: Double)
  /// An oscillating integrand (sin) whose variance is so large that resolving its oscillation
  /// needs about `estimated` nodes, more than `maximum` (``GaussianExpectation/maximumNodes``).
  case tooManyNodes(estimated: Double, maximum: Double)

  public var description: String {
    switch self {
    case .emptyCovariance:
      return "the covariance matrix is empty"
    case .notSquare(let rows, let row, let columns):
      return
        "the covariance matrix is not square: row \(row) has \(columns) entries, expected \(rows)"
    case .nonFiniteEntry(let row, let column):
      return "covariance entry K[\(row)][\(column)] is not a finite number"
    case .notSymmetric(let row, let column):
      return "the covariance matrix is not symmetric: K[\(row)][\(column)] ≠ K[\(column)][\(row)]"
    case .notPositiveSemidefinite(let pivot, let value):
      return
        "the covariance matrix is not positive semidefinite (Cholesky pivot \(pivot) is \(value)); "
        + "check that |K[i][j]| ≤ √(K[i][i]·K[j][j]) and that the diagonal is non-negative"
    case .singular(let pivot):
      return
        "the covariance matrix is singular (coordinate \(pivot) is a linear combination of the "
        + "previous ones, e.g. two identical inputs); derivative forms need K⁻¹ — drop the "
        + "duplicate coordinate and put its factors on the coordinate it equals"
    case .coordinateOutOfRange(let coordinate, let dimension):
      return "coordinate \(coordinate) is out of range for a \(dimension)×\(dimension) covariance"
    case .tooManyCoordinates(let count, let maximum):
      return
        "the integrand depends on \(count) coordinates; Gaussian quadrature supports at most "
        + "\(maximum)"
    case .unsupportedDerivativeOrder(let order):
      return "activation derivatives of order \(order) are not supported (use 0…4)"
    case .negativePower(let power):
      return "negative power z^\(power) is not supported"
    case .distributionalDerivative(let activation, let order):
      return
        "the order-\(order) derivative of \(activation) is a distribution (delta functions at "
        + "the kink); compute its expectation with derivativeExpectation (Hermite form) instead"
    case .varianceOutOfRange(let coordinate, let variance, let maximum):
      return
        "the variance K[\(coordinate)][\(coordinate)] = \(variance) is out of range: the quadrature "
        + "handles variances up to \(maximum)"
    case .tooManyNodes(let estimated, let maximum):
      return
        "the integrand oscillates too fast for its variance: resolving it needs about "
        + "\(String(format: "%.1e", estimated)) quadrature nodes, more than the limit "
        + "\(String(format: "%.0e", maximum)) (reduce the variance)"
    }
  }
}
