import Algebra
import Rational
import Testing

@Suite struct SmokeTests {
  let K = TensorHead("K", layer: .ell, symmetry: .symmetric)
  let V = TensorHead("V", layer: .ell, symmetry: .pairOfPairs)
  let z = TensorHead("z", layer: .ell)
  let sigma = FunctionHead("σ")

  @Test func renamingDummiesGivesSameCanonicalForm() {
    let a = Index.sample("a"), b = Index.sample("b")
    let b1 = Index.sample("b1"), b2 = Index.sample("b2"), b3 = Index.sample("b3"),
      b4 = Index.sample("b4")
    func atom(_ d: [Index], _ x: Index, _ y: Index) -> Expression {
      .average(
        GaussianAverage(
          metric: K, derivatives: d,
          integrand: [
            .function(FunctionApplication(sigma, Tensor(z, [x]))),
            .function(FunctionApplication(sigma, Tensor(z, [y]))),
          ]))
    }
    let e1 =
      (Expression.tensor(V, [b1, b2, b3, b4]) * atom([b1, b2], a, b) * atom([b3, b4], a, b))
      .summed(over: [b1, b2, b3, b4])
    let e2 =
      (Expression.tensor(V, [b4, b3, b2, b1]) * atom([b2, b1], b, a) * atom([b4, b3], a, b))
      .summed(over: [b1, b2, b3, b4])
    let c1 = e1.canonicalized(), c2 = e2.canonicalized()
    #expect(c1 == c2)
    #expect(c1.isCanonical)
    #expect((e1 - e2).canonicalized().isZero)
    #expect(!(e1 + e2).canonicalized().isZero)
  }

  @Test func deltaTrace() {
    let n = Symbol.width(.ell)
    let j = Index.neuron("j", layer: .ell), k = Index.neuron("k", layer: .ell)
    let e = (Expression.delta(j, k) * .delta(k, j)).summed(over: [j, k]).contractingDeltas()
      .canonicalized()
    #expect(e == Expression.symbol(n))
  }
}
