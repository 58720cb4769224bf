/// The activation functions the numeric backend knows.
///
/// Each case knows its value, derivatives to order 4, kinks and batch evaluation
/// (`Activation+Evaluation.swift`), its name and parser (`Activation+Parsing.swift`), and the
/// shape information the quadrature needs (`Activation+QuadratureHints.swift`). Closed-form
/// Gaussian integrals are in ``GaussianClosedForms``.
public enum Activation: Hashable, Sendable {
  /// σ(z) = z.
  case linear
  /// σ(z) = max(z, 0).
  case relu
  /// σ(z) = max(z, 0) + slope · min(z, 0).
  case leakyRelu(slope: Double)
  /// σ(z) = tanh z.
  case tanh
  /// σ(z) = erf(scale · z).
  case erf(scale: Double)
  /// σ(z) = z Φ(z) (exact GELU, Φ the standard normal CDF).
  case gelu
  /// σ(z) = z / (1 + e^{−z}).
  case swish
  /// σ(z) = sin z.
  case sin
  /// σ(z) = log(1 + e^{z}).
  case softplus
}
