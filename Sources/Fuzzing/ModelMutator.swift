import Foundation

/// Token- and line-level mutations of a model file, including the extremes that broke the
/// engine before: huge integers and layer offsets, thousands of nested parentheses, hundreds of
/// repeated terms, repeated indices, self-referential and negative variances, invalid UTF-8.
///
/// `scale` bounds the size of the extremes: 1 gives the full sizes (thousands of parentheses,
/// a thousand repeated terms) for campaigns; smaller values shrink them for quick runs.
public struct ModelMutator: Sendable {
  public var scale: Double

  public init(scale: Double = 1) { self.scale = scale }

  /// Extreme tokens that replace numbers, layers and names.
  public static let extremeTokens = [
    "9223372036854775807", "-9223372036854775808", "9223372036854775808",
    "99999999999999999999999999999999", "0", "-1", "1e308", "nan", "inf", "l-9223372036854775807",
    "l+9223372036854775807", "l-9223372036854775808", "1/0", "0/0", "-", "", "[", ")", ";", ",",
    "ℓ", "l+", "l-", "σ", "\u{0}", "\u{202E}", "😀",
  ]

  /// Applies one to three random mutations; returns the bytes and a label naming them.
  public func mutate(_ text: String, using rng: inout FuzzRandom) -> (bytes: [UInt8], label: String)
  {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var labels: [String] = []
    var garbage: [UInt8]? = nil
    for _ in 0..<rng.int(1...3) {
      let label = mutateOnce(&lines, garbage: &garbage, using: &rng)
      labels.append(label)
    }
    var bytes = Array(lines.joined(separator: "\n").utf8)
    if let garbage {
      bytes.insert(contentsOf: garbage, at: Int.random(in: 0...bytes.count, using: &rng))
    }
    return (bytes, labels.joined(separator: "+"))
  }

  func size(_ full: Int) -> Int { max(1, Int(Double(full) * scale)) }

  // swiftlint-style long switch: each case is one named mutation.
  func mutateOnce(_ lines: inout [String], garbage: inout [UInt8]?, using rng: inout FuzzRandom)
    -> String
  {
    let mapLine = lines.firstIndex { $0.hasPrefix("map ") }
    switch rng.int(0...19) {
    case 0 where !lines.isEmpty:
      lines.remove(at: rng.int(0...lines.count - 1))
      return "delete-line"
    case 1 where !lines.isEmpty:
      let k = rng.int(0...lines.count - 1)
      lines.insert(lines[k], at: k)
      return "duplicate-line"
    case 2 where lines.count > 1:
      lines.swapAt(rng.int(0...lines.count - 1), rng.int(0...lines.count - 1))
      return "swap-lines"
    case 3, 4:
      return replaceToken(&lines, using: &rng)
    case 5:
      let depth = rng.pick([3, 50, 300, size(1_000), size(7_300), size(20_000)])
      let target = mapLine ?? 0
      if let eq = lines[target].firstIndex(of: "=") {
        let rhs = lines[target][lines[target].index(after: eq)...]
        lines[target] =
          String(lines[target][...eq]) + " " + String(repeating: "(", count: depth) + rhs
          + String(repeating: ")", count: depth)
      } else {
        lines[target] += String(repeating: "(", count: depth)
      }
      return "nest-parentheses(\(depth))"
    case 6:
      let count = rng.pick([2, 10, 64, size(300), size(1_000)])
      let term = rng.pick([" + b[i]", " + W[i,j] sigma(z[j;a])", " - b[i]", " + 2"])
      lines[mapLine ?? 0] += String(repeating: term, count: count)
      return
        "repeat-term(\(count)x\(term.trimmingCharacters(in: CharacterSet(charactersIn: " +-"))))"
    case 7:
      let name = rng.pick(["A", "W", "b"])
      lines.insert("gaussian \(name)[i,i] : 1", at: min(lines.count, 6))
      if let m = lines.firstIndex(where: { $0.hasPrefix("map ") }) {
        lines[m] += rng.pick([" + \(name)[i,i] sigma(z[i;a])", " + \(name)[i,i]"])
      }
      return "repeated-index(\(name)[i,i])"
    case 8:
      let variance = rng.pick(["W[i,j]", "W[i,j] W[i,j]", "b[i]", "-1", "-C_W", "0", "C_W - 1"])
      replaceLine(&lines, prefix: "gaussian W[", with: "gaussian W[i,j] : \(variance)")
      return "variance(\(variance))"
    case 9:
      let offset = rng.pick([
        "l-9223372036854775807", "l+9223372036854775807", "l-9223372036854775808",
        "9223372036854775807", "l-4611686018427387904", "l+1000000",
      ])
      let which = rng.pick(["index i :", "index j"])
      replaceLine(
        &lines, prefix: which,
        with: "\(which.hasPrefix("index i") ? "index i" : "index j") : neuron \(offset)")
      return "layer(\(which.suffix(1)):\(offset))"
    case 10:
      lines.insert("index k : neuron l", at: min(lines.count, 3))
      lines.insert("gaussian U[i] : 1", at: min(lines.count, 6))
      replaceLine(&lines, prefix: "map ", with: "map z[i;a] = U[i] z[j;a] z[k;a]")
      return "product-of-incoming"
    case 11:
      lines.insert("", at: rng.int(0...lines.count))
      lines.insert("   # comment", at: rng.int(0...lines.count))
      return "blank-lines"
    case 12:
      garbage = rng.pick([[0xFF, 0xFE], [0xC3], [0x00], [0xE2, 0x80], Array("\u{FEFF}".utf8)])
      return "garbage-bytes"
    case 13 where !lines.isEmpty:
      let k = rng.int(0...lines.count - 1)
      lines[k] = String(lines[k].prefix(rng.int(0...lines[k].count)))
      return "truncate-line"
    case 14:
      let statement = rng.pick(["map ", "derive ", "incoming ", "index ", "first "])
      lines.removeAll { $0.hasPrefix(statement) }
      return "remove-\(statement.trimmingCharacters(in: .whitespaces))"
    case 15:
      let n = rng.pick([100, size(10_000), size(100_000)])
      let k = rng.int(0...lines.count)
      lines.insert(
        rng.pick([
          "model " + String(repeating: "m", count: n),
          "coupling " + String(repeating: "C ", count: n / 2), String(repeating: "x", count: n),
        ]), at: k)
      return "long-line(\(n))"
    case 16:
      let index = rng.pick(["i", "j", "a", "q"])
      replaceLine(&lines, prefix: "gaussian W[", with: "gaussian W[\(index),\(index)] : C_W / n(j)")
      return "repeated-index(W[\(index),\(index)])"
    case 17:
      let other = rng.pick([
        "x[j;a]", "z[i;a]", "z[j;a] z[j;a]", "sigma(sigma(z[j;a]))", "n(j)", "K", "W[j,i]",
      ])
      lines[mapLine ?? 0] += " + W[i,j] \(other)"
      return "odd-factor(\(other))"
    case 18:
      lines.append(
        rng.pick([
          "derive K G1 V to order 9223372036854775807", "derive K to order -1", "derive",
          "derive K K K",
        ]))
      return "derive-line"
    default:
      let k = rng.int(0...lines.count)
      lines.insert(
        rng.pick(ModelGenerator.seedModels).split(separator: "\n").map(String.init).randomElement(
          using: &rng) ?? "", at: k)
      return "splice-line"
    }
  }

  func replaceLine(_ lines: inout [String], prefix: String, with replacement: String) {
    if let k = lines.firstIndex(where: { $0.hasPrefix(prefix) }) {
      lines[k] = replacement
    } else {
      lines.insert(replacement, at: min(lines.count, 5))
    }
  }

  func replaceToken(_ lines: inout [String], using rng: inout FuzzRandom) -> String {
    guard !lines.isEmpty else { return "none" }
    let k = rng.int(0...lines.count - 1)
    var tokens = lines[k].split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    guard !tokens.isEmpty else { return "none" }
    let t = rng.int(0...tokens.count - 1)
    let replacement = rng.pick(Self.extremeTokens)
    tokens[t] = replacement
    lines[k] = tokens.joined(separator: " ")
    return
      "replace-token(\(replacement.unicodeScalars.map { $0.isASCII ? String($0) : "U+\(String($0.value, radix: 16))" }.joined()))"
  }
}
