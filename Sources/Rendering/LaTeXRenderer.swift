import Algebra
import Rational

/// Renders expressions in LaTeX math mode, in the book's notation by default.
///
/// ```
/// \frac{C_W^{2}}{4}\frac{n_{\ell}}{n_{\ell-1}}\sum_{\beta_{1},\dots,\beta_{4}}
///   V^{(\ell)}_{(\beta_{1}\beta_{2})(\beta_{3}\beta_{4})}
///   \left\langle \partial_{\beta_{1}}\partial_{\beta_{2}}\!\left(\sigma_{\alpha_{1}}\sigma_{\alpha_{2}}\right)\right\rangle_{K^{(\ell)}}
///   …
/// ```
///
/// Expressions are math-mode fragments in plain LaTeX; equations are lines of an `amsmath`
/// `align` environment, and ``document(_:title:)`` wraps them in a standalone document that
/// compiles with `pdflatex`.
public struct LaTeXRenderer: ExpressionRenderer {
  /// Layout choices that do not change the notation.
  public struct Options: Hashable, Sendable {
    /// Term grouping and factoring (see ``TermLayout``).
    public var layout: TermLayout
    /// In equations, start every block after the first on a new `align` line.
    public var breaksLinesBetweenBlocks: Bool
    /// The width of the page's text block in TeX points (``articleTextWidth`` for LaTeX's
    /// `article` class), or nil. When set, equations are broken into `align` rows that fit it,
    /// the equation number included: at a sum between its terms, and inside a term too wide
    /// for a row of its own between the factors of its product (see ``BreakableSum``).
    /// Widths are estimated from the term layout (``LaTeXWidthEstimate``), not measured by TeX.
    public var textWidth: Double?

    public init(
      layout: TermLayout = .plain, breaksLinesBetweenBlocks: Bool = false,
      textWidth: Double? = nil
    ) {
      self.layout = layout
      self.breaksLinesBetweenBlocks = breaksLinesBetweenBlocks
      self.textWidth = textWidth
    }
  }

  /// `\textwidth` of LaTeX's `article` class at its default 10 pt: 345 pt.
  public static let articleTextWidth = 345.0

  public var notation: Notation
  public var options: Options

  public init(notation: Notation = .book, options: Options = Options()) {
    self.notation = notation
    self.options = options
  }

  public func render(_ expression: Expression) -> String {
    let naming = IndexNaming(notation: notation, scope: [expression])
    return SignedPiece.joined(blocks(expression, naming: naming, layout: options.layout))
  }

  /// `lhs &= rhs`, one line of an `align` environment (several lines when
  /// ``Options/breaksLinesBetweenBlocks`` is set and the right-hand side has several blocks).
  public func renderEquation(lhs: Expression, rhs: Expression) -> String {
    let naming = IndexNaming(notation: notation, scope: [lhs, rhs])
    let left = SignedPiece.joined(blocks(lhs, naming: naming, layout: .plain))
    if let textWidth = options.textWidth {
      return brokenEquation(
        left: left, right: breakable(rhs, naming: naming, layout: options.layout),
        width: textWidth - LaTeXWidthEstimate.width(of: left) * BreakableSum.safetyFactor)
    }
    let right = blocks(rhs, naming: naming, layout: options.layout)
    guard options.breaksLinesBetweenBlocks, right.count > 1 else {
      return left + " &= " + SignedPiece.joined(right)
    }
    var lines = [left + " &= " + SignedPiece.joined([right[0]])]
    for piece in right.dropFirst() {
      lines.append("&\\quad " + (piece.isNegative ? "- " : "+ ") + piece.body)
    }
    return lines.joined(separator: " \\\\\n")
  }

  /// The equations as the lines of an `align` environment (without the environment). With
  /// ``Options/textWidth``, long equations take several rows, all of them fitting beside the
  /// widest left-hand side (the column every row of the `align` shares).
  public func renderEquations(_ equations: [Equation]) -> String {
    guard let textWidth = options.textWidth else {
      return equations.map { render($0) }.joined(separator: " \\\\\n")
    }
    let sides = equations.map { eq -> (String, BreakableSum) in
      let naming = IndexNaming(notation: notation, scope: [eq.lhs, eq.rhs])
      return (
        SignedPiece.joined(blocks(eq.lhs, naming: naming, layout: .plain)),
        breakable(eq.rhs, naming: naming, layout: options.layout)
      )
    }
    let column = sides.map { LaTeXWidthEstimate.width(of: $0.0) }.max() ?? 0
    let width = textWidth - column * BreakableSum.safetyFactor
    return sides.map { brokenEquation(left: $0.0, right: $0.1, width: width) }
      .joined(separator: " \\\\\n")
  }

  /// The lines of `expression` broken to fit `width` TeX points, for a `multline`
  /// environment: the first as it is, the others starting with a sign or `\times`.
  public func renderLines(_ expression: Expression, width: Double) -> [String] {
    let naming = IndexNaming(notation: notation, scope: [expression])
    return breakable(expression, naming: naming, layout: options.layout).lines(
      width: width, termIndent: 0, factorIndent: 0
    ).map(\.latex)
  }

  private func indent(_ c: BreakableSum.Continuation) -> Double {
    switch c {
    case .none: return 0
    case .term: return Self.termIndent
    case .factor: return Self.factorIndent
    }
  }

  /// Room an `align` row keeps for `{}={}` and for the equation number `(99)` beside it.
  static let relationWidth = 13.4
  static let equationNumberWidth = 30.0
  /// Indentation of continuation rows: `\quad` before a term, `\qquad` inside a product.
  static let termIndent = 10.0
  static let factorIndent = 20.0

  /// `left &= …` over as many `align` rows as `right` needs to fit `width` (the text width less
  /// the left-hand column), every row but the last without an equation number. Only the last
  /// row has to leave room for the number: the rows are first broken to the full width, and
  /// again to the width less the number if the last row would not leave it.
  private func brokenEquation(left: String, right: BreakableSum, width: Double) -> String {
    func broken(_ width: Double) -> [BreakableSum.Line] {
      right.lines(
        width: width, termIndent: Self.termIndent, factorIndent: Self.factorIndent,
        breaksBetweenBlocks: options.breaksLinesBetweenBlocks)
    }
    let full = width - Self.relationWidth
    var lines = broken(full)
    if let last = lines.last,
      last.width + indent(last.continuation) > full - Self.equationNumberWidth
    {
      lines = broken(full - Self.equationNumberWidth)
    }
    var rows: [String] = []
    for line in lines {
      switch line.continuation {
      case .none: rows.append(left + " &= " + line.latex)
      case .term: rows.append("&\\quad " + line.latex)
      case .factor: rows.append("&\\qquad " + line.latex)
      }
    }
    return rows.joined(separator: " \\notag \\\\\n")
  }

  /// A standalone document (`article` + `amsmath`) showing `equations` in an `align`
  /// environment, optionally under a section title (plain text, escaped here).
  public func document(_ equations: [Equation], title: String? = nil) -> String {
    var lines = [
      "\\documentclass{article}",
      "\\usepackage{amsmath}",
      "\\allowdisplaybreaks",
      "\\begin{document}",
    ]
    if let title { lines.append("\\section*{" + LaTeXRenderer.escapingText(title) + "}") }
    if equations.isEmpty {
      lines.append("(no equations)")
    } else {
      lines.append("\\begin{align}")
      lines.append(renderEquations(equations))
      lines.append("\\end{align}")
    }
    lines.append("\\end{document}")
    return lines.joined(separator: "\n") + "\n"
  }

  /// Plain text made safe for LaTeX text mode: special characters escaped, and the Unicode
  /// math characters met in titles and notes (Greek letters, ℓ, ∥, ⊥, →, ★, ≠, …) written as
  /// inline math, so that the result compiles with `pdflatex` without extra packages.
  public static func escapingText(_ s: String) -> String {
    var out = ""
    for c in s {
      switch c {
      case "\\": out += "\\textbackslash{}"
      case "{", "}", "$", "&", "#", "_", "%": out += "\\" + String(c)
      case "^": out += "\\^{}"
      case "~": out += "\\~{}"
      case "—": out += "---"
      case "–": out += "--"
      default:
        if let g = MathLetter(unicode: String(c)) {
          out += "$" + g.latex + "$"
        } else if let command = LaTeXRenderer.mathSymbols[c] {
          out += "$" + command + "$"
        } else {
          out.append(c)
        }
      }
    }
    return out
  }

  // A lookup table only: never iterated.
  private static let mathSymbols: [Character: String] = [
    "∥": "\\parallel", "⊥": "\\perp", "→": "\\to", "★": "^\\star", "≠": "\\neq",
    "≤": "\\leq", "≥": "\\geq", "∞": "\\infty", "±": "\\pm", "×": "\\times", "⟨": "\\langle",
    "⟩": "\\rangle", "∂": "\\partial", "∑": "\\sum", "√": "\\surd", "≈": "\\approx",
    "′": "'", "−": "-", "₀": "_0", "…": "\\ldots", "Ĝ": "\\hat{G}", "ℓ": "\\ell",
  ]

  // MARK: Sums of terms

  private func blocks(_ e: Expression, naming: IndexNaming, layout: TermLayout) -> [SignedPiece] {
    var pieces: [SignedPiece] = []
    for block in layout.blocks(of: e) {
      let terms = block.terms.map { term($0, naming: naming) }
      if block.commonScalars.isEmpty {
        pieces.append(contentsOf: terms)
      } else {
        let prefix = ScalarPrefactor(
          coefficient: .one, scalars: block.commonScalars,
          separatesWidths: notation.separatesWidthFactors)
        let parts = [fraction(prefix.coefficientPart), fraction(prefix.widthPart)]
          .compactMap { $0 }
        pieces.append(
          SignedPiece(
            isNegative: false,
            body: juxtapose(parts) + "\\left[" + SignedPiece.joined(terms) + "\\right]"))
      }
    }
    return pieces
  }

  /// The blocks of `e` as the line breaker sees them: the same pieces as ``blocks``, each
  /// term's product kept apart.
  private func breakable(_ e: Expression, naming: IndexNaming, layout: TermLayout)
    -> BreakableSum
  {
    let blocks = layout.blocks(of: e).map { block in
      let terms = block.terms.map { t -> BreakableSum.Term in
        let (isNegative, factors) = termParts(t, naming: naming)
        return BreakableSum.Term(isNegative: isNegative, factors: factors)
      }
      guard !block.commonScalars.isEmpty else {
        return BreakableSum.Block(prefactor: nil, terms: terms)
      }
      let prefix = ScalarPrefactor(
        coefficient: .one, scalars: block.commonScalars,
        separatesWidths: notation.separatesWidthFactors)
      let parts = [fraction(prefix.coefficientPart), fraction(prefix.widthPart)]
      return BreakableSum.Block(
        prefactor: juxtapose(parts.compactMap { $0 }), terms: terms)
    }
    let zero = BreakableSum.Block(terms: [BreakableSum.Term(isNegative: false, factors: ["0"])])
    return BreakableSum(blocks: blocks.isEmpty ? [zero] : blocks)
  }

  private func term(_ t: Term, naming: IndexNaming) -> SignedPiece {
    let (isNegative, factors) = termParts(t, naming: naming)
    return SignedPiece(isNegative: isNegative, body: juxtapose(factors))
  }

  /// A term's sign and its product split where a line may break: the coefficient, width
  /// fraction, sums and first factor together, then each further factor.
  private func termParts(_ t: Term, naming: IndexNaming) -> (Bool, [String]) {
    let m = t.monomial
    let names = naming.dummyNames(for: m)
    let prefactor = ScalarPrefactor(
      coefficient: t.coefficient, scalars: m.scalars,
      separatesWidths: notation.separatesWidthFactors)
    var lead: [String] = []
    if let c = fraction(prefactor.coefficientPart) { lead.append(c) }
    if let w = fraction(prefactor.widthPart) { lead.append(w) }
    lead.append(contentsOf: sums(m, names: names))
    let factors = product(
      m.factors, names: names, inner: naming.entering(names), insideAverage: false)
    guard let first = factors.first else {
      return (prefactor.isNegative, [lead.isEmpty ? "1" : juxtapose(lead)])
    }
    return (prefactor.isNegative, [juxtapose(lead + [first])] + factors.dropFirst())
  }

  // MARK: Scalars

  private func fraction(_ f: ScalarPrefactor.Fraction) -> String? {
    if f.isOne { return nil }
    let numerator = juxtapose([f.numeratorNumber].compactMap { $0 } + f.numerator.map(power))
    guard f.hasDenominator else { return numerator }
    let denominator = juxtapose(
      [f.denominatorNumber].compactMap { $0 } + f.denominator.map(power))
    return "\\frac{" + (numerator.isEmpty ? "1" : numerator) + "}{" + denominator + "}"
  }

  private func power(_ p: SymbolPower) -> String {
    let (base, hasSuperscript) = symbol(p.symbol)
    if p.exponent == 1 { return base }
    let e = "^{" + String(p.exponent) + "}"
    return hasSuperscript ? "\\left(" + base + "\\right)" + e : base + e
  }

  /// A symbol, and whether it already carries a superscript. Widths take their layer as a
  /// subscript (`n_{\ell-1}`), other symbols as a superscript (`C_W^{(\ell+1)}`). A symbol
  /// without a display name of its own but named like a styled head is written like that head
  /// (the single-input scalar "G1" as `G^{\{1\}(\ell)}`, like the tensor).
  private func symbol(_ s: Symbol) -> (String, Bool) {
    if notation.symbols[s.name] == nil, notation.heads[s.name] != nil {
      let h = head(TensorHead(s.name, layer: s.layer), withLayer: true)
      return (h.latex, h.hasSuperscript)
    }
    let name = notation.displayName(of: s)
    guard let layer = s.layer else { return (name.latex, false) }
    if s.kind == .width && name.subscriptText.isEmpty {
      return (name.latex + "_{" + self.layer(layer) + "}", false)
    }
    return (name.latex + "^{(" + self.layer(layer) + ")}", true)
  }

  private func layer(_ l: Layer) -> String {
    notation.layerLabel(l) { $0.latex }
  }

  // MARK: Sums over indices

  /// One `\sum` per distinctness group, one for the other neuron dummies, one for the other
  /// sample dummies; in the order of their first dummy (so names read j, k, m, …).
  private func sums(_ m: Monomial, names: [Index: DisplayName]) -> [String] {
    SumGroups.groups(m).map { group in
      switch group {
      case .distinct(let members):
        let shown = members.map { index($0, names: names) }
        return shown.count == 2
          ? "\\sum_{" + shown[0] + "\\neq " + shown[1] + "}"
          : "\\sum_{" + shown.joined(separator: ",") + "\\,\\mathrm{distinct}}"
      case .neurons(let members):
        return "\\sum_{" + members.map { index($0, names: names) }.joined(separator: ",") + "}"
      case .samples(let members):
        let shown = IndexRuns.compressed(members.map { displayName($0, names: names) })
        return "\\sum_{" + shown.map { $0.map(\.latex) ?? "\\dots" }.joined(separator: ",") + "}"
      }
    }
  }

  // MARK: Factors

  private func displayName(_ i: Index, names: [Index: DisplayName]) -> DisplayName {
    switch i.label {
    case .named(let s): return DisplayName(parsing: s)
    case .dummy(let k): return names[i] ?? DisplayName(base: "d", subscriptText: String(k))
    }
  }

  private func index(_ i: Index, names: [Index: DisplayName]) -> String {
    displayName(i, names: names).latex
  }

  /// A rendered factor and whether its top level ends in a superscript (then a power needs
  /// parentheses).
  private struct Piece {
    var latex: String
    var hasSuperscript: Bool
  }

  private func product(
    _ factors: [Factor], names: [Index: DisplayName], inner: IndexNaming, insideAverage: Bool
  ) -> [String] {
    var out: [String] = []
    for run in FactorRuns.runs(factors, collapsing: notation.collapsesRepeatedFactors) {
      let p = factor(run.factor, names: names, inner: inner, insideAverage: insideAverage)
      if run.count == 1 {
        out.append(p.latex)
      } else {
        let e = "^{" + String(run.count) + "}"
        out.append(p.hasSuperscript ? "\\left(" + p.latex + "\\right)" + e : p.latex + e)
      }
    }
    return out
  }

  private func factor(
    _ f: Factor, names: [Index: DisplayName], inner: IndexNaming, insideAverage: Bool
  ) -> Piece {
    switch f {
    case .delta(let a, let b):
      return Piece(
        latex: "\\delta_{" + index(a, names: names) + " " + index(b, names: names) + "}",
        hasSuperscript: false)
    case .tensor(let t):
      return tensor(t, names: names, short: insideAverage && notation.shortFormInsideAverages)
    case .function(let g):
      return function(g, names: names, short: insideAverage && notation.shortFormInsideAverages)
    case .average(let g):
      return average(g, names: names, inner: inner)
    case .parenthesized(let e):
      let body = SignedPiece.joined(blocks(e, naming: inner, layout: .plain))
      return Piece(latex: "\\left(" + body + "\\right)", hasSuperscript: false)
    }
  }

  /// A head with its tag and layer superscript: `K^{(\ell)}`, `G^{\{1\}(\ell)}`.
  ///
  /// A name with a subscript of its own (`W2` shown `W_{2}`) is braced when `indexed` (the
  /// tensor's indices follow as a second subscript, which TeX refuses after the first:
  /// `{W_{2}}^{(\ell)}_{ij}`).
  private func head(_ h: TensorHead, withLayer: Bool, indexed: Bool = false) -> Piece {
    let style = notation.style(of: h)
    var superscript = ""
    if let tag = style.tag { superscript += tag.replacingBraces() }
    if withLayer, let l = h.layer { superscript += "(" + layer(l) + ")" }
    let display = DisplayName(parsing: style.name)
    let name = indexed && !display.subscriptText.isEmpty ? "{" + display.latex + "}" : display.latex
    if superscript.isEmpty { return Piece(latex: name, hasSuperscript: false) }
    return Piece(latex: name + "^{" + superscript + "}", hasSuperscript: true)
  }

  private func tensor(_ t: Tensor, names: [Index: DisplayName], short: Bool) -> Piece {
    let indices = short ? sampleIndicesOrAll(t.indices) : t.indices
    let h = head(t.head, withLayer: !short, indexed: !indices.isEmpty)
    if indices.isEmpty { return h }
    return Piece(
      latex: h.latex + "_{" + indexList(indices, symmetry: t.head.symmetry, names: names) + "}",
      hasSuperscript: h.hasSuperscript)
  }

  /// Slots in order; runs of neuron and sample indices separated by `;` (`j;\alpha_{1}`);
  /// a pair-of-pairs tensor shows its pairs (`(\alpha_{1}\alpha_{2})(\alpha_{3}\alpha_{4})`).
  private func indexList(
    _ indices: [Index], symmetry: TensorSymmetry, names: [Index: DisplayName]
  ) -> String {
    let shown = indices.map { index($0, names: names) }
    if symmetry == .pairOfPairs && shown.count == 4 {
      return "(" + juxtapose(Array(shown[0..<2])) + ")(" + juxtapose(Array(shown[2..<4])) + ")"
    }
    var runs: [[String]] = []
    var previous: IndexSpace? = nil
    for (i, s) in zip(indices, shown) {
      if let p = previous, p.isSample == i.space.isSample {
        runs[runs.count - 1].append(s)
      } else {
        runs.append([s])
      }
      previous = i.space
    }
    return runs.map(juxtapose).joined(separator: ";")
  }

  private func sampleIndicesOrAll(_ indices: [Index]) -> [Index] {
    let samples = indices.filter { $0.space == .sample }
    return samples.isEmpty ? indices : samples
  }

  private func function(_ g: FunctionApplication, names: [Index: DisplayName], short: Bool)
    -> Piece
  {
    var name = notation.displayName(of: g.head).latex
    if !short, let l = g.head.layer { name = "{" + name + "^{(" + layer(l) + ")}}" }
    let marks: String
    switch g.derivative {
    case 0: marks = ""
    case 1: marks = "'"
    case 2: marks = "''"
    default: marks = "^{(" + String(g.derivative) + ")}"
    }
    if short {
      let indices = sampleIndicesOrAll(g.argument.indices)
      let sub =
        indices.isEmpty
        ? "" : "_{" + indexList(indices, symmetry: .none, names: names) + "}"
      return Piece(latex: name + marks + sub, hasSuperscript: g.derivative > 0)
    }
    let argument = tensor(g.argument, names: names, short: false)
    return Piece(latex: name + marks + "(" + argument.latex + ")", hasSuperscript: false)
  }

  private func average(_ g: GaussianAverage, names: [Index: DisplayName], inner: IndexNaming)
    -> Piece
  {
    let metric = head(g.metric, withLayer: true).latex
    let integrandParts = product(g.integrand, names: names, inner: inner, insideAverage: true)
    let integrand = integrandParts.isEmpty ? "1" : juxtapose(integrandParts)
    if g.isFeedback {
      // The self-feedback covariance R_{γδ}[∂⋯∂F]_{K^{(ℓ)}} (a path functional, not an average).
      let partials = g.derivatives.map { "\\partial_{" + index($0, names: names) + "}" }.joined()
      let operand =
        g.derivatives.isEmpty || g.integrand.count == 1
        ? integrand : "\\!\\left(" + integrand + "\\right)"
      let pair = g.feedback.map { index($0, names: names) }.joined()
      return Piece(
        latex: "\\mathcal{R}_{" + pair + "}\\!\\left[" + partials + operand + "\\right]_{" + metric
          + "}",
        hasSuperscript: false)
    }
    if g.derivatives.isEmpty {
      return Piece(
        latex: juxtapose(["\\langle", integrand]) + "\\rangle_{" + metric + "}",
        hasSuperscript: false)
    }
    let partials = g.derivatives.map { "\\partial_{" + index($0, names: names) + "}" }.joined()
    let single = g.integrand.count == 1
    let operand = single ? integrand : "\\!\\left(" + integrand + "\\right)"
    return Piece(
      latex: "\\left\\langle " + partials + operand + "\\right\\rangle_{" + metric + "}",
      hasSuperscript: false)
  }
}

extension IndexSpace {
  fileprivate var isSample: Bool { self == .sample }
}

extension String {
  /// Braces escaped for LaTeX math (`{1}` → `\{1\}`).
  fileprivate func replacingBraces() -> String {
    var out = ""
    for c in self {
      if c == "{" || c == "}" { out += "\\" }
      out.append(c)
    }
    return out
  }
}

/// Concatenates LaTeX pieces, inserting a space only where two letters would otherwise merge
/// (a control word such as `\xi` followed by a letter).
func juxtapose(_ parts: [String]) -> String {
  var out = ""
  for p in parts where !p.isEmpty {
    if let last = out.last, let first = p.first, last.isLetter, first.isLetter { out += " " }
    out += p
  }
  return out
}
