/// A name split into a base and an optional subscript, with Greek letters recognised in either
/// spelling ("alpha", "α"), so that the same name can be typeset for LaTeX (`\alpha_{1}`) or a
/// terminal (`α1`).
///
/// Parsing rules, applied to a raw name such as an index label, a symbol name or a head name:
/// 1. `base_sub` splits at the first underscore ("C_W" → C, W; "i_1" → i, 1);
/// 2. otherwise trailing digits form the subscript ("alpha12" → alpha, 12; "i1" → i, 1);
/// 3. a base (or subscript) that is a Greek letter, spelled or as one Unicode character, is
///    normalised to its spelled name.
///
/// Two raw names denote the same displayed name iff their `DisplayName`s are equal, which is
/// what dummy naming uses to avoid clashes ("α1" and "alpha1" clash).
struct DisplayName: Hashable, Comparable, Sendable {
  /// The base, Greek letters spelled out ("alpha", "C", "sigma").
  var base: String
  /// The subscript ("" when absent), Greek letters spelled out.
  var subscriptText: String

  init(base: String, subscriptText: String = "") {
    self.base = base
    self.subscriptText = subscriptText
  }

  /// Parses a raw name.
  init(parsing raw: String) {
    if let underscore = raw.firstIndex(of: "_"), underscore != raw.startIndex {
      let sub = String(raw[raw.index(after: underscore)...])
      self.init(
        base: MathLetter.normalised(String(raw[..<underscore])),
        subscriptText: MathLetter.normalised(sub.trimmingBraces()))
      return
    }
    let digits = raw.reversed().prefix { $0.isASCII && $0.isNumber }
    if !digits.isEmpty && digits.count < raw.count {
      self.init(
        base: MathLetter.normalised(String(raw.dropLast(digits.count))),
        subscriptText: String(digits.reversed()))
    } else {
      self.init(base: MathLetter.normalised(raw))
    }
  }

  /// LaTeX math-mode form: `\alpha_{1}`, `i_{1}`, `C_W`, `j`, `\mathrm{ReLU}`.
  var latex: String {
    let b = DisplayName.latexAtom(base)
    if subscriptText.isEmpty { return b }
    let s = DisplayName.latexAtom(subscriptText)
    // A single letter stays unbraced (C_W, as the book writes it); anything else is braced.
    if subscriptText.count == 1 && !subscriptText.allSatisfy({ $0.isNumber }) {
      return b + "_" + s
    }
    return b + "_{" + s + "}"
  }

  /// Plain Unicode form: `α1`, `i1`, `C_W`, `j`, `χ_∥` (for a subscript `\parallel`).
  var text: String {
    let b = DisplayName.textAtom(base)
    if subscriptText.isEmpty { return b }
    let s = DisplayName.textAtom(subscriptText)
    if subscriptText.allSatisfy({ $0.isASCII && $0.isNumber }) { return b + s }
    return b + "_" + s
  }

  /// ASCII identifier form for computer-algebra systems: `alpha1`, `C_W`, `j`.
  var identifier: String {
    let b = DisplayName.identifierAtom(base)
    if subscriptText.isEmpty { return b }
    let s = DisplayName.identifierAtom(subscriptText)
    if subscriptText.allSatisfy({ $0.isASCII && $0.isNumber }) { return b + s }
    return b + "_" + s
  }

  static func latexAtom(_ atom: String) -> String {
    if let g = MathLetter(spelled: atom) { return g.latex }
    if atom.count <= 1 || atom.allSatisfy({ $0.isNumber }) { return atom }
    if atom.hasPrefix("\\") || atom.contains("{") { return atom }
    return "\\mathrm{" + atom + "}"
  }

  /// A Greek letter as Unicode; a LaTeX control word as its Unicode symbol when known
  /// (`\parallel` → ∥), else without the backslash.
  static func textAtom(_ atom: String) -> String {
    if let g = MathLetter(spelled: atom) { return g.unicode }
    guard atom.hasPrefix("\\") else { return atom }
    let word = String(atom.dropFirst())
    if let g = MathLetter(spelled: word) { return g.unicode }
    return controlWordSymbols[word] ?? word
  }

  /// Only ASCII letters and digits survive (`\parallel` → parallel).
  static func identifierAtom(_ atom: String) -> String {
    String(atom.filter { $0.isASCII && ($0.isLetter || $0.isNumber) })
  }

  // A lookup table only: never iterated.
  private static let controlWordSymbols: [String: String] = [
    "parallel": "∥", "perp": "⊥", "star": "★", "infty": "∞", "prime": "′", "pm": "±",
  ]

  static func < (lhs: DisplayName, rhs: DisplayName) -> Bool {
    lhs.base != rhs.base ? lhs.base < rhs.base : lhs.subscriptText < rhs.subscriptText
  }
}

extension String {
  /// The string without one pair of enclosing braces ("{12}" → "12").
  fileprivate func trimmingBraces() -> String {
    if hasPrefix("{") && hasSuffix("}") && count >= 2 { return String(dropFirst().dropLast()) }
    return self
  }
}
