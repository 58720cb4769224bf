/// Why a piece of text does not name an ``Activation``.
///
/// The ``description`` is a complete, user-facing message; it lists the accepted names so that a
/// command-line user can correct a typo without reading the documentation.
public enum ActivationParseError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The text was empty (or only whitespace).
  case empty
  /// The name before the optional `:parameter` is not a known activation.
  case unknownName(String)
  /// The activation needs a parameter (`leaky_relu:0.1`) but none was given.
  case missingParameter(name: String)
  /// The activation takes no parameter, but one was given (`tanh:2`).
  case unexpectedParameter(name: String, parameter: String)
  /// The parameter is not a number, or not a number the activation accepts.
  case invalidParameter(name: String, parameter: String, reason: String)

  /// The accepted spellings, in the order they are listed in messages.
  public static let knownNames = [
    "linear", "relu", "leaky_relu:<slope>", "tanh", "erf", "erf:<scale>", "gelu", "swish", "sin",
    "softplus",
  ]

  public var description: String {
    let known = "known activations: " + Self.knownNames.joined(separator: ", ")
    switch self {
    case .empty:
      return "empty activation name; \(known)"
    case .unknownName(let name):
      return "unknown activation '\(name)'; \(known)"
    case .missingParameter(let name):
      return "activation '\(name)' needs a parameter, e.g. '\(name):0.1'"
    case .unexpectedParameter(let name, let parameter):
      return "activation '\(name)' takes no parameter, but ':\(parameter)' was given; \(known)"
    case .invalidParameter(let name, let parameter, let reason):
      return "invalid parameter '\(parameter)' for activation '\(name)': \(reason)"
    }
  }
}
