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
          Self.packedGram(centred, count: count, dimension: dimension, into: m)
        }
      }
    }
  }

  /// `m[packed(i, j)] = dot(column i, column j)` for i ≤ j, columns of `count` values at
  /// `columns + i·count`: each entry summed exactly as ``SamplingVectorKernels/dot(_:_:count:)``
  /// sums it (four lanes over k ≡ 0, 1, 2, 3 mod 4, the tail in lane 0, then
  /// (s₀ + s₁) + (s₂ + s₃)), but four columns j at a time, so that column i is read once for
  /// the four.
  static func packedGram(
    _ columns: UnsafePointer<Double>, count: Int, dimension d: Int,
    into m: UnsafeMutableBufferPointer<Double>
  ) {
    let body = count - count % 4
    for i in 0..<d {
      let a = columns + i * count
      let rowStart = i * d - i * (i - 1) / 2 - i
      var j = i
      while j + 4 <= d {
        let b0 = columns + j * count
        let b1 = b0 + count
        let b2 = b1 + count
        let b3 = b2 + count
        var s0 = SIMD4<Double>.zero
        var s1 = SIMD4<Double>.zero
        var s2 = SIMD4<Double>.zero
        var s3 = SIMD4<Double>.zero
        var k = 0
        while k < body {
          let x = SIMD4(a[k], a[k + 1], a[k + 2], a[k + 3])
          s0 += x * SIMD4(b0[k], b0[k + 1], b0[k + 2], b0[k + 3])
          s1 += x * SIMD4(b1[k], b1[k + 1], b1[k + 2], b1[k + 3])
          s2 += x * SIMD4(b2[k], b2[k + 1], b2[k + 2], b2[k + 3])
          s3 += x * SIMD4(b3[k], b3[k + 1], b3[k + 2], b3[k + 3])
          k += 4
        }
        while k < count {
          s0[0] += a[k] * b0[k]
          s1[0] += a[k] * b1[k]
          s2[0] += a[k] * b2[k]
          s3[0] += a[k] * b3[k]
          k += 1
        }
        m[rowStart + j] = (s0[0] + s0[1]) + (s0[2] + s0[3])
        m[rowStart + j + 1] = (s1[0] + s1[1]) + (s1[2] + s1[3])
        m[rowStart + j + 2] = (s2[0] + s2[1]) + (s2[2] + s2[3])
        m[rowStart + j + 3] = (s3[0] + s3[1]) + (s3[2] + s3[3])
        j += 4
      }
      while j < d {
        m[rowStart + j] = SamplingVectorKernels.dot(a, columns + j * count, count: count)
        j += 1
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
