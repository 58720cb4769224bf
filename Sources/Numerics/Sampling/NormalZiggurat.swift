import Foundation

/// Standard normal variates by the ziggurat method (Marsaglia & Tsang 2000) with 256 layers,
/// one 64-bit draw per variate on the fast path.
///
/// Layout of one draw `r`: bits 0–7 choose the layer `i`; bits 8–63, read as a signed 56-bit
/// integer `h` (arithmetic shift), give sign and abscissa, as in Marsaglia–Tsang's `RNOR` but with
/// 55 bits of resolution. The candidate is `x = h · x_i / 2^55`; it is accepted without evaluating
/// the density when `|h| < k_i = ⌊2^55 x_{i+1}/x_i⌋` (≈ 99.3 % of draws), tested as one unsigned
/// compare `h + (k_i − 1) < 2k_i − 1`. The rest go to the wedge test or, in the base layer, to
/// Marsaglia's exact tail algorithm. The tables are immutable and built once per process.
///
/// `derive-bench sampler` measures the bulk fill
/// ``Xoshiro256PlusPlus/fillStandardNormals(_:count:)``, the hot loop of both samplers.
final class NormalZiggurat: @unchecked Sendable {
  /// Abscissa where the tail starts.
  static let tailStart = 3.6541528853610088
  /// Area of every layer (and of the base layer plus tail) under exp(−x²/2).
  static let layerArea = 0.00492867323399

  /// Per layer: `(k_i − 1, 2k_i − 1)` as unsigned integers, then the scale `x_i / 2^55` — one
  /// 24-byte record per layer so the fast path touches one cache line.
  let records: UnsafeMutablePointer<Record>
  /// Layer edges `x[0] … x[256]` (x[0] the base layer's virtual width, x[256] = 0).
  let edges: UnsafeMutablePointer<Double>
  /// Density `exp(−x²/2)` at each edge.
  let densities: UnsafeMutablePointer<Double>
  /// Slope of the chord of the density across each layer's wedge `[x_{i+1}, x_i]`.
  let chordSlopes: UnsafeMutablePointer<Double>

  struct Record {
    var offset: UInt64
    var bound: UInt64
    var scale: Double
  }

  /// The tables, shared read-only by every generator.
  static let standard = NormalZiggurat()

  private init() {
    records = .allocate(capacity: 256)
    edges = .allocate(capacity: 257)
    densities = .allocate(capacity: 257)
    chordSlopes = .allocate(capacity: 256)
    let r = Self.tailStart
    let v = Self.layerArea
    func density(_ x: Double) -> Double { Foundation.exp(-0.5 * x * x) }
    edges[0] = v / density(r)
    edges[1] = r
    for i in 2..<256 {
      edges[i] = (-2 * Foundation.log(v / edges[i - 1] + density(edges[i - 1]))).squareRoot()
    }
    edges[256] = 0
    for i in 0...256 { densities[i] = density(edges[i]) }
    densities[256] = 1
    for i in 0..<256 {
      chordSlopes[i] = (densities[i] - densities[i + 1]) / (edges[i] - edges[i + 1])
    }
    for i in 0..<256 {
      let k = UInt64((edges[i + 1] / edges[i]) * 0x1.0p55)
      // The top layer has k = 0 (x_256 = 0): bound 0 never accepts, everything goes to the wedge.
      records.advanced(by: i).initialize(
        to: Record(
          offset: k == 0 ? 0 : k - 1, bound: k == 0 ? 0 : 2 * k - 1, scale: edges[i] * 0x1.0p-55))
    }
  }

  /// One standard normal variate.
  ///
  /// The generator state goes in and out by value, so that in a loop it stays in registers:
  /// passing it `inout` to the out-of-line slow path would pin it to memory.
  @inline(__always)
  func next(_ generator: inout Xoshiro256PlusPlus) -> Double {
    var state = generator
    let r = state.next()
    let record = records[Int(truncatingIfNeeded: r & 0xFF)]
    let h = Int64(bitPattern: r) >> 8
    if _fastPath(UInt64(bitPattern: h &+ Int64(bitPattern: record.offset)) < record.bound) {
      generator = state
      return Double(h) * record.scale
    }
    let (value, advanced) = slowPath(state, r: r)
    generator = advanced
    return value
  }

  /// Wedge and tail: rare (≈ 0.7 % of draws), kept out of line so the fast path stays small.
  @inline(never)
  func slowPath(_ start: Xoshiro256PlusPlus, r firstDraw: UInt64) -> (Double, Xoshiro256PlusPlus) {
    var generator = start
    var r = firstDraw
    while true {
      let layer = Int(truncatingIfNeeded: r & 0xFF)
      let h = Int64(bitPattern: r) >> 8
      let negative = h < 0
      let record = records[layer]
      let x = Double(h.magnitude) * record.scale
      if UInt64(bitPattern: h &+ Int64(bitPattern: record.offset)) < record.bound {
        return (negative ? -x : x, generator)
      }
      if layer == 0 {
        // Marsaglia's tail: exact sampling of the normal conditioned on |z| > tailStart.
        let a = Self.tailStart
        while true {
          let u1 = 1 - generator.nextUniform()  // (0, 1]
          let u2 = 1 - generator.nextUniform()
          let dx = -Foundation.log(u1) / a
          let dy = -Foundation.log(u2)
          if dy + dy > dx * dx { return (negative ? -(a + dx) : a + dx, generator) }
        }
      }
      let low = densities[layer]
      let high = densities[layer + 1]
      let y = low + generator.nextUniform() * (high - low)
      if acceptsWedgePoint(layer: layer, x: x, y: y) { return (negative ? -x : x, generator) }
      r = generator.next()
    }
  }

  /// Whether `(x, y)` in the wedge of layer `layer ≥ 1` lies under the density, i.e.
  /// `y < exp(−x²/2)`, deciding most points without `exp`: the density is concave on [0, 1]
  /// (chord below, tangent above) and convex on [1, ∞) (chord above, tangent below). A bound is
  /// used only where it provably orders `y` and the density, so the decision equals the exact one.
  @inline(__always)
  func acceptsWedgePoint(layer: Int, x: Double, y: Double) -> Bool {
    let low = densities[layer]
    let high = densities[layer + 1]
    let right = edges[layer + 1]
    let left = edges[layer]
    let chord = high + chordSlopes[layer] * (x - right)
    if left <= 1 {
      if y <= chord { return true }
      // Tangent at the right edge x_{i+1}: f(x_{i+1}) − x_{i+1} f(x_{i+1}) (x − x_{i+1}).
      if y > high * (1 - right * (x - right)) { return false }
    } else if right >= 1 {
      if y >= chord { return false }
      // Tangent at the left edge x_i: f(x_i) (1 + x_i (x_i − x)).
      if y < low * (1 + left * (left - x)) { return true }
    }
    return y < Foundation.exp(-0.5 * x * x)
  }
}

extension Xoshiro256PlusPlus {
  /// A standard normal variate (ziggurat; see ``NormalZiggurat``).
  @inline(__always)
  public mutating func nextStandardNormal() -> Double {
    NormalZiggurat.standard.next(&self)
  }

  /// Fills `count` doubles at `buffer` with independent standard normals, in order. Identical
  /// to `count` calls of ``nextStandardNormal()``, but fetches the tables once.
  @inline(__always)
  public mutating func fillStandardNormals(_ buffer: UnsafeMutablePointer<Double>, count: Int) {
    let table = NormalZiggurat.standard
    var generator = self
    for index in 0..<count { buffer[index] = table.next(&generator) }
    self = generator
  }
}
