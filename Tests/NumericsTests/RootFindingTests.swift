import Foundation
import Testing

@testable import Numerics

@Suite("Root finding: logarithmic grid and Brent's method")
struct RootFindingTests {
  /// cos x = x at 0.739085133215160641655… (the Dottie number), to 1e-15 relative. Catches: a
  /// wrong interpolation step (slow or no convergence within the iteration cap).
  @Test func brentConverges() {
    var calls = 0
    let root = RootFinding.brent(in: 0, 1, tolerance: 1e-15) { x in
      calls += 1
      return cos(x) - x
    }
    #expect(abs(root.x - 0.739085133215160641655) <= 1e-15)
    #expect(calls < 20, "\(calls) evaluations")
  }

  /// All three roots of (x − 2·10⁻⁵)(x − 3)(x − 4000) on [10⁻⁶, 10⁴], each to 1e-12 relative;
  /// a double root (x − 7)² is not a sign change and is not reported (the documented limit).
  @Test func everyRootOnTheGrid() {
    let grid = RootFinding.logarithmicGrid(from: 1e-6, to: 1e4, pointsPerDecade: 25)
    #expect(grid.first == 1e-6 && grid.last == 1e4 && grid.count == 251)
    let roots = RootFinding.roots(on: grid) { x in (x - 2e-5) * (x - 3) * (x - 4000) }
    #expect(roots.count == 3)
    for (r, want) in zip(roots, [2e-5, 3, 4000]) {
      #expect(abs(r.x - want) <= 1e-12 * want, "\(r.x) vs \(want)")
    }
    #expect(RootFinding.roots(on: grid) { x in (x - 7) * (x - 7) }.isEmpty)
  }

  /// A point where f is undefined (nil) breaks the grid: no root is bracketed across it, as
  /// for a singular linear system between two grid points.
  @Test func undefinedPointsBreakBrackets() {
    let roots = RootFinding.roots(on: [1, 2, 3, 4]) { x in x == 4 ? nil : x - 2.5 }
    #expect(roots.count == 1 && abs(roots[0].x - 2.5) <= 1e-12)
    #expect(RootFinding.roots(on: [1, 2, 3]) { x in x == 2 ? nil : x - 2.5 }.isEmpty)
  }
}
