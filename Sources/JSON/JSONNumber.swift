import Foundation

/// The text of a JSON number, fixed when the value is made: each writer chooses how its doubles
/// are printed (a report's 17 significant digits, a shard's shortest round-trip form) and the
/// serializer copies the text.
///
/// Invariant: ``text`` is a JSON number literal (RFC 8259 §6); non-finite doubles have no
/// `JSONNumber` (the writer decides between `null` and an error).
public struct JSONNumber: Hashable, Sendable {
  /// How a double is written.
  public enum Format: Hashable, Sendable {
    /// The shortest decimal that reads back as the same double (Swift's `description`), without
    /// a trailing `.0`: `0.1`, `2`, `1e-05`, `1e+16`. This is the text of Foundation's
    /// `JSONEncoder`, so files it wrote keep their bytes.
    case shortest
    /// C's `%.Ng` with N significant digits: `0.72499999999999998` for 0.725 and N = 17.
    case significantDigits(Int)
  }

  /// The number as written.
  public let text: String

  /// An integer, in decimal.
  public init<Integer: BinaryInteger>(_ value: Integer) {
    text = String(value)
  }

  /// A double in `format`; nil when `value` is not finite.
  public init?(_ value: Double, format: Format = .shortest) {
    guard value.isFinite else { return nil }
    switch format {
    case .shortest:
      var text = value.description
      if text.hasSuffix(".0") { text.removeLast(2) }
      self.text = text
    case .significantDigits(let digits):
      precondition(digits >= 1, "at least one significant digit")
      text = Self.text(value, significantDigits: digits)
    }
  }

  /// `%.Ng` for N up to 40.
  private static let formats = (0...40).map { "%.\($0)g" }

  /// C's `%.Ng`, as `String(format:)` writes it, by `vsnprintf` into a stack buffer: without
  /// Foundation's formatter, which costs microseconds a number (a report writes some 10⁶).
  /// `String(format:)` itself when the text does not fit or has a decimal comma (a C locale set
  /// by some library; this program sets none).
  static func text(_ value: Double, significantDigits digits: Int) -> String {
    // (The precision in the format, not as an argument `%.*g`: one argument less to convert.)
    let capacity = 64
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
      guard let base = buffer.baseAddress else { return String(format: "%.\(digits)g", value) }
      let format = digits < formats.count ? formats[digits] : "%.\(digits)g"
      let length = withVaList([value]) { vsnprintf(base, capacity, format, $0) }
      guard length > 0, length < capacity, !buffer[..<Int(length)].contains(44) else {
        return String(format: "%.\(digits)g", value)
      }
      return String(cString: base)
    }
  }
}
