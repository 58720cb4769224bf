/// The small dense kernels shared by both samplers. Every loop has a fixed summation order
/// (four interleaved partial sums, combined in a fixed tree), so results never depend on
/// threads.
enum SamplingVectorKernels {
  /// `Σ_k a[k] b[k]`.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int) -> Double {
    var s0 = 0.0
    var s1 = 0.0
    var s2 = 0.0
    var s3 = 0.0
    var k = 0
    while k + 4 <= count {
      s0 += a[k] * b[k]
      s1 += a[k + 1] * b[k + 1]
      s2 += a[k + 2] * b[k + 2]
      s3 += a[k + 3] * b[k + 3]
      k += 4
    }
    while k < count {
      s0 += a[k] * b[k]
      k += 1
    }
    return (s0 + s1) + (s2 + s3)
  }

  /// `Σ_k a[k]`.
  @inline(__always)
  static func sum(_ a: UnsafePointer<Double>, count: Int) -> Double {
    var s0 = 0.0
    var s1 = 0.0
    var s2 = 0.0
    var s3 = 0.0
    var k = 0
    while k + 4 <= count {
      s0 += a[k]
      s1 += a[k + 1]
      s2 += a[k + 2]
      s3 += a[k + 3]
      k += 4
    }
    while k < count {
      s0 += a[k]
      k += 1
    }
    return (s0 + s1) + (s2 + s3)
  }

  /// Cholesky factor `L` (row-major, lower) of the symmetric positive semi-definite `S × S`
  /// matrix `g`, robust to singular `g`.
  ///
  /// A pivot `d_k ≤ 1e-13 · max_j g_jj` (including negative round-off) is taken as exactly 0 and
  /// column `k` of `L` set to zero. For a semi-definite matrix the remaining entries of that
  /// column are zero up to rounding, so `L Lᵀ = g` still holds to rounding: equal inputs give
  /// identical preactivations instead of NaNs, with no jitter added to non-singular matrices.
  @inline(__always)
  static func choleskyFactor(
    _ g: UnsafePointer<Double>, _ l: UnsafeMutablePointer<Double>, size s: Int
  ) {
    var scale = 0.0
    for a in 0..<s { scale = Swift.max(scale, g[a * s + a]) }
    let tolerance = 1e-13 * scale
    for a in 0..<s {
      for b in 0...a {
        var value = g[a * s + b]
        for c in 0..<b { value -= l[a * s + c] * l[b * s + c] }
        if a == b {
          l[a * s + a] = value > tolerance ? value.squareRoot() : 0
        } else {
          let pivot = l[b * s + b]
          l[a * s + b] = pivot > 0 ? value / pivot : 0
        }
      }
      for b in (a + 1)..<Swift.max(a + 1, s) { l[a * s + b] = 0 }
    }
  }

  /// Writes the preactivation block of the statistics row for one layer, `z` sample-major.
  ///
  /// `out[p] = A_p/n`, `out[P + pq] = (A_p A_q − D_pq)/(n(n−1))`.
  static func preactivationStatistics(
    _ z: UnsafePointer<Double>, width n: Int, layout: SampleIndexLayout,
    products: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>
  ) {
    let pairCount = layout.pairCount
    for (p, pair) in layout.pairs.enumerated() {
      let za = z + pair.0 * n
      let zb = z + pair.1 * n
      let q = products + p * n
      for i in 0..<n { q[i] = za[i] * zb[i] }
    }
    // The pair sums A_p are the first block entries times n; keep them unscaled in place first.
    for p in 0..<pairCount { out[p] = sum(products + p * n, count: n) }
    let distinctPairs = 1 / (Double(n) * Double(n - 1))
    for (index, pq) in layout.pairPairs.enumerated() {
      let d = dot(products + pq.0 * n, products + pq.1 * n, count: n)
      out[pairCount + index] = (out[pq.0] * out[pq.1] - d) * distinctPairs
    }
    let inverse = 1 / Double(n)
    for p in 0..<pairCount { out[p] *= inverse }
  }

  /// Writes the metric block `(M_p, M_p M_q)` of a layer with a skip connection, with
  /// `M_p = Ĝ_p + carried · a_p` the conditional second moment: `carried` is the square of the
  /// skip coefficient and `a` (`pairCount` values) the previous layer's `A_p/n`.
  static func metricStatistics(
    _ g: UnsafePointer<Double>, carrying carried: Double, of a: UnsafePointer<Double>,
    layout: SampleIndexLayout, into out: UnsafeMutablePointer<Double>
  ) {
    let s = layout.sampleCount
    let pairCount = layout.pairCount
    for (p, pair) in layout.pairs.enumerated() {
      out[p] = g[pair.0 * s + pair.1] + carried * a[p]
    }
    for (index, pq) in layout.pairPairs.enumerated() {
      out[pairCount + index] = out[pq.0] * out[pq.1]
    }
  }

  /// Writes the metric block `(Ĝ_p, Ĝ_p Ĝ_q)` for a full `S × S` metric.
  static func metricStatistics(
    _ g: UnsafePointer<Double>, layout: SampleIndexLayout, into out: UnsafeMutablePointer<Double>
  ) {
    let s = layout.sampleCount
    let pairCount = layout.pairCount
    for (p, pair) in layout.pairs.enumerated() { out[p] = g[pair.0 * s + pair.1] }
    for (index, pq) in layout.pairPairs.enumerated() {
      out[pairCount + index] = out[pq.0] * out[pq.1]
    }
  }
}
