import Algebra
import Rational
import Testing

/// δ contraction on closed forms: traces, chains, distinctness, free δ's. Results are compared
/// canonically with expressions built by hand, and by exact value.
@Suite struct DeltaContractionTests {
  typealias V = Vocabulary
  let i = V.j("i"), j = V.j("j"), k = V.j("k"), l = V.j("l"), m = V.j("m")
  let n = Expression.symbol(V.n)

  func contracted(_ e: Expression) -> Expression { e.contractingDeltas().canonicalized() }

  // Catches: δ_{jj} not replaced by 1 before summing out, or the summed-out dummy not becoming
  // the width of its own layer.
  @Test func traceOfDeltaIsWidth() {
    #expect(contracted(Expression.delta(j, j).summed(over: [j])) == n.canonicalized())
    let lower = V.k("j")
    #expect(
      contracted(Expression.delta(lower, lower).summed(over: [lower]))
        == Expression.symbol(V.nLower))
    let a = V.s("a")
    #expect(contracted(Expression.delta(a, a).summed(over: [a])) == Expression.symbol(.sampleCount))
  }

  // Catches: contracting δ_{jk} with both summed and then losing the second δ (Σ δ_{jk}δ_{kj}
  // must be n, not n²  or 1).
  @Test func traceOfTwoDeltas() {
    let e = (Expression.delta(j, k) * .delta(k, j)).summed(over: [j, k])
    #expect(contracted(e) == n)
    let e3 = (Expression.delta(j, k) * .delta(k, l) * .delta(l, j)).summed(over: [j, k, l])
    #expect(contracted(e3) == n)
  }

  // Catches: chains contracted in the wrong direction (a free index replaced by a dummy) or free
  // ends lost: Σ_{jkl} δ_{ij} δ_{jk} δ_{kl} δ_{lm} = δ_{im}.
  @Test func deltaChainLeavesFreeDelta() {
    let e = (Expression.delta(i, j) * .delta(j, k) * .delta(k, l) * .delta(l, m)).summed(
      over: [j, k, l])
    #expect(contracted(e) == Expression.delta(i, m).canonicalized())
    // Reversed orientation of every δ.
    let r = (Expression.delta(j, i) * .delta(k, j) * .delta(l, k) * .delta(m, l)).summed(
      over: [j, k, l])
    #expect(contracted(r) == Expression.delta(i, m).canonicalized())
  }

  // Catches: Σ_j δ_{ij} x_j not becoming x_i (index substitution into other factors).
  @Test func deltaSubstitutesIntoFactors() {
    let a = V.s("a")
    let e =
      (Expression.delta(i, j) * .tensor(V.z, [j, a]) * .function(V.sigma, of: Tensor(V.z, [j, a])))
      .summed(over: [j])
    #expect(
      contracted(e)
        == (Expression.tensor(V.z, [i, a]) * .function(V.sigma, of: Tensor(V.z, [i, a])))
        .canonicalized())
  }

  // Catches: contracting a δ between indices constrained distinct (must give 0).
  @Test func deltaAcrossDistinctIndicesVanishes() {
    let e = Expression.delta(j, k).summed(over: [j, k], distinct: true)
    #expect(contracted(e).isZero)
  }

  // Catches: wrong falling-factorial counts when summing out distinct dummies.
  @Test func distinctSumsGiveFallingFactorials() {
    let two = Expression.one.summed(over: [j, k], distinct: true)
    #expect(contracted(two) == (n * n - n).canonicalized())
    let three = Expression.one.summed(over: [j, k, l], distinct: true)
    #expect(
      contracted(three) == (n * n * n - Rational(3) * (n * n) + Rational(2) * n).canonicalized())
  }

  // Catches: free δ's being contracted or dropped; δ_{ii} of a free index not being 1.
  @Test func freeDeltasAreUntouched() {
    #expect(contracted(Expression.delta(i, m)) == Expression.delta(i, m).canonicalized())
    #expect(contracted(Expression.delta(i, i)) == Expression.one)
    let a = V.s("a")
    let e = Expression.delta(i, m) * .tensor(V.z, [i, a])
    #expect(contracted(e) == e.canonicalized())
  }

  // Catches: a distinctness constraint that, after contraction, binds a free index being
  // dropped. Σ_{j≠k} δ_{jl} δ_{km} = 1 − δ_{lm}: it must vanish at l = m.
  @Test func constraintOnFreeIndicesSurvives() throws {
    let e = (Expression.delta(j, l) * .delta(k, m)).summed(over: [j, k], distinct: true)
    let c = e.contractingDeltas()
    let ev = V.evaluator(seed: 3, width: 3)
    for (lv, mv) in [(0, 0), (0, 1), (2, 2), (1, 2)] {
      let expected = Rational(lv == mv ? 0 : 1)
      #expect(try ev.value(of: e, free: [l: lv, m: mv]) == expected)
      #expect(try ev.value(of: c, free: [l: lv, m: mv]) == expected)
      #expect(try ev.value(of: c.canonicalized(), free: [l: lv, m: mv]) == expected)
    }
    // Σ_{j≠k} δ_{jl} = n − 1: the constraint now excludes k = l.
    let partial = Expression.delta(j, l).summed(over: [j, k], distinct: true)
    #expect(contracted(partial) == (n - .one).canonicalized())
  }

  // Catches: δ's of sample indices treated differently from neuron ones.
  @Test func sampleDeltas() {
    let (a, b, c) = (V.s("a"), V.s("b"), V.s("c"))
    let e = (Expression.delta(a, b) * .tensor(V.K, [a, c])).summed(over: [a])
    #expect(contracted(e) == Expression.tensor(V.K, [b, c]).canonicalized())
  }
}
