import Foundation
import Testing

@testable import Sampling

/// A co-moment pattern keeps a subset of the dense matrix: each kept entry must be the dense
/// entry bit for bit, after the chunk computation and after merges, and the estimators must read
/// only kept entries.
@Suite struct CoMomentPatternTests {
  /// Rows of a `(x_p, x_p x_q)`-shaped vector with noise, so every co-moment is non-trivial.
  static func rows(pairCount: Int, count: Int, seed: UInt64) -> [Double] {
    var generator = Xoshiro256PlusPlus(seed: seed)
    let dimension = CoMomentPattern.pairProducts(pairCount: pairCount).dimension
    var rows: [Double] = []
    for _ in 0..<count {
      let x = (0..<pairCount).map { _ in 1 + generator.nextStandardNormal() }
      var row = x
      for p in 0..<pairCount {
        for q in p..<pairCount { row.append(x[p] * x[q] + 0.1 * generator.nextStandardNormal()) }
      }
      #expect(row.count == dimension)
      rows += row
    }
    return rows
  }

  /// Every kept entry, as `(i, j, value)` read through the pattern's index.
  static func kept(_ moments: SampleMoments) -> [(Int, Int, Double)] {
    var entries: [(Int, Int, Double)] = []
    for i in 0..<moments.dimension {
      for j in i..<moments.dimension {
        if let k = moments.pattern.index(i, j) { entries.append((i, j, moments.comoment[k])) }
      }
    }
    return entries
  }

  @Test(arguments: [1, 3, 6])
  func keptEntriesEqualTheDenseOnesBitForBit(pairCount: Int) {
    let pattern = CoMomentPattern.pairProducts(pairCount: pairCount)
    let d = pattern.dimension
    let count = 150
    let rows = Self.rows(pairCount: pairCount, count: count, seed: UInt64(pairCount))
    rows.withUnsafeBufferPointer { buffer in
      let base = buffer.baseAddress!
      // Three chunks merged, as the sampler's blocks are.
      func moments(_ range: Range<Int>, _ pattern: CoMomentPattern) -> SampleMoments {
        SampleMoments(
          rows: base + range.lowerBound * d, count: range.count, stride: d, offset: 0,
          pattern: pattern)
      }
      for split in [[0, count], [0, 64, 128, count]] {
        var sparse = moments(split[0]..<split[1], pattern)
        var dense = moments(split[0]..<split[1], .dense(d))
        for (lower, upper) in zip(split.dropFirst(), split.dropFirst(2)) {
          sparse.merge(moments(lower..<upper, pattern))
          dense.merge(moments(lower..<upper, .dense(d)))
        }
        #expect(sparse.mean == dense.mean)
        #expect(sparse.comoment.count == pattern.entryCount)
        let entries = Self.kept(sparse)
        // The block's triangle, and three slots per product (two when its factors coincide).
        let products = pairCount * (pairCount + 1) / 2
        #expect(entries.count == pairCount * (pairCount + 1) / 2 + 3 * products - pairCount)
        for (i, j, value) in entries {
          #expect(value.bitPattern == dense.comoment[dense.pattern.index(i, j)!].bitPattern)
          #expect(sparse.covariance(i, j).bitPattern == dense.covariance(i, j).bitPattern)
        }
      }
    }
  }

  /// The index is the documented storage order: block triangle, then `(a, y), (b, y), (y, y)`
  /// per product, and nothing else is kept.
  @Test func storageOrder() {
    let pattern = CoMomentPattern.pairProducts(pairCount: 2)
    // Components: x0, x1, y00 = 2, y01 = 3, y11 = 4.
    #expect(pattern.dimension == 5)
    #expect(pattern.entryCount == 3 + 9)
    #expect(pattern.index(0, 0) == 0)
    #expect(pattern.index(1, 0) == 1)
    #expect(pattern.index(1, 1) == 2)
    #expect(pattern.index(0, 2) == 3)
    #expect(pattern.index(2, 2) == 5)
    #expect(pattern.index(3, 0) == 6)
    #expect(pattern.index(1, 3) == 7)
    #expect(pattern.index(3, 3) == 8)
    #expect(pattern.index(1, 4) == 9)
    #expect(pattern.index(4, 4) == 11)
    #expect(pattern.index(0, 4) == nil)
    #expect(pattern.index(2, 3) == nil)
    #expect(pattern.index(1, 2) == nil)
    #expect(pattern.index(0, 5) == nil)
    #expect(CoMomentPattern(kind: .pairProducts, dimension: 5) == pattern)
    #expect(CoMomentPattern(kind: .pairProducts, dimension: 6) == nil)
    #expect(CoMomentPattern(kind: .dense, dimension: 5) == .dense(5))
    #expect(CoMomentPattern.dense(5).entryCount == 15)
  }

  /// The estimators read the same numbers from pattern moments as from dense ones.
  @Test func estimatesEqualTheDenseOnes() {
    let layout = SampleIndexLayout(sampleCount: 2)
    let pattern = layout.momentPattern
    let d = pattern.dimension
    let rows = Self.rows(pairCount: layout.pairCount, count: 90, seed: 4)
    rows.withUnsafeBufferPointer { buffer in
      func statistics(_ pattern: CoMomentPattern) -> LayerStatistics {
        let moments = SampleMoments(
          rows: buffer.baseAddress!, count: 90, stride: d, offset: 0, pattern: pattern)
        return LayerStatistics(layer: 2, width: 5, preactivation: moments, metric: moments)
      }
      let sparse = LayerEstimates(statistics: statistics(pattern), layout: layout)
      let dense = LayerEstimates(statistics: statistics(.dense(d)), layout: layout)
      #expect(sparse == dense)
    }
  }

  /// Moments round-trip through JSON with their pattern; dense moments are written as before
  /// (no pattern member).
  @Test func codableKeepsThePattern() throws {
    let rows = Self.rows(pairCount: 2, count: 10, seed: 2)
    let (sparse, dense) = rows.withUnsafeBufferPointer { buffer in
      (
        SampleMoments(
          rows: buffer.baseAddress!, count: 10, stride: 5, offset: 0,
          pattern: .pairProducts(pairCount: 2)),
        SampleMoments(rows: buffer.baseAddress!, count: 10, stride: 5, offset: 0, dimension: 5)
      )
    }
    for moments in [sparse, dense] {
      let data = try JSONEncoder().encode(moments)
      let decoded = try JSONDecoder().decode(SampleMoments.self, from: data)
      #expect(decoded == moments)
      #expect(decoded.pattern.kind == moments.pattern.kind)
      #expect(
        String(decoding: data, as: UTF8.self).contains("pattern")
          == (moments.pattern.kind != .dense))
    }
  }
}

extension CoMomentPatternTests {
  /// The NTK estimators read the same numbers from ``CoMomentPattern/ntk(_:)`` moments as from
  /// dense ones, and the pattern keeps far fewer co-moments.
  @Test func ntkEstimatesEqualTheDenseOnes() {
    let layout = NTKStatisticsLayout(samples: SampleIndexLayout(sampleCount: 2))
    let pattern = CoMomentPattern.ntk(layout)
    let d = layout.dimension
    #expect(pattern.dimension == d)
    #expect(CoMomentPattern(kind: .ntk, dimension: d) == pattern)
    #expect(CoMomentPattern(kind: .ntk, dimension: d + 1) == nil)
    #expect(pattern.entryCount * 4 < d * (d + 1) / 2)
    var generator = Xoshiro256PlusPlus(seed: 12)
    let count = 70
    let rows = (0..<(count * d)).map { _ in 1 + generator.nextStandardNormal() }
    rows.withUnsafeBufferPointer { buffer in
      func estimates(_ pattern: CoMomentPattern) -> NTKLayerEstimates {
        var moments = SampleMoments(
          rows: buffer.baseAddress!, count: 40, stride: d, offset: 0, pattern: pattern)
        moments.merge(
          SampleMoments(
            rows: buffer.baseAddress! + 40 * d, count: count - 40, stride: d, offset: 0,
            pattern: pattern))
        return NTKLayerEstimates(
          statistics: NTKLayerStatistics(layer: 2, width: 6, fanIn: 5, moments: moments),
          layout: layout)
      }
      #expect(estimates(pattern) == estimates(.dense(d)))
    }
  }
}
