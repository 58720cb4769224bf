import Foundation

extension Activation {
  /// σ(z).
  ///
  /// Every case is evaluated in a form that is finite for every finite `z` (softplus and SWISH
  /// never overflow, GELU uses `erfc` so that its left tail keeps full relative precision).
  /// tanh uses an inlinable branch-free implementation accurate to ≤ 3 ulp (glibc's is an
  /// opaque call three times slower), the same in ``value(_:)``, ``derivative(_:order:)`` and
  /// ``apply(_:into:)``.
  @inlinable
  public func value(_ z: Double) -> Double {
    switch self {
    case .linear: return z
    case .relu: return z > 0 ? z : 0
    case .leakyRelu(let slope): return z > 0 ? z : slope * z
    case .tanh: return ElementaryFunctions.tanh(z)
    case .erf(let scale): return Foundation.erf(scale * z)
    case .gelu: return 0.5 * z * Foundation.erfc(-z * 0.70710678118654752440)
    case .swish: return z / (1 + Foundation.exp(-z))
    case .sin: return Foundation.sin(z)
    case .softplus: return Activation.softplus(z)
    }
  }

  /// The derivative dⁿσ/dzⁿ at `z`, for `order` n in 0…4 (order 0 is the value).
  ///
  /// ReLU and leaky ReLU are differentiated pointwise: the first derivative is a step (taken as
  /// the left value at the kink itself, a set of measure zero), and every derivative of order ≥ 2
  /// is zero. The delta functions that these derivatives carry *at* the kink are deliberately
  /// absent, so Gaussian expectations of second or higher derivatives of kinked activations must
  /// not be computed from these values; use the derivative-free Hermite forms
  /// (`GaussianExpectation.derivativeExpectation(of:derivatives:covariance:method:cache:)` in the
  /// `Quadrature` module) instead.
  ///
  /// - Precondition: `order` is in 0…4.
  public func derivative(_ z: Double, order: Int) -> Double {
    precondition((0...4).contains(order), "derivative order must be in 0…4, got \(order)")
    if order == 0 { return value(z) }
    switch self {
    case .linear:
      return order == 1 ? 1 : 0
    case .relu:
      return order == 1 ? (z > 0 ? 1 : 0) : 0
    case .leakyRelu(let slope):
      return order == 1 ? (z > 0 ? 1 : slope) : 0
    case .tanh:
      let t = ElementaryFunctions.tanh(z)
      let s = 1 - t * t  // sech² z
      switch order {
      case 1: return s
      case 2: return -2 * t * s
      case 3: return s * (4 * t * t - 2 * s)
      default: return 8 * t * s * (2 * s - t * t)
      }
    case .erf(let scale):
      // d/dz erf(bz) = (2b/√π) e^{−b²z²}; higher orders bring physicists' Hermite polynomials:
      // dᵐ/dzᵐ e^{−b²z²} = (−b)ᵐ Hₘ(bz) e^{−b²z²}.
      let x = scale * z
      let gaussian = 1.12837916709551257390 * scale * Foundation.exp(-x * x)
      switch order {
      case 1: return gaussian
      case 2: return gaussian * (-scale) * (2 * x)
      case 3: return gaussian * scale * scale * (4 * x * x - 2)
      default: return gaussian * (-scale * scale * scale) * (8 * x * x * x - 12 * x)
      }
    case .gelu:
      let density = 0.39894228040143267794 * Foundation.exp(-0.5 * z * z)
      let z2 = z * z
      switch order {
      case 1: return 0.5 * Foundation.erfc(-z * 0.70710678118654752440) + z * density
      case 2: return (2 - z2) * density
      case 3: return z * (z2 - 4) * density
      default: return (-z2 * z2 + 7 * z2 - 4) * density
      }
    case .swish:
      // σ = z s(z) with s the logistic function: σ⁽ⁿ⁾ = z s⁽ⁿ⁾ + n s⁽ⁿ⁻¹⁾.
      return z * Activation.logisticDerivative(z, order: order)
        + Double(order) * Activation.logisticDerivative(z, order: order - 1)
    case .sin:
      switch order % 4 {
      case 1: return Foundation.cos(z)
      case 2: return -Foundation.sin(z)
      case 3: return -Foundation.cos(z)
      default: return Foundation.sin(z)
      }
    case .softplus:
      return Activation.logisticDerivative(z, order: order - 1)
    }
  }

  /// The points where σ is not differentiable: `[0]` for ReLU and leaky ReLU (unless the slope
  /// is 1, which is the identity), empty for every smooth activation.
  public var kinks: [Double] {
    switch self {
    case .relu: return [0]
    case .leakyRelu(let slope): return slope == 1 ? [] : [0]
    case .linear, .tanh, .erf, .gelu, .swish, .sin, .softplus: return []
    }
  }

  /// Writes σ(input[i]) into `output[i]` for every index of `input`.
  ///
  /// The switch over the case sits outside the loop, so each case runs a tight loop that the
  /// compiler can unroll (and, for the piecewise-linear cases, vectorise). Intended for hot loops
  /// such as Monte-Carlo samplers and the innermost quadrature level.
  ///
  /// - Precondition: `output.count >= input.count`.
  public func apply(
    _ input: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>
  ) {
    precondition(output.count >= input.count, "output buffer is shorter than input buffer")
    let n = input.count
    switch self {
    case .linear:
      for i in 0..<n { output[i] = input[i] }
    case .relu:
      for i in 0..<n {
        let z = input[i]
        output[i] = z > 0 ? z : 0
      }
    case .leakyRelu(let slope):
      for i in 0..<n {
        let z = input[i]
        output[i] = z > 0 ? z : slope * z
      }
    case .tanh:
      for i in 0..<n { output[i] = ElementaryFunctions.tanh(input[i]) }
    case .erf(let scale):
      for i in 0..<n { output[i] = Foundation.erf(scale * input[i]) }
    case .gelu:
      for i in 0..<n {
        let z = input[i]
        output[i] = 0.5 * z * Foundation.erfc(-z * 0.70710678118654752440)
      }
    case .swish:
      for i in 0..<n {
        let z = input[i]
        output[i] = z / (1 + Foundation.exp(-z))
      }
    case .sin:
      for i in 0..<n { output[i] = Foundation.sin(input[i]) }
    case .softplus:
      for i in 0..<n { output[i] = Activation.softplus(input[i]) }
    }
  }

  /// log(1 + eᶻ) without overflow for large z and without cancellation for very negative z.
  @usableFromInline
  static func softplus(_ z: Double) -> Double {
    z > 0 ? z + Foundation.log1p(Foundation.exp(-z)) : Foundation.log1p(Foundation.exp(z))
  }

  /// The n-th derivative (n in 0…4) of the logistic function s(z) = 1/(1 + e^{−z}), written in
  /// terms of s so that it is finite for every z.
  static func logisticDerivative(_ z: Double, order: Int) -> Double {
    let s = 1 / (1 + Foundation.exp(-z))
    let s1 = s * (1 - s)
    switch order {
    case 0: return s
    case 1: return s1
    case 2: return s1 * (1 - 2 * s)
    case 3: return s1 * (1 - 6 * s + 6 * s * s)
    default: return s1 * (1 - 2 * s) * (1 - 12 * s + 12 * s * s)
    }
  }
}
