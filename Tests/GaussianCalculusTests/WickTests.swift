import Algebra
import GaussianCalculus
import Rational
import Testing

/// E[(z·z)^k] for z_{i;a} with covariance δ_ij K_aa (single input) must be the exact polynomial
/// K^k n(n+2)…(n+2k−2). Catches wrong orbit counting, wrong δ traces and wrong memoisation.
@Suite struct WickTests {
  let layer = Layer.ell
  var n: Symbol { .width(layer) }
  let K = TensorHead("K", layer: .ell, symmetry: .symmetric)
  let z = TensorHead("z", layer: .ell)
  let a = Index.sample("a")

  var zFamily: GaussianFamily {
    let i1 = Index.neuron("p", layer: layer), i2 = Index.neuron("q", layer: layer)
    let s1 = Index.sample("s"), s2 = Index.sample("t")
    return GaussianFamily(
      z, first: [i1, s1], second: [i2, s2],
      covariance: .delta(i1, i2) * .tensor(K, [s1, s2]))
  }

  func dotPower(_ k: Int) -> Expression {
    var e = Expression.one
    var summed: [Index] = []
    for m in 0..<k {
      let i = Index.neuron("i\(m)", layer: layer)
      summed.append(i)
      e = e * .tensor(z, [i, a]) * .tensor(z, [i, a])
    }
    return e.summed(over: summed)
  }

  /// Independently built: K_aa^k Π_{m<k} (n + 2m), expanded by repeated multiplication.
  func expected(_ k: Int) -> Expression {
    var e = Expression.tensor(K, [a, a]).power(k)
    for m in 0..<k { e = e * (Expression.symbol(n) + Expression(Rational(2 * m))) }
    return e.canonicalized()
  }

  @Test(arguments: 1...8) func singleInputDotPowers(k: Int) {
    let result = WickContraction([zFamily]).expectation(of: dotPower(k))
    #expect(result == expected(k))
  }

  /// Odd moments vanish.
  @Test func oddMomentVanishes() {
    let e = dotPower(2) * .tensor(z, [Index.neuron("i9", layer: layer), a])
    #expect(WickContraction([zFamily]).expectation(of: e).isZero)
  }
}
