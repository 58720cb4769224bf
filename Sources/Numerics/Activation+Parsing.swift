extension Activation {
  /// The canonical spelling, accepted back by ``parse(_:)``.
  ///
  /// Grammar: `NAME` or `NAME:PARAMETER`, with `NAME` one of `linear`, `relu`, `leaky_relu`,
  /// `tanh`, `erf`, `gelu`, `swish`, `sin`, `softplus`. `leaky_relu` requires its negative-side
  /// slope (`leaky_relu:0.1`); `erf` takes an optional positive scale b for σ(z) = erf(bz)
  /// (`erf` means `erf:1`). Integral parameters print without a fractional part (`erf:2`), others
  /// as the shortest decimal that reads back to the same `Double`.
  public var name: String {
    switch self {
    case .linear: return "linear"
    case .relu: return "relu"
    case .leakyRelu(let slope): return "leaky_relu:\(Activation.format(slope))"
    case .tanh: return "tanh"
    case .erf(let scale): return scale == 1 ? "erf" : "erf:\(Activation.format(scale))"
    case .gelu: return "gelu"
    case .swish: return "swish"
    case .sin: return "sin"
    case .softplus: return "softplus"
    }
  }

  /// Reads an activation from its name (see ``name`` for the grammar).
  ///
  /// Leading and trailing whitespace is ignored and names are case-insensitive, so `"ReLU"` and
  /// `" leaky_relu:0.01 "` are accepted.
  ///
  /// - Throws: ``ActivationParseError`` naming what is wrong; unknown names get the list of
  ///   known ones.
  public static func parse(_ text: String) throws -> Activation {
    let trimmed = text.trimmingWhitespace()
    if trimmed.isEmpty { throw ActivationParseError.empty }
    let parts = trimmed.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    let name = parts[0].lowercased()
    let parameter = parts.count > 1 ? String(parts[1]).trimmingWhitespace() : nil

    func noParameter(_ activation: Activation) throws -> Activation {
      if let parameter {
        throw ActivationParseError.unexpectedParameter(name: name, parameter: parameter)
      }
      return activation
    }
    func number(_ text: String) throws -> Double {
      guard let value = Double(text) else {
        throw ActivationParseError.invalidParameter(
          name: name, parameter: text, reason: "not a number")
      }
      guard value.isFinite else {
        throw ActivationParseError.invalidParameter(
          name: name, parameter: text, reason: "must be finite")
      }
      return value
    }

    switch name {
    case "linear": return try noParameter(.linear)
    case "relu": return try noParameter(.relu)
    case "tanh": return try noParameter(.tanh)
    case "gelu": return try noParameter(.gelu)
    case "swish": return try noParameter(.swish)
    case "sin": return try noParameter(.sin)
    case "softplus": return try noParameter(.softplus)
    case "leaky_relu":
      guard let parameter, !parameter.isEmpty else {
        throw ActivationParseError.missingParameter(name: name)
      }
      return .leakyRelu(slope: try number(parameter))
    case "erf":
      guard let parameter else { return .erf(scale: 1) }
      let scale = try number(parameter)
      guard scale > 0 else {
        throw ActivationParseError.invalidParameter(
          name: name, parameter: parameter, reason: "the scale must be positive")
      }
      return .erf(scale: scale)
    default:
      throw ActivationParseError.unknownName(String(parts[0]))
    }
  }

  /// Integral values without a fractional part, others as Swift's shortest round-trip decimal.
  private static func format(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
  }
}

extension StringProtocol {
  /// The text without leading and trailing spaces, tabs and newlines.
  fileprivate func trimmingWhitespace() -> String {
    let isSpace: (Character) -> Bool = { $0.isWhitespace }
    guard let first = firstIndex(where: { !isSpace($0) }),
      let last = lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(self[first...last])
  }
}
