import Testing

@testable import Sampling

/// The bookkeeping under the estimators: index layout, mergeable moments, robust Cholesky.
@Suite struct SamplingEstimatorTests {
  @Test func layoutOrdersPairsLexicographically() {
    let layout = SampleIndexLayout(sampleCount: 3)
    #expect(
      layout.pairs.map { [$0.0, $0.1] } == [[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]])
    #expect(layout.pairCount == 6 && layout.fourPointCount == 21)
    for (p, pair) in layout.pairs.enumerated() {
      #expect(layout.pairIndex(pair.0, pair.1) == p)
      #expect(layout.pairIndex(pair.1, pair.0) == p)
    }
    for (index, pq) in layout.pairPairs.enumerated() {
      let (a, b) = layout.pairs[pq.0]
      let (c, d) = layout.pairs[pq.1]
      #expect(layout.fourPointIndex(a, b, c, d) == index)
      #expect(layout.fourPointIndex(d, c, b, a) == index)
    }
  }

  /// Moments of rows computed at once equal two halves merged (Chan update), up to rounding.
  @Test func momentsMergeLikeOneRun() {
    var generator = Xoshiro256PlusPlus(seed: 5)
    let dimension = 3
    let count = 101
    var rows: [Double] = []
    for _ in 0..<count {
      let u = generator.nextStandardNormal()
      rows += [10 + u, u * u, 3 * u + generator.nextStandardNormal()]
    }
    rows.withUnsafeBufferPointer { buffer in
      let base = buffer.baseAddress!
      let whole = SampleMoments(
        rows: base, count: count, stride: 3, offset: 0, dimension: dimension)
      var first = SampleMoments(rows: base, count: 40, stride: 3, offset: 0, dimension: dimension)
      let second = SampleMoments(
        rows: base + 40 * 3, count: count - 40, stride: 3, offset: 0, dimension: dimension)
      first.merge(second)
      #expect(first.count == whole.count)
      for i in 0..<dimension {
        #expect(abs(first.mean[i] - whole.mean[i]) <= 1e-13 * abs(whole.mean[i]))
        for j in i..<dimension {
          #expect(abs(first.covariance(i, j) - whole.covariance(i, j)) <= 1e-12)
        }
      }
      // Against a direct two-pass computation.
      let meanX = (0..<count).map { base[3 * $0] }.reduce(0, +) / Double(count)
      let meanY = (0..<count).map { base[3 * $0 + 1] }.reduce(0, +) / Double(count)
      let covariance =
        (0..<count).map { (base[3 * $0] - meanX) * (base[3 * $0 + 1] - meanY) }.reduce(0, +)
        / Double(count - 1)
      #expect(abs(whole.covariance(0, 1) - covariance) < 1e-12)
      var empty = SampleMoments(dimension: dimension)
      empty.merge(whole)
      #expect(empty == whole)
    }
  }

  /// A rank-one 3×3 matrix (equal inputs) factors without NaN and reproduces itself.
  @Test func choleskyOfSingularMatrix() {
    let v = [1.5, 1.5, -0.5]
    var g = [Double](repeating: 0, count: 9)
    for a in 0..<3 { for b in 0..<3 { g[a * 3 + b] = v[a] * v[b] } }
    var l = [Double](repeating: .nan, count: 9)
    g.withUnsafeBufferPointer { gp in
      l.withUnsafeMutableBufferPointer { lp in
        SamplingVectorKernels.choleskyFactor(gp.baseAddress!, lp.baseAddress!, size: 3)
      }
    }
    #expect(l.allSatisfy { $0.isFinite })
    for a in 0..<3 {
      for b in 0..<3 {
        let product = (0..<3).map { l[a * 3 + $0] * l[b * 3 + $0] }.reduce(0, +)
        #expect(abs(product - g[a * 3 + b]) < 1e-14)
      }
    }
  }

  /// The estimators on hand-made statistics: kernel mean, distinct-neuron four-point with its
  /// bias correction, sample covariance of the metric.
  @Test func estimatorsFromKnownRows() {
    let layout = SampleIndexLayout(sampleCount: 1)
    var statistics = LayerStatistics(layer: 2, width: 10, layout: layout)
    // Rows (a, h) and (g, g²) for three networks.
    let preactivationRows: [Double] = [1, 1.2, 2, 3.9, 3, 9.1]
    let metricRows: [Double] = [1, 1, 2, 4, 4, 16]
    preactivationRows.withUnsafeBufferPointer {
      statistics.preactivation = SampleMoments(
        rows: $0.baseAddress!, count: 3, stride: 2, offset: 0, dimension: 2)
    }
    metricRows.withUnsafeBufferPointer {
      statistics.metric = SampleMoments(
        rows: $0.baseAddress!, count: 3, stride: 2, offset: 0, dimension: 2)
    }
    let estimates = LayerEstimates(statistics: statistics, layout: layout)
    #expect(abs(estimates.kernel[0].value - 2) < 1e-15)
    #expect(abs(estimates.kernel[0].standardError - (1.0 / 3).squareRoot()) < 1e-15)
    // mean h = 14.2/3, ā² = 4, Ĉov(a,a)/N = 1/3.
    #expect(abs(estimates.fourPoint[0].value - (14.2 / 3 - 4 + 1.0 / 3)) < 1e-14)
    // Sample variance of (1, 2, 4) = 7/3.
    #expect(abs(estimates.metricCovariance[0].value - 7.0 / 3) < 1e-14)
  }
}
