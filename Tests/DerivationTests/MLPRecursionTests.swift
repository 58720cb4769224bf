import Algebra
import Derivation
import Rational
import Testing

/// The MLP recursions derived from Derivations/mlp.model equal FORMULAS.md §3 and §6, for a
/// general σ, free sample indices and unequal widths (canonical difference zero).
@Suite struct MLPRecursionTests {
  let b = BookNotation()

  /// Catches: wrong coefficient of C_b/C_W, a leftover 1/n term or a wrong layer in K′.
  @Test func kernel() throws {
    let r = try BookNotation.derive("mlp.model")
    let expected = b.Cb + b.CW * b.average([b.alpha[0], b.alpha[1]])
    let derived = try #require(r.recursion("K"))
    #expect(derived.isEquivalent(to: expected))
  }

  /// Catches: a missing width ratio on either term, ½ vs ⅛ mix-ups, V index pairing errors.
  @Test func nextToLeadingMetric() throws {
    let r = try BookNotation.derive("mlp.model")
    let (a, β) = (b.alpha, b.beta)
    let sigmaSigma = [a[0], a[1]]
    let expected =
      b.ratio * b.CW
      * (Rational(1, 2)
        * (Expression.tensor(b.G1, [β[0], β[1]]) * b.average(sigmaSigma, derivatives: [β[0], β[1]]))
        .summed(over: [β[0], β[1]])
        + Rational(1, 8)
        * (Expression.tensor(b.V, [β[0], β[1], β[2], β[3]]) * b.average(sigmaSigma, derivatives: β))
        .summed(over: β))
    let derived = try #require(r.recursion("G1"))
    #expect(derived.isEquivalent(to: expected))
  }

  /// Catches: wrong connected subtraction, a missing ¼, the ratio on the wrong term, or the
  /// derivative indices attached to the wrong σ pair.
  @Test func fourPointVertex() throws {
    let r = try BookNotation.derive("mlp.model")
    let (a, β) = (b.alpha, b.beta)
    let intrinsic =
      b.CW.power(2) * (b.average(a) - b.average([a[0], a[1]]) * b.average([a[2], a[3]]))
    let propagated =
      Rational(1, 4) * b.CW.power(2) * b.ratio
      * (Expression.tensor(b.V, β)
      * b.average([a[0], a[1]], derivatives: [β[0], β[1]])
      * b.average([a[2], a[3]], derivatives: [β[2], β[3]])).summed(over: β)
    let derived = try #require(r.recursion("V"))
    #expect(derived.isEquivalent(to: intrinsic + propagated))
    // Pin the structure: 3 terms, one of order 0 in 1/n for each piece.
    #expect(derived.canonicalized().terms.count == 3)
  }

  /// The first layer (FORMULAS.md §3): K = C_b + C_W (1/n_0) Σ_j x x, G1 = V = 0.
  @Test func initialConditions() throws {
    let r = try BookNotation.derive("mlp.model")
    let x = TensorHead("x")
    let j = Index.neuron("k", layer: .absolute(0))
    let expected =
      b.Cb + b.CW * .symbol(.width(.absolute(0)), power: -1)
      * (Expression.tensor(x, [j, b.alpha[0]]) * .tensor(x, [j, b.alpha[1]])).summed(over: [j])
    let k1 = try #require(r.initial("K"))
    #expect(k1.isEquivalent(to: expected.renamingFreeIndices([:]).renamingLayer()))
    #expect(try #require(r.initial("G1")).isZero)
    #expect(try #require(r.initial("V")).isZero)
  }
}

extension Expression {
  /// The first-layer recursion's K carries layer 1 on its output; inputs have no layer.
  fileprivate func renamingLayer() -> Expression { self }
}
