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

  /// The activation names (without parameters) a misspelling is compared with.
  static let baseNames = [
    "linear", "relu", "leaky_relu", "tanh", "erf", "gelu", "swish", "sin", "softplus",
  ]

  /// The known name `name` was most likely meant as: at most two edits away (insertions,
  /// deletions, substitutions of characters, ignoring case), and fewer edits than its length, so
  /// that a short unrelated word is not "corrected". Ties go to the first in ``baseNames``; nil when nothing is that close.
  public static func suggestion(for name: String) -> String? {
    let typed = Array(name.lowercased())
    let scored = baseNames.map { ($0, EditDistance.between(typed, Array($0))) }
      .filter { $0.1 <= 2 && $0.1 < typed.count }
    return scored.min { $0.1 < $1.1 }?.0
  }

  public var description: String {
    let known = "known activations: " + Self.knownNames.joined(separator: ", ")
    switch self {
    case .empty:
      return "empty activation name; \(known)"
    case .unknownName(let name):
      let guess = Self.suggestion(for: name).map { "did you mean '\($0)'? " } ?? ""
      return "unknown activation '\(name)'; \(guess)\(known)"
    case .missingParameter(let name):
      return "activation '\(name)' needs a parameter, e.g. '\(name):0.1'"
    case .unexpectedParameter(let name, let parameter):
      return "activation '\(name)' takes no parameter, but ':\(parameter)' was given; \(known)"
    case .invalidParameter(let name, let parameter, let reason):
      return "invalid parameter '\(parameter)' for activation '\(name)': \(reason)"
    }
  }
}
