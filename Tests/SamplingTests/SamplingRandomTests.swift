import Foundation
import Testing

@testable import Sampling

/// `count` normals from `seed`: by the bulk fill (half draws) or one full draw at a time.
private func normals(count: Int, seed: UInt64, bulk: Bool) -> [Double] {
  var generator = Xoshiro256PlusPlus(seed: seed)
  if !bulk { return (0..<count).map { _ in generator.nextStandardNormal() } }
  var values = [Double](repeating: 0, count: count)
  values.withUnsafeMutableBufferPointer { buffer in
    guard let base = buffer.baseAddress else { return }
    generator.fillStandardNormals(base, count: count)
  }
  return values
}

/// Known answers from the reference C implementations (`splitmix64.c`,
/// `xoshiro256plusplus.c` by Blackman & Vigna), compiled and run once; and the law of the
/// ziggurat normals at fixed seeds, for both resolutions (full draws one at a time, half draws
/// in the bulk fill).
@Suite struct SamplingRandomTests {
  @Test func splitMix64MatchesReference() {
    var generator = SplitMix64(seed: 1_234_567)
    let expected: [UInt64] = [
      6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
      4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
    ]
    #expect((0..<5).map { _ in generator.next() } == expected)
    var zero = SplitMix64(seed: 0)
    #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
    #expect(zero.next() == 0x6E78_9E6A_A1B9_65F4)
  }

  @Test func xoshiroMatchesReference() {
    var generator = Xoshiro256PlusPlus(state: (1, 2, 3, 4))
    let expected: [UInt64] = [
      41_943_041, 58_720_359, 3_588_806_011_781_223, 3_591_011_842_654_386,
      9_228_616_714_210_784_205, 9_973_669_472_204_895_162,
    ]
    #expect((0..<6).map { _ in generator.next() } == expected)
  }

  @Test func xoshiroJumpMatchesReference() {
    var generator = Xoshiro256PlusPlus(state: (1, 2, 3, 4))
    generator.jump()
    #expect(generator.state.0 == 10_122_426_448_480_695_249)
    #expect(generator.state.1 == 8_079_205_330_032_121_950)
    #expect(generator.state.2 == 7_289_065_458_748_526_725)
    #expect(generator.state.3 == 9_477_464_255_293_849_680)
    #expect(generator.next() == 17_043_750_140_134_683_703)
  }

  @Test func seedingGoesThroughSplitMix64() {
    var generator = Xoshiro256PlusPlus(seed: 42)
    let expected: [UInt64] = [
      0xD076_4D4F_4476_689F, 0x519E_4174_576F_3791, 0xFBE0_7CFB_0C24_ED8C, 0xB37D_9F60_0CD8_35B8,
    ]
    #expect((0..<4).map { _ in generator.next() } == expected)
  }

  /// Streams are reproducible and distinct: a stream depends on (seed, index) only.
  @Test func streamsAreReproducibleAndDistinct() {
    var a = Xoshiro256PlusPlus(seed: 7, stream: 3)
    var b = Xoshiro256PlusPlus(seed: 7, stream: 3)
    #expect(a.next() == b.next())
    let firsts = Set(
      (0..<1000).map { k -> UInt64 in
        var g = Xoshiro256PlusPlus(seed: 7, stream: UInt64(k))
        return g.next()
      })
    #expect(firsts.count == 1000)
    var c = Xoshiro256PlusPlus(seed: 8, stream: 3)
    var d = Xoshiro256PlusPlus(seed: 7, stream: 3)
    #expect(c.next() != d.next())
  }

  /// Mean, variance, kurtosis and tail mass of 400k ziggurat normals at a fixed seed.
  ///
  /// Tolerances are 5 standard errors of each statistic for N = 400k: mean 1/√N, variance
  /// √(2/N), fourth moment √(96/N) (Var u⁴ = 105 − 9), sixth moment √((10395 − 225)/N); tail
  /// P(|u| > 4.039) = 5.4e-5 (≈ 21 draws, Poisson σ ≈ 4.6). A wrong table, a lost sign bit or a
  /// broken tail/wedge path moves at least one of these by far more.
  @Test(arguments: [true, false]) func normalMoments(bulk: Bool) {
    let count = 400_000
    let values = normals(count: count, seed: 2024, bulk: bulk)
    var m1 = 0.0
    var m2 = 0.0
    var m4 = 0.0
    var m6 = 0.0
    var tail = 0
    var negative = 0
    for u in values {
      m1 += u
      m2 += u * u
      m4 += u * u * u * u
      m6 += u * u * u * u * u * u
      if abs(u) > NormalZiggurat.tailStart { tail += 1 }
      if u < 0 { negative += 1 }
    }
    let n = Double(count)
    m1 /= n
    m2 /= n
    m4 /= n
    m6 /= n
    #expect(abs(m1) < 5 / n.squareRoot())
    #expect(abs(m2 - 1) < 5 * (2 / n).squareRoot())
    #expect(abs(m4 - 3) < 5 * (96 / n).squareRoot())
    #expect(abs(m6 - 15) < 5 * (10170 / n).squareRoot())
    let expectedTail = erfc(NormalZiggurat.tailStart / 2.squareRoot()) * n
    #expect(abs(Double(tail) - expectedTail) < 5 * expectedTail.squareRoot())
    #expect(abs(Double(negative) - n / 2) < 5 * (n / 4).squareRoot())
  }

  /// The bulk fill's layout: an odd count is the even count's pairs (same values, same order)
  /// followed by one full draw, and every entry is a finite normal variate.
  @Test func bulkFillOddCount() {
    for count in [1, 3, 101, 4097] {
      let odd = normals(count: count, seed: 5, bulk: true)
      let even = normals(count: count - 1, seed: 5, bulk: true)
      #expect(Array(odd.prefix(count - 1)) == even)
      #expect(odd.allSatisfy { $0.isFinite && abs($0) < 10 })
    }
  }

  /// The empirical CDF at a few points is within 5 binomial standard errors of Φ (catches a
  /// wrong layer width that still preserves low moments).
  @Test(arguments: [true, false]) func normalDistributionFunction(bulk: Bool) {
    let count = 100_000
    let points: [(x: Double, phi: Double)] = [
      (-2.5, 0.006209665), (-1, 0.158655254), (-0.3, 0.382088578), (0.1, 0.539827837),
      (0.7, 0.758036348), (1.9, 0.971283440), (3.2, 0.999312862),
    ]
    var below = [Int](repeating: 0, count: points.count)
    for u in normals(count: count, seed: 99, bulk: bulk) {
      for (k, point) in points.enumerated() where u < point.x { below[k] += 1 }
    }
    for (k, point) in points.enumerated() {
      let sd = (point.phi * (1 - point.phi) / Double(count)).squareRoot()
      #expect(abs(Double(below[k]) / Double(count) - point.phi) < 5 * sd, "at \(point.x)")
    }
  }

  /// Histogram of |u| in 40 bins of width 0.1 on [0, 4) (plus overflow) against the exact
  /// probabilities erf(b/√2) − erf(a/√2): Pearson χ² over 41 bins (40 degrees of freedom, sd ≈ 8.9)
  /// must stay below 40 + 5·8.9 ≈ 85. Fine bins resolve the wedges and the tail, where the
  /// slow path's chord/tangent shortcuts and Marsaglia's tail algorithm decide.
  @Test(arguments: [true, false]) func normalHistogramChiSquare(bulk: Bool) {
    let count = 400_000
    let bins = 40
    var observed = [Double](repeating: 0, count: bins + 1)
    for u in normals(count: count, seed: 31, bulk: bulk) {
      let bin = min(Int(abs(u) * 10), bins)
      observed[bin] += 1
    }
    var chiSquare = 0.0
    for bin in 0...bins {
      let a = Double(bin) / 10
      let probability =
        bin == bins
        ? erfc(a / 2.squareRoot()) : erf((a + 0.1) / 2.squareRoot()) - erf(a / 2.squareRoot())
      let expected = probability * Double(count)
      chiSquare += (observed[bin] - expected) * (observed[bin] - expected) / expected
    }
    #expect(chiSquare < 85, "χ² = \(chiSquare)")
  }

  /// The exp-free wedge shortcuts decide exactly as `y < exp(−x²/2)` on random points of every
  /// wedge (points within 1e-12 of the curve, where rounding may legitimately differ, skipped).
  @Test func wedgeShortcutsMatchExactTest() {
    let table = NormalZiggurat.standard
    var generator = Xoshiro256PlusPlus(seed: 17)
    var disagreements = 0
    for layer in 1..<NormalZiggurat.layerCount {
      for _ in 0..<400 {
        let x =
          table.edges[layer + 1]
          + generator.nextUniform() * (table.edges[layer] - table.edges[layer + 1])
        let y =
          table.densities[layer]
          + generator.nextUniform() * (table.densities[layer + 1] - table.densities[layer])
        let density = exp(-0.5 * x * x)
        guard abs(y - density) > 1e-12 else { continue }
        if table.acceptsWedgePoint(layer: layer, x: x, y: y) != (y < density) { disagreements += 1 }
      }
    }
    #expect(disagreements == 0)
  }
}
