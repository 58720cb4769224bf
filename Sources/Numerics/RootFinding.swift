import Foundation

/// Roots of a real function of one variable: sign changes on a logarithmic grid, each refined by
/// Brent's method.
///
/// Invariant: every root returned lies in a bracket [a, b] with f(a)·f(b) ≤ 0 and is accurate to
/// the requested tolerance (relative to the root, absolute near zero). A root where f touches
/// zero without changing sign (a double root), or two roots inside one grid cell, is not found:
/// the grid's spacing is the resolution of the search.
public enum RootFinding {
  /// A root of f found by ``brent(in:_:tolerance:maximumIterations:_:)``.
  public struct Root: Hashable, Sendable {
    /// The abscissa.
    public var x: Double
    /// f there.
    public var value: Double
    /// The bracket the root was refined in.
    public var bracket: ClosedRange<Double>
  }

  /// The points 10^{log₁₀ lower + k/pointsPerDecade}, k = 0, 1, …, up to `upper` (both ends
  /// included).
  ///
  /// - Precondition: 0 < lower < upper, pointsPerDecade ≥ 1.
  public static func logarithmicGrid(from lower: Double, to upper: Double, pointsPerDecade: Int)
    -> [Double]
  {
    precondition(lower > 0 && lower < upper && pointsPerDecade >= 1, "invalid logarithmic grid")
    let start = Foundation.log10(lower)
    let decades = Foundation.log10(upper) - start
    let count = Int((decades * Double(pointsPerDecade)).rounded(.up))
    var grid = (0..<count).map { Foundation.pow(10, start + Double($0) / Double(pointsPerDecade)) }
    grid[0] = lower
    grid.append(upper)
    return grid
  }

  /// Every root of f at a sign change between neighbouring points of `grid` (increasing),
  /// refined by Brent's method. Points where f is nil (undefined there) break the grid: no
  /// bracket spans them. A grid point where f is exactly zero is a root.
  public static func roots(
    on grid: [Double], tolerance: Double = 1e-12, _ f: (Double) throws -> Double?
  ) rethrows -> [Root] {
    var roots: [Root] = []
    var previous: (x: Double, value: Double)?
    for x in grid {
      guard let value = try f(x) else {
        previous = nil
        continue
      }
      if value == 0 {
        roots.append(Root(x: x, value: 0, bracket: x...x))
      } else if let p = previous, p.value != 0, (p.value < 0) != (value < 0) {
        let root = try brent(in: p.x, x, tolerance: tolerance) { t in
          if t == p.x { return p.value }
          if t == x { return value }
          return try f(t) ?? .nan
        }
        roots.append(root)
      }
      previous = (x, value)
    }
    return roots
  }

  /// A root of f in [a, b], where f(a) and f(b) have opposite signs (or one is zero), by
  /// Brent's method (inverse quadratic interpolation, secant and bisection steps): the bracket
  /// shrinks until its half-width is below `tolerance`·max(|x|, tiny), and the point with the
  /// smaller |f| is returned. A NaN from f counts as a sign change to its side (bisection).
  ///
  /// - Precondition: a < b and tolerance > 0.
  public static func brent(
    in a: Double, _ b: Double, tolerance: Double = 1e-12, maximumIterations: Int = 200,
    _ f: (Double) throws -> Double
  ) rethrows -> Root {
    precondition(a < b && tolerance > 0, "Brent's method needs a < b and a positive tolerance")
    var (a, b) = (a, b)
    var fa = try f(a)
    var fb = try f(b)
    let bracket = a...b
    if fa == 0 { return Root(x: a, value: 0, bracket: bracket) }
    if fb == 0 { return Root(x: b, value: 0, bracket: bracket) }
    var c = a
    var fc = fa
    var d = b - a
    var e = d
    for _ in 0..<maximumIterations {
      if (fb > 0) == (fc > 0) {
        c = a
        fc = fa
        d = b - a
        e = d
      }
      if abs(fc) < abs(fb) {
        (a, b, c) = (b, c, b)
        (fa, fb, fc) = (fb, fc, fb)
      }
      let scale = max(abs(b), Double.leastNormalMagnitude)
      let tol = 2 * Double.ulpOfOne * scale + 0.5 * tolerance * scale
      let m = 0.5 * (c - b)
      if abs(m) <= tol || fb == 0 { break }
      if abs(e) >= tol, abs(fa) > abs(fb) {
        // Interpolation: secant (two points) or inverse quadratic (three).
        let s = fb / fa
        var p: Double
        var q: Double
        if a == c {
          p = 2 * m * s
          q = 1 - s
        } else {
          let qa = fa / fc
          let r = fb / fc
          p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1))
          q = (qa - 1) * (r - 1) * (s - 1)
        }
        if p > 0 { q = -q } else { p = -p }
        if 2 * p < min(3 * m * q - abs(tol * q), abs(e * q)) {
          e = d
          d = p / q
        } else {
          d = m
          e = m
        }
      } else {
        d = m
        e = m
      }
      a = b
      fa = fb
      b += abs(d) > tol ? d : (m > 0 ? tol : -tol)
      fb = try f(b)
      if fb.isNaN {
        // Undefined inside the bracket: fall back to bisection towards c.
        b = a + m
        fb = try f(b)
        if fb.isNaN { break }
      }
    }
    return Root(x: b, value: fb, bracket: bracket)
  }
}
