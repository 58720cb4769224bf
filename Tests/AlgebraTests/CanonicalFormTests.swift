import Algebra
import Rational
import Testing

/// Properties of the canonical form of monomials and expressions (DummyCanonicalizer,
/// canonicalized, isCanonical).
@Suite struct CanonicalFormTests {
  typealias V = Vocabulary

  /// Label sets dummies are mapped onto: the original names (permuted), canonical dummy numbers
  /// in reverse, and names that sort before, between and after the free indices.
  static func labels(scheme: Int) -> (IndexSpace, Int) -> [Index.Label] {
    { _, count in
      switch scheme {
      case 0: return (0..<count).map { .named("d\($0)") }
      case 1: return (0..<count).map { .dummy(7 - $0) }
      default: return ["a0", "zz", "a15", "i0", "b"].prefix(count).map { .named($0) }
      }
    }
  }

  /// Applies `check` to `m` under every relabelling of its dummies (all permutations per space),
  /// the target labels taken from the three schemes in turn, each with a random scramble of
  /// factor order, slot symmetries, summed order and constraint order.
  static func forEveryRelabelling(
    of m: Monomial, seed: UInt64, _ check: (Monomial) -> Void
  ) {
    var rng = SplitMix64(seed: seed)
    let dummies = Array(Set(m.summed)).sorted()
    let perScheme = (0..<3).map {
      Rewriting.allRelabellings(of: dummies, labels: labels(scheme: $0))
    }
    for n in perScheme[0].indices {
      check(Rewriting.scrambled(Rewriting.renamed(m, perScheme[n % 3][n]), &rng))
    }
  }

  // Catches: a canonical form that changes when canonicalised again (e.g. dummy numbering that
  // depends on the incoming labels, or slot canonicalisation done before relabelling only).
  @Test func canonicalFormIsIdempotent() {
    var gen = RandomExpressions(seed: 1)
    for _ in 0..<300 {
      let m = gen.term().monomial
      let c = m.canonicalized()
      #expect(c.canonicalized() == c, "\(Dump.term(Term(.one, m)))")
    }
    for (name, t) in Catalogue.monomials {
      let c = t.monomial.canonicalized()
      #expect(c.canonicalized() == c, "\(name)")
    }
  }

  // Catches: any dependence of the canonical form on dummy names (colour keys, twin choices,
  // tie-breaking by name), on factor order, or on the slot arrangement of symmetric tensors,
  // pair-of-pairs tensors and Gaussian averages. Exhaustive over all relabellings.
  @Test func catalogueIsInvariantUnderEveryRelabelling() {
    for (n, (name, t)) in Catalogue.monomials.enumerated() {
      let c = t.monomial.canonicalized()
      var checked = 0
      var failures = 0
      Self.forEveryRelabelling(of: t.monomial, seed: UInt64(n)) { m2 in
        checked += 1
        if m2.canonicalized() != c { failures += 1 }
      }
      #expect(failures == 0, "\(name): \(failures) of \(checked) relabellings differ")
      #expect(checked >= 2)
    }
  }

  // Same property on random monomials (≤ 5 dummies, three index spaces, repeated indices,
  // unused dummies, distinctness groups, averages).
  @Test func randomMonomialsAreInvariantUnderEveryRelabelling() {
    var gen = RandomExpressions(seed: 2)
    var relabellings = 0
    for trial in 0..<120 {
      let m = gen.term().monomial
      let c = m.canonicalized()
      var failures = 0
      Self.forEveryRelabelling(of: m, seed: UInt64(100 + trial)) { m2 in
        relabellings += 1
        if m2.canonicalized() != c { failures += 1 }
      }
      #expect(failures == 0, "trial \(trial): \(Dump.term(Term(.one, m)))")
    }
    #expect(relabellings > 400)
  }

  // The hardest case for the candidate search: five sample dummies (all 120 permutations) in
  // products of K, V, A, B and averages, where colour refinement separates little.
  @Test func fiveSampleDummiesAreInvariantUnderEveryRelabelling() {
    var gen = RandomExpressions(seed: 7)
    gen.exactDummies = 5
    gen.sampleDummiesOnly = true
    gen.allowZ = false
    gen.maxFactors = 4
    gen.free = [V.s("a1")]
    for trial in 0..<3 {
      let m = gen.term().monomial
      let c = m.canonicalized()
      var failures = 0
      var checked = 0
      Self.forEveryRelabelling(of: m, seed: UInt64(300 + trial)) { m2 in
        checked += 1
        if m2.canonicalized() != c { failures += 1 }
      }
      #expect(checked == 120)
      #expect(failures == 0, "trial \(trial): \(Dump.term(Term(.one, m)))")
    }
  }

  // Catches: symmetry not applied (K_{ba} ≠ K_{ab}), the wrong symmetry for pair-of-pairs
  // (e.g. treating V as totally symmetric would *over*-identify, tested below), averages whose
  // derivative or integrand order matters — all on monomials without dummies, where only the
  // slot canonicalisation acts.
  @Test func declaredSymmetriesWithoutDummies() {
    let (a, b, c, d) = (V.s("a"), V.s("b"), V.s("c"), V.s("d"))
    func canon(_ fs: [Factor]) -> Expression { Expression(V.term(.one, fs)).canonicalized() }
    #expect(canon([.tensor(Tensor(V.K, [b, a]))]) == canon([.tensor(Tensor(V.K, [a, b]))]))
    let v = canon([.tensor(Tensor(V.V, [a, b, c, d]))])
    for p in [[b, a, c, d], [a, b, d, c], [c, d, a, b], [d, c, b, a], [c, d, b, a]] {
      #expect(canon([.tensor(Tensor(V.V, p))]) == v)
    }
    #expect(canon([.tensor(Tensor(V.V, [a, c, b, d]))]) != v)
    #expect(canon([.tensor(Tensor(V.A, [b, a]))]) != canon([.tensor(Tensor(V.A, [a, b]))]))
    let g = canon([V.average([a, b], [V.sigmaU(c), V.sigmaU(d, derivative: 1)])])
    #expect(canon([V.average([b, a], [V.sigmaU(d, derivative: 1), V.sigmaU(c)])]) == g)
    #expect(canon([V.average([a, b], [V.sigmaU(d), V.sigmaU(c, derivative: 1)])]) != g)
    #expect(canon([.delta(b, a)]) == canon([.delta(a, b)]))
  }

  // Catches: function arguments whose head is symmetric not being canonicalised, so that
  // σ(K_{βα}) and σ(K_{αβ}) — the same number — get different canonical forms.
  @Test func functionOfSymmetricComponentIsCanonicalised() throws {
    let (a, b) = (V.s("a"), V.s("b"))
    let f1 = Expression.function(V.sigma, of: Tensor(V.K, [a, b]))
    let f2 = Expression.function(V.sigma, of: Tensor(V.K, [b, a]))
    let ev = V.evaluator(seed: 5)
    #expect(try ev.value(of: f1 - f2, free: [a: 0, b: 1]) == .zero)
    #expect(f1.isEquivalent(to: f2))
  }

  // Catches: hash-order dependence (Swift's hashing is seeded per process, so a Set or
  // Dictionary iteration reaching the output makes these strings change from run to run), and
  // silent changes of the documented canonical order.
  @Test func canonicalFormsMatchCheckedInSnapshot() {
    let dumps = Catalogue.monomials.map {
      Dump.term(Term($0.term.coefficient, $0.term.monomial.canonicalized()))
    }
    for (dump, expected) in zip(dumps, Self.snapshot) {
      #expect(dump == expected)
    }
    #expect(dumps.count == Self.snapshot.count)
  }

  /// Canonical forms of ``Catalogue/monomials``, recorded once and checked by hand (dummies are
  /// numbered per space; the factor order is the documented ``Factor`` order). Re-record only on
  /// a deliberate change of the canonical order.
  static let snapshot: [String] = [
    "1/8 Vℓ(s#0,s#1,s#2,s#3) <∂(s#0,s#1) σ^0[u(s:a1)] σ^0[u(s:a2)]>_K <∂(s#2,s#3) σ^0[u(s:a1)] σ^0[u(s:a2)]>_K Σ[s#0,s#1,s#2,s#3]",
    "1 δ(nℓ#0,nℓ#1) Kℓ(s#0,s#1) zℓ(nℓ#0,s#1) zℓ(nℓ#1,s#0) σ^0[z(nℓ#1,s#1)] Σ[nℓ#0,nℓ#1,s#0,s#1]",
    "-2 Kℓ(s#0,s#1) Kℓ(s#0,s#2) σ^0[z(nℓ#0,s#1)] σ^0[z(nℓ#0,s#2)] σ^1[z(nℓ#0,s#0)] Σ[nℓ#0,s#0,s#1,s#2]",
    "3 zℓ(nℓ#0,s#0) σ^0[z(nℓ#0,s#1)] σ^0[z(nℓ#1,s#0)] σ^0[z(nℓ#2,s#1)] Σ[nℓ#0,nℓ#1,nℓ#2,s#0,s#1] ≠[nℓ#0,nℓ#1,nℓ#2]",
    "1 Kℓ(s#0,s#1) Kℓ(s#0,s#2) Kℓ(s#1,s#3) Kℓ(s#2,s#4) Kℓ(s#3,s#4) Σ[s#0,s#1,s#2,s#3,s#4]",
    "1 A(s#0,s#1) B(s#2,s#3) Vℓ(s#0,s#2,s#1,s#3) Σ[s#0,s#1,s#2,s#3]",
    "1 A(s#0,s#1) B(s#2,s#3) Vℓ(s#0,s#1,s#2,s#3) Σ[s#0,s#1,s#2,s#3]",
    "1/2 C_W^1 nℓ-1^-1 Wℓ(nℓ#0,nℓ-1#0) Wℓ(nℓ#1,nℓ-1#0) zℓ(nℓ#0,s:a1) zℓ(nℓ#1,s:a2) Σ[nℓ-1#0,nℓ#0,nℓ#1]",
    "1 zℓ(nℓ#0,s:a1) zℓ(nℓ#1,s:a1) zℓ(nℓ#2,s#1) Σ[nℓ#0,nℓ#1,nℓ#2,s#0,s#1] ≠[nℓ#0,nℓ#2] ≠[nℓ#1,nℓ#2]",
    "1 A(s#0,s#1) Kℓ(s:a1,s#1) Kℓ(s:a2,s#0) Kℓ(s#0,s#1) Σ[s#0,s#1]",
  ]

  // Catches: isCanonical accepting non-canonical input (it is asserted in debug builds, so a
  // false positive hides bugs) or rejecting canonical output.
  @Test func isCanonicalRecognisesCanonicalForms() {
    var gen = RandomExpressions(seed: 3)
    for _ in 0..<60 {
      let e = gen.expression()
      let c = e.canonicalized()
      #expect(c.isCanonical)
      #expect(c.isCanonical(checkingAtMost: 1))
    }
    #expect(Expression.zero.isCanonical)
    #expect(Expression.one.isCanonical)

    let (a, b) = (V.s("a"), V.s("b"))
    let Kab = Factor.tensor(Tensor(V.K, [a, b]))
    let zt = Factor.tensor(Tensor(V.z, [V.j("i"), a]))
    let notCanonical: [(String, Expression)] = [
      ("unsorted slots", Expression(V.term(.one, [.tensor(Tensor(V.K, [b, a]))]))),
      ("unsorted factors", Expression(V.term(.one, [zt, Kab]))),
      ("named dummy", Expression(V.term(.one, [.tensor(Tensor(V.K, [b, b]))], summed: [b]))),
      (
        "wrongly numbered dummy",
        Expression(
          V.term(
            .one, [.tensor(Tensor(V.K, [Index(.sample, .dummy(1)), Index(.sample, .dummy(1))]))],
            summed: [Index(.sample, .dummy(1))]))
      ),
      ("zero coefficient", Expression([Term(.zero, Monomial(factors: [Kab]))])),
      ("duplicate monomials", Expression([V.term(.one, [Kab]), V.term(.one, [Kab])])),
      ("terms out of order", Expression([V.term(.one, [zt]), V.term(.one, [Kab])])),
      (
        "unmerged scalars",
        Expression(V.term(.one, [Kab], scalars: [SymbolPower(V.n, 1), SymbolPower(V.n, 1)]))
      ),
      (
        "parenthesised",
        (Expression.tensor(V.K, [a, b]) + .one) * (Expression.tensor(V.A, [a, b]) + .one)
      ),
    ]
    for (name, e) in notCanonical {
      #expect(!e.isCanonical, "\(name)")
      #expect(!e.isCanonical(checkingAtMost: Expression.canonicityCheckSample), "\(name)")
      #expect(e.canonicalized().isCanonical, "\(name)")
    }
  }

  // Catches: a canonicaliser that over-identifies, e.g. by treating V_{(β1β2)(β3β4)} as totally
  // symmetric, or by comparing only colour statistics: these two are different numbers.
  @Test func crossedAndPairedVertexContractionsDiffer() throws {
    let crossed = Expression(Catalogue.monomials[5].term)
    let paired = Expression(Catalogue.monomials[6].term)
    #expect(crossed.canonicalized() != paired.canonicalized())
    #expect(!crossed.isEquivalent(to: paired))
    let ev = V.evaluator(seed: 9, samples: 3)
    #expect(try ev.value(of: crossed) != ev.value(of: paired))
  }

  // Catches: over-identification in general. Random monomials are mutated by swapping the
  // indices of two slots (usually giving a different number); whenever the canonical forms of
  // the original and the mutant agree, their exact values must agree for every value table.
  @Test func equalCanonicalFormsMeanEqualValues() throws {
    var gen = RandomExpressions(seed: 4)
    gen.free = [V.s("a1")]
    var rng = SplitMix64(seed: 44)
    var identified = 0
    var separated = 0
    for _ in 0..<250 {
      let t = gen.term()
      var m2 = t.monomial
      // All (factor, slot) positions, swap two of the same space.
      var positions: [(Int, Int)] = []
      for (f, factor) in m2.factors.enumerated() {
        for s in factor.slots.indices { positions.append((f, s)) }
      }
      guard positions.count >= 2 else { continue }
      let p = rng.pick(positions)
      let candidates = positions.filter {
        m2.factors[$0.0].slots[$0.1].space == m2.factors[p.0].slots[p.1].space
          && m2.factors[$0.0].slots[$0.1] != m2.factors[p.0].slots[p.1]
      }
      guard !candidates.isEmpty else { continue }
      let q = rng.pick(candidates)
      let x = m2.factors[p.0].slots[p.1]
      let y = m2.factors[q.0].slots[q.1]
      var sp = m2.factors[p.0].slots
      sp[p.1] = y
      m2 = m2.replacingFactor(at: p.0, with: m2.factors[p.0].withSlots(sp))
      var sq = m2.factors[q.0].slots
      sq[q.1] = x
      m2 = m2.replacingFactor(at: q.0, with: m2.factors[q.0].withSlots(sq))

      let e1 = Expression(Term(.one, t.monomial))
      let e2 = Expression(Term(.one, m2))
      if t.monomial.canonicalized() == m2.canonicalized() {
        identified += 1
        for seed in 0..<3 {
          let ev = V.evaluator(seed: UInt64(seed))
          for free in V.assignments(e1.freeIndices, ev) {
            #expect(
              try ev.value(of: e1, free: free) == ev.value(of: e2, free: free),
              "\(Dump.term(Term(.one, t.monomial))) ~ \(Dump.term(Term(.one, m2)))")
          }
        }
      } else {
        separated += 1
      }
    }
    // Both outcomes must occur, or the test checks nothing.
    #expect(identified > 10)
    #expect(separated > 50)
  }
}

/// Free indices that carry canonical dummy labels (a factor taken out of a canonical term, a
/// variable named after one) must not be captured by the dummies the canonicaliser assigns.
@Suite struct FreeDummyLabelTests {
  typealias V = Vocabulary

  // Catches: relabelling a summed index to `.dummy(0)` while a free index of the same space is
  // already called `.dummy(0)`, which turns Σ_b K_{#0 b} into Σ_{#0} K_{#0 #0}.
  @Test func freeDummyLabelsAreNotCaptured() throws {
    let free0 = Index(.sample, .dummy(0))
    let free1 = Index(.sample, .dummy(1))
    let b = V.s("b"), c = V.s("c")
    let e =
      (Expression.tensor(V.K, [free0, b]) * .tensor(V.A, [b, c]) * .tensor(V.K, [c, free1]))
      .summed(over: [b, c])
    let canonical = e.canonicalized()
    #expect(canonical.freeIndices == [free0, free1], "\(Dump.expression(canonical))")
    #expect(canonical.isCanonical)
    let ev = V.evaluator(seed: 81, samples: 3)
    for assignment in V.assignments([free0, free1], ev) {
      #expect(try ev.value(of: e, free: assignment) == ev.value(of: canonical, free: assignment))
    }
    // Relabelling invariance still holds with such free indices around.
    let d = V.s("d"), f = V.s("f")
    let relabelled =
      (Expression.tensor(V.K, [free0, d]) * .tensor(V.A, [d, f]) * .tensor(V.K, [f, free1]))
      .summed(over: [d, f])
    #expect(relabelled.canonicalized() == canonical)
  }
}
