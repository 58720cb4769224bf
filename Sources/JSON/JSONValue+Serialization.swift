/// How ``JSONValue/serialized(_:)`` lays out a document. The content decides the bytes only
/// together with the style, so each output format names its style once.
public struct JSONStyle: Hashable, Sendable {
  /// Spaces per nesting level, every member and element on a line of its own; nil writes one
  /// line with no spaces.
  public var indent: Int?
  /// In the one-line layout, the arrays that are the value of a member with one of these keys
  /// are written one element per line (a file of records that diffs and greps by line).
  public var recordArrays: Set<String>
  /// Writes `/` as `\/`, as Foundation's `JSONEncoder` does by default.
  public var escapesSlashes: Bool

  public init(indent: Int? = nil, recordArrays: Set<String> = [], escapesSlashes: Bool = false) {
    self.indent = indent
    self.recordArrays = recordArrays
    self.escapesSlashes = escapesSlashes
  }

  /// One line, no spaces.
  public static let compact = JSONStyle()

  /// Pretty-printed with `spaces` per level (`"key": value`).
  public static func indented(_ spaces: Int) -> JSONStyle { JSONStyle(indent: spaces) }
}

extension JSONValue {
  /// The JSON text in `style`, without a final line break.
  ///
  /// Strings get the RFC 8259 escapes: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u00XX`
  /// (lowercase hexadecimal) for the other control characters; everything else, non-ASCII
  /// included, is written as UTF-8. Empty arrays and objects are `[]` and `{}` in every style.
  public func serialized(_ style: JSONStyle = .compact) -> String {
    var out = ""
    write(into: &out, style: style, depth: 0)
    return out
  }

  private func write(into out: inout String, style: JSONStyle, depth: Int) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .number(let n): out += n.text
    case .string(let s): Self.writeString(s, into: &out, style: style)
    case .array(let items):
      Self.writeArray(items, into: &out, style: style, depth: depth, records: false)
    case .object(let members):
      if members.isEmpty {
        out += "{}"
        return
      }
      out += "{"
      for (n, (key, value)) in members.enumerated() {
        if n > 0 { out += "," }
        Self.newline(into: &out, style: style, depth: depth + 1)
        Self.writeString(key, into: &out, style: style)
        out += style.indent == nil ? ":" : ": "
        if case .array(let items) = value, style.indent == nil, style.recordArrays.contains(key) {
          Self.writeArray(items, into: &out, style: style, depth: depth + 1, records: true)
        } else {
          value.write(into: &out, style: style, depth: depth + 1)
        }
      }
      Self.newline(into: &out, style: style, depth: depth)
      out += "}"
    }
  }

  /// An array; with `records`, each element on a line of its own (one-line layout only).
  private static func writeArray(
    _ items: [JSONValue], into out: inout String, style: JSONStyle, depth: Int, records: Bool
  ) {
    if items.isEmpty {
      out += "[]"
      return
    }
    out += "["
    for (n, item) in items.enumerated() {
      if n > 0 { out += "," }
      if records { out += "\n" } else { newline(into: &out, style: style, depth: depth + 1) }
      item.write(into: &out, style: style, depth: depth + 1)
    }
    if records { out += "\n" } else { newline(into: &out, style: style, depth: depth) }
    out += "]"
  }

  private static func newline(into out: inout String, style: JSONStyle, depth: Int) {
    if let indent = style.indent {
      out += "\n" + String(repeating: " ", count: indent * depth)
    }
  }

  private static func writeString(_ s: String, into out: inout String, style: JSONStyle) {
    out += "\""
    // Most strings (keys, labels) need no escape: copied whole.
    let escaped = s.utf8.contains {
      $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\")
        || ($0 == UInt8(ascii: "/") && style.escapesSlashes)
    }
    if !escaped {
      out += s
      out += "\""
      return
    }
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "/" where style.escapesSlashes: out += "\\/"
      case "\u{8}": out += "\\b"
      case "\u{C}": out += "\\f"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{0}"..."\u{1F}":
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default:
        out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }
}
