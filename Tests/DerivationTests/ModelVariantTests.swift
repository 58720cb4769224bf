import Algebra
import Derivation
import Rational
import Testing

/// Edits of the model file change the derived answer in the right way.
@Suite struct ModelVariantTests {
  let b = BookNotation()

  func mentions(_ e: Expression, _ name: String) -> Bool {
    e.terms.contains { $0.monomial.scalars.contains { $0.symbol.name == name } }
  }

  /// Removing the bias from the model removes C_b from every recursion and initial condition,
  /// and leaves the σ structure intact. Catches: couplings leaking from a default MLP template.
  @Test func biasFreeHasNoCb() throws {
    let r = try BookNotation.derive("mlp-no-bias.model")
    for rec in r.recursions + r.initialConditions {
      #expect(!mentions(rec.rhs, "C_b"), "\(rec.quantity)")
    }
    let k = try #require(r.recursion("K"))
    #expect(k.isEquivalent(to: b.CW * b.average([b.alpha[0], b.alpha[1]])))
    // V does not depend on biases at all: identical to the MLP's.
    let vMLP = try #require(try BookNotation.derive("mlp.model").recursion("V"))
    #expect(try #require(r.recursion("V")).isEquivalent(to: vMLP))
  }

  /// Deep linear network (FORMULAS.md §8 at order 1/n): K′ = C_W K, G¹′ = (n_ℓ/n_{ℓ−1}) C_W G¹,
  /// V′ = C_W²(K₁₃K₂₄ + K₁₄K₂₃) + C_W² (n_ℓ/n_{ℓ−1}) V₍₁₂₎₍₃₄₎. At one input this is
  /// G₄′ = C_W²(1 + 2/n_ℓ) G₄ with G₄ = K² + V/n_{ℓ−1}, the exact identity expanded to 1/n.
  /// Catches: wrong polynomial-average evaluation, wrong ⅛/¼ factors, a missing ratio.
  @Test func deepLinear() throws {
    let r = try BookNotation.derive("deep-linear.model")
    let a = b.alpha
    func K(_ p: Int, _ q: Int) -> Expression { .tensor(b.K, [a[p], a[q]]) }
    #expect(try #require(r.recursion("K")).isEquivalent(to: b.CW * K(0, 1)))
    #expect(
      try #require(r.recursion("G1")).isEquivalent(
        to: b.ratio * b.CW * .tensor(b.G1, [a[0], a[1]])))
    let v =
      b.CW.power(2) * (K(0, 2) * K(1, 3) + K(0, 3) * K(1, 2))
      + b.CW.power(2) * b.ratio * .tensor(b.V, [a[0], a[1], a[2], a[3]])
    #expect(try #require(r.recursion("V")).isEquivalent(to: v))
  }
}
