import Algebra
import Rational
import Testing

/// Every pass must preserve the exact value of an expression for all concrete data. Each test
/// runs a pass on seeded random expressions and compares exact values before and after at small
/// widths with seeded random rational values.
@Suite struct PassEvaluationTests {
  typealias V = Vocabulary

  static let evaluators = [
    V.evaluator(seed: 21, width: 2, lowerWidth: 2, samples: 2),
    V.evaluator(seed: 22, width: 3, lowerWidth: 1, samples: 2),
  ]

  static func generator(seed: UInt64) -> RandomExpressions {
    var gen = RandomExpressions(seed: seed)
    gen.maxDummies = 3
    gen.maxFactors = 3
    return gen
  }

  // Catches: expansion that loses the binding of an outer Σ over an index free inside a
  // parenthesised factor, captures a free index with a renamed dummy, or drops/duplicates terms.
  @Test func expansionPreservesValue() {
    var gen = Self.generator(seed: 31)
    var rng = SplitMix64(seed: 131)
    for trial in 0..<24 {
      let e = gen.expression()
      let x = e.expanded()
      #expect(x.isExpanded)
      ValueComparison.expectSameValue(
        e, x, evaluators: Self.evaluators, rng: &rng, "trial \(trial)")
    }
  }

  // The simplest instance of the binding above, written out: Σ_j (δ_{jk} + z_{j;a}) z_{j;a}.
  // Catches: the outer j being renamed apart from the j inside the parentheses.
  @Test func expansionKeepsOuterSumBound() throws {
    let j = V.j("j"), k = V.j("k"), a = V.s("a")
    let e = ((Expression.delta(j, k) + .tensor(V.z, [j, a])) * .tensor(V.z, [j, a])).summed(
      over: [j])
    let expected =
      Expression(
        V.term(.one, [.delta(j, k), .tensor(Tensor(V.z, [j, a]))], summed: [j]))
      + Expression(
        V.term(.one, [.tensor(Tensor(V.z, [j, a])), .tensor(Tensor(V.z, [j, a]))], summed: [j]))
    #expect(e.expanded().isEquivalent(to: expected))
    #expect(e.expanded().freeIndices == [k, a])
  }

  // Catches: like terms added with the wrong coefficient, zero sums kept, scalars not merged
  // before comparison (n·n vs n²).
  @Test func collectingLikeTermsPreservesValue() {
    var gen = Self.generator(seed: 32)
    var rng = SplitMix64(seed: 132)
    for trial in 0..<20 {
      let e = gen.expression().expanded()
      // Duplicates and cancellations: e + 2e − e, with shuffled terms.
      let doubled = e + e.scaled(by: Rational(2)) - e
      let shuffled = Expression(rng.shuffled(doubled.terms))
      let c = shuffled.collectingLikeTerms()
      #expect(c.terms.count <= e.terms.count)
      ValueComparison.expectSameValue(
        e.scaled(by: Rational(2)), c, evaluators: Self.evaluators, rng: &rng, "trial \(trial)")
      #expect((e - e).collectingLikeTerms().isZero)
    }
  }

  // Catches: a canonical relabelling that is not a bijection on dummies (e.g. capturing a free
  // index), slot canonicalisation that breaks a tensor's value, lost distinctness groups, or
  // wrong coefficients when like terms merge.
  @Test func canonicalizationPreservesValue() {
    var gen = Self.generator(seed: 33)
    var rng = SplitMix64(seed: 133)
    for trial in 0..<30 {
      let e = gen.expression()
      ValueComparison.expectSameValue(
        e, e.canonicalized(), evaluators: Self.evaluators, rng: &rng, "trial \(trial)")
    }
    // Monomials straight from the generator with up to five dummies too.
    var big = RandomExpressions(seed: 34)
    big.maxFactors = 4
    for trial in 0..<30 {
      let e = big.sum(maxTerms: 2)
      ValueComparison.expectSameValue(
        e, e.canonicalized(), evaluators: [Self.evaluators[0]], rng: &rng, "big \(trial)")
    }
  }

  // Catches: δ contraction replacing an index in the wrong direction, dropping a constraint,
  // contracting δ's of two free indices, miscounting Σ_j 1 under distinctness, or contracting
  // across constrained-distinct indices (which must give 0).
  @Test func deltaContractionPreservesValue() {
    var gen = Self.generator(seed: 35)
    gen.deltaBias = 0.45
    gen.maxDummies = 4
    var rng = SplitMix64(seed: 135)
    for trial in 0..<60 {
      let e = gen.expression(depth: 1)
      let c = e.contractingDeltas()
      ValueComparison.expectSameValue(
        e, c, evaluators: Self.evaluators, rng: &rng, "trial \(trial)")
      ValueComparison.expectSameValue(
        e, c.canonicalized(), evaluators: [Self.evaluators[1]], rng: &rng, "canonical \(trial)")
    }
  }

  /// Substitution rules whose replacements respect the head's symmetry, with dummy and pattern
  /// names that collide with the generator's dummy names (p, q, r, s, …).
  static var tensorRules: [TensorSubstitution] {
    let (p, q, r, s) = (V.s("p"), V.s("q"), V.s("r"), V.s("s"))
    let jp = V.j("p"), kq = V.k("q")
    let zz = (Expression.tensor(V.z, [jp, p]) * .tensor(V.z, [jp, q])).summed(over: [jp])
    return [
      // K_{pq} → C_b δ_{pq} + C_W/n Σ_j z_{j;p} z_{j;q}
      TensorSubstitution(
        V.K, [p, q],
        by: Expression.symbol(V.Cb) * .delta(p, q) + Expression.symbol(V.CW)
          * .symbol(V.n, power: -1) * zz),
      // K_{pq} → Σ_r A_{pr} A_{qr}
      TensorSubstitution(
        V.K, [p, q], by: (Expression.tensor(V.A, [p, r]) * .tensor(V.A, [q, r])).summed(over: [r])),
      // V_{(pq)(rs)} → K_{pq} K_{rs} + C_W Σ_j z_{j;p} z_{j;q} z_{j;r} z_{j;s}
      TensorSubstitution(
        V.V, [p, q, r, s],
        by: Expression.tensor(V.K, [p, q]) * .tensor(V.K, [r, s])
          + Expression.symbol(V.CW)
          * (Expression.tensor(V.z, [jp, p]) * .tensor(V.z, [jp, q]) * .tensor(V.z, [jp, r])
          * .tensor(V.z, [jp, s])).summed(over: [jp])),
      // W_{pq} → Σ_l δ_{pl} W_{lq} + C_b W_{pq}   (value (1 + C_b) W_{pq})
      TensorSubstitution(
        V.W, [jp, kq],
        by: (Expression.delta(jp, V.j("q")) * .tensor(V.W, [V.j("q"), kq])).summed(over: [V.j("q")])
          + Expression.symbol(V.Cb) * .tensor(V.W, [jp, kq])),
    ]
  }

  // Catches: substituted pieces whose free indices are not bound by the sums of the term they
  // land in, dummies of the replacement colliding with the term's indices, the replacement's
  // pattern matched in the wrong slot order, or sums not distributed.
  @Test func tensorSubstitutionPreservesValue() {
    var rng = SplitMix64(seed: 136)
    for (r, rule) in Self.tensorRules.enumerated() {
      var gen = Self.generator(seed: 36 + UInt64(r))
      for trial in 0..<18 {
        let e = gen.expression(depth: 1)
        let after = e.substituting(rule)
        // Before: the same data, with the rule's head valued by the replacement.
        let before = Self.evaluators.map { base -> ExactEvaluator in
          var ev = base
          let old = base.valueTable.tensor
          let head = rule.head, pattern = rule.pattern, replacement = rule.replacement
          ev.valueTable.tensor = { h, indices in
            guard h == head else { return old(h, indices) }
            let free = Dictionary(uniqueKeysWithValues: zip(pattern, indices))
            return (try? base.value(of: replacement, free: free)) ?? Rational(1000)
          }
          return ev
        }
        let free = Array(Set(e.freeIndices + after.freeIndices)).sorted()
        for (evBefore, evAfter) in zip(before, Self.evaluators) {
          var all = V.assignments(free, evAfter)
          if all.count > 6 { all = (0..<6).map { _ in rng.pick(all) } }
          for assignment in all {
            let x = try? evBefore.value(of: e, free: assignment)
            let y = try? evAfter.value(of: after, free: assignment)
            #expect(
              x != nil && x == y,
              "rule \(r) trial \(trial)\n  \(Dump.expression(e))\n  → \(Dump.expression(after))")
          }
        }
      }
    }
  }

  // Catches: scalar substitution applying the wrong power, dropping the coefficient, or
  // mishandling sums (C_W → C_b + 2 squared) and negative powers of a single term.
  @Test func symbolSubstitutionPreservesValue() {
    var rng = SplitMix64(seed: 137)
    let rules: [(Symbol, Expression, allowNegative: Bool)] = [
      (V.CW, Expression.symbol(V.Cb) + Expression(Rational(2)), false),
      (V.CW, Rational(3, 2) * Expression.symbol(V.Cb, power: 2), true),
      (V.n, Expression(Rational(2)), true),
    ]
    for (r, (symbol, replacement, allowNegative)) in rules.enumerated() {
      var gen = Self.generator(seed: 40 + UInt64(r))
      gen.allowNegativeCouplingPowers = allowNegative
      for trial in 0..<25 {
        let e = gen.expression(depth: 1)
        let after = e.substituting(symbol, by: replacement)
        let ev = Self.evaluators[0]  // width 2, so n → 2 is an identity
        var before = ev
        if symbol.kind == .parameter {
          before.symbols[symbol] = try? ev.value(of: replacement)
        }
        let free = e.freeIndices
        var all = V.assignments(free, ev)
        if all.count > 6 { all = (0..<6).map { _ in rng.pick(all) } }
        for assignment in all {
          let x = try? before.value(of: e, free: assignment)
          let y = try? ev.value(of: after, free: assignment)
          #expect(
            x != nil && x == y,
            "rule \(r) trial \(trial)\n  \(Dump.expression(e))\n  → \(Dump.expression(after))")
        }
        #expect(after.terms.allSatisfy { $0.monomial.exponent(of: symbol) == 0 })
      }
    }
  }
}

/// Scalar substitution by replacements that are single terms with tensors or sums over indices
/// (e.g. a parameter standing for (1/n) Σ_j σ(z_j)², as in a stochastic metric).
@Suite struct SymbolSubstitutionByIndexedTermTests {
  typealias V = Vocabulary

  // Catches: a single-term replacement raised to a power k ≥ 2 by multiplying exponents and the
  // coefficient only, so that its factors (and its sums) appear once instead of k times.
  @Test func powersOfIndexedReplacement() throws {
    let (j, a) = (V.j("j"), V.s("a"))
    let G = Symbol.parameter("G")
    let replacement = Expression(
      V.term(
        Rational(1, 2), [.tensor(Tensor(V.z, [j, a])), .tensor(Tensor(V.z, [j, a]))],
        summed: [j, a]))
    let ev = V.evaluator(seed: 71, width: 2, samples: 2)
    let g = try ev.value(of: replacement)
    var withG = ev
    withG.symbols[G] = g
    for k in 1...3 {
      let e = Expression.symbol(G, power: k) * .tensor(V.K, [a, a])
      let after = e.substituting(G, by: replacement)
      for av in 0..<2 {
        #expect(
          try ev.value(of: after, free: [a: av]) == withG.value(of: e, free: [a: av]),
          "G^\(k) → \(Dump.expression(after))")
      }
    }
    // Σ_j 1 is the number n, so G² → n².
    let count = Expression.one.summed(over: [j])
    let square = Expression.symbol(G, power: 2).substituting(G, by: count)
    #expect(try ev.value(of: square) == Rational(4), "\(Dump.expression(square))")
  }
}
