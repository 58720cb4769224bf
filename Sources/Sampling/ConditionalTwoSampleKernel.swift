import Foundation
import Numerics

/// σ evaluated inline in a fused loop; one conforming type per activation family so the
/// `switch` over `Activation` happens once per layer, outside the loop.
protocol SamplingPointwise {
  func callAsFunction(_ x: Double) -> Double
  /// σ on two neurons at once (vector code for the piecewise-linear activations).
  func callAsFunction(_ x: SIMD2<Double>) -> SIMD2<Double>
}

extension SamplingPointwise {
  @inline(__always) func callAsFunction(_ x: SIMD2<Double>) -> SIMD2<Double> {
    SIMD2(self(x[0]), self(x[1]))
  }
}

struct SamplingIdentity: SamplingPointwise {
  @inline(__always) func callAsFunction(_ x: Double) -> Double { x }
  @inline(__always) func callAsFunction(_ x: SIMD2<Double>) -> SIMD2<Double> { x }
}

struct SamplingRelu: SamplingPointwise {
  @inline(__always) func callAsFunction(_ x: Double) -> Double { x > 0 ? x : 0 }
  @inline(__always) func callAsFunction(_ x: SIMD2<Double>) -> SIMD2<Double> {
    x.replacing(with: 0, where: .!(x .> 0))
  }
}

struct SamplingLeakyRelu: SamplingPointwise {
  let slope: Double
  @inline(__always) func callAsFunction(_ x: Double) -> Double { x > 0 ? x : slope * x }
  @inline(__always) func callAsFunction(_ x: SIMD2<Double>) -> SIMD2<Double> {
    x.replacing(with: slope * x, where: .!(x .> 0))
  }
}

/// tanh, inlined, two lanes at a time (bitwise equal to `Activation.value(_:)`).
struct SamplingTanh: SamplingPointwise {
  @inline(__always) func callAsFunction(_ x: Double) -> Double { ElementaryFunctions.tanh(x) }
  @inline(__always) func callAsFunction(_ x: SIMD2<Double>) -> SIMD2<Double> {
    ElementaryFunctions.tanh(x)
  }
}

/// Any other activation, through `Activation.value(_:)` (its cost dominates the switch).
struct SamplingGeneralActivation: SamplingPointwise {
  let activation: Activation
  @inline(__always) func callAsFunction(_ x: Double) -> Double {
    activation.value(x)
  }
}

/// The next layer's metric when it is `constant + scale · Σ_j f(z_j) f(z_j)ᵀ` (one term, equal
/// sides, reading this layer): fused into the sampling loop.
struct FusedNextMetric: Sendable {
  var constant: Double
  /// `coefficient / n`.
  var scale: Double
  /// nil: `f` is the identity (``LayerSource/preactivation``).
  var activation: Activation?
}

/// The conditional mean a fused layer adds to `L u_i`: none (the MLP), or a skip `c z_i` of the
/// previous layer's own neuron, read in place before the new value is written.
protocol SamplingConditionalMean {
  /// Adds the mean of neurons `i` and `i + 1` (lane 1 only when `pair`) to `x0`, `x1`.
  func add(to x0: inout SIMD2<Double>, _ x1: inout SIMD2<Double>, neuron i: Int, pair: Bool)
}

struct SamplingNoMean: SamplingConditionalMean {
  @inline(__always)
  func add(to x0: inout SIMD2<Double>, _ x1: inout SIMD2<Double>, neuron i: Int, pair: Bool) {}
}

/// `c z_{i;α}` of the previous layer, sample-major with width `n`.
struct SamplingSkipMean: SamplingConditionalMean {
  let coefficient: Double
  let previous: UnsafePointer<Double>
  let width: Int

  @inline(__always)
  func add(to x0: inout SIMD2<Double>, _ x1: inout SIMD2<Double>, neuron i: Int, pair: Bool) {
    let second = previous + width
    let p0 = SIMD2(previous[i], pair ? previous[i &+ 1] : 0)
    let p1 = SIMD2(second[i], pair ? second[i &+ 1] : 0)
    x0 += coefficient * p0
    x1 += coefficient * p1
  }
}

/// The fused conditional layer for two samples: draws `u_i` (sample-major, as the generic path),
/// forms `z_i = L u_i` (plus the skip `c z_i` of the previous layer when `c ≠ 0`), accumulates
/// `A`, `D` and the next metric in one pass with everything in registers, and writes the
/// preactivation block of the statistics row.
enum ConditionalTwoSampleKernel {
  /// Returns the next layer's metric `(G00, G01, G11)` (zeros when `next` is nil). With
  /// `skip ≠ 0`, `previous` holds the previous layer's preactivations (sample-major, width `n`);
  /// `z` may be the same buffer (each neuron is read before it is written).
  @inline(__always)
  static func run(
    width n: Int, factor l: (Double, Double, Double), skip: Double, next: FusedNextMetric?,
    generator: inout Xoshiro256PlusPlus, normals: UnsafeMutablePointer<Double>,
    z: UnsafeMutablePointer<Double>?, previous: UnsafePointer<Double>,
    row: UnsafeMutablePointer<Double>
  ) -> (Double, Double, Double) {
    if skip == 0 {
      return run(
        width: n, factor: l, mean: SamplingNoMean(), next: next, generator: &generator,
        normals: normals, z: z, row: row)
    }
    return run(
      width: n, factor: l, mean: SamplingSkipMean(coefficient: skip, previous: previous, width: n),
      next: next, generator: &generator, normals: normals, z: z, row: row)
  }

  @inline(__always)
  static func run<M: SamplingConditionalMean>(
    width n: Int, factor l: (Double, Double, Double), mean: M, next: FusedNextMetric?,
    generator: inout Xoshiro256PlusPlus, normals: UnsafeMutablePointer<Double>,
    z: UnsafeMutablePointer<Double>?, row: UnsafeMutablePointer<Double>
  ) -> (Double, Double, Double) {
    guard let next else {
      return layer(
        n, l, SamplingIdentity(), mean, generator: &generator, normals: normals, z: z, row: row)
    }
    let sums: (Double, Double, Double)
    switch next.activation {
    case nil, .linear?:
      sums = layer(
        n, l, SamplingIdentity(), mean, generator: &generator, normals: normals, z: z, row: row)
    case .relu?:
      sums = layer(
        n, l, SamplingRelu(), mean, generator: &generator, normals: normals, z: z, row: row)
    case .leakyRelu(let slope)?:
      sums = layer(
        n, l, SamplingLeakyRelu(slope: slope), mean, generator: &generator, normals: normals,
        z: z, row: row)
    case .tanh?:
      sums = layer(
        n, l, SamplingTanh(), mean, generator: &generator, normals: normals, z: z, row: row)
    case let activation?:
      sums = layer(
        n, l, SamplingGeneralActivation(activation: activation), mean, generator: &generator,
        normals: normals, z: z, row: row)
    }
    return (
      next.constant + next.scale * sums.0, next.constant + next.scale * sums.1,
      next.constant + next.scale * sums.2
    )
  }

  /// One layer; neurons are processed in pairs with two-lane vectors (lane = neuron), reading the
  /// sample-major draws of the generic path. The lanes are summed at the end in a fixed order.
  @inline(__always)
  static func layer<F: SamplingPointwise, M: SamplingConditionalMean>(
    _ n: Int, _ l: (Double, Double, Double), _ f: F, _ mean: M,
    generator: inout Xoshiro256PlusPlus,
    normals: UnsafeMutablePointer<Double>, z: UnsafeMutablePointer<Double>?,
    row: UnsafeMutablePointer<Double>
  ) -> (Double, Double, Double) {
    typealias V = SIMD2<Double>
    // Draw the layer's 2n normals first, in a loop with nothing else live: the rare out-of-line
    // ziggurat slow path then spills no accumulators (every xmm register is caller-saved).
    generator.fillStandardNormals(normals, count: 2 * n)
    let l00 = V(repeating: l.0)
    let l10 = V(repeating: l.1)
    let l11 = V(repeating: l.2)
    var a00 = V()
    var a01 = V()
    var a11 = V()
    // Σ z0⁴, Σ z0³z1, Σ z0²z1², Σ z0z1³, Σ z1⁴ (D depends only on the multiset of indices).
    var d0 = V()
    var d1 = V()
    var d2 = V()
    var d3 = V()
    var d4 = V()
    var g00 = V()
    var g01 = V()
    var g11 = V()
    var i = 0
    @inline(__always) func accumulate(_ u0: V, _ u1: V, mask: V) {
      var x0 = l00 * u0
      var x1 = l10 * u0 + l11 * u1
      mean.add(to: &x0, &x1, neuron: i, pair: mask[1] != 0)
      if let z {
        z[i] = x0[0]
        z[n &+ i] = x1[0]
        if mask[1] != 0 {
          z[i &+ 1] = x0[1]
          z[n &+ i &+ 1] = x1[1]
        }
      }
      let q00 = x0 * x0
      let q01 = x0 * x1
      let q11 = x1 * x1
      a00 += q00
      a01 += q01
      a11 += q11
      d0 += q00 * q00
      d1 += q00 * q01
      d2 += q00 * q11
      d3 += q01 * q11
      d4 += q11 * q11
      let s0 = f(x0) * mask
      let s1 = f(x1) * mask
      g00 += s0 * s0
      g01 += s0 * s1
      g11 += s1 * s1
    }
    // Sample-major draws: u_{i;0} = normals[i], u_{i;1} = normals[n + i].
    let second = normals + n
    while i &+ 2 <= n {
      accumulate(
        V(normals[i], normals[i &+ 1]), V(second[i], second[i &+ 1]), mask: V(1, 1))
      i &+= 2
    }
    if i < n {
      // Odd width: the last neuron in lane 0, lane 1 zero (contributes nothing).
      accumulate(V(normals[i], 0), V(second[i], 0), mask: V(1, 0))
    }
    @inline(__always) func total(_ v: V) -> Double { v[0] + v[1] }
    let s00 = total(a00)
    let s01 = total(a01)
    let s11 = total(a11)
    let inverse = 1 / Double(n)
    row[0] = s00 * inverse
    row[1] = s01 * inverse
    row[2] = s11 * inverse
    let distinct = 1 / (Double(n) * Double(n - 1))
    // Pairs of pairs in layout order: (00,00) (00,01) (00,11) (01,01) (01,11) (11,11).
    row[3] = (s00 * s00 - total(d0)) * distinct
    row[4] = (s00 * s01 - total(d1)) * distinct
    row[5] = (s00 * s11 - total(d2)) * distinct
    row[6] = (s01 * s01 - total(d2)) * distinct
    row[7] = (s01 * s11 - total(d3)) * distinct
    row[8] = (s11 * s11 - total(d4)) * distinct
    return (total(g00), total(g01), total(g11))
  }

  /// Cholesky factor `(l00, l10, l11)` of `[[g00, g01], [g01, g11]]`, with the clamped pivots of
  /// ``SamplingVectorKernels/choleskyFactor(_:_:size:)``.
  @inline(__always)
  static func factor(_ g00: Double, _ g01: Double, _ g11: Double) -> (Double, Double, Double) {
    let tolerance = 1e-13 * Swift.max(g00, g11)
    let l00 = g00 > tolerance ? g00.squareRoot() : 0
    let l10 = l00 > 0 ? g01 / l00 : 0
    let d = g11 - l10 * l10
    return (l00, l10, d > tolerance ? d.squareRoot() : 0)
  }
}
