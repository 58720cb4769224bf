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
struct LeafInterpolant {
  /// The polynomial degree on every piece.
  static let degree = 13
  /// The most pieces (beyond, the leaf is integrated directly).
  static let pieceCapacity = 512

  /// −R (0 with a parity), and the width and number of the cells of the finest bisection (a
  /// cell lies in one piece).
  let lowerBound: Double
  let cellWidth: Double
  let cellCount: Int
  /// Per cell, the index of its piece.
  let cellPiece: UnsafeMutablePointer<Int>
  /// Per piece: its midpoint, 1/half-width and Chebyshev coefficients (degree + 1 each).
  let pieceMid: UnsafeMutablePointer<Double>
  let pieceInverseHalf: UnsafeMutablePointer<Double>
  let coefficients: UnsafeMutablePointer<Double>
  /// g(−c) = parity · g(c) when set (±1): only [0, R] is interpolated.
  let parity: Double?

  /// Interpolates `g` on [−`radius`, `radius`] to `tolerance` relative to its values,
  /// starting from `initialPieces` equal pieces; nil when that takes more than
  /// ``pieceCapacity`` pieces or a bisection finer than 2⁻¹² of the interval. With a
  /// `parity` (±1, g(−c) = parity · g(c)), only [0, `radius`] is sampled, from half as many
  /// pieces of the same width.
  init?(
    radius: Double, initialPieces: Int, tolerance: Double, parity: Int? = nil,
    _ g: (Double) -> Double
  ) {
    guard radius > 0, radius.isFinite, initialPieces >= 1 else { return nil }
    guard parity == nil || parity == 1 || parity == -1 else { return nil }
    let n = Self.degree
    let points = (0...n).map { Foundation.cos(Double.pi * (Double($0) + 0.5) / Double(n + 1)) }
    let cosines = (0...n).map { j in
      (0...n).map { k in Foundation.cos(Double(j) * Double.pi * (Double(k) + 0.5) / Double(n + 1)) }
    }
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
    for p in 0..<pieces {
      let a = start + Double(p) * width
      let b = p == pieces - 1 ? radius : a + width
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
      if tail <= tolerance * Swift.max(local, 0.01 * scale) {
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
    let finest = accepted.reduce(0) { Swift.max($0, $1.depth) }
    let cells = pieces << finest
    lowerBound = start
    cellWidth = (radius - start) / Double(cells)
    self.parity = parity.map(Double.init)
    cellCount = cells
    cellPiece = .allocate(capacity: cells)
    pieceMid = .allocate(capacity: accepted.count)
    pieceInverseHalf = .allocate(capacity: accepted.count)
    coefficients = .allocate(capacity: accepted.count * (n + 1))
    var cell = 0
    for (index, piece) in accepted.enumerated() {
      pieceMid[index] = 0.5 * (piece.a + piece.b)
      pieceInverseHalf[index] = 2 / (piece.b - piece.a)
      for j in 0...n { coefficients[index * (n + 1) + j] = piece.fit[j] }
      let span = 1 << (finest - piece.depth)
      for _ in 0..<span {
        cellPiece[cell] = index
        cell += 1
      }
    }
  }

  /// g(c), for c within the interpolated interval (clamped to it).
  func callAsFunction(_ c: Double) -> Double {
    guard let parity, c < 0 else { return value(c) }
    return parity * value(-c)
  }

  /// The interpolant on the sampled interval (clamped to it).
  private func value(_ c: Double) -> Double {
    let cell = Swift.min(Swift.max(Int((c - lowerBound) / cellWidth), 0), cellCount - 1)
    let piece = cellPiece[cell]
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
    pieceMid.deallocate()
    pieceInverseHalf.deallocate()
    coefficients.deallocate()
  }
}
