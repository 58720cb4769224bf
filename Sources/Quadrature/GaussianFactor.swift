import Numerics

/// One factor f(z_s) of a product integrand F(z) = Πₐ fₐ(z_{s(a)}): a function of a single
/// coordinate of the Gaussian vector.
///
/// Several factors may act on the same coordinate (σ(z₁)² is two factors on coordinate 0), and
/// coordinates without factors are integrated out (the expectation uses the marginal covariance).
public struct GaussianFactor: Hashable, Sendable {
  /// The one-variable function a factor applies.
  public enum Function: Hashable, Sendable {
    /// dⁿσ/dzⁿ for an activation σ and n in 0…4 (see `Activation.derivative(_:order:)`).
    case activation(Activation, derivative: Int)
    /// zᵏ for k ≥ 0.
    case power(Int)
  }

  /// The function applied.
  public var function: Function
  /// The 0-based coordinate s it applies to.
  public var coordinate: Int

  /// A factor applying `function` to coordinate `coordinate`.
  public init(_ function: Function, coordinate: Int) {
    self.function = function
    self.coordinate = coordinate
  }

  /// σ⁽ⁿ⁾(z_s): the activation (or its `derivative`-th derivative) of coordinate `coordinate`.
  public static func activation(
    _ activation: Activation, derivative: Int = 0, coordinate: Int
  ) -> GaussianFactor {
    GaussianFactor(.activation(activation, derivative: derivative), coordinate: coordinate)
  }

  /// (z_s)ᵏ.
  public static func power(_ exponent: Int, coordinate: Int) -> GaussianFactor {
    GaussianFactor(.power(exponent), coordinate: coordinate)
  }
}

extension GaussianFactor.Function {
  /// f(z).
  @inlinable
  public func callAsFunction(_ z: Double) -> Double {
    switch self {
    case .activation(let activation, let order):
      return order == 0 ? activation.value(z) : activation.derivative(z, order: order)
    case .power(let k):
      switch k {
      case 0: return 1
      case 1: return z
      case 2: return z * z
      default:
        var result = 1.0
        for _ in 0..<k { result *= z }
        return result
      }
    }
  }
}

extension GaussianFactor.Function {
  /// `values[i] *= f(z[i])`, `times` times over, for `i < count`: plain activations through the
  /// batch `Activation.apply(_:into:)` (the fast inlinable path), everything else pointwise —
  /// f evaluated once per point either way, so a factor repeated in a product (σ² as σ·σ) costs
  /// one evaluation. The products are the same, bit for bit, as `times` separate passes.
  ///
  /// - Parameter scratch: `count` doubles of working memory.
  func multiply(
    _ values: UnsafeMutablePointer<Double>, at z: UnsafePointer<Double>, count: Int,
    scratch: UnsafeMutablePointer<Double>, times: Int = 1
  ) {
    if case .activation(let activation, 0) = self {
      activation.apply(
        UnsafeBufferPointer(start: z, count: count),
        into: UnsafeMutableBufferPointer(start: scratch, count: count))
    } else {
      for i in 0..<count { scratch[i] = self(z[i]) }
    }
    for _ in 0..<times {
      for i in 0..<count { values[i] *= scratch[i] }
    }
  }

  /// `values[i] *= Π_f f(z[i])` over `functions` for `i < count`, a run of equal functions
  /// (σ·σ) evaluated once (see ``multiply(_:at:count:scratch:times:)``).
  static func multiply(
    _ functions: UnsafeBufferPointer<Self>, into values: UnsafeMutablePointer<Double>,
    at z: UnsafePointer<Double>, count: Int, scratch: UnsafeMutablePointer<Double>
  ) {
    var f = 0
    while f < functions.count {
      var times = 1
      while f + times < functions.count && functions[f + times] == functions[f] { times += 1 }
      functions[f].multiply(values, at: z, count: count, scratch: scratch, times: times)
      f += times
    }
  }
}
