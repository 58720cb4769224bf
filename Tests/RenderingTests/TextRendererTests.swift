import Algebra
import Rational
import Rendering
import Testing

/// Plain-text output: snapshots of the book expressions plus exact small cases.
@Suite struct TextRendererTests {
  typealias F = Fixtures
  let text = TextRenderer(notation: F.notation)

  @Test func snapshots() {
    let book = TextRenderer(notation: F.notation, layout: .book)
    let all = [
      text.render(F.vPropagationTerm),
      book.renderEquation(lhs: F.vNext, rhs: F.vRecursion),
      book.render(F.g1Recursion),
      book.render(F.fourPoint),
      text.render(F.distinctNeuronSum),
      text.render(F.signedCoefficients),
      text.render(.zero),
    ]
    Snapshot.expect(all.joined(separator: "\n"), named: "Text.txt")
  }

  @Test func averagesReadLikeTheBook() {
    let e = F.sym(F.cW, 2) * F.average([], [F.σ(F.a1), F.σ(F.a2)])
    #expect(text.render(e) == "C_W^2 ⟨σ(z_α1) σ(z_α2)⟩_K(ℓ)")
    let d = F.average([F.b1, F.b2], [F.σ(F.a1, derivative: 2)])
    #expect(text.render(d) == "⟨∂_b1 ∂_b2 σ''(z_α1)⟩_K(ℓ)")
  }

  @Test func tensorsIndicesAndSums() {
    let j = Index.neuron("j", layer: .ell)
    #expect(text.render(.tensor(F.z, [j, F.a1])) == "z(ℓ)_{j;α1}")
    #expect(text.render(.tensor(F.G1, [F.a1, F.a2])) == "G{1}(ℓ)_{α1,α2}")
    #expect(text.render(.delta(F.i1, F.i2)) == "δ_{i1,i2}")
    let e = (Expression.tensor(F.K, [F.a1, F.b1]) * .tensor(F.K, [F.b1, F.a2]))
      .summed(over: [F.b1]).canonicalized()
    #expect(text.render(e) == "Σ_{β1} K(ℓ)_{α1,β1} K(ℓ)_{α2,β1}")
  }

  @Test func coefficientsAndWidths() {
    #expect(text.render(Expression(F.rational(-1, 4))) == "-1/4")
    #expect(text.render(F.sym(F.nPrev, -1)) == "1/n_{ℓ-1}")
    let e = (F.sym(F.cW, 2) * F.sym(F.nEll) * F.sym(F.nPrev, -1) * .tensor(F.K, [F.a1, F.a2]))
      .scaled(by: F.rational(-1, 4))
    #expect(text.render(e) == "-(C_W^2/4) (n_ℓ/n_{ℓ-1}) K(ℓ)_{α1,α2}")
    #expect(text.render(F.sym(F.cB) - F.sym(F.cW)) == "C_b - C_W")
  }

  @Test func equations() {
    #expect(
      text.renderEquation(lhs: .tensor(F.K, [F.a1, F.a2]), rhs: F.sym(F.cB))
        == "K(ℓ)_{α1,α2} = C_b")
  }

  @Test func deterministic() {
    #expect(text.render(F.vRecursion) == text.render(F.vRecursion))
  }
}
