import Algebra
import Rational

/// Renders expressions as plain Unicode text for a terminal:
///
/// ```
/// C_W^2 [⟨σ(z_α1) σ(z_α2) σ(z_α3) σ(z_α4)⟩_K(ℓ) - ⟨σ(z_α1) σ(z_α2)⟩_K(ℓ) ⟨σ(z_α3) σ(z_α4)⟩_K(ℓ)]
///   + (C_W^2/4) (n_ℓ/n_{ℓ-1}) Σ_{β1,…,β4} V(ℓ)_{(β1,β2)(β3,β4)} ⟨∂_β1 ∂_β2 (σ(z_α1) σ(z_α2))⟩_K(ℓ) …
/// ```
///
/// Layers are written in parentheses after a head (`K(ℓ)`), as a subscript of a width
/// (`n_{ℓ-1}`); index lists are comma-separated, neuron and sample indices separated by `;`.
/// Inside averages the layer and neuron index are dropped (`σ(z_α1)`), as in the book.
public struct TextRenderer: ExpressionRenderer {
  public var notation: Notation
  /// Term grouping and factoring (see ``TermLayout``).
  public var layout: TermLayout

  public init(notation: Notation = .book, layout: TermLayout = .plain) {
    self.notation = notation
    self.layout = layout
  }

  public func render(_ expression: Expression) -> String {
    let naming = IndexNaming(notation: notation, scope: [expression])
    return SignedPiece.joined(blocks(expression, naming: naming, layout: layout))
  }

  /// `lhs = rhs`.
  public func renderEquation(lhs: Expression, rhs: Expression) -> String {
    let naming = IndexNaming(notation: notation, scope: [lhs, rhs])
    return SignedPiece.joined(blocks(lhs, naming: naming, layout: .plain)) + " = "
      + SignedPiece.joined(blocks(rhs, naming: naming, layout: layout))
  }

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
        let parts = prefactorParts(prefix, standalone: false)
        pieces.append(
          SignedPiece(
            isNegative: false,
            body: (parts + ["[" + SignedPiece.joined(terms) + "]"]).joined(separator: " ")))
      }
    }
    return pieces
  }

  private func term(_ t: Term, naming: IndexNaming) -> SignedPiece {
    let m = t.monomial
    let names = naming.dummyNames(for: m)
    let prefactor = ScalarPrefactor(
      coefficient: t.coefficient, scalars: m.scalars,
      separatesWidths: notation.separatesWidthFactors)
    let rest =
      sums(m, names: names)
      + product(m.factors, names: names, inner: naming.entering(names), insideAverage: false)
    let parts = prefactorParts(prefactor, standalone: rest.isEmpty) + rest
    return SignedPiece(
      isNegative: prefactor.isNegative,
      body: parts.isEmpty ? "1" : parts.joined(separator: " "))
  }

  // MARK: Scalars

  /// The displayed fractions of a prefactor. Fractions are parenthesised unless they stand
  /// alone, so `(1/4) (n_ℓ/n_{ℓ-1}) K…` cannot be misread.
  private func prefactorParts(_ p: ScalarPrefactor, standalone: Bool) -> [String] {
    let parts = [fraction(p.coefficientPart), fraction(p.widthPart)].compactMap { $0 }
    if standalone && parts.count == 1 { return parts }
    return parts.map { $0.contains("/") ? "(" + $0 + ")" : $0 }
  }

  private func fraction(_ f: ScalarPrefactor.Fraction) -> String? {
    if f.isOne { return nil }
    let numerator = ([f.numeratorNumber].compactMap { $0 } + f.numerator.map(power))
      .joined(separator: " ")
    guard f.hasDenominator else { return numerator }
    let denominatorParts = [f.denominatorNumber].compactMap { $0 } + f.denominator.map(power)
    let denominator = denominatorParts.joined(separator: " ")
    return (numerator.isEmpty ? "1" : numerator) + "/"
      + (denominatorParts.count > 1 ? "(" + denominator + ")" : denominator)
  }

  private func power(_ p: SymbolPower) -> String {
    let base = symbol(p.symbol)
    return p.exponent == 1 ? base : base + "^" + String(p.exponent)
  }

  /// A symbol; one named like a styled head (and without a display name of its own) is
  /// written like that head: "G1" as `G{1}(ℓ)`.
  private func symbol(_ s: Symbol) -> String {
    if notation.symbols[s.name] == nil, notation.heads[s.name] != nil {
      return head(TensorHead(s.name, layer: s.layer), withLayer: true)
    }
    let name = notation.displayName(of: s)
    guard let l = s.layer else { return name.text }
    if s.kind == .width && name.subscriptText.isEmpty {
      let shown = layer(l)
      return name.text + "_" + (shown.count == 1 ? shown : "{" + shown + "}")
    }
    return name.text + "(" + layer(l) + ")"
  }

  private func layer(_ l: Layer) -> String {
    notation.layerLabel(l) { $0.text }
  }

  // MARK: Sums over indices

  private func sums(_ m: Monomial, names: [Index: DisplayName]) -> [String] {
    SumGroups.groups(m).map { group in
      switch group {
      case .distinct(let members):
        let shown = members.map { index($0, names: names) }
        return shown.count == 2
          ? "Σ_{" + shown[0] + "≠" + shown[1] + "}"
          : "Σ_{" + shown.joined(separator: ",") + " distinct}"
      case .neurons(let members):
        return sum(members.map { index($0, names: names) })
      case .samples(let members):
        let shown = IndexRuns.compressed(members.map { displayName($0, names: names) })
        return sum(shown.map { $0?.text ?? "…" })
      }
    }
  }

  private func sum(_ members: [String]) -> String {
    members.count == 1 && members[0].count == 1
      ? "Σ_" + members[0] : "Σ_{" + members.joined(separator: ",") + "}"
  }

  // MARK: Factors

  private func displayName(_ i: Index, names: [Index: DisplayName]) -> DisplayName {
    switch i.label {
    case .named(let s): return DisplayName(parsing: s)
    case .dummy(let k): return names[i] ?? DisplayName(base: "d", subscriptText: String(k))
    }
  }

  private func index(_ i: Index, names: [Index: DisplayName]) -> String {
    displayName(i, names: names).text
  }

  private func product(
    _ factors: [Factor], names: [Index: DisplayName], inner: IndexNaming, insideAverage: Bool
  ) -> [String] {
    FactorRuns.runs(factors, collapsing: notation.collapsesRepeatedFactors).map { run in
      let f = factor(run.factor, names: names, inner: inner, insideAverage: insideAverage)
      if run.count == 1 { return f }
      let simple = !f.contains(" ") && !f.contains("(") && !f.contains("^")
      return (simple ? f : "[" + f + "]") + "^" + String(run.count)
    }
  }

  private func factor(
    _ f: Factor, names: [Index: DisplayName], inner: IndexNaming, insideAverage: Bool
  ) -> String {
    let short = insideAverage && notation.shortFormInsideAverages
    switch f {
    case .delta(let a, let b):
      return "δ_{" + index(a, names: names) + "," + index(b, names: names) + "}"
    case .tensor(let t):
      return tensor(t, names: names, short: short)
    case .function(let g):
      let marks: String
      switch g.derivative {
      case 0: marks = ""
      case 1: marks = "'"
      case 2: marks = "''"
      default: marks = "^(" + String(g.derivative) + ")"
      }
      var name = notation.displayName(of: g.head).text
      if !short, let l = g.head.layer { name += "(" + layer(l) + ")" }
      return name + marks + "(" + tensor(g.argument, names: names, short: short) + ")"
    case .average(let g):
      let metric = head(g.metric, withLayer: true)
      let integrand = product(g.integrand, names: names, inner: inner, insideAverage: true)
      var body = integrand.isEmpty ? "1" : integrand.joined(separator: " ")
      if !g.derivatives.isEmpty {
        if g.integrand.count > 1 { body = "(" + body + ")" }
        body =
          g.derivatives.map { "∂_" + index($0, names: names) }.joined(separator: " ")
          + " " + body
      }
      if g.isFeedback {
        return "R_" + g.feedback.map { index($0, names: names) }.joined() + "[" + body + "]_"
          + metric
      }
      return "⟨" + body + "⟩_" + metric
    case .parenthesized(let e):
      return "(" + SignedPiece.joined(blocks(e, naming: inner, layout: .plain)) + ")"
    }
  }

  private func head(_ h: TensorHead, withLayer: Bool) -> String {
    let style = notation.style(of: h)
    var out = DisplayName(parsing: style.name).text
    if let tag = style.tag { out += tag }
    if withLayer, let l = h.layer { out += "(" + layer(l) + ")" }
    return out
  }

  private func tensor(_ t: Tensor, names: [Index: DisplayName], short: Bool) -> String {
    let h = head(t.head, withLayer: !short)
    var indices = t.indices
    if short {
      let samples = indices.filter { $0.space == .sample }
      if !samples.isEmpty { indices = samples }
    }
    if indices.isEmpty { return h }
    let shown = indices.map { index($0, names: names) }
    if t.head.symmetry == .pairOfPairs && shown.count == 4 {
      return h + "_{(" + shown[0] + "," + shown[1] + ")(" + shown[2] + "," + shown[3] + ")}"
    }
    if shown.count == 1 { return h + "_" + shown[0] }
    var list = ""
    for (n, (i, s)) in zip(indices, shown).enumerated() {
      if n > 0 { list += (indices[n - 1].space == .sample) == (i.space == .sample) ? "," : ";" }
      list += s
    }
    return h + "_{" + list + "}"
  }
}
