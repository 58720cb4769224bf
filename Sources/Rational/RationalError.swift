/// Errors for mistakes a user of exact arithmetic can make: dividing by zero or handing in text
/// that is not a number.
public enum RationalError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A division, reciprocal or negative power had a zero divisor (including a zero denominator in
  /// parsed text such as `"1/0"`).
  case divisionByZero
  /// The text is not a decimal integer or fraction in the accepted syntax; carries the text.
  case malformed(String)

  /// A one-line human-readable explanation.
  public var description: String {
    switch self {
    case .divisionByZero: return "division by zero"
    case .malformed(let text): return "malformed number: \"\(text)\""
    }
  }
}
