import Algebra
import Rational
import Testing

/// The evaluator is the oracle of every other test, so its own semantics are pinned first,
/// against sums written out by hand.
@Suite struct ExactEvaluatorTests {
  typealias V = Vocabulary
  let ev = V.evaluator(seed: 11, width: 3, lowerWidth: 2, samples: 2)

  // Catches: a summed index that occurs in no factor being skipped instead of running over its
  // range (Σ_j 1 must be n), and width symbols not taking the index range as value.
  @Test func unusedDummyCountsItsRange() throws {
    let j = V.j("j")
    #expect(try ev.value(of: Expression.one.summed(over: [j])) == Rational(3))
    #expect(try ev.value(of: .symbol(V.n)) == Rational(3))
    #expect(try ev.value(of: .symbol(V.nLower, power: -2)) == Rational(1, 4))
    #expect(try ev.value(of: .symbol(.sampleCount)) == Rational(2))
  }

  // Catches: distinctness ignored or applied to the wrong pairs.
  @Test func distinctGroupsExcludeCoincidences() throws {
    let j = V.j("j"), k = V.j("k"), l = V.j("l")
    #expect(try ev.value(of: Expression.one.summed(over: [j, k], distinct: true)) == Rational(6))
    #expect(
      try ev.value(of: Expression.one.summed(over: [j, k, l], distinct: true)) == Rational(6))
    // A free member of a group (as left by δ contraction) takes its given value.
    let t = V.term(.one, [], summed: [j], distinct: [[j, l]])
    #expect(try ev.value(of: t, free: [l: 1]) == Rational(2))
  }

  // Catches: tensor values looked up at the raw tuple instead of the symmetry-canonical one, or
  // symmetry applied to a tensor without symmetry.
  @Test func tensorSymmetriesHoldExactly() throws {
    let a = V.s("a"), b = V.s("b"), c = V.s("c"), d = V.s("d")
    let K = Expression.tensor(V.K, [a, b])
    #expect(try ev.value(of: K, free: [a: 0, b: 1]) == ev.value(of: K, free: [a: 1, b: 0]))
    let Vt = Expression.tensor(V.V, [a, b, c, d])
    let base: [Index: Int] = [a: 0, b: 1, c: 1, d: 0]
    let reference = try ev.value(of: Vt, free: base)
    for (p, q, r, s) in [(b, a, c, d), (a, b, d, c), (c, d, a, b), (d, c, b, a)] {
      let permuted = Expression.tensor(V.V, [p, q, r, s])
      #expect(try ev.value(of: permuted, free: base) == reference)
    }
    // V_{(01)(10)} ≠ V_{(00)(11)} in general: the pairing matters.
    let other = Expression.tensor(V.V, [a, d, b, c])
    let differs = try (0..<20).contains { seed in
      let e = V.evaluator(seed: UInt64(seed))
      return try e.value(of: other, free: base) != e.value(of: Vt, free: base)
    }
    #expect(differs)
    let A = Expression.tensor(V.A, [a, b])
    let asymmetric = try (0..<20).contains { seed in
      let e = V.evaluator(seed: UInt64(seed))
      return try e.value(of: A, free: [a: 0, b: 1]) != e.value(of: A, free: [a: 1, b: 0])
    }
    #expect(asymmetric)
  }

  // Catches: Gaussian-average keys that depend on the order of derivatives or integrand factors,
  // or that ignore the indices.
  @Test func averageKeysAreCanonical() throws {
    let a = V.s("a"), b = V.s("b")
    let g1 = Expression.factor(
      V.average([a, b], [V.sigmaU(a), V.sigmaU(b, derivative: 1), .tensor(Tensor(V.u, [a]))]))
    let g2 = Expression.factor(
      V.average([b, a], [.tensor(Tensor(V.u, [a])), V.sigmaU(b, derivative: 1), V.sigmaU(a)]))
    let g3 = Expression.factor(
      V.average([a, b], [V.sigmaU(b), V.sigmaU(a, derivative: 1), .tensor(Tensor(V.u, [a]))]))
    var sawDifference = false
    for seed in 0..<10 {
      let e = V.evaluator(seed: UInt64(seed))
      let free: [Index: Int] = [a: 0, b: 1]
      #expect(try e.value(of: g1, free: free) == e.value(of: g2, free: free))
      if try e.value(of: g1, free: free) != e.value(of: g3, free: free) { sawDifference = true }
    }
    #expect(sawDifference)
  }

  // Catches: sums not written out as the definition says (compared with a hand-written loop over
  // the value table), δ's not acting as 0/1, functions not keyed by their argument.
  @Test func matchesHandWrittenSum() throws {
    let j = V.j("j"), k = V.j("k"), a = V.s("a"), b = V.s("b")
    // Σ_{j,k,α} δ_{jk} z_{j;α} σ'(z_{k;α}) K_{αβ}   at β = 1
    let e = Expression(
      V.term(
        Rational(2, 3),
        [
          .delta(j, k), .tensor(Tensor(V.z, [j, a])), V.sigmaOf(k, a, derivative: 1),
          .tensor(Tensor(V.K, [a, b])),
        ], summed: [j, k, a]))
    let table = ExactValueTable.seeded(11)
    var expected = Rational.zero
    for jv in 0..<3 {
      for av in 0..<2 {
        let zv = table.tensor(V.z, [jv, av])
        let f = table.function(
          ConcreteFunction(
            head: V.sigma, derivative: 1, argumentHead: V.z, argumentIndices: [jv, av]),
          zv)
        expected = expected + zv * f * table.tensor(V.K, [min(av, 1), max(av, 1)])
      }
    }
    #expect(try ev.value(of: e, free: [b: 1]) == Rational(2, 3) * expected)
  }

  // Catches: parenthesised factors whose local dummies leak into (or are captured by) the
  // enclosing term.
  @Test func parenthesisedDummiesAreLocal() throws {
    let j = V.j("j"), a = V.s("a")
    let inner = Expression.tensor(V.z, [j, a]).summed(over: [j]) + .tensor(V.K, [a, a])
    let outerTerm = Term(
      .one, Monomial(factors: [.tensor(Tensor(V.z, [j, a])), .parenthesized(inner)], summed: [j]))
    let product =
      try ev.value(of: Expression.tensor(V.z, [j, a]).summed(over: [j]), free: [a: 1])
      * ev.value(of: inner, free: [a: 1])
    #expect(try ev.value(of: Expression([outerTerm]), free: [a: 1]) == product)
  }

  // Catches: silent garbage for unbound indices, out-of-range values, unknown symbols, or
  // ill-formed terms (a distinctness group across index spaces, a sum inside an average).
  @Test func malformedInputsThrow() {
    let a = V.s("a")
    #expect(throws: ExactEvaluationError.unboundIndex(a)) {
      try ev.value(of: .tensor(V.A, [a, a]))
    }
    #expect(throws: ExactEvaluationError.indexOutOfRange(a, value: 2, range: 2)) {
      try ev.value(of: .tensor(V.A, [a, a]), free: [a: 2])
    }
    #expect(throws: ExactEvaluationError.missingSymbol(.parameter("ξ"))) {
      try ev.value(of: .symbol(.parameter("ξ")))
    }
    #expect(throws: ExactEvaluationError.missingWidth(.absolute(3))) {
      try ev.value(of: Expression.one.summed(over: [.neuron("j", layer: .absolute(3))]))
    }
    let j = V.j("j")
    #expect(throws: ExactEvaluationError.distinctGroupMixesSpaces([j, a])) {
      try ev.value(of: V.term(.one, [], summed: [j, a], distinct: [[j, a]]))
    }
    let sum = Expression.tensor(V.u, [a]) + .one
    #expect(throws: ExactEvaluationError.self) {
      try ev.value(of: .factor(V.average([], [.parenthesized(sum)])), free: [a: 0])
    }
  }
}
