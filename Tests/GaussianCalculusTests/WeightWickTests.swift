import Algebra
import GaussianCalculus
import Rational
import Testing

/// Integrating out the weights of one layer: with z_i = Σ_j W_{ij} σ(z_{j;a}) (single input a)
/// and E[W_{ij} W_{kl}] = (C_W/n_ℓ) δ_{ik} δ_{jl},
///   E_W[(Σ_i z_i z_i)^m] = (C_W/n_ℓ)^m · n_{ℓ+1}(n_{ℓ+1}+2)⋯(n_{ℓ+1}+2m−2) · (Σ_j σ_j σ_j)^m:
/// every pairing of the 2m weights identifies the j's of the two paired weights (so the σ's
/// always pair up into m neuron sums), and contributes n_{ℓ+1} per cycle of the i's.
@Suite struct WeightWickTests {
  typealias F = Fixtures
  let a = Index.sample("a")

  /// Π_{k<m} Σ_{i_k} z_{i_k} z_{i_k}, each z_i = Σ_j W_{ij} σ(z_{j;a}) with its own j.
  func dotPower(_ m: Int, weight: TensorHead, outLayer: Layer) -> Expression {
    var e = Expression.one
    var summed: [Index] = []
    for k in 0..<m {
      let i = Index.neuron("i\(k)", layer: outLayer)
      summed.append(i)
      for s in 0..<2 {
        let j = F.neuron("j\(k)_\(s)")
        summed.append(j)
        e = e * .tensor(weight, [i, j]) * F.sigmaOf(j, a)
      }
    }
    return e.summed(over: summed)
  }

  /// (Σ_j σ_j σ_j)^m as a product of m separately summed factors.
  func sigmaDotPower(_ m: Int) -> Expression {
    var e = Expression.one
    for k in 0..<m {
      let j = F.neuron("s\(k)")
      e = e * (F.sigmaOf(j, a) * F.sigmaOf(j, a)).summed(over: [j])
    }
    return e
  }

  /// Catches wrong i-cycle traces (n_{ℓ+1} powers), j's not identified by the δ's, wrong
  /// merging of equivalent partners, and the wrong width in the weight variance.
  @Test(arguments: 1...4) func dotPowerOfPreactivations(m: Int) {
    var expected = Expression.symbol(F.cW, power: m) * .symbol(F.n, power: -m) * sigmaDotPower(m)
    for k in 0..<m { expected = expected * (.symbol(F.nNext) + Expression(Rational(2 * k))) }
    let e = dotPower(m, weight: F.W, outLayer: F.next)
    for s in Fixtures.strategies where m <= 3 || s != .reference {
      let result = WickContraction([F.wFamily], options: .init(strategy: s)).expectation(of: e)
      #expect(result == expected.canonicalized(), "strategy \(s)")
    }
  }

  /// The anchor figure (results-run2.txt, sympy/FORM T4s 8-point, one width n for both layers):
  /// C_W⁴ (1 + 12/n + 44/n² + 48/n³) (σ·σ)⁴ — four terms, four neuron sums. Catches the same
  /// bugs as above when input and output widths coincide (traces and variance in one symbol).
  @Test func anchorEightPoint() {
    let W = TensorHead("W", layer: .ell)
    let i = F.neuron("p"), k = F.neuron("q"), j = F.neuron("r"), l = F.neuron("s")
    let family = GaussianFamily(
      W, first: [i, j], second: [k, l],
      covariance: .symbol(F.cW) * .symbol(F.n, power: -1) * .delta(i, k) * .delta(j, l))
    let result = WickContraction([family]).expectation(of: dotPower(4, weight: W, outLayer: F.ell))
    let polynomial =
      Expression(Rational(1)) + Expression(Rational(12)) * .symbol(F.n, power: -1)
      + Expression(Rational(44)) * .symbol(F.n, power: -2) + Expression(Rational(48))
      * .symbol(F.n, power: -3)
    let expected = (Expression.symbol(F.cW, power: 4) * polynomial * sigmaDotPower(4))
      .canonicalized()
    #expect(result == expected)
    #expect(result.terms.count == 4)
    #expect(result.terms.allSatisfy { $0.monomial.summed.count == 4 })
  }
}
