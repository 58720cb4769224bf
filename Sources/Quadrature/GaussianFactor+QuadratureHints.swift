import Numerics

/// A place where a one-variable function is hard to integrate by a polynomial rule: a kink
/// (`width == 0`, a genuine non-analytic point) or a smooth transition whose nearest complex
/// singularity, or onset of rapid growth, lies about `width` away from the real axis.
struct QuadratureFeature: Hashable, Sendable {
  /// The location on the real axis, in units of the function's argument z.
  var location: Double
  /// The distance, in units of z, to the nearest complex trouble; 0 for a kink.
  var width: Double
  /// How fast the function grows towards that trouble: the order of the pole (tanh's
  /// derivative of order n has poles of order n + 1), used by the uniform rule's bound as
  /// (1 − a/width)^(−strength) on a strip of half-width a.
  var strength: Double = 1
}

extension GaussianFactor.Function {
  /// Where the function is non-analytic or steep; the quadrature splits and grades its mesh
  /// around these points.
  ///
  /// Widths are the imaginary parts of the nearest complex singularities: tanh has poles at
  /// z = ±iπ/2, SWISH and softplus at ±iπ; erf(bz) and GELU are entire but grow like e^{b²y²}
  /// and e^{y²/2} off the real axis, so their transition scale 1/b and 1 is used instead.
  var quadratureFeatures: [QuadratureFeature] {
    switch self {
    case .power: return []
    case .activation(let activation, let order):
      switch activation {
      case .linear, .sin: return []
      case .relu: return order <= 1 ? [QuadratureFeature(location: 0, width: 0)] : []
      case .leakyRelu(let slope):
        return order <= 1 && slope != 1 ? [QuadratureFeature(location: 0, width: 0)] : []
      // Poles of order n + 1 for the n-th derivative (softplus: a logarithm, then poles);
      // erf and GELU are entire, their derivatives a polynomial times the same growth.
      case .tanh:
        return [QuadratureFeature(location: 0, width: Double.pi / 2, strength: Double(order + 1))]
      case .erf(let scale):
        return scale == 0
          ? []
          : [QuadratureFeature(location: 0, width: 1 / abs(scale), strength: 1 + Double(order) / 2)]
      case .gelu:
        return [QuadratureFeature(location: 0, width: 1, strength: 1 + Double(order) / 2)]
      case .swish:
        return [QuadratureFeature(location: 0, width: Double.pi, strength: Double(order + 1))]
      case .softplus:
        return [QuadratureFeature(location: 0, width: Double.pi, strength: Double(max(order, 1)))]
      }
    }
  }

  /// +1 when the function is even, f(−z) = f(z); −1 when it is odd, f(−z) = −f(z); nil when
  /// it is neither. Odd activations (linear, tanh, erf, sin) have derivatives of alternating
  /// parity; zᵏ has parity (−1)ᵏ.
  var parity: Int? {
    switch self {
    case .power(let k): return k % 2 == 0 ? 1 : -1
    case .activation(let activation, let order):
      switch activation {
      case .linear, .tanh, .erf, .sin: return order % 2 == 0 ? -1 : 1
      case .relu, .leakyRelu, .gelu, .swish, .softplus: return nil
      }
    }
  }

  /// The angular frequency of oscillation in z (1 for sin and its derivatives, else 0).
  var oscillationFrequency: Double {
    if case .activation(.sin, _) = self { return 1 }
    return 0
  }

  /// The polynomial degree of growth as |z| → ∞ (used only to weigh tails).
  var growthDegree: Int {
    switch self {
    case .power(let k): return k
    case .activation(let activation, let order):
      switch activation {
      case .linear, .relu, .leakyRelu, .gelu, .swish, .softplus: return order == 0 ? 1 : 0
      case .tanh, .erf, .sin: return 0
      }
    }
  }

  /// True when the function vanishes identically (a derivative of order ≥ 2 of σ(z) = z).
  var isIdenticallyZero: Bool {
    if case .activation(.linear, let order) = self { return order >= 2 }
    return false
  }

  /// True for a derivative of order ≥ 2 of a kinked activation, whose pointwise value misses
  /// the delta functions at the kink; its expectation needs the Hermite form instead.
  var isDistributional: Bool {
    guard case .activation(let activation, let order) = self, order >= 2 else { return false }
    return !activation.kinks.isEmpty
  }
}
