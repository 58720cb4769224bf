/// The Cholesky factorisation K = L Lᵀ used to write z ~ N(0, K) as z = L u with u standard
/// normal, tolerant of exactly degenerate directions.
///
/// Coordinates are factorised in their given order. A pivot
/// dₖ = Kₖₖ − Σ_{m<k} L²ₖₘ with |dₖ| ≤ 64 ε Kₖₖ (ε the machine epsilon) is rounding noise: the
/// coordinate is an exact linear combination of the earlier ones, its column is dropped, and
/// the rank r is less than d. A pivot below −64 ε Kₖₖ, a negative diagonal entry, or an
/// off-diagonal entry inconsistent with a zero pivot means K is not positive semidefinite.
struct CholeskyFactor: Sendable {
  /// d, the number of coordinates.
  let dimension: Int
  /// r ≤ d, the number of kept columns (independent Gaussian directions).
  let rank: Int
  /// L as a d × r row-major matrix: `lower[s * rank + j]` is the coefficient of uⱼ in z_s.
  /// Row s has non-zeros only in the columns of coordinates ≤ s.
  let lower: [Double]
  /// For each kept column j, the coordinate whose pivot it is (increasing).
  let pivotCoordinates: [Int]

  init(_ covariance: CovarianceMatrix) throws {
    let d = covariance.dimension
    var full = [Double](repeating: 0, count: d * d)  // d × d, full[s * d + k]
    var kept: [Int] = []
    let ulp = Double.ulpOfOne
    for k in 0..<d {
      let kkk = covariance[k, k]
      guard kkk >= 0 else {
        throw GaussianExpectationError.notPositiveSemidefinite(pivot: k, value: kkk)
      }
      var pivot = kkk
      for m in 0..<k { pivot -= full[k * d + m] * full[k * d + m] }
      let tolerance = 64 * ulp * kkk
      if pivot < -tolerance {
        throw GaussianExpectationError.notPositiveSemidefinite(pivot: k, value: pivot)
      }
      if pivot <= tolerance {
        // Degenerate: every later coordinate must be uncorrelated with the residual direction.
        for s in (k + 1)..<Swift.max(k + 1, d) {
          var residual = covariance[k, s]
          for m in 0..<k { residual -= full[s * d + m] * full[k * d + m] }
          let kss = covariance[s, s]
          let allowed = 2 * (tolerance * kss).squareRoot() + 64 * ulp * (kkk * kss).squareRoot()
          if abs(residual) > allowed {
            throw GaussianExpectationError.notPositiveSemidefinite(pivot: k, value: pivot)
          }
        }
        continue
      }
      let diagonal = pivot.squareRoot()
      full[k * d + k] = diagonal
      for s in (k + 1)..<Swift.max(k + 1, d) {
        var entry = covariance[k, s]
        for m in 0..<k { entry -= full[s * d + m] * full[k * d + m] }
        full[s * d + k] = entry / diagonal
      }
      kept.append(k)
    }
    let r = kept.count
    var lower = [Double](repeating: 0, count: d * r)
    for s in 0..<d {
      for (j, k) in kept.enumerated() { lower[s * r + j] = full[s * d + k] }
    }
    self.dimension = d
    self.rank = r
    self.lower = lower
    self.pivotCoordinates = kept
  }

  /// L⁻¹ (d × d row-major, lower triangular), so that u = L⁻¹z and K⁻¹ = L⁻ᵀL⁻¹.
  ///
  /// - Throws: ``GaussianExpectationError/singular(pivot:)`` when the rank is below d.
  func lowerInverse() throws -> [Double] {
    let d = dimension
    if rank < d {
      let missing = (0..<d).first { !pivotCoordinates.contains($0) } ?? 0
      throw GaussianExpectationError.singular(pivot: missing)
    }
    var inverse = [Double](repeating: 0, count: d * d)
    for c in 0..<d {
      for i in c..<d {
        var sum = i == c ? 1.0 : 0.0
        for k in c..<i { sum -= lower[i * d + k] * inverse[k * d + c] }
        inverse[i * d + c] = sum / lower[i * d + i]
      }
    }
    return inverse
  }
}
