/// A JSON document whose object members keep the order the code gives them, so that the bytes
/// written are a function of the content alone and never of `Dictionary` order.
///
/// Every JSON file and every `--format json` output of the project is built as a `JSONValue`
/// and written by ``serialized(_:)``: one place decides escapes, spacing and number text.
public enum JSONValue: Sendable {
  case null
  case bool(Bool)
  /// A number, as the text its writer chose (see ``JSONNumber``).
  case number(JSONNumber)
  case string(String)
  case array([JSONValue])
  /// Members in the order given (keys should be distinct).
  case object([(String, JSONValue)])

  /// An integer, in decimal.
  public static func int(_ value: Int) -> JSONValue {
    .number(JSONNumber(value))
  }

  /// A double written in `format`, or `null` when it is not finite (JSON has no infinities or
  /// NaN).
  public static func double(_ value: Double, _ format: JSONNumber.Format = .shortest) -> JSONValue {
    JSONNumber(value, format: format).map(JSONValue.number) ?? .null
  }

  /// An object with the members of `members`, keys in the lexicographic order of their UTF-8
  /// bytes: a deterministic order for keys that are data (coupling names), and the order
  /// Foundation's `JSONEncoder` writes with `.sortedKeys`.
  public static func object(sortingKeys members: [String: JSONValue]) -> JSONValue {
    .object(
      members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map {
        ($0.key, $0.value)
      })
  }
}
