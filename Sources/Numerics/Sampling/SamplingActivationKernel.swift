import Foundation

/// Bulk evaluation of σ for the samplers: one `switch` per call, a tight loop per case.
///
/// Kept private to sampling (and named distinctly) so it cannot clash with the activation
/// API of the rest of `Numerics`; the formulas follow the definitions on ``Activation``.
enum SamplingActivationKernel {
  /// `output[k] = σ(input[k])` for `k < count`. `input` and `output` may be the same buffer.
  static func apply(
    _ activation: Activation, _ input: UnsafePointer<Double>,
    _ output: UnsafeMutablePointer<Double>, count: Int
  ) {
    switch activation {
    case .linear:
      if UnsafePointer(output) != input { output.update(from: input, count: count) }
    case .relu:
      for k in 0..<count {
        let x = input[k]
        output[k] = x > 0 ? x : 0
      }
    case .leakyRelu(let slope):
      for k in 0..<count {
        let x = input[k]
        output[k] = x > 0 ? x : slope * x
      }
    case .tanh:
      for k in 0..<count { output[k] = Foundation.tanh(input[k]) }
    case .erf(let scale):
      for k in 0..<count { output[k] = Foundation.erf(scale * input[k]) }
    case .gelu:
      let invSqrt2 = 0.70710678118654752440
      for k in 0..<count {
        let x = input[k]
        output[k] = 0.5 * x * (1 + Foundation.erf(x * invSqrt2))
      }
    case .swish:
      for k in 0..<count {
        let x = input[k]
        output[k] = x / (1 + Foundation.exp(-x))
      }
    case .sin:
      for k in 0..<count { output[k] = Foundation.sin(input[k]) }
    case .softplus:
      // log(1 + e^x) = max(x, 0) + log1p(e^{−|x|}), without overflow.
      for k in 0..<count {
        let x = input[k]
        output[k] = Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
      }
    }
  }

  /// σ at one point (for tests and slow paths).
  static func value(_ activation: Activation, _ x: Double) -> Double {
    var input = x
    var output = 0.0
    apply(activation, &input, &output, count: 1)
    return output
  }
}
