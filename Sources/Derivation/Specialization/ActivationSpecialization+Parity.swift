import Algebra

extension ActivationSpecialization {
  /// The symmetry of σ under z → −z.
  public enum Parity: Hashable, Sendable {
    /// σ(−z) = σ(z) (`abs`).
    case even
    /// σ(−z) = −σ(z) (`linear`, `leaky_relu:1`).
    case odd
  }

  /// The parity of the activation, read off its slopes: a·min(z,0) + b·max(z,0) is even when
  /// a = −b and odd when a = b; nil when it has neither symmetry (`relu`).
  public var parity: Parity? {
    switch self {
    case .linear: return .odd
    case .piecewiseLinear(_, let a, let b):
      if a == -b { return .even }
      if a == b { return .odd }
      return nil
    }
  }

  /// Whether a centred Gaussian average ⟨∂_{β₁}⋯∂_{β_d} F⟩_K vanishes because its integrand is
  /// odd: F is a product of the incoming variable z (odd) and derivatives σ^{(k)} of the
  /// activation applied by `function` (parity of σ times (−1)^k), and each derivative flips the
  /// parity once more. False when the parity is unknown (another function, or σ without
  /// symmetry), so that nothing is dropped that might not vanish.
  public func vanishesByParity(_ average: GaussianAverage, function: FunctionHead) -> Bool {
    guard let parity else { return false }
    var oddFactors = average.derivatives.count
    for f in average.integrand {
      switch f {
      case .tensor:
        oddFactors += 1
      case .function(let application) where application.head == function:
        oddFactors += application.derivative + (parity == .odd ? 1 : 0)
      default:
        return false
      }
    }
    return oddFactors % 2 == 1
  }
}
