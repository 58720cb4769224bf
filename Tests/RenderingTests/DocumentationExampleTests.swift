import Algebra
import Rational
import Rendering
import Testing

/// The example of `Rendering.docc/Rendering.md`, verbatim, with the output the page shows.
@Suite struct DocumentationExampleTests {
  @Test func overviewExample() {
    let K = TensorHead("K", layer: .ell, symmetry: .symmetric)
    let V = TensorHead("V", layer: .ell, symmetry: .pairOfPairs)
    let z = TensorHead("z", layer: .ell)
    let sigma = FunctionHead("σ")
    let (a1, a2, a3, a4) = (
      Index.sample("alpha1"), Index.sample("alpha2"),
      Index.sample("alpha3"), Index.sample("alpha4")
    )
    let b = (1...4).map { Index.sample("b\($0)") }
    func σ(_ a: Index) -> Factor { .function(FunctionApplication(sigma, Tensor(z, [a]))) }
    func average(_ d: [Index], _ x: Index, _ y: Index) -> Expression {
      .average(GaussianAverage(metric: K, derivatives: d, integrand: [σ(x), σ(y)]))
    }

    let term =
      (Expression.symbol(.parameter("C_W"), power: 2) * .symbol(.width(.ell))
      * .symbol(.width(.relative(-1)), power: -1) * .tensor(V, b)
      * average([b[0], b[1]], a1, a2) * average([b[2], b[3]], a3, a4))
      .summed(over: b).scaled(by: Rational(1) / Rational(4)).canonicalized()

    #expect(
      LaTeXRenderer().render(term)
        == #"\frac{C_W^{2}}{4}\frac{n_{\ell}}{n_{\ell-1}}\sum_{\beta_{1},\dots,\beta_{4}}"#
        + #"V^{(\ell)}_{(\beta_{1}\beta_{2})(\beta_{3}\beta_{4})}"#
        + #"\left\langle \partial_{\beta_{1}}\partial_{\beta_{2}}\!\left(\sigma_{\alpha_{1}}"#
        + #"\sigma_{\alpha_{2}}\right)\right\rangle_{K^{(\ell)}}"#
        + #"\left\langle \partial_{\beta_{3}}\partial_{\beta_{4}}\!\left(\sigma_{\alpha_{3}}"#
        + #"\sigma_{\alpha_{4}}\right)\right\rangle_{K^{(\ell)}}"#)
    #expect(
      TextRenderer().render(term)
        == "(C_W^2/4) (n_ℓ/n_{ℓ-1}) Σ_{β1,…,β4} V(ℓ)_{(β1,β2)(β3,β4)} "
        + "⟨∂_β1 ∂_β2 (σ(z_α1) σ(z_α2))⟩_K(ℓ) ⟨∂_β3 ∂_β4 (σ(z_α3) σ(z_α4))⟩_K(ℓ)")
  }

  @Test func symbolNamesWithControlWords() {
    var notation = Notation.book
    notation.symbols["chi_parallel"] = "chi_{\\parallel}"
    let chi = Expression.symbol(.parameter("chi_parallel", layer: .ell))
    #expect(LaTeXRenderer(notation: notation).render(chi) == "\\chi_{\\parallel}^{(\\ell)}")
    #expect(TextRenderer(notation: notation).render(chi) == "χ_∥(ℓ)")
    #expect(SymPyRenderer(notation: notation).render(chi) == "chi_parallel(ell)")
    #expect(
      MathematicaRenderer(notation: notation).render(chi) == "Subscript[\\[Chi], parallel][ell]")
  }
}
