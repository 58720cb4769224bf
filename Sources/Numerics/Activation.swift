/// The activation functions the numeric backend knows.
///
/// Each case knows its value, derivatives to order 4, kinks and batch evaluation
/// (`Activation+Evaluation.swift`) and its name and parser (`Activation+Parsing.swift`). The
/// shape information the quadrature needs (`GaussianFactor+QuadratureHints.swift`) and the
/// closed-form Gaussian integrals (`GaussianClosedForms`) are in the `Quadrature` module.
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
