import Foundation

/// Standard normal variates by the ziggurat method (Marsaglia & Tsang 2000) with 1024 layers, in
/// two resolutions sharing one geometry. (1024 rather than the classic 256 layers: the share of
/// candidates needing the slow wedge or tail test falls from 0.7 % to 0.43 %; the fast path
/// reads 16 kB of table, which stays in L1.)
///
/// * **Full draws** (``next(_:)``, one 64-bit draw per variate on the fast path): bits 0–9 choose
///   the layer `i`; bits 10–63, read as a signed 54-bit integer `h` (arithmetic shift), give sign
///   and abscissa, as in Marsaglia–Tsang's `RNOR` but with 53 bits of resolution. The candidate
///   is `x = h · x_i / 2^53`; it is accepted without evaluating the density when
///   `|h| < k_i = ⌊2^53 x_{i+1}/x_i⌋`, tested as one unsigned compare `h + (k_i − 1) < 2k_i − 1`.
/// * **Half draws** (the bulk fill ``Xoshiro256PlusPlus/fillStandardNormals(_:count:)``, two
///   variates per 64-bit draw): each 32-bit half is a draw of its own, bits 0–9 the layer and
///   bits 10–31 a signed 22-bit `h`, candidate `x = h · x_i / 2^21` accepted when
///   `|h| < ⌊2^21 x_{i+1}/x_i⌋`. Layer and abscissa use disjoint bits (the flaw Doornik 2005
///   found in the original `RNOR`, which reused bits, does not arise). The abscissae lie on a
///   grid of spacing `x_i/2^21` (≤ 2.1·10⁻⁶ in the base layer, relative 4.8·10⁻⁷): moments are
///   exact to ~10⁻⁶ relative, far below any Monte-Carlo error here, and each variate costs half
///   a generator step.
///
/// Candidates that fail the fast test go to the wedge test or, in the base layer, to
/// Marsaglia's exact tail algorithm; a rejected candidate restarts with a fresh full draw (the
/// accepted candidates of any exact ziggurat are standard normal, so mixing resolutions across
/// restarts keeps the law). The tables are immutable and built once per process.
///
/// `derive-bench sampler` measures the bulk fill, the hot loop of both samplers.
final class NormalZiggurat: @unchecked Sendable {
  /// Number of layers, and the bits of a draw that choose one.
  static let layerCount = 1024
  static let layerBits = 10
  static let layerMask: UInt64 = 0x3FF
  /// Abscissa where the tail starts, and the area of every layer (and of the base layer plus
  /// tail) under exp(−x²/2): the solution of the 1024-layer closure x_{1024} = 0, computed to 40
  /// digits by bisection (the same procedure gives Marsaglia–Tsang's 3.6541528853610088 and
  /// 0.00492867323399 for 256 layers).
  static let tailStart = 4.0388498461095045227
  static let layerArea = 0.0012263246463530880729

  /// Per layer: `(k_i − 1, 2k_i − 1)` as unsigned integers, then the scale `x_i / 2^53` — one
  /// 24-byte record per layer so the fast path touches one cache line.
  let records: UnsafeMutablePointer<Record>
  /// Layer edges `x[0] … x[1024]` (x[0] the base layer's virtual width, x[1024] = 0).
  let edges: UnsafeMutablePointer<Double>
  /// Density `exp(−x²/2)` at each edge.
  let densities: UnsafeMutablePointer<Double>
  /// Slope of the chord of the density across each layer's wedge `[x_{i+1}, x_i]`.
  let chordSlopes: UnsafeMutablePointer<Double>

  /// Per layer, for half draws: the scale `s_i = x_i / 2^21` and the squared threshold
  /// `t_i = fl(fl(k_i s_i)²)`, `k_i = ⌊2^21 x_{i+1}/x_i⌋`: `halfTable[i] = s_i` and
  /// `halfTable[1024 + i] = t_i` (one base pointer and a layer index address both). The fast
  /// test `|h| < k_i` is evaluated on the candidate `x = fl(h s_i)` itself as `fl(x²) < t_i`,
  /// which is equivalent: rounding is monotone, and `(k_i − 1) s_i` and `k_i s_i` (and their
  /// squares) differ by far more than rounding (relative 1/k_i ≥ 2⁻²¹).
  let halfTable: UnsafeMutablePointer<Double>

  struct Record {
    var offset: UInt64
    var bound: UInt64
    var scale: Double
  }

  /// The tables, shared read-only by every generator.
  static let standard = NormalZiggurat()

  private init() {
    let count = Self.layerCount
    records = .allocate(capacity: count)
    halfTable = .allocate(capacity: 2 * count)
    edges = .allocate(capacity: count + 1)
    densities = .allocate(capacity: count + 1)
    chordSlopes = .allocate(capacity: count)
    let r = Self.tailStart
    let v = Self.layerArea
    func density(_ x: Double) -> Double { Foundation.exp(-0.5 * x * x) }
    edges[0] = v / density(r)
    edges[1] = r
    for i in 2..<count {
      edges[i] = (-2 * Foundation.log(v / edges[i - 1] + density(edges[i - 1]))).squareRoot()
    }
    edges[count] = 0
    for i in 0...count { densities[i] = density(edges[i]) }
    densities[count] = 1
    for i in 0..<count {
      chordSlopes[i] = (densities[i] - densities[i + 1]) / (edges[i] - edges[i + 1])
    }
    for i in 0..<count {
      // The top layer has k = 0 (x_1024 = 0): bound 0 never accepts, everything goes to the
      // wedge.
      let k = UInt64((edges[i + 1] / edges[i]) * 0x1.0p53)
      records.advanced(by: i).initialize(
        to: Record(
          offset: k == 0 ? 0 : k - 1, bound: k == 0 ? 0 : 2 * k - 1, scale: edges[i] * 0x1.0p-53))
      let half = ((edges[i + 1] / edges[i]) * 0x1.0p21).rounded(.down)
      let scale = edges[i] * 0x1.0p-21
      let threshold = half * scale
      halfTable.advanced(by: i).initialize(to: scale)
      halfTable.advanced(by: count + i).initialize(to: threshold * threshold)
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
    let record = records[Int(truncatingIfNeeded: r & Self.layerMask)]
    let h = Int64(bitPattern: r) >> Self.layerBits
    if _fastPath(UInt64(bitPattern: h &+ Int64(bitPattern: record.offset)) < record.bound) {
      generator = state
      return Double(h) * record.scale
    }
    let (value, advanced) = slowPath(state, r: r)
    generator = advanced
    return value
  }

  /// A half draw that failed the fast test: the wedge or tail test of its candidate, then full
  /// draws until one is accepted.
  @inline(never)
  func halfSlowPath(_ start: Xoshiro256PlusPlus, half: UInt32) -> (Double, Xoshiro256PlusPlus) {
    let layer = Int(truncatingIfNeeded: UInt64(half) & Self.layerMask)
    let h = Int32(bitPattern: half) >> Int32(Self.layerBits)
    let x = Double(h.magnitude) * halfTable[layer]
    var generator = start
    if let accepted = resolveCandidate(layer: layer, x: x, negative: h < 0, &generator) {
      return (accepted, generator)
    }
    return slowPath(generator, r: generator.next())
  }

  /// The wedge test (layers ≥ 1) or the exact tail (layer 0) of a candidate `±x` that failed the
  /// fast test; nil when the wedge rejects it.
  @inline(__always)
  func resolveCandidate(
    layer: Int, x: Double, negative: Bool, _ generator: inout Xoshiro256PlusPlus
  ) -> Double? {
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
    let low = densities[layer]
    let high = densities[layer + 1]
    let y = low + generator.nextUniform() * (high - low)
    if acceptsWedgePoint(layer: layer, x: x, y: y) { return negative ? -x : x }
    return nil
  }

  /// Wedge and tail: rare (≈ 0.4 % of draws), kept out of line so the fast path stays small.
  @inline(never)
  func slowPath(_ start: Xoshiro256PlusPlus, r firstDraw: UInt64) -> (Double, Xoshiro256PlusPlus) {
    var generator = start
    var r = firstDraw
    while true {
      let layer = Int(truncatingIfNeeded: r & Self.layerMask)
      let h = Int64(bitPattern: r) >> Self.layerBits
      let negative = h < 0
      let record = records[layer]
      let x = Double(h.magnitude) * record.scale
      if UInt64(bitPattern: h &+ Int64(bitPattern: record.offset)) < record.bound {
        return (negative ? -x : x, generator)
      }
      if let accepted = resolveCandidate(layer: layer, x: x, negative: negative, &generator) {
        return (accepted, generator)
      }
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

  /// Fills `count` doubles at `buffer` with independent standard normals, two per 64-bit draw
  /// (the half draws of ``NormalZiggurat``).
  ///
  /// Draw order: entries `2m` and `2m + 1` take the low and high half of the m-th draw. The rare
  /// half draws that fail the fast test (≈ 0.4 %) are completed afterwards, in order of their
  /// entries, by ``NormalZiggurat/halfSlowPath(_:half:)`` with the draws that follow — after the
  /// bulk loop, or as soon as 62 are pending — so that the bulk loop makes no calls and keeps
  /// the generator in registers. An odd last entry is a full draw, taken after everything else.
  /// Counts beyond 2³⁰ are filled in consecutive blocks of 2³⁰ (even, so the layout above holds
  /// block by block).
  @inline(__always)
  public mutating func fillStandardNormals(_ buffer: UnsafeMutablePointer<Double>, count: Int) {
    let block = 1 << 30
    var offset = 0
    guard count > 0 else { return }
    repeat {
      fillBlock(buffer + offset, count: Swift.min(block, count - offset))
      offset += block
    } while offset < count
  }

  /// ``fillStandardNormals(_:count:)`` for `count ≤ 2³⁰` (pending entries hold the index in 32
  /// bits).
  @inline(__always)
  mutating func fillBlock(_ buffer: UnsafeMutablePointer<Double>, count: Int) {
    let table = NormalZiggurat.standard
    let scales = table.halfTable
    let thresholds = UnsafePointer(table.halfTable) + NormalZiggurat.layerCount
    self = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 64) { pending in
      guard let pending = pending.baseAddress else { preconditionFailure("capacity 64") }
      // A local copy, so that the state lives in registers through the bulk loop.
      var generator = self
      var pendingCount = 0
      // By value in and out (an `inout` generator would pin the loop's state to memory).
      @inline(never) func complete(_ count: Int, _ start: Xoshiro256PlusPlus)
        -> Xoshiro256PlusPlus
      {
        var generator = start
        for k in 0..<count {
          let entry = pending[k]
          let (value, advanced) = table.halfSlowPath(
            generator, half: UInt32(truncatingIfNeeded: entry))
          generator = advanced
          buffer[Int(truncatingIfNeeded: entry >> 32)] = value
        }
        return generator
      }
      let pairs = count / 2
      for pair in 0..<pairs {
        let index = pair &* 2
        let r = generator.next()
        let low = UInt32(truncatingIfNeeded: r)
        let high = UInt32(truncatingIfNeeded: r >> 32)
        let lowLayer = Int(truncatingIfNeeded: UInt64(low) & NormalZiggurat.layerMask)
        let highLayer = Int(truncatingIfNeeded: UInt64(high) & NormalZiggurat.layerMask)
        let shift = Int32(NormalZiggurat.layerBits)
        let h = SIMD2(
          Double(Int32(bitPattern: low) >> shift), Double(Int32(bitPattern: high) >> shift))
        let x = h * SIMD2(scales[lowLayer], scales[highLayer])
        buffer[index] = x[0]
        buffer[index &+ 1] = x[1]
        let fast = x * x .< SIMD2(thresholds[lowLayer], thresholds[highLayer])
        if _slowPath(!all(fast)) {
          if !fast[0] {
            pending[pendingCount] = UInt64(index) << 32 | UInt64(low)
            pendingCount &+= 1
          }
          if !fast[1] {
            pending[pendingCount] = UInt64(index &+ 1) << 32 | UInt64(high)
            pendingCount &+= 1
          }
          if pendingCount >= 62 {
            generator = complete(pendingCount, generator)
            pendingCount = 0
          }
        }
      }
      generator = complete(pendingCount, generator)
      if count % 2 == 1 { buffer[count - 1] = table.next(&generator) }
      return generator
    }
  }
}
