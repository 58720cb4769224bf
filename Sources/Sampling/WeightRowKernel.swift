/// One weight row drawn and applied on the fly: `Σ_j w_j f_α[j]` for fresh standard normals
/// `w_j` (drawn in order `j = 0, 1, …`), without storing the row. Two-lane vectors over `j`, two
/// lanes summed at the end in a fixed order.
enum WeightRowKernel {
  /// `(Σ_j w_j a[j], Σ_j w_j b[j])` for two source vectors.
  @inline(__always)
  static func dotTwo(
    _ generator: inout Xoshiro256PlusPlus, _ a: UnsafePointer<Double>,
    _ b: UnsafePointer<Double>, count: Int
  ) -> (Double, Double) {
    typealias V = SIMD2<Double>
    let table = NormalZiggurat.standard
    var state = generator
    var sa = V()
    var sb = V()
    let ra = UnsafeRawPointer(a)
    let rb = UnsafeRawPointer(b)
    var j = 0
    while j + 2 <= count {
      let w0 = table.next(&state)
      let w1 = table.next(&state)
      let w = V(w0, w1)
      sa += w * ra.loadUnaligned(fromByteOffset: j &* 8, as: V.self)
      sb += w * rb.loadUnaligned(fromByteOffset: j &* 8, as: V.self)
      j += 2
    }
    var ta = sa[0] + sa[1]
    var tb = sb[0] + sb[1]
    if j < count {
      let w = table.next(&state)
      ta += w * a[j]
      tb += w * b[j]
    }
    generator = state
    return (ta, tb)
  }

  /// `Σ_j w_j a[j]`.
  @inline(__always)
  static func dotOne(
    _ generator: inout Xoshiro256PlusPlus, _ a: UnsafePointer<Double>, count: Int
  ) -> Double {
    typealias V = SIMD2<Double>
    let table = NormalZiggurat.standard
    var state = generator
    var sa = V()
    let ra = UnsafeRawPointer(a)
    var j = 0
    while j + 2 <= count {
      let w0 = table.next(&state)
      let w1 = table.next(&state)
      sa += V(w0, w1) * ra.loadUnaligned(fromByteOffset: j &* 8, as: V.self)
      j += 2
    }
    var ta = sa[0] + sa[1]
    if j < count { ta += table.next(&state) * a[j] }
    generator = state
    return ta
  }
}
