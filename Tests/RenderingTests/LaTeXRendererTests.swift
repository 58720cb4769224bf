import Algebra
import Rational
import Rendering
import Testing

/// Exact LaTeX of small expressions: one notational rule per test.
@Suite struct LaTeXRendererTests {
  typealias F = Fixtures
  let latex = LaTeXRenderer(notation: F.notation)

  func render(_ e: Expression) -> String { latex.render(e) }

  // MARK: Heads, functions, indices

  @Test func tensorsCarryTheirLayerAsSuperscript() {
    #expect(render(.tensor(F.K, [F.a1, F.a2])) == "K^{(\\ell)}_{\\alpha_{1}\\alpha_{2}}")
    #expect(
      render(.tensor(F.V, [F.a1, F.a2, F.a3, F.a4]))
        == "V^{(\\ell)}_{(\\alpha_{1}\\alpha_{2})(\\alpha_{3}\\alpha_{4})}")
    #expect(render(.tensor(F.G1, [F.a1, F.a2])) == "G^{\\{1\\}(\\ell)}_{\\alpha_{1}\\alpha_{2}}")
    #expect(
      render(.tensor(TensorHead("K", layer: .absolute(2)), [F.a1, F.a2]))
        == "K^{(2)}_{\\alpha_{1}\\alpha_{2}}")
    #expect(
      render(.tensor(TensorHead("W", layer: .relative(1)), [F.i1, .neuron("j", layer: .ell)]))
        == "W^{(\\ell+1)}_{i_{1}j}")
  }

  @Test func neuronAndSampleIndicesAreSeparatedBySemicolon() {
    let j = Index.neuron("j", layer: .ell)
    #expect(render(.tensor(F.z, [j, F.a1])) == "z^{(\\ell)}_{j;\\alpha_{1}}")
    #expect(
      render(.function(F.sigma, of: Tensor(F.z, [j, F.a1])))
        == "\\sigma(z^{(\\ell)}_{j;\\alpha_{1}})")
  }

  @Test func derivativesArePrimesThenParenthesisedOrders() {
    let j = Index.neuron("j", layer: .ell)
    let arg = Tensor(F.z, [j, Index.sample("alpha")])
    #expect(
      render(.function(F.sigma, derivative: 1, of: arg)) == "\\sigma'(z^{(\\ell)}_{j;\\alpha})")
    #expect(
      render(.function(F.sigma, derivative: 2, of: arg)) == "\\sigma''(z^{(\\ell)}_{j;\\alpha})")
    #expect(
      render(.function(F.sigma, derivative: 3, of: arg)) == "\\sigma^{(3)}(z^{(\\ell)}_{j;\\alpha})"
    )
  }

  @Test func indexNamesInEitherSpelling() {
    let names = ["alpha1", "α1", "alpha_1", "beta2", "i1", "j", "alpha", "μ"]
    let shown = names.map { render(.delta(.sample($0), .sample($0))) }
    #expect(
      shown == [
        "\\delta_{\\alpha_{1} \\alpha_{1}}", "\\delta_{\\alpha_{1} \\alpha_{1}}",
        "\\delta_{\\alpha_{1} \\alpha_{1}}", "\\delta_{\\beta_{2} \\beta_{2}}",
        "\\delta_{i_{1} i_{1}}", "\\delta_{j j}", "\\delta_{\\alpha \\alpha}",
        "\\delta_{\\mu \\mu}",
      ])
    #expect(render(.delta(F.i1, F.i2)) == "\\delta_{i_{1} i_{2}}")
  }

  // MARK: Averages

  @Test func averagesUseTheShortForm() {
    #expect(
      render(F.average([], [F.σ(F.a1), F.σ(F.a2)]))
        == "\\langle\\sigma_{\\alpha_{1}}\\sigma_{\\alpha_{2}}\\rangle_{K^{(\\ell)}}")
    #expect(
      render(F.average([F.b1, F.b2], [F.σ(F.a1), F.σ(F.a2)]))
        == "\\left\\langle \\partial_{b_{1}}\\partial_{b_{2}}\\!\\left(\\sigma_{\\alpha_{1}}"
        + "\\sigma_{\\alpha_{2}}\\right)\\right\\rangle_{K^{(\\ell)}}")
    #expect(
      render(F.average([], [.tensor(Tensor(F.z, [F.b1])), F.σ(F.a1, derivative: 1)]))
        == "\\langle z_{b_{1}}\\sigma'_{\\alpha_{1}}\\rangle_{K^{(\\ell)}}")
  }

  @Test func shortFormCanBeTurnedOff() {
    var notation = Notation.book
    notation.shortFormInsideAverages = false
    #expect(
      LaTeXRenderer(notation: notation).render(F.average([], [F.σ(F.a1)]))
        == "\\langle\\sigma(z^{(\\ell)}_{\\alpha_{1}})\\rangle_{K^{(\\ell)}}")
  }

  // MARK: Coefficients and scalars

  @Test func coefficientsAndSigns() {
    let k = Expression.tensor(F.K, [F.a1, F.a2])
    #expect(render(Expression(F.rational(-1, 4))) == "-\\frac{1}{4}")
    #expect(render(Expression(Rational(3))) == "3")
    #expect(render(-Expression.one) == "-1")
    #expect(render(-k) == "-K^{(\\ell)}_{\\alpha_{1}\\alpha_{2}}")
    #expect(
      render(k - k.scaled(by: Rational(2)))
        == "K^{(\\ell)}_{\\alpha_{1}\\alpha_{2}} - 2K^{(\\ell)}_{\\alpha_{1}\\alpha_{2}}")
    #expect(
      render(k.scaled(by: F.rational(-7, 12)))
        == "-\\frac{7}{12}K^{(\\ell)}_{\\alpha_{1}\\alpha_{2}}")
    let sum = F.sym(F.cB) - F.sym(F.cW).scaled(by: F.rational(1, 2)) + F.sym(F.cW, 3)
    #expect(render(sum) == "C_b - \\frac{C_W}{2} + C_W^{3}")
    #expect(!render(Fixtures.signedCoefficients).contains("+ -"))
  }

  @Test func widthPowersFormTheirOwnFraction() {
    #expect(render(F.sym(F.nPrev, -1)) == "\\frac{1}{n_{\\ell-1}}")
    #expect(render(F.sym(F.nEll) * F.sym(F.nPrev, -1)) == "\\frac{n_{\\ell}}{n_{\\ell-1}}")
    #expect(
      render((F.sym(F.cW, 2) * F.sym(F.nPrev, -2)).scaled(by: F.rational(1, 4)))
        == "\\frac{C_W^{2}}{4}\\frac{1}{n_{\\ell-1}^{2}}")
    #expect(render(F.sym(.width(.absolute(0)), 2)) == "n_{0}^{2}")
    var merged = Notation.book
    merged.separatesWidthFactors = false
    #expect(
      LaTeXRenderer(notation: merged).render(
        (F.sym(F.cW, 2) * F.sym(F.nEll) * F.sym(F.nPrev, -1)).scaled(by: F.rational(1, 4)))
        == "\\frac{C_W^{2}n_{\\ell}}{4n_{\\ell-1}}")
  }

  @Test func layeredCouplingsTakeASuperscript() {
    let c = Symbol.parameter("C_W", layer: .relative(1))
    #expect(render(F.sym(c)) == "C_W^{(\\ell+1)}")
    #expect(render(F.sym(c, 2)) == "\\left(C_W^{(\\ell+1)}\\right)^{2}")
  }

  @Test func controlWordsDoNotMergeWithLetters() {
    // \xi followed by K must not become \xiK.
    let xi = Symbol.parameter("xi")
    #expect(
      render(F.sym(xi) * .tensor(F.K, [F.a1, F.a2])) == "\\xi K^{(\\ell)}_{\\alpha_{1}\\alpha_{2}}")
  }

  // MARK: Powers

  @Test func repeatedFactorsBecomePowers() {
    let a = Index.sample("alpha")
    let avg = F.average([], [F.σ(a), F.σ(a)])
    #expect(render(avg) == "\\langle\\sigma_{\\alpha}^{2}\\rangle_{K^{(\\ell)}}")
    #expect(
      render((avg * avg).canonicalized())
        == "\\langle\\sigma_{\\alpha}^{2}\\rangle_{K^{(\\ell)}}^{2}")
    let kk = Expression.tensor(F.K, [a, a])
    #expect(render(kk * kk) == "\\left(K^{(\\ell)}_{\\alpha\\alpha}\\right)^{2}")
    let primes = F.average([], [F.σ(a, derivative: 1), F.σ(a, derivative: 1)])
    #expect(render(primes) == "\\langle\\left(\\sigma'_{\\alpha}\\right)^{2}\\rangle_{K^{(\\ell)}}")
  }

  // MARK: Sums and dummy names

  @Test func sampleDummiesAreNumberedBetas() {
    let e = (Expression.tensor(F.K, [F.a1, F.b1]) * .tensor(F.K, [F.b1, F.a2]))
      .summed(over: [F.b1]).canonicalized()
    #expect(
      render(e)
        == "\\sum_{\\beta_{1}}K^{(\\ell)}_{\\alpha_{1}\\beta_{1}}K^{(\\ell)}_{\\alpha_{2}\\beta_{1}}"
    )
  }

  @Test func dummyNamesAvoidFreeNames() {
    let beta1 = Index.sample("beta1")
    let e = (Expression.tensor(F.K, [beta1, F.b1]) * .tensor(F.K, [F.b1, F.b2]))
      .summed(over: [F.b1, F.b2]).canonicalized()
    #expect(
      render(e)
        == "\\sum_{\\gamma_{1},\\gamma_{2}}K^{(\\ell)}_{\\beta_{1}\\gamma_{1}}"
        + "K^{(\\ell)}_{\\gamma_{1}\\gamma_{2}}")
    let j = Index.neuron("j", layer: .ell)
    let m = Index.neuron("m0", layer: .ell)
    let f = (Expression.delta(j, m) * .tensor(F.z, [m, F.a1])).summed(over: [m]).canonicalized()
    #expect(render(f) == "\\sum_{k}\\delta_{j k}z^{(\\ell)}_{k;\\alpha_{1}}")
  }

  @Test func equationSidesShareOneNamingScope() {
    let beta1 = Index.sample("β1")
    let rhs = (Expression.tensor(F.K, [F.a1, F.b1]) * .tensor(F.K, [F.b1, beta1]))
      .summed(over: [F.b1]).canonicalized()
    let lhs = Expression.tensor(F.K, [F.a1, beta1])
    #expect(
      latex.renderEquation(lhs: lhs, rhs: rhs)
        == "K^{(\\ell)}_{\\alpha_{1}\\beta_{1}} &= \\sum_{\\gamma_{1}}"
        + "K^{(\\ell)}_{\\alpha_{1}\\gamma_{1}}K^{(\\ell)}_{\\beta_{1}\\gamma_{1}}")
  }

  @Test func distinctGroupsOfThreeAndPlainNeuronSums() {
    let ns = ["j1", "j2", "j3", "j4"].map { Index.neuron($0, layer: .ell) }
    func s(_ n: Index) -> Expression { .function(F.sigma, of: Tensor(F.z, [n, F.a1])) }
    let e =
      ((s(ns[0]) * s(ns[1]) * s(ns[2])).summed(over: Array(ns[0..<3]), distinct: true)
      * s(ns[3]).summed(over: [ns[3]])).canonicalized()
    let shown = render(e)
    #expect(shown.hasPrefix("\\sum_{j}\\sum_{k,m,p\\,\\mathrm{distinct}}"))
  }

  @Test func parenthesisedSumsNameTheirDummiesApart() {
    let outer = (Expression.tensor(F.K, [F.a1, F.b1]) * .tensor(F.K, [F.b1, F.a2]))
      .summed(over: [F.b1]).canonicalized()
    let inner = (Expression.tensor(F.K, [F.b2, F.b2]).summed(over: [F.b2]) + F.sym(F.cB))
      .canonicalized()
    let e = outer * inner
    #expect(
      render(e)
        == "\\sum_{\\beta_{1}}K^{(\\ell)}_{\\alpha_{1}\\beta_{1}}K^{(\\ell)}_{\\alpha_{2}\\beta_{1}}"
        + "\\left(C_b + \\sum_{\\beta_{2}}K^{(\\ell)}_{\\beta_{2}\\beta_{2}}\\right)")
  }

  // MARK: Equations and documents

  @Test func equationsAreAlignLines() {
    let lhs = Expression.tensor(
      TensorHead("K", layer: .relative(1), symmetry: .symmetric), [F.a1, F.a2])
    let rhs = F.sym(F.cB) + F.sym(F.cW) * F.average([], [F.σ(F.a1), F.σ(F.a2)])
    #expect(
      latex.renderEquation(lhs: lhs, rhs: rhs)
        == "K^{(\\ell+1)}_{\\alpha_{1}\\alpha_{2}} &= C_b + C_W\\langle\\sigma_{\\alpha_{1}}"
        + "\\sigma_{\\alpha_{2}}\\rangle_{K^{(\\ell)}}")
    #expect(latex.renderEquation(lhs: lhs, rhs: .zero).hasSuffix("&= 0"))
    let two = latex.renderEquations([Equation(lhs: lhs, rhs: rhs), Equation(lhs: lhs, rhs: .zero)])
    #expect(two.components(separatedBy: " \\\\\n").count == 2)
  }

  @Test func documentWrapsEquationsInAlign() {
    let doc = latex.document([Equation(lhs: .tensor(F.K, [F.a1, F.a2]), rhs: F.sym(F.cB))])
    #expect(doc.hasPrefix("\\documentclass{article}\n\\usepackage{amsmath}\n"))
    #expect(
      doc.contains("\\begin{align}\nK^{(\\ell)}_{\\alpha_{1}\\alpha_{2}} &= C_b\n\\end{align}"))
    #expect(doc.hasSuffix("\\end{document}\n"))
  }

  @Test func textForTitlesIsEscapedAndUnicodeMathBecomesInlineMath() {
    #expect(
      LaTeXRenderer.escapingText("Criticality (χ_∥ = χ_⊥ = 1 at K★) — σ, ℓ → ℓ+1, 100% & #1")
        == "Criticality ($\\chi$\\_$\\parallel$ = $\\chi$\\_$\\perp$ = 1 at K$^\\star$) --- "
        + "$\\sigma$, $\\ell$ $\\to$ $\\ell$+1, 100\\% \\& \\#1")
    #expect(LaTeXRenderer.escapingText("a\\b^c~d{e}") == "a\\textbackslash{}b\\^{}c\\~{}d\\{e\\}")
  }

  @Test func scalarsNamedLikeStyledHeadsLookLikeTheHead() {
    // Single-input specialisations turn G1, K, V into scalars; G1 keeps the book's look.
    let g1 = Expression.symbol(.parameter("G1", layer: .ell))
    #expect(render(g1) == "G^{\\{1\\}(\\ell)}")
    #expect(render(g1 * g1) == "\\left(G^{\\{1\\}(\\ell)}\\right)^{2}")
    #expect(TextRenderer(notation: F.notation).render(g1) == "G{1}(ℓ)")
    #expect(render(.symbol(.parameter("K", layer: .ell))) == "K^{(\\ell)}")
  }

  // MARK: Determinism

  @Test func renderingIsDeterministicAndInvariantUnderDummyRelabelling() {
    let e1 = Fixtures.vPropagationTerm
    let relabelled =
      (F.sym(F.cW, 2) * F.sym(F.nEll) * F.sym(F.nPrev, -1)
      * .tensor(F.V, [F.b4, F.b3, F.b2, F.b1])
      * F.average([F.b3, F.b4], [F.σ(F.a4), F.σ(F.a3)])
      * F.average([F.b2, F.b1], [F.σ(F.a2), F.σ(F.a1)]))
      .summed(over: [F.b1, F.b2, F.b3, F.b4]).scaled(by: F.rational(1, 4)).canonicalized()
    #expect(render(e1) == render(e1))
    #expect(render(relabelled) == render(e1))
  }
}

/// The book's order tags come from the model's statistics, not from names built into the
/// renderer.
@Suite struct OrderTagTests {
  @Test func statisticsWithTrailingDigitsAreOrderTagged() {
    let n = Notation.book.taggingOrders(of: ["Theta1", "H", "R12", "9"])
    let latex = LaTeXRenderer(notation: n)
    let a = Index.sample("alpha1")
    #expect(
      latex.render(.tensor(TensorHead("Theta1", layer: .ell), [a]))
        == "\\Theta^{\\{1\\}(\\ell)}_{\\alpha_{1}}")
    #expect(
      latex.render(.tensor(TensorHead("R12", layer: .ell), [a]))
        == "R^{\\{12\\}(\\ell)}_{\\alpha_{1}}")
    // Not a declared statistic: the default reading (trailing digits as a subscript).
    #expect(
      LaTeXRenderer(notation: n).render(.tensor(TensorHead("W2", layer: .ell), [a]))
        == LaTeXRenderer(notation: .book).render(.tensor(TensorHead("W2", layer: .ell), [a])))
    #expect(n.heads["H"] == nil && n.heads["9"] == nil)
  }

  /// A name read with a subscript of its own (`W2` as `W_{2}`) is braced before the tensor's
  /// indices: `W_{2}^{(\ell)}_{\alpha_{1}}` is a "Double subscript" error in TeX (the pdflatex
  /// test found it in G1's default reading).
  @Test func aSubscriptedNameIsBracedBeforeItsIndices() {
    let a = Index.sample("alpha1")
    let latex = LaTeXRenderer(notation: .book)
    #expect(
      latex.render(.tensor(TensorHead("W2", layer: .ell), [a]))
        == "{W_{2}}^{(\\ell)}_{\\alpha_{1}}")
    #expect(latex.render(.tensor(TensorHead("W2", layer: .ell), [])) == "W_{2}^{(\\ell)}")
  }
}
