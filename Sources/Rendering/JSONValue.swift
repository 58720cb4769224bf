/// A JSON document with ordered object keys, written by hand so that key order is fixed by the
/// code and never by `Dictionary` order.
enum JSONValue: Sendable {
  case null
  case bool(Bool)
  case int(Int)
  case string(String)
  case array([JSONValue])
  /// Keys in the order given.
  case object([(String, JSONValue)])

  /// The JSON text: compact with `indent == nil`, else pretty-printed with that many spaces.
  func serialized(indent: Int?) -> String {
    var out = ""
    write(into: &out, indent: indent, depth: 0)
    return out
  }

  private func write(into out: inout String, indent: Int?, depth: Int) {
    func newline(_ d: Int) {
      if let indent { out += "\n" + String(repeating: " ", count: indent * d) }
    }
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .string(let s): JSONValue.writeString(s, into: &out)
    case .array(let items):
      if items.isEmpty {
        out += "[]"
        return
      }
      out += "["
      for (n, item) in items.enumerated() {
        if n > 0 { out += "," }
        newline(depth + 1)
        item.write(into: &out, indent: indent, depth: depth + 1)
      }
      newline(depth)
      out += "]"
    case .object(let members):
      if members.isEmpty {
        out += "{}"
        return
      }
      out += "{"
      for (n, (key, value)) in members.enumerated() {
        if n > 0 { out += "," }
        newline(depth + 1)
        JSONValue.writeString(key, into: &out)
        out += indent == nil ? ":" : ": "
        value.write(into: &out, indent: indent, depth: depth + 1)
      }
      newline(depth)
      out += "}"
    }
  }

  /// A JSON string literal (RFC 8259 escapes; non-ASCII characters are written as UTF-8).
  private static func writeString(_ s: String, into out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out += "\""
  }
}
