/// Mergeable first and second moments of a vector statistic over networks: the count, the mean
/// and the co-moment matrix `M = Σ_networks (x − x̄)(x − x̄)ᵀ` (packed upper triangle).
///
/// Merging uses the pairwise update of Chan, Golub & LeVeque (1979):
/// `x̄ = x̄_a + δ n_b/n`, `M = M_a + M_b + δδᵀ n_a n_b / n` with `δ = x̄_b − x̄_a`, exact in real
/// arithmetic and numerically stable (no `Σx²` cancellation). Merging two runs over disjoint
/// network ranges therefore equals one run over their union up to rounding.
public struct SampleMoments: Hashable, Sendable, Codable {
  /// Number of networks accumulated.
  public private(set) var count: Int
  /// The mean of each component.
  public private(set) var mean: [Double]
  /// The co-moments `M_ij`, `i ≤ j`, packed row by row: `(0,0), (0,1), …, (0,d−1), (1,1), …`.
  public private(set) var comoment: [Double]

  /// No observations of a `dimension`-component statistic.
  public init(dimension: Int) {
    count = 0
    mean = Array(repeating: 0, count: dimension)
    comoment = Array(repeating: 0, count: dimension * (dimension + 1) / 2)
  }

  /// Moments of the `count` rows of `rows` (row `r` at `rows + r·stride`, components
  /// `offset ..< offset + dimension`), by two passes: the mean, then the co-moments of the
  /// centred values, each `M_ij` a ``SamplingVectorKernels/dot(_:_:count:)`` of two centred
  /// columns (a fixed summation order).
  init(rows: UnsafePointer<Double>, count: Int, stride: Int, offset: Int, dimension: Int) {
    self.init(dimension: dimension)
    guard count > 0 else { return }
    self.count = count
    mean.withUnsafeMutableBufferPointer { mean in
      for r in 0..<count {
        let row = rows + r * stride + offset
        for i in 0..<dimension { mean[i] += row[i] }
      }
      let scale = 1 / Double(count)
      for i in 0..<dimension { mean[i] *= scale }
      comoment.withUnsafeMutableBufferPointer { m in
        // Centred values, column-major: column i at `centred + i·count`.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: dimension * count) { buffer in
          guard let centred = buffer.baseAddress else { return }
          for r in 0..<count {
            let row = rows + r * stride + offset
            for i in 0..<dimension { centred[i * count + r] = row[i] - mean[i] }
          }
          var k = 0
          for i in 0..<dimension {
            for j in i..<dimension {
              m[k] = SamplingVectorKernels.dot(
                centred + i * count, centred + j * count, count: count)
              k += 1
            }
          }
        }
      }
    }
  }

  /// Number of components.
  public var dimension: Int { mean.count }

  /// Index of `M_ij` in ``comoment``.
  @inline(__always)
  func packedIndex(_ i: Int, _ j: Int) -> Int {
    let (a, b) = i <= j ? (i, j) : (j, i)
    return a * dimension - a * (a - 1) / 2 + (b - a)
  }

  /// The unbiased sample covariance `M_ij / (count − 1)` (0 with fewer than two networks).
  public func covariance(_ i: Int, _ j: Int) -> Double {
    count > 1 ? comoment[packedIndex(i, j)] / Double(count - 1) : 0
  }

  /// Adds the observations of `other` (same dimension), as if accumulated in one run.
  public mutating func merge(_ other: SampleMoments) {
    precondition(other.dimension == dimension, "merging moments of different dimensions")
    guard other.count > 0 else { return }
    guard count > 0 else {
      self = other
      return
    }
    let na = Double(count)
    let nb = Double(other.count)
    let n = na + nb
    let d = dimension
    withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { delta in
      for i in 0..<d { delta[i] = other.mean[i] - mean[i] }
      for i in 0..<d { mean[i] += delta[i] * (nb / n) }
      let weight = na * nb / n
      var k = 0
      for i in 0..<d {
        for j in i..<d {
          comoment[k] += other.comoment[k] + delta[i] * delta[j] * weight
          k += 1
        }
      }
    }
    count += other.count
  }
}
