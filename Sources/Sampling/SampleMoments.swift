/// Mergeable first and second moments of a vector statistic over networks: the count, the mean
/// and the co-moments `M_ij = Σ_networks (x_i − x̄_i)(x_j − x̄_j)` that its ``pattern`` keeps
/// (all of them, packed upper triangle, for ``CoMomentPattern/dense(_:)``).
///
/// Merging uses the pairwise update of Chan, Golub & LeVeque (1979):
/// `x̄ = x̄_a + δ n_b/n`, `M = M_a + M_b + δδᵀ n_a n_b / n` with `δ = x̄_b − x̄_a`, exact in real
/// arithmetic and numerically stable (no `Σx²` cancellation). Merging two runs over disjoint
/// network ranges therefore equals one run over their union up to rounding. Each kept `M_ij` is
/// computed and merged by the same operations whatever the pattern, so a pattern decides which
/// co-moments exist, never their bits.
public struct SampleMoments: Hashable, Sendable {
  /// Number of networks accumulated.
  public private(set) var count: Int
  /// The mean of each component.
  public private(set) var mean: [Double]
  /// The kept co-moments, in the ``pattern``'s storage order (for a dense pattern `M_ij`,
  /// `i ≤ j`, packed row by row: `(0,0), (0,1), …, (0,d−1), (1,1), …`).
  public private(set) var comoment: [Double]
  /// Which co-moments are kept.
  public let pattern: CoMomentPattern

  /// No observations of a `dimension`-component statistic, every co-moment kept.
  public init(dimension: Int) {
    self.init(pattern: .dense(dimension))
  }

  /// No observations of a statistic whose co-moments `pattern` selects.
  public init(pattern: CoMomentPattern) {
    self.pattern = pattern
    count = 0
    mean = Array(repeating: 0, count: pattern.dimension)
    comoment = Array(repeating: 0, count: pattern.entryCount)
  }

  /// Moments of the `count` rows of `rows` (row `r` at `rows + r·stride`, components
  /// `offset ..< offset + dimension`), every co-moment kept. See
  /// ``init(rows:count:stride:offset:pattern:)``.
  init(rows: UnsafePointer<Double>, count: Int, stride: Int, offset: Int, dimension: Int) {
    self.init(rows: rows, count: count, stride: stride, offset: offset, pattern: .dense(dimension))
  }

  /// Moments of the `count` rows of `rows` (row `r` at `rows + r·stride`, components
  /// `offset ..< offset + pattern.dimension`), by two passes: the mean, then the kept co-moments
  /// of the centred values, each `M_ij` a ``SamplingVectorKernels/dot(_:_:count:)`` of two
  /// centred columns (a fixed summation order).
  init(rows: UnsafePointer<Double>, count: Int, stride: Int, offset: Int, pattern: CoMomentPattern)
  {
    self.init(pattern: pattern)
    guard count > 0 else { return }
    self.count = count
    let dimension = pattern.dimension
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
          Self.patternGram(centred, count: count, pattern: pattern, into: m)
        }
      }
    }
  }

  /// The kept co-moments of centred columns (`count` values each at `columns + i·count`) in
  /// `pattern`'s storage order: the block by ``packedGram(_:count:dimension:into:)``, the other
  /// entries one ``SamplingVectorKernels/dot(_:_:count:)`` each — the same bits as the dense
  /// matrix's entries.
  static func patternGram(
    _ columns: UnsafePointer<Double>, count: Int, pattern: CoMomentPattern,
    into m: UnsafeMutableBufferPointer<Double>
  ) {
    let block = pattern.blockCount
    let triangle = block * (block + 1) / 2
    guard let base = m.baseAddress else { return }
    packedGram(
      columns, count: count, dimension: block,
      into: UnsafeMutableBufferPointer(start: base, count: triangle))
    var k = triangle
    pattern.factors.withUnsafeBufferPointer { factors in
      for product in 0..<factors.count / 2 {
        let y = columns + (block + product) * count
        m[k] = SamplingVectorKernels.dot(columns + factors[2 * product] * count, y, count: count)
        m[k + 1] = SamplingVectorKernels.dot(
          columns + factors[2 * product + 1] * count, y, count: count)
        m[k + 2] = SamplingVectorKernels.dot(y, y, count: count)
        k += 3
      }
    }
    for t in (block + pattern.productCount)..<pattern.dimension {
      let column = columns + t * count
      m[k] = SamplingVectorKernels.dot(column, column, count: count)
      k += 1
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

  /// The unbiased sample covariance `M_ij / (count − 1)` (0 with fewer than two networks);
  /// `M_ij` must be one the ``pattern`` keeps.
  public func covariance(_ i: Int, _ j: Int) -> Double {
    guard let index = pattern.index(i, j) else {
      preconditionFailure("co-moment (\(i), \(j)) is not kept by the \(pattern.kind) pattern")
    }
    return count > 1 ? comoment[index] / Double(count - 1) : 0
  }

  /// Adds the observations of `other` (same pattern), as if accumulated in one run.
  public mutating func merge(_ other: SampleMoments) {
    precondition(other.pattern == pattern, "merging moments of different shapes")
    guard other.count > 0 else { return }
    guard count > 0 else {
      self = other
      return
    }
    let na = Double(count)
    let nb = Double(other.count)
    let n = na + nb
    let d = dimension
    let pattern = pattern
    withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { delta in
      for i in 0..<d { delta[i] = other.mean[i] - mean[i] }
      for i in 0..<d { mean[i] += delta[i] * (nb / n) }
      let weight = na * nb / n
      comoment.withUnsafeMutableBufferPointer { m in
        other.comoment.withUnsafeBufferPointer { o in
          let block = pattern.blockCount
          var k = 0
          for i in 0..<block {
            for j in i..<block {
              m[k] += o[k] + delta[i] * delta[j] * weight
              k += 1
            }
          }
          pattern.factors.withUnsafeBufferPointer { factors in
            for product in 0..<factors.count / 2 {
              let y = block + product
              let dy = delta[y]
              m[k] += o[k] + delta[factors[2 * product]] * dy * weight
              m[k + 1] += o[k + 1] + delta[factors[2 * product + 1]] * dy * weight
              m[k + 2] += o[k + 2] + dy * dy * weight
              k += 3
            }
          }
          for t in (block + pattern.productCount)..<d {
            m[k] += o[k] + delta[t] * delta[t] * weight
            k += 1
          }
        }
      }
    }
    count += other.count
  }
}

extension SampleMoments: Codable {
  private enum CodingKeys: String, CodingKey { case count, mean, comoment, pattern }

  /// Decodes the count, means and co-moments; the pattern is named by its kind (absent:
  /// dense) and sized by the number of means, and the co-moments must be as many as it keeps
  /// (so that a damaged file cannot make a merge index out of range). Whether the pattern is
  /// the one expected is checked by the statistics that hold the moments
  /// (``SamplingStatistics``), which know the shape.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let count = try container.decode(Int.self, forKey: .count)
    let mean = try container.decode([Double].self, forKey: .mean)
    let comoment = try container.decode([Double].self, forKey: .comoment)
    let kind =
      try container.decodeIfPresent(CoMomentPattern.Kind.self, forKey: .pattern) ?? .dense
    guard let pattern = CoMomentPattern(kind: kind, dimension: mean.count) else {
      throw DecodingError.dataCorruptedError(
        forKey: .pattern, in: container,
        debugDescription: "no \(kind) co-moment pattern has \(mean.count) components")
    }
    guard comoment.count == pattern.entryCount else {
      throw DecodingError.dataCorruptedError(
        forKey: .comoment, in: container,
        debugDescription: "comoment has the wrong length for its \(kind) pattern")
    }
    self.pattern = pattern
    self.count = count
    self.mean = mean
    self.comoment = comoment
  }

  /// The pattern's kind is written only when it is not dense.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(count, forKey: .count)
    try container.encode(mean, forKey: .mean)
    try container.encode(comoment, forKey: .comoment)
    if pattern.kind != .dense { try container.encode(pattern.kind, forKey: .pattern) }
  }
}
