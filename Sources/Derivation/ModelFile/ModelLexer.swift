/// A token of the model language.
struct Token: Hashable, Sendable {
  enum Kind: Hashable, Sendable {
    case identifier(String)
    case integer(Int)
    case symbol(Character)
    case endOfLine
  }

  var kind: Kind
  var location: SourceLocation

  var text: String {
    switch kind {
    case .identifier(let s): return "'\(s)'"
    case .integer(let n): return "'\(n)'"
    case .symbol(let c): return "'\(c)'"
    case .endOfLine: return "end of line"
    }
  }
}

/// Splits a model file into tokens, line by line. `#` starts a comment; a line ending in `\\`
/// (before any comment) continues on the next one, so a long statement can be broken across
/// lines (every token keeps its own line and column). Identifiers are
/// letters, digits, `_`, `-` inside words (`nearly-gaussian`, `x2-hidden`: between a letter or
/// digit and a letter) and a trailing `'`; `ℓ` is read as `l`. A `-` after the layer variable
/// `l` is never part of a word, so `l-1` stays a layer; a subtraction between names is written
/// with spaces (`a - b`).
enum ModelLexer {
  static let maximumLength = 1 << 20

  static func tokenize(_ text: String, file: String) throws -> [[Token]] {
    if text.utf8.count > maximumLength {
      throw ModelError(
        SourceLocation(file: file, line: 1, column: 1),
        "model file is larger than \(maximumLength) bytes")
    }
    var lines: [[Token]] = []
    var continued: [Token] = []
    for (n, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var tokens: [Token] = []
      let chars = Array(rawLine)
      var k = 0
      func loc(_ column: Int) -> SourceLocation {
        SourceLocation(file: file, line: n + 1, column: column + 1)
      }
      var continues = false
      while k < chars.count {
        let c = chars[k]
        if c == "#" { break }
        if c == "\\" {
          let rest = chars[(k + 1)...].drop { $0 == " " || $0 == "\t" || $0 == "\r" }
          guard rest.isEmpty || rest.first == "#" else {
            throw ModelError(
              loc(k), "'\\' continues a statement on the next line: it must end the line")
          }
          continues = true
          break
        }
        if c == " " || c == "\t" || c == "\r" {
          k += 1
          continue
        }
        if c.isLetter || c == "_" {
          let start = k
          var s = ""
          while k < chars.count,
            chars[k].isLetter || chars[k].isNumber || chars[k] == "_"
              || (chars[k] == "-" && k + 1 < chars.count && chars[k + 1].isLetter
                && (s.last?.isLetter == true || s.last?.isNumber == true) && s != "l")
          {
            s.append(chars[k] == "ℓ" ? "l" : chars[k])
            k += 1
          }
          while k < chars.count && chars[k] == "'" {
            s.append("'")
            k += 1
          }
          tokens.append(Token(kind: .identifier(s), location: loc(start)))
          continue
        }
        if c.isASCII && c.isNumber {
          let start = k
          var value = 0
          while k < chars.count, chars[k].isASCII, let d = chars[k].wholeNumberValue {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { throw ModelError(loc(start), "number is too large") }
            value = a
            k += 1
          }
          tokens.append(Token(kind: .integer(value), location: loc(start)))
          continue
        }
        if "[](),;:=+-*/~".contains(c) {
          tokens.append(Token(kind: .symbol(c), location: loc(k)))
          k += 1
          continue
        }
        throw ModelError(loc(k), "unexpected character '\(c)'")
      }
      if continues {
        continued += tokens
        continue
      }
      tokens.append(Token(kind: .endOfLine, location: loc(chars.count)))
      lines.append(continued + tokens)
      continued = []
    }
    if let last = continued.last {
      throw ModelError(last.location, "the file ends inside a statement continued with '\\'")
    }
    return lines
  }
}
