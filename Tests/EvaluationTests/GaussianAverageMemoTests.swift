import Numerics
import Quadrature
import Testing

@testable import Evaluation

/// The memo's key of an average: the sub-block of the metric on the samples it involves (in
/// increasing sample order), with its factors and derivatives renumbered to positions in it,
/// built here by hand; the same average on other samples with the same sub-block has an equal
/// key and hash, and a key that differs in any part is a different key. Catches: samples out of
/// order or repeated in the block, a wrong renumbering, a hash that disagrees with equality.
@Suite struct GaussianAverageMemoTests {
  /// A 4 × 4 metric, row-major, every entry distinct: K[a][b] = 10a + b + ½.
  static let metric: [Double] = (0..<16).map { (k: Int) -> Double in
    let entry: Int = 10 * (k / 4) + k % 4
    return Double(entry) + 0.5
  }

  static func key(
    _ factors: [GaussianFactor], _ derivatives: [Int], metric: [Double] = metric,
    tolerance: Double = 1e-12
  ) -> GaussianAverageMemo.Key {
    GaussianAverageMemo.key(
      factors: factors, derivatives: derivatives, covariance: metric, sampleCount: 4,
      tolerance: tolerance)
  }

  @Test func theKeyIsTheSubBlockWithPositions() {
    // ⟨∂_3 tanh(z_3) z_1 z_3⟩: samples {1, 3}, positions 1 → 0, 3 → 1.
    let k = Self.key(
      [.activation(.tanh, coordinate: 3), .power(1, coordinate: 1), .power(1, coordinate: 3)], [3]
    )
    #expect(k.block == [11.5, 13.5, 31.5, 33.5].map(\.bitPattern))
    #expect(k.factors.map(\.coordinate) == [1, 0, 1])
    #expect(k.derivatives == [1])
    #expect(k.tolerance == 1e-12)
  }

  @Test func theSameSubBlockOnOtherSamplesIsTheSameKey() {
    let k = Self.key([.activation(.tanh, coordinate: 3), .power(1, coordinate: 1)], [3])
    // A metric whose block on samples {0, 2} is the one above on {1, 3}.
    var moved = Self.metric
    moved[0] = 11.5
    moved[2] = 13.5
    moved[8] = 31.5
    moved[10] = 33.5
    let same = Self.key(
      [.activation(.tanh, coordinate: 2), .power(1, coordinate: 0)], [2], metric: moved)
    #expect(same == k)
    #expect(same.hashValue == k.hashValue)
    #expect(Set([k, same]).count == 1)
    let others = [
      Self.key([.activation(.tanh, coordinate: 3), .power(1, coordinate: 1)], [1]),
      Self.key([.activation(.tanh, coordinate: 3), .power(2, coordinate: 1)], [3]),
      Self.key([.activation(.relu, coordinate: 3), .power(1, coordinate: 1)], [3]),
      Self.key(
        [.activation(.tanh, coordinate: 3), .power(1, coordinate: 1)], [3], tolerance: 1e-8),
      Self.key([.activation(.tanh, coordinate: 2), .power(1, coordinate: 0)], [2]),
    ]
    for other in others { #expect(other != k) }
    #expect(Set(others + [k]).count == others.count + 1)
  }
}
