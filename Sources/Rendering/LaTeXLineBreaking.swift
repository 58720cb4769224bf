/// A rendered sum as the line breaker sees it: blocks of signed terms (``TermLayout``'s blocks),
/// a block optionally under a common prefactor in brackets, each term a run of factors.
///
/// Breaks are placed from this structure, never by searching the LaTeX text: before a term (the
/// line then starts with its sign, `+ …` or `- …`), and — only for a term too wide for a line of
/// its own — between two factors of its product (the line then starts with `\times`). A term's
/// coefficient, width fraction and index sums stay with its first factor, so a sum sign is never
/// separated from what it sums.
struct BreakableSum {
  struct Term {
    var isNegative: Bool
    /// The product, split where it may be broken: the first element holds the coefficient,
    /// the sums and the first factor.
    var factors: [String]
  }

  struct Block {
    /// The common prefactor written before the bracket (nil: the terms stand alone).
    var prefactor: String?
    var terms: [Term]
  }

  var blocks: [Block]

  /// How a line after the first is introduced.
  enum Continuation: Equatable {
    /// The first line.
    case none
    /// The line starts with the sign of a term.
    case term
    /// The line continues a product (it starts with `\times`).
    case factor
  }

  struct Line: Equatable {
    var continuation: Continuation
    var latex: String
    /// The estimated width (with ``safetyFactor``), indentation excluded.
    var width: Double
  }

  /// The sum broken into lines whose estimated widths stay within `width` (the first line),
  /// `width - termIndent` (lines starting with a term) and `width - factorIndent` (lines
  /// continuing a product); a single factor wider than its line is left whole. With
  /// `breaksBetweenBlocks`, every block after the first also starts a new line. Widths are in TeX
  /// points at 10 pt (``LaTeXWidthEstimate``), with a margin for the estimate's error.
  func lines(
    width: Double, termIndent: Double, factorIndent: Double, breaksBetweenBlocks: Bool = false
  ) -> [Line] {
    var pieces: [[Piece]] = [[]]
    var kinds: [Continuation] = [.none]
    var used = 0.0
    func budget() -> Double {
      switch kinds[kinds.count - 1] {
      case .none: return width
      case .term: return width - termIndent
      case .factor: return width - factorIndent
      }
    }
    func newLine(_ kind: Continuation) {
      pieces.append([])
      kinds.append(kind)
      used = 0
    }
    func append(_ group: [Piece]) {
      pieces[pieces.count - 1] += group
      used += group.map(\.width).reduce(0, +)
    }
    var bracket = 0
    var first = true
    for block in blocks {
      if breaksBetweenBlocks, !first, !pieces[pieces.count - 1].isEmpty { newLine(.term) }
      let opens = block.prefactor != nil
      if opens { bracket += 1 }
      for (k, term) in block.terms.enumerated() {
        // The term as groups that may not be separated: [sign, bracket, first factor], then
        // each further factor (the last one carrying the closing bracket).
        var groups: [[Piece]] = []
        var head: [Piece] = []
        if k == 0, let prefactor = block.prefactor {
          if !first { head.append(.sign(isNegative: false)) }
          head.append(.text(prefactor))
          head.append(.open(bracket, tall: Self.bracketSize(block)))
          if term.isNegative { head.append(.leadingMinus) }
        } else if first {
          if term.isNegative { head.append(.leadingMinus) }
        } else {
          head.append(.sign(isNegative: term.isNegative))
        }
        head.append(.text(term.factors.first ?? "1"))
        groups.append(head)
        for factor in term.factors.dropFirst() { groups.append([.text(factor)]) }
        if opens, k == block.terms.count - 1 {
          groups[groups.count - 1].append(.close(bracket, tall: Self.bracketSize(block)))
        }
        first = false

        let whole = groups.joined().map(\.width).reduce(0, +)
        if !pieces[pieces.count - 1].isEmpty, used + whole > budget() { newLine(.term) }
        if used + whole <= budget() {
          append(Array(groups.joined()))
          continue
        }
        for group in groups {
          let w = group.map(\.width).reduce(0, +)
          if !pieces[pieces.count - 1].isEmpty, used + w > budget() {
            newLine(.factor)
            append([.times])
          }
          append(group)
        }
      }
    }
    // A bracket whose two sides are on one line stretches (\left … \right); one broken across
    // lines takes a fixed size.
    var lineOf: [Int: (open: Int, close: Int)] = [:]
    for (n, line) in pieces.enumerated() {
      for p in line {
        if case .open(let id, _) = p { lineOf[id, default: (n, n)].open = n }
        if case .close(let id, _) = p { lineOf[id, default: (n, n)].close = n }
      }
    }
    func stretches(_ id: Int) -> Bool { lineOf[id].map { $0.open == $0.close } ?? true }
    return zip(kinds, pieces).map { kind, line in
      let width = line.map(\.width).reduce(0, +)
      var parts: [String] = []
      for (i, p) in line.enumerated() {
        switch p {
        case .text(let s): parts.append(s)
        case .leadingMinus: parts.append("-")
        case .sign(let negative):
          parts.append(i == 0 ? (negative ? "- " : "+ ") : (negative ? " - " : " + "))
        case .times: parts.append("\\times ")
        case .open(let id, let size): parts.append(stretches(id) ? "\\left[" : size + "l[")
        case .close(let id, let size): parts.append(stretches(id) ? "\\right]" : size + "r]")
        }
      }
      return Line(continuation: kind, latex: juxtapose(parts), width: width)
    }
  }

  /// The fixed size of a bracket broken across lines, from what it holds: `\Bigg` around sums
  /// and fractions (display-size operators), `\Big` around stretched delimiters, `\big`
  /// otherwise.
  static func bracketSize(_ block: Block) -> String {
    let text = block.terms.flatMap(\.factors).joined()
    if text.contains("\\sum") || text.contains("\\frac") { return "\\Bigg" }
    if text.contains("\\left") { return "\\Big" }
    return "\\big"
  }

  /// The estimated width is scaled by this much before it is compared with a budget: the
  /// estimate is within about 5 % of TeX's on the renderer's output.
  static let safetyFactor = 1.08

  private enum Piece {
    case text(String)
    case sign(isNegative: Bool)
    case leadingMinus
    case times
    case open(Int, tall: String)
    case close(Int, tall: String)

    var width: Double {
      let w: Double
      switch self {
      case .text(let s): w = LaTeXWidthEstimate.width(of: s)
      case .sign, .times: w = 12.2
      case .leadingMinus: w = 7.8
      case .open, .close: w = 6.6
      }
      return w * BreakableSum.safetyFactor
    }
  }
}
