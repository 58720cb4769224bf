/// A symmetric covariance matrix K of a centred Gaussian vector z, as used in ⟨F⟩_K.
///
/// Construction checks shape, finiteness and symmetry (entries may differ by rounding,
/// ≤ 1e-12 relative, and are then averaged). Positive (semi)definiteness is checked when the
/// matrix is factorised, because that is where it is computed exactly.
public struct CovarianceMatrix: Hashable, Sendable, CustomStringConvertible {
  /// The number of coordinates d.
  public let dimension: Int
  /// Row-major entries, `entries[i * dimension + j] == K[i][j]`.
  public let entries: [Double]
  /// Whether K is known to be positive semidefinite (``checkedPositiveSemidefinite()``), so
  /// that an expectation under it need not factorise the whole of K again. Not part of the
  /// value: equality and hashing see the entries only.
  let isKnownPositiveSemidefinite: Bool

  /// A covariance from its rows.
  ///
  /// - Throws: ``GaussianExpectationError`` if the matrix is empty, not square, has a non-finite
  ///   entry or is not symmetric.
  public init(_ rows: [[Double]]) throws {
    let d = rows.count
    guard d > 0 else { throw GaussianExpectationError.emptyCovariance }
    for (i, row) in rows.enumerated() where row.count != d {
      throw GaussianExpectationError.notSquare(rows: d, row: i, columns: row.count)
    }
    var entries = [Double](repeating: 0, count: d * d)
    for i in 0..<d {
      for j in 0..<d {
        guard rows[i][j].isFinite else {
          throw GaussianExpectationError.nonFiniteEntry(row: i, column: j)
        }
      }
    }
    for i in 0..<d {
      for j in i..<d {
        let a = rows[i][j]
        let b = rows[j][i]
        let scale = Swift.max(abs(a), abs(b), (abs(rows[i][i]) * abs(rows[j][j])).squareRoot())
        guard abs(a - b) <= 1e-12 * scale else {
          throw GaussianExpectationError.notSymmetric(row: i, column: j)
        }
        entries[i * d + j] = 0.5 * (a + b)
        entries[j * d + i] = 0.5 * (a + b)
      }
    }
    self.dimension = d
    self.entries = entries
    self.isKnownPositiveSemidefinite = false
  }

  /// The 1×1 covariance of a single Gaussian with the given variance.
  ///
  /// - Throws: ``GaussianExpectationError/nonFiniteEntry(row:column:)`` if it is not finite.
  public init(variance: Double) throws {
    try self.init([[variance]])
  }

  /// The 2×2 covariance [[k11, k12], [k12, k22]].
  ///
  /// - Throws: ``GaussianExpectationError/nonFiniteEntry(row:column:)`` for a non-finite entry.
  public init(k11: Double, k12: Double, k22: Double) throws {
    try self.init([[k11, k12], [k12, k22]])
  }

  private init(
    validatedEntries: [Double], dimension: Int, knownPositiveSemidefinite: Bool = false
  ) {
    self.entries = validatedEntries
    self.dimension = dimension
    self.isKnownPositiveSemidefinite = knownPositiveSemidefinite
  }

  /// This matrix, checked once to be positive semidefinite (its Cholesky factorisation, which
  /// tolerates rounding-level degenerate directions, succeeds): the expectations under it then
  /// skip the check that ``GaussianExpectation`` otherwise makes on the whole matrix at every
  /// call — worth it when many small expectations share one large kernel.
  ///
  /// - Throws: ``GaussianExpectationError/notPositiveSemidefinite(pivot:value:)`` when it is not.
  public func checkedPositiveSemidefinite() throws -> CovarianceMatrix {
    _ = try CholeskyFactor(self)
    return CovarianceMatrix(
      validatedEntries: entries, dimension: dimension, knownPositiveSemidefinite: true)
  }

  public static func == (a: CovarianceMatrix, b: CovarianceMatrix) -> Bool {
    a.dimension == b.dimension && a.entries == b.entries
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(dimension)
    hasher.combine(entries)
  }

  /// K[i][j].
  public subscript(i: Int, j: Int) -> Double {
    entries[i * dimension + j]
  }

  /// The rows of K.
  public var rows: [[Double]] {
    (0..<dimension).map { i in Array(entries[(i * dimension)..<((i + 1) * dimension)]) }
  }

  /// The covariance of the sub-vector (z_{c₀}, z_{c₁}, …) for the given coordinates.
  ///
  /// - Precondition: every coordinate is in `0..<dimension`.
  public func marginal(_ coordinates: [Int]) -> CovarianceMatrix {
    let m = coordinates.count
    var sub = [Double](repeating: 0, count: m * m)
    for (a, i) in coordinates.enumerated() {
      for (b, j) in coordinates.enumerated() { sub[a * m + b] = self[i, j] }
    }
    return CovarianceMatrix(validatedEntries: sub, dimension: m)
  }

  public var description: String {
    "covariance" + rows.map { "[" + $0.map { "\($0)" }.joined(separator: ", ") + "]" }.joined()
  }
}
