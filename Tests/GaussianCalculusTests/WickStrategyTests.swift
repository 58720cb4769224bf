import Algebra
import Rational
import Testing

@testable import GaussianCalculus

/// The fast paths of ``WickContraction`` (orbit merging on the engine's canonical form, leaf
/// enumeration, the automatic choice between them) against the original algorithm
/// (`.reference`, every intermediate monomial canonicalised by the Algebra canonicaliser) on
/// seeded random products of random and constant factors: the canonical results must be
/// identical. Catches wrong merging of partners that are not equivalent, a canonical form that
/// is not a relabelling, δ contraction or summing-out that differs from `contractingDeltas`
/// (traces, constraints, n − m counts), lost covariance terms or internal dummies, wrong
/// assembly order or collection.
@Suite struct WickStrategyTests {
  typealias F = Fixtures

  static let y = TensorHead("y")
  static let C = TensorHead("C", symmetry: .symmetric)
  static let u = TensorHead("u", layer: .ell)
  static let v = TensorHead("v", layer: .ell)
  static let M = TensorHead("M")

  /// Families beyond the fixtures: scalar variables y_a with E[y_a y_b] = C_{ab}; u_j with a
  /// two-term covariance δ_{jk}(C_b + C_W/n); v_j with a covariance summed inside,
  /// Σ_m M_{jm} M_{km}.
  static var families: [GaussianFamily] {
    let a = F.sample("s"), b = F.sample("t")
    let j = F.neuron("p"), k = F.neuron("q"), m = F.neuron("m", F.next)
    return [
      F.zFamily, F.wFamily, F.bFamily,
      GaussianFamily(y, first: [a], second: [b], covariance: .tensor(C, [a, b])),
      GaussianFamily(
        u, first: [j], second: [k],
        covariance: .delta(j, k) * (.symbol(F.cB) + .symbol(F.cW) * .symbol(F.n, power: -1))),
      GaussianFamily(
        v, first: [j], second: [k],
        covariance: (Expression.tensor(M, [j, m]) * .tensor(M, [k, m])).summed(over: [m])),
    ]
  }

  struct Generator {
    var rng: SeededRandom
    let js = (0..<4).map { F.neuron("j\($0)") }
    let is_ = (0..<3).map { F.neuron("i\($0)", F.next) }
    let as_ = (0..<3).map { F.sample("a\($0)") }

    mutating func randomFactor(family: Int) -> Expression {
      switch family {
      case 0: return .tensor(F.z, [rng.pick(js), rng.pick(as_)])
      case 1: return .tensor(F.W, [rng.pick(is_), rng.pick(js)])
      case 2: return .tensor(F.b, [rng.pick(is_)])
      case 3: return .tensor(WickStrategyTests.y, [rng.pick(as_)])
      case 4: return .tensor(WickStrategyTests.u, [rng.pick(js)])
      default: return .tensor(WickStrategyTests.v, [rng.pick(js)])
      }
    }

    mutating func constantFactor() -> Expression {
      switch rng.int(0...4) {
      case 0: return F.sigmaOf(rng.pick(js), rng.pick(as_))
      case 1: return .tensor(F.x, [rng.pick(js), rng.pick(as_)])
      case 2: return .tensor(F.K, [rng.pick(as_), rng.pick(as_)])
      case 3: return .delta(rng.pick(js), rng.pick(js))
      default: return .tensor(F.V, [rng.pick(as_), rng.pick(as_), rng.pick(as_), rng.pick(as_)])
      }
    }

    /// A product of 1–3 pairs of random factors (sometimes one more, an odd moment), 0–2
    /// constants, a rational coefficient, some indices summed, sometimes a distinctness group.
    mutating func term() -> Expression {
      var e = Expression(Rational(rng.int(-3...3) == 0 ? 1 : rng.int(-3...3), rng.int(1...3)))
      let families = [rng.int(0...5), rng.int(0...5)]
      for _ in 0..<rng.int(1...3) {
        let f = rng.pick(families)
        e = e * randomFactor(family: f) * randomFactor(family: f)
      }
      if rng.chance(0.1) { e = e * randomFactor(family: rng.pick(families)) }
      for _ in 0..<rng.int(0...2) { e = e * constantFactor() }
      var used = Set(e.terms.flatMap { $0.monomial.freeIndices }).sorted()
      used.removeAll { _ in rng.chance(0.35) }
      if rng.chance(0.25) {
        for space in [IndexSpace.neuron(F.ell), .neuron(F.next), .sample] {
          let members = used.filter { $0.space == space }
          if members.count >= 2 {
            let group = Array(members.prefix(rng.int(2...members.count)))
            e = e.summed(over: group, distinct: true)
            used.removeAll { group.contains($0) }
            break
          }
        }
      }
      return used.isEmpty ? e : e.summed(over: used)
    }

    /// A product of copies of one block (1–2 pairs of random factors of one family, 0–1
    /// constants; 2–3 copies of one pair, 2 of two) whose neuron indices are renamed per copy
    /// and summed — sometimes pairwise distinct within each copy, sometimes some of them free and
    /// shared by the copies — and whose sample indices the
    /// copies share (free, or summed over all copies, which links them); sometimes times one more
    /// pair of random factors. At most 8 random factors: leaf enumeration and the reference
    /// stay fast.
    mutating func repeatedBlocks() -> Expression {
      let family = rng.int(0...5)
      let pairs = rng.int(1...2)
      var block = Expression.one
      for _ in 0..<pairs {
        block = block * randomFactor(family: family) * randomFactor(family: family)
      }
      if rng.chance(0.5) { block = block * constantFactor() }
      let indices = Set(block.terms.flatMap { $0.monomial.freeIndices })
      // Some neuron indices stay free and shared by the copies (a δ between two of them renames
      // factors of every copy).
      let neurons = indices.filter { $0.space != .sample }.sorted()
      let shared = rng.chance(0.3) ? neurons.filter { _ in rng.chance(0.5) } : []
      let local = neurons.filter { !shared.contains($0) }
      let distinct = rng.chance(0.3)
      var e = Expression(Rational(rng.int(1...3)))
      let copies = pairs == 1 ? rng.int(2...3) : 2
      for c in 0..<copies {
        var map: [Index: Index] = [:]
        for (n, i) in local.enumerated() { map[i] = Index(i.space, .named("c\(c)_\(n)")) }
        var copy = block.renamingFreeIndices(map)
        let renamed = local.compactMap { map[$0] }
        let group = renamed.filter { $0.space == renamed.first?.space }
        if distinct && group.count >= 2 {
          copy = copy.summed(over: group, distinct: true)
          copy = copy.summed(over: renamed.filter { !group.contains($0) })
        } else {
          copy = copy.summed(over: renamed)
        }
        e = e * copy
      }
      if pairs * copies <= 3 && rng.chance(0.3) {
        let f = rng.int(0...5)
        e = e * randomFactor(family: f) * randomFactor(family: f)
        let extra = Set(e.terms.flatMap { $0.monomial.freeIndices }).filter { $0.space != .sample }
        e = e.summed(over: extra.sorted())
      }
      let samples = indices.filter { $0.space == .sample }.sorted()
      return rng.chance(0.4) ? e.summed(over: samples) : e
    }
  }

  @Test(arguments: 0..<6) func strategiesAgreeOnRandomProducts(batch: Int) {
    var g = Generator(rng: SeededRandom(seed: 0xC0FFEE + UInt64(batch)))
    for _ in 0..<40 {
      var e = g.term()
      if g.rng.chance(0.3) { e = e + g.term() }
      let reference = WickContraction(Self.families, options: .init(strategy: .reference))
        .expectation(of: e)
      #expect(reference.isCanonical)
      for s in Fixtures.strategies where s != .reference {
        let result = WickContraction(Self.families, options: .init(strategy: s)).expectation(of: e)
        #expect(result == reference, "strategy \(s) on \(e)")
      }
    }
  }

  /// Random parts with isomorphic components (copies of one block), where orbit merging joins
  /// partners at the same position in equal components and pairs inside the two touched
  /// components only: against the reference. Catches a wrong orbit (a wrong multiplicity), a
  /// random part assembled from the wrong pieces, and a δ between free indices in the touched
  /// components that must rename factors of the others.
  @Test(arguments: 0..<4) func strategiesAgreeOnRepeatedBlocks(batch: Int) {
    var g = Generator(rng: SeededRandom(seed: 0xB10C + UInt64(batch)))
    for _ in 0..<25 {
      let e = g.repeatedBlocks()
      let reference = WickContraction(Self.families, options: .init(strategy: .reference))
        .expectation(of: e)
      for s in Fixtures.strategies where s != .reference {
        let result = WickContraction(Self.families, options: .init(strategy: s)).expectation(of: e)
        #expect(result == reference, "strategy \(s) on \(e)")
      }
    }
  }

  /// Two isomorphic components sharing the free indices i₀, i₁: pairing W_{i₀j} with W_{i₁j}
  /// leaves δ_{i₀i₁}, which renames i₁ in the other component too (the engine pairs in the
  /// whole monomial then). Against the reference, whose value is
  /// C_W² (δ_{i₀i₁} + n⁻¹ δ_{i₀i₁} + n⁻¹).
  @Test func freeDeltaRenamesTheOtherComponents() {
    let i0 = F.neuron("i0", F.next), i1 = F.neuron("i1", F.next)
    let j = F.neuron("j"), k = F.neuron("k")
    let e =
      (Expression.tensor(F.W, [i0, j]) * .tensor(F.W, [i1, j]) * .tensor(F.W, [i0, k])
      * .tensor(F.W, [i1, k])).summed(over: [j, k])
    let reference = WickContraction(Self.families, options: .init(strategy: .reference))
      .expectation(of: e)
    #expect(reference.terms.count == 3)
    for s in Fixtures.strategies where s != .reference {
      let result = WickContraction(Self.families, options: .init(strategy: s)).expectation(of: e)
      #expect(result == reference, "strategy \(s)")
    }
  }

  /// The engine's canonical form is invariant under relabelling the dummies, reordering the
  /// factors and permuting symmetric slots, and is idempotent. Catches a refinement key or a
  /// search that depends on the input numbering (missed merges: orbit merging would degrade to
  /// enumerating pairings) and wrong twin or automorphism pruning.
  @Test func engineCanonicalFormIsInvariant() {
    var g = Generator(rng: SeededRandom(seed: 0xFACADE))
    var table = WickTable(families: Self.families)
    var checked = 0
    let M = TensorHead("M"), S = TensorHead("S", symmetry: .symmetric), u = TensorHead("u")
    for round in 0..<400 {
      // Random products, then graph-like monomials (cycles, stars, chains of M_{jk}, S_{jk},
      // u_j over summed j's), where cells survive refinement and pruning matters.
      var e = g.term().expanded()
      if round >= 200 {
        let js = (0..<g.rng.int(2...7)).map { F.neuron("g\($0)") }
        var p = Expression.one
        for _ in 0..<g.rng.int(js.count...(2 * js.count)) {
          switch g.rng.int(0...3) {
          case 0, 1: p = p * .tensor(M, [g.rng.pick(js), g.rng.pick(js)])
          case 2: p = p * .tensor(S, [g.rng.pick(js), g.rng.pick(js)])
          default: p = p * .tensor(u, [g.rng.pick(js)])
          }
        }
        e = p.summed(over: js.filter { j in p.terms[0].monomial.freeIndices.contains(j) })
          .expanded()
      }
      guard let t = e.terms.first, let w = table.compile(t) else { continue }
      let m = w.monomial
      let form = table.canonicalForm(m)
      #expect(table.canonicalForm(form) == form)
      for _ in 0..<3 {
        var perm = Array(0..<m.dummySpaces.count)
        perm.shuffle(using: &g.rng)
        func map(_ v: Int) -> Int { v >= 0 ? v : -1 - perm[-1 - v] }
        var r = WickMonomial()
        r.scalars = m.scalars
        r.dummySpaces = Array(repeating: 0, count: m.dummySpaces.count)
        for (d, s) in m.dummySpaces.enumerated() { r.dummySpaces[perm[d]] = s }
        r.factors = m.factors.map { f in
          let slots = table.shapes[f.shape].symmetry.randomlyPermuted(f.slots.map(map), &g.rng)
          return WickFactor(shape: f.shape, slots: slots)
        }.shuffled(using: &g.rng)
        r.distinct = m.distinct.map { $0.map(map).shuffled(using: &g.rng) }.shuffled(using: &g.rng)
        #expect(table.canonicalForm(r) == form, "\(e)")
        checked += 1
      }
    }
    #expect(checked > 1000)
  }

  /// One canonical representation: the engine's form (per component) and the algebra's
  /// ``DummyCanonicalizer`` run the same ``SlotGraph`` search, so they must identify exactly the
  /// same monomials: on random products and graph-like monomials, and on mutations of them that
  /// exchange two slot indices (equivalent or not), the engine's forms are equal iff the
  /// algebra's canonical forms are. Catches a labelling, slot symmetry or pruning in one layer
  /// that the other does not share (a merge the algebra refuses, or a missed one).
  @Test func engineAndAlgebraIdentifyTheSameMonomials() {
    var g = Generator(rng: SeededRandom(seed: 0x0DD5))
    var table = WickTable(families: Self.families)
    let M = TensorHead("M"), S = TensorHead("S", symmetry: .symmetric)
    var equal = 0
    var different = 0
    for round in 0..<600 {
      var e = g.term().expanded()
      if round % 2 == 1 {
        let js = (0..<g.rng.int(2...6)).map { F.neuron("g\($0)") }
        var p = Expression.one
        for _ in 0..<g.rng.int(js.count...(2 * js.count)) {
          p = p * .tensor(g.rng.chance(0.5) ? M : S, [g.rng.pick(js), g.rng.pick(js)])
        }
        e = p.summed(over: js.filter { j in p.terms[0].monomial.freeIndices.contains(j) })
          .expanded()
      }
      guard let t = e.terms.first else { continue }
      // A mutation: two slot indices of the same space exchanged.
      let m = t.monomial
      let positions = m.factors.indices.flatMap { f in m.factors[f].slots.indices.map { (f, $0) } }
      guard let p = positions.randomElement(using: &g.rng) else { continue }
      let x = m.factors[p.0].slots[p.1]
      guard
        let q = positions.filter({ m.factors[$0.0].slots[$0.1].space == x.space }).randomElement(
          using: &g.rng)
      else { continue }
      let y = m.factors[q.0].slots[q.1]
      var swapped = m.factors[p.0].slots
      swapped[p.1] = y
      var mutated = m.replacingFactor(at: p.0, with: m.factors[p.0].withSlots(swapped))
      swapped = mutated.factors[q.0].slots
      swapped[q.1] = x
      mutated = mutated.replacingFactor(at: q.0, with: mutated.factors[q.0].withSlots(swapped))
      guard let w1 = table.compile(Term(.one, m)), let w2 = table.compile(Term(.one, mutated))
      else { continue }
      let engineEqual = table.canonicalForm(w1.monomial) == table.canonicalForm(w2.monomial)
      let algebraEqual = m.canonicalized() == mutated.canonicalized()
      #expect(engineEqual == algebraEqual, "\(m) vs \(mutated)")
      if algebraEqual { equal += 1 } else { different += 1 }
    }
    #expect(equal > 100 && different > 100)
  }
}
