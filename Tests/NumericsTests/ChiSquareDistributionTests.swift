import Foundation
import Numerics
import Testing

/// The χ² survival function against closed forms: k = 2 gives e^{−x/2}, k = 1 gives
/// erfc(√(x/2)), k = 4 gives e^{−x/2}(1 + x/2); both the series (small x) and the continued
/// fraction (large x) branches are exercised.
@Suite struct ChiSquareDistributionTests {
  @Test(arguments: [0.01, 0.5, 1, 2.5, 4, 7, 15, 40, 90])
  func closedForms(x: Double) {
    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(b, 1e-300) }
    #expect(close(ChiSquareDistribution(degreesOfFreedom: 2).survival(x), exp(-x / 2)))
    #expect(
      close(ChiSquareDistribution(degreesOfFreedom: 1).survival(x), erfc((x / 2).squareRoot())))
    #expect(
      close(ChiSquareDistribution(degreesOfFreedom: 4).survival(x), exp(-x / 2) * (1 + x / 2)))
  }

  @Test func edges() {
    let d = ChiSquareDistribution(degreesOfFreedom: 3)
    #expect(d.survival(0) == 1)
    #expect(d.survival(-1) == 1)
    #expect(d.survival(.infinity) == 0)
  }
}
