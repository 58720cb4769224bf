import Foundation

/// The innermost integral of a product quadrature as a function of one number, interpolated.
///
/// When the last level j = r − 1 completes a single coordinate s, its integral at an outer
/// point is g(c) = ∫ F_s(c + L_{sj}u) φ(u) du with c = Σ_{m<j} L_{sm}u_m: one smooth function
/// of the offset c (a Gaussian smoothing of F_s), the same at every outer point. It is sampled
/// once on [−R, R], R = U Σ_{m<j}|L_{sm}| (every offset an outer node can produce), on
/// Chebyshev points of pieces bisected until each piece's interpolant has converged (its three
/// highest coefficients sum to at most the tolerance times the piece's scale Σ|a_j|, or a
/// hundredth of the largest |g| sampled where that is larger), and then
/// each outer point costs one Clenshaw sum instead of a leaf quadrature.
///
/// When F_s has a parity p (F_s(−z) = p F_s(z)), so has g: g(−c) = p g(c). Then only [0, R] is
/// sampled (half the work) and g(c) is read as p g(|c|) for c < 0.
///
/// When g's troubles are known (``Trouble``: where its nearest complex singularities sit), the
/// initial pieces are graded instead of equal: interpolation on a piece converges at the
/// Bernstein-ellipse rate set by its distance from the nearest trouble, so each initial piece
/// is made as wide as that a-priori bound allows, and bisection only corrects where the model
/// is off — instead of bisecting equal pieces down to that width and discarding every parent's
/// samples.
struct LeafInterpolant {
  /// A complex trouble of g at `location` ± i·`width` (in units of c), of pole order
  /// `strength`.
  struct Trouble {
    var location: Double
    var width: Double
    var strength: Double
  }

  /// The polynomial degree on every piece.
  static let degree = 13
  /// The most pieces (beyond, the leaf is integrated directly).
  static let pieceCapacity = 512

  /// −R (0 with a parity), and the width and number of the lookup cells (no wider than the
  /// narrowest piece, so a cell meets at most two pieces).
  let lowerBound: Double
  let cellWidth: Double
  let inverseCellWidth: Double
  let cellCount: Int
  /// Per cell, the index of the piece holding its left end.
  let cellPiece: UnsafeMutablePointer<Int>
  /// Per piece: its right end, midpoint, 1/half-width and Chebyshev coefficients (degree + 1
  /// each).
  let pieceUpper: UnsafeMutablePointer<Double>
  let pieceMid: UnsafeMutablePointer<Double>
  let pieceInverseHalf: UnsafeMutablePointer<Double>
  let coefficients: UnsafeMutablePointer<Double>
  /// g(−c) = parity · g(c) when set (±1): only [0, R] is interpolated.
  let parity: Double?

  /// The Chebyshev points cos(π(k + ½)/(n + 1)), k = 0…n, n = ``degree``.
  static let points = (0...degree).map {
    Foundation.cos(Double.pi * (Double($0) + 0.5) / Double(degree + 1))
  }
  /// cos(jπ(k + ½)/(n + 1)) by j, then k: the discrete cosine transform to coefficients.
  static let cosines = (0...degree).map { j in
    (0...degree).map { k in
      Foundation.cos(Double(j) * Double.pi * (Double(k) + 0.5) / Double(degree + 1))
    }
  }

  /// The most lookup cells.
  static let cellCapacity = 1 << 15

  /// Interpolates `g` on [−`radius`, `radius`] to `tolerance` relative to its values,
  /// starting from `initialPieces` equal pieces — or, with `troubles`, from pieces graded by
  /// the distance to the nearest one, none wider than those; nil when that takes more than
  /// ``pieceCapacity`` pieces or a bisection 12 levels below an initial piece. With a
  /// `parity` (±1, g(−c) = parity · g(c)), only [0, `radius`] is sampled, from half as many
  /// pieces of the same width. With a `spread` σ — the standard deviation of the offsets the
  /// interpolant will be read at, which reach c with weight at most e^{−c²/2σ²} — a piece
  /// at distance x from 0 is held to `tolerance`·e^{x²/2σ²} (``localTolerance(_:at:spread:)``):
  /// its error is weighted by that much less.
  init?(
    radius: Double, initialPieces: Int, tolerance: Double, parity: Int? = nil,
    troubles: [Trouble] = [], spread: Double? = nil, _ g: (Double) -> Double
  ) {
    guard radius > 0, radius.isFinite, initialPieces >= 1 else { return nil }
    guard parity == nil || parity == 1 || parity == -1 else { return nil }
    let n = Self.degree
    let points = Self.points
    let cosines = Self.cosines
    /// Chebyshev coefficients of g on [a, b] from its values at the Chebyshev points.
    func interpolate(_ a: Double, _ b: Double) -> (coefficients: [Double], largest: Double) {
      let mid = 0.5 * (a + b)
      let half = 0.5 * (b - a)
      let values = points.map { g(mid + half * $0) }
      var result = [Double](repeating: 0, count: n + 1)
      for j in 0...n {
        var sum = 0.0
        for k in 0...n { sum += values[k] * cosines[j][k] }
        result[j] = (j == 0 ? 1 : 2) * sum / Double(n + 1)
      }
      return (result, values.reduce(0) { Swift.max($0, abs($1)) })
    }
    let start = parity == nil ? -radius : 0
    let pieces = parity == nil ? initialPieces : Swift.max(1, initialPieces / 2)
    let width = (radius - start) / Double(pieces)
    var pending: [(a: Double, b: Double, depth: Int, fit: [Double])] = []
    var scale = 0.0
    for (a, b) in Self.initialPieces(
      from: start, to: radius, widest: width, troubles: troubles, tolerance: tolerance,
      parity: parity != nil, spread: spread)
    {
      let fit = interpolate(a, b)
      scale = Swift.max(scale, fit.largest)
      pending.append((a, b, 0, fit.coefficients))
    }
    guard scale.isFinite else { return nil }
    let maximumDepth = 12
    var accepted: [(a: Double, b: Double, depth: Int, fit: [Double])] = []
    while let piece = pending.popLast() {
      let tail = abs(piece.fit[n]) + abs(piece.fit[n - 1]) + abs(piece.fit[n - 2])
      guard tail.isFinite else { return nil }
      // |Σ a_j| ≤ Σ|a_j| bounds the piece's values; the bound is relative to them, but never
      // finer than a hundredth of the largest |g|.
      let local = piece.fit.reduce(0) { $0 + abs($1) }
      let allowed = Self.localTolerance(
        tolerance, at: Self.nearestToZero(piece.a, piece.b), spread: spread)
      if tail <= allowed * Swift.max(local, 0.01 * scale) {
        accepted.append(piece)
        continue
      }
      guard piece.depth < maximumDepth, accepted.count + pending.count < Self.pieceCapacity
      else { return nil }
      let middle = 0.5 * (piece.a + piece.b)
      pending.append((middle, piece.b, piece.depth + 1, interpolate(middle, piece.b).coefficients))
      pending.append((piece.a, middle, piece.depth + 1, interpolate(piece.a, middle).coefficients))
    }
    accepted.sort { $0.a < $1.a }
    let narrowest = accepted.reduce(Double.infinity) { Swift.min($0, $1.b - $1.a) }
    let cells = Swift.min(
      Self.cellCapacity, Swift.max(1, Int(((radius - start) / narrowest).rounded(.up))))
    lowerBound = start
    cellWidth = (radius - start) / Double(cells)
    inverseCellWidth = 1 / cellWidth
    // A cell narrower than every piece meets at most two; with the capacity reached it may
    // meet more, which the lookup's walk still handles.
    self.parity = parity.map(Double.init)
    cellCount = cells
    cellPiece = .allocate(capacity: cells)
    pieceUpper = .allocate(capacity: accepted.count)
    pieceMid = .allocate(capacity: accepted.count)
    pieceInverseHalf = .allocate(capacity: accepted.count)
    coefficients = .allocate(capacity: accepted.count * (n + 1))
    for (index, piece) in accepted.enumerated() {
      pieceUpper[index] = index == accepted.count - 1 ? Double.infinity : piece.b
      pieceMid[index] = 0.5 * (piece.a + piece.b)
      pieceInverseHalf[index] = 2 / (piece.b - piece.a)
      for j in 0...n { coefficients[index * (n + 1) + j] = piece.fit[j] }
    }
    var index = 0
    for cell in 0..<cells {
      let left = start + Double(cell) * cellWidth
      while left >= pieceUpper[index] { index += 1 }
      cellPiece[cell] = index
    }
  }

  /// The initial pieces of [`start`, `end`]: equal pieces no wider than `widest`, or, with
  /// troubles, pieces graded by the distance to the nearest trouble.
  ///
  /// Degree-n Chebyshev interpolation on a piece of half-width h converges like ρ⁻ⁿ, ρ the
  /// Bernstein ellipse through the nearest singularity: for one at distance D from the
  /// piece's midpoint (in the complex plane), ρ ≥ D/h + √(D²/h² + 1) = e^{arsinh(D/h)}. The
  /// piece meets the tolerance (with a factor 10 of margin per pole order) when
  /// arsinh(D/h) ≥ L = (ln(1/tol) + 2.3(1 + p))/n, i.e. h ≤ D / sinh L. Each piece is given
  /// that half-width at the distance of its nearer end, capped by `widest`; with `parity`
  /// the troubles' mirror images count too.
  static func initialPieces(
    from start: Double, to end: Double, widest: Double, troubles: [Trouble], tolerance: Double,
    parity: Bool, spread: Double? = nil
  ) -> [(Double, Double)] {
    var result: [(Double, Double)] = []
    guard !troubles.isEmpty else {
      let count = Swift.max(1, Int(((end - start) / widest).rounded()))
      let width = (end - start) / Double(count)
      for p in 0..<count {
        let a = start + Double(p) * width
        result.append((a, p == count - 1 ? end : a + width))
      }
      return result
    }
    let images =
      parity
      ? troubles
        + troubles.map { Trouble(location: -$0.location, width: $0.width, strength: $0.strength) }
      : troubles
    func halfWidth(at x: Double, near: Double) -> Double {
      var h = 0.5 * widest
      let logTolerance = Foundation.log(localTolerance(tolerance, at: near, spread: spread))
      for t in images {
        let distance = ((x - t.location) * (x - t.location) + t.width * t.width).squareRoot()
        let l = Swift.max(0.05, (-logTolerance + 2.3 * (1 + t.strength)) / Double(degree))
        h = Swift.min(h, 0.5 * distance / Foundation.sinh(l))
      }
      return h
    }
    var a = start
    while a < end && result.count < pieceCapacity / 2 {
      var width = 2 * halfWidth(at: a, near: nearestToZero(a, a))
      width = Swift.min(width, 2 * halfWidth(at: a + width, near: nearestToZero(a, a + width)))
      // A last sliver joins the piece before it.
      let b = end - (a + width) < 0.25 * width ? end : a + width
      result.append((a, b))
      a = b
    }
    if a < end { result.append((a, end)) }
    return result
  }

  /// The tolerance of a piece whose point nearest 0 is at distance `x`: `tolerance` ·
  /// e^{x²/2σ²} with a `spread` σ (the exponent capped at 60), `tolerance` without.
  static func localTolerance(_ tolerance: Double, at x: Double, spread: Double?) -> Double {
    guard let spread, spread > 0 else { return tolerance }
    return tolerance * Foundation.exp(Swift.min(0.5 * x * x / (spread * spread), 60))
  }

  /// The distance from 0 of the point of [a, b] nearest to it.
  static func nearestToZero(_ a: Double, _ b: Double) -> Double {
    a >= 0 ? a : b <= 0 ? -b : 0
  }

  /// g(c), for c within the interpolated interval (clamped to it).
  func callAsFunction(_ c: Double) -> Double {
    guard let parity, c < 0 else { return value(c) }
    return parity * value(-c)
  }

  /// out[i] = g(c[i]) for i < n: the same values as ``callAsFunction(_:)``, bit for bit, four
  /// at a time — the Clenshaw recurrences of four offsets interleaved, so that their
  /// dependent chains overlap instead of running one after another.
  func values(at c: UnsafePointer<Double>, count n: Int, into out: UnsafeMutablePointer<Double>) {
    var i = 0
    while i + 4 <= n {
      let (x0, s0) = folded(c[i])
      let (x1, s1) = folded(c[i + 1])
      let (x2, s2) = folded(c[i + 2])
      let (x3, s3) = folded(c[i + 3])
      let (a0, t0) = local(x0)
      let (a1, t1) = local(x1)
      let (a2, t2) = local(x2)
      let (a3, t3) = local(x3)
      let t = SIMD4(t0, t1, t2, t3)
      let twoT = 2 * t
      var b1 = SIMD4<Double>()
      var b2 = SIMD4<Double>()
      for j in stride(from: Self.degree, through: 1, by: -1) {
        let b0 = SIMD4(a0[j], a1[j], a2[j], a3[j]) + twoT * b1 - b2
        b2 = b1
        b1 = b0
      }
      let v = SIMD4(s0, s1, s2, s3) * (SIMD4(a0[0], a1[0], a2[0], a3[0]) + t * b1 - b2)
      out[i] = v[0]
      out[i + 1] = v[1]
      out[i + 2] = v[2]
      out[i + 3] = v[3]
      i += 4
    }
    while i < n {
      out[i] = self(c[i])
      i += 1
    }
  }

  /// c folded onto the interpolated half-line with the sign it brings (with a parity), or c
  /// and 1.
  @inline(__always)
  private func folded(_ c: Double) -> (Double, Double) {
    guard let parity, c < 0 else { return (c, 1) }
    return (-c, parity)
  }

  /// The coefficients of the piece holding c and c's local coordinate t ∈ [−1, 1] in it.
  @inline(__always)
  private func local(_ c: Double) -> (UnsafeMutablePointer<Double>, Double) {
    let piece = self.piece(c)
    let t = Swift.min(Swift.max((c - pieceMid[piece]) * pieceInverseHalf[piece], -1), 1)
    return (coefficients + piece &* (Self.degree + 1), t)
  }

  /// The piece holding c (clamped to the interpolated interval).
  @inline(__always)
  private func piece(_ c: Double) -> Int {
    let cell = Swift.min(Swift.max(Int((c - lowerBound) * inverseCellWidth), 0), cellCount - 1)
    var piece = cellPiece[cell]
    while c >= pieceUpper[piece] { piece += 1 }
    return piece
  }

  /// The interpolant on the sampled interval (clamped to it).
  private func value(_ c: Double) -> Double {
    let piece = self.piece(c)
    let t = Swift.min(Swift.max((c - pieceMid[piece]) * pieceInverseHalf[piece], -1), 1)
    let a = coefficients + piece * (Self.degree + 1)
    // Clenshaw: Σ a_j T_j(t).
    var b1 = 0.0
    var b2 = 0.0
    let twoT = 2 * t
    for j in stride(from: Self.degree, through: 1, by: -1) {
      let b0 = a[j] + twoT * b1 - b2
      b2 = b1
      b1 = b0
    }
    return a[0] + t * b1 - b2
  }

  func deallocate() {
    cellPiece.deallocate()
    pieceUpper.deallocate()
    pieceMid.deallocate()
    pieceInverseHalf.deallocate()
    coefficients.deallocate()
  }
}
