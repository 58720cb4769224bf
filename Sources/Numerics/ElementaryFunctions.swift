/// Branch-free exp, expm1 and tanh for the hot loops of the quadrature and of batch activation
/// evaluation.
///
/// glibc's versions are accurate but opaque calls (20–30 ns each here); these inline into the
/// loops and let the compiler keep everything in registers. Method (as in fdlibm):
/// y = n ln 2 + r with n = round(y / ln 2) by the 1.5·2⁵² shifter trick and r reduced in two
/// parts (ln 2 = hi + lo, hi with trailing zero bits so n·hi is exact), |r| ≤ ln 2 / 2; then
/// eʳ − 1 by its Taylor series to degree 13 (truncation < 5·10⁻¹⁸ relative) and 2ⁿ built
/// directly in the exponent bits. Accuracy: ≤ 2 ulp over the documented ranges (tested against
/// glibc).
///
/// The functions are `@inlinable` (and the constants literals) so that callers in other modules,
/// such as Monte-Carlo samplers calling ``Activation/apply(_:into:)``, inline them too.
@usableFromInline
package enum ElementaryFunctions {
  /// (n, r) with y = n ln 2 + r, |r| ≤ ln 2 / 2, and 2ⁿ; for −708 ≤ y ≤ 709 (lane by lane for a
  /// vector).
  @inlinable @inline(__always)
  package static func reduce<Value: ReducedArgument>(_ y: Value) -> (r: Value, scale: Value) {
    let shifter = 6_755_399_441_055_744.0  // 1.5 × 2⁵²
    let t = y * 1.442_695_040_888_963_4 + shifter  // y log₂e + shifter
    let n = t - shifter
    // ln 2 = hi + lo, hi with 32 trailing zero bits so that n·hi is exact.
    let r = (y - n * 6.931_471_803_691_238_164_90e-01) - n * 1.908_214_929_270_587_700_02e-10
    return (r, Value.powerOfTwo(shifted: t))
  }
  /// eʳ − 1 for |r| ≤ ln 2 / 2, Taylor to degree 13 in Horner form, for one value or a vector
  /// of them (the same operations in the same order, so each lane rounds as the scalar does).
  @inlinable @inline(__always)
  package static func expm1Reduced<Value: ReducedArgument>(_ r: Value) -> Value {
    var p = r * (1.0 / 6_227_020_800)
    p = (p + 1.0 / 479_001_600) * r
    p = (p + 1.0 / 39_916_800) * r
    p = (p + 1.0 / 3_628_800) * r
    p = (p + 1.0 / 362_880) * r
    p = (p + 1.0 / 40_320) * r
    p = (p + 1.0 / 5_040) * r
    p = (p + 1.0 / 720) * r
    p = (p + 1.0 / 120) * r
    p = (p + 1.0 / 24) * r
    p = (p + 1.0 / 6) * r
    p = (p + 0.5) * r
    return (p + 1) * r
  }

  /// eˣ, for x clamped to [−708, 709] (so tiny results bottom out at ~3·10⁻³⁰⁸ instead of
  /// underflowing).
  @inlinable @inline(__always)
  package static func exp(_ x: Double) -> Double {
    let (r, scale) = reduce(Swift.min(Swift.max(x, -708), 709))
    return scale + scale * expm1Reduced(r)
  }

  /// eˣ − 1 without cancellation near 0, for x clamped to [−708, 709].
  @inlinable @inline(__always)
  package static func expm1(_ x: Double) -> Double {
    expm1Unclamped(Swift.min(Swift.max(x, -708), 709))
  }

  /// eʸ − 1 for −708 ≤ y ≤ 709, one value or lane by lane.
  @inlinable @inline(__always)
  package static func expm1Unclamped<Value: ReducedArgument>(_ y: Value) -> Value {
    let (r, scale) = reduce(y)
    // 2ⁿ(eʳ − 1) + (2ⁿ − 1): exact for n = 0, no harmful cancellation otherwise.
    return scale * expm1Reduced(r) + (scale - 1)
  }

  /// tanh x = sign(x) · m / (m + 2) with m = e^{2|x|} − 1 (|x| capped at 20, where tanh is 1 to
  /// double precision).
  @inlinable @inline(__always)
  package static func tanh(_ x: Double) -> Double {
    let m = expm1(2 * Swift.min(abs(x), 20))
    let magnitude = m / (m + 2)
    return x < 0 ? -magnitude : magnitude
  }

  /// `tanh` on two lanes: the same operations as the scalar ``tanh(_:)`` in vector form, so
  /// each lane is bitwise equal to it (SSE2 has vector 64-bit shifts and adds for the exponent
  /// bits; no fused multiply-add is formed in either form).
  @inlinable @inline(__always)
  package static func tanh(_ x: SIMD2<Double>) -> SIMD2<Double> {
    let absolute = x.replacing(with: -x, where: x .< 0)
    let y = 2 * absolute.replacing(with: 20, where: absolute .> 20)
    let m = expm1Unclamped(y)
    let magnitude = m / (m + 2)
    return magnitude.replacing(with: -magnitude, where: x .< 0)
  }

  /// An upper bound on ln x for x ≥ 1, within 0.06 of it: with x = 2ᵉ·m, m ∈ [1, 2),
  /// log₂ m ≤ (m − 1) + 0.0861 (the maximum of log₂ m − (m − 1)). For error budgets, not values.
  @inlinable @inline(__always)
  package static func logUpperBound(_ x: Double) -> Double {
    let bits = x.bitPattern
    let exponent = Double(Int64(bitPattern: bits >> 52) - 1023)
    let mantissa = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
    return (exponent + mantissa - 1 + 0.0861) * 0.693_147_180_559_945_3
  }
}

/// A value the argument reduction and polynomial of ``ElementaryFunctions`` can be evaluated on:
/// `Double`, or `SIMD2<Double>` lane by lane (the same operations in the same order).
@usableFromInline
package protocol ReducedArgument {
  static func * (lhs: Self, rhs: Self) -> Self
  static func * (lhs: Self, rhs: Double) -> Self
  static func + (lhs: Self, rhs: Self) -> Self
  static func + (lhs: Self, rhs: Double) -> Self
  static func - (lhs: Self, rhs: Self) -> Self
  static func - (lhs: Self, rhs: Double) -> Self
  /// 2ⁿ from t = y log₂e + 1.5·2⁵², whose low bits hold n (two's complement): n + 1023 lands
  /// in the exponent field.
  static func powerOfTwo(shifted t: Self) -> Self
}

extension Double: ReducedArgument {
  @inlinable @inline(__always)
  package static func powerOfTwo(shifted t: Double) -> Double {
    Double(bitPattern: (t.bitPattern &+ 1023) << 52)
  }
}

extension SIMD2: ReducedArgument where Scalar == Double {
  @inlinable @inline(__always)
  package static func powerOfTwo(shifted t: SIMD2<Double>) -> SIMD2<Double> {
    let bits = unsafeBitCast(t, to: SIMD2<UInt64>.self)
    return unsafeBitCast((bits &+ 1023) &<< 52, to: SIMD2<Double>.self)
  }
}
