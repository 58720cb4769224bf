import Foundation

/// Standard normal variates by the ziggurat method (Marsaglia & Tsang 2000) with 256 layers,
/// one 64-bit draw per variate on the fast path.
///
/// Layout of one draw `r`: bits 0–7 choose the layer, bit 8 the sign, bits 11–63 the 53-bit
/// abscissa `j`. The layer is accepted without evaluating the density when `j < k[i]`
/// (≈ 99.3 % of draws); the rest go to the wedge test or, in the base layer, to Marsaglia's
/// exact tail algorithm. The tables are immutable and built once per process.
///
/// Measured (release, this machine): see `derive-bench sampler` — the bulk fill
/// ``Xoshiro256PlusPlus/fillStandardNormals(_:count:)`` is the hot loop of both samplers.
final class NormalZiggurat: @unchecked Sendable {
  /// Abscissa where the tail starts.
  static let tailStart = 3.6541528853610088
  /// Area of every layer (and of the base layer plus tail) under exp(−x²/2).
  static let layerArea = 0.00492867323399

  /// Fast-acceptance thresholds: `floor(2^53 · x[i+1]/x[i])`.
  let thresholds: UnsafeMutablePointer<UInt64>
  /// Scales `x[i] / 2^53` turning the 53-bit abscissa into a value in [0, x[i]).
  let scales: UnsafeMutablePointer<Double>
  /// Layer edges `x[0] … x[256]` (x[0] the base layer's virtual width, x[256] = 0).
  let edges: UnsafeMutablePointer<Double>
  /// Density `exp(−x²/2)` at each edge.
  let densities: UnsafeMutablePointer<Double>

  /// The tables, shared read-only by every generator.
  static let standard = NormalZiggurat()

  private init() {
    thresholds = .allocate(capacity: 256)
    scales = .allocate(capacity: 256)
    edges = .allocate(capacity: 257)
    densities = .allocate(capacity: 257)
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
      thresholds[i] = UInt64((edges[i + 1] / edges[i]) * 0x1.0p53)
      scales[i] = edges[i] * 0x1.0p-53
    }
  }

  /// One standard normal variate.
  @inline(__always)
  func next(_ generator: inout Xoshiro256PlusPlus) -> Double {
    let r = generator.next()
    let layer = Int(truncatingIfNeeded: r & 0xFF)
    let j = r >> 11
    if _fastPath(j < thresholds[layer]) {
      let magnitude = Double(j) * scales[layer]
      // Bit 8 of r becomes the sign bit.
      return Double(bitPattern: magnitude.bitPattern | ((r & 0x100) << 55))
    }
    return slowPath(&generator, r: r)
  }

  /// Wedge and tail: rare (≈ 0.7 % of draws), kept out of line so the fast path stays small.
  @inline(never)
  func slowPath(_ generator: inout Xoshiro256PlusPlus, r firstDraw: UInt64) -> Double {
    var r = firstDraw
    while true {
      let layer = Int(truncatingIfNeeded: r & 0xFF)
      let j = r >> 11
      let negative = r & 0x100 != 0
      let x = Double(j) * scales[layer]
      if j < thresholds[layer] { return negative ? -x : x }
      if layer == 0 {
        // Marsaglia's tail: exact sampling of the normal conditioned on |z| > tailStart.
        let a = Self.tailStart
        while true {
          let u1 = 1 - generator.nextUniform()  // (0, 1]
          let u2 = 1 - generator.nextUniform()
          let dx = -Foundation.log(u1) / a
          let dy = -Foundation.log(u2)
          if dy + dy > dx * dx { return negative ? -(a + dx) : a + dx }
        }
      }
      let y = densities[layer] + generator.nextUniform() * (densities[layer + 1] - densities[layer])
      if y < Foundation.exp(-0.5 * x * x) { return negative ? -x : x }
      r = generator.next()
    }
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
