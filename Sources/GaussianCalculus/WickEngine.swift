import Algebra
import Rational

/// The Wick/Isserlis engine behind ``WickContraction`` (strategies other than `.reference`).
///
/// A term is split into its *constant part* (connected components of factors that contain no
/// random component) and its *random part*; E[const · random] = const · E[random], and
/// E[random] is memoised on the internal canonical form (``WickTable/canonicalForm(_:)``), so the
/// work follows the number of distinct random parts, not the number of pairings.
///
/// E[random] is computed in one of two ways:
/// - **orbit merging**: the first random factor is paired with every partner; partners that an
///   automorphism fixing the first factor exchanges (equal factors, or factors that differ by a
///   permutation of twin dummies) are taken once with their multiplicity, and results equal in
///   canonical form are merged before recursing — efficient when the random factors are exchangeable
///   (E[(z·z)^8] with one input is eight levels of one monomial);
/// - **leaf enumeration**: every pairing is enumerated depth-first with a union-find over
///   indices instead of intermediate monomials, and only the leaves are canonicalised —
///   efficient when no two random factors can be exchanged (free sample indices all different),
///   where merging never happens and intermediate canonical forms would be pure overhead.
///
/// `.automatic` uses leaf enumeration for a random part whose random factors colour refinement
/// tells apart (``WickTable/randomFactorsDistinguishable(_:)``), orbit merging otherwise.
struct WickEngine {
  var table: WickTable
  var strategy: WickContraction.Options.Strategy
  private var memo: [WickMonomial: [WickTerm]] = [:]
  private var pieces = WickPieceCache()

  init(table: WickTable, strategy: WickContraction.Options.Strategy) {
    self.table = table
    self.strategy = strategy
  }

  /// Adds E of one compiled term to `assembler`.
  mutating func addExpectation(of t: WickTerm, to assembler: inout WickAssembler) {
    for n in table.normalized(t.monomial, coefficient: t.coefficient, deltas: []) {
      let (constant, random) = split(n.monomial)
      let key = table.canonicalForm(random, cache: &pieces)
      if isUnit(constant) && memo[key] == nil {
        let analysis = table.refinedColours(key)
        if usesEnumeration(key, analysis.colours) {
          // The whole term is random: its leaves go to the assembler in compact form.
          var enumerator = WickPairingEnumerator(table: table, monomial: key)
          assembler.add(enumerator.run(table), scaledBy: n.coefficient, table)
          continue
        }
      }
      for r in expectRandom(key) {
        let c = n.coefficient * r.coefficient
        if isUnit(constant) {
          assembler.add(WickTerm(coefficient: c, monomial: r.monomial), table)
        } else {
          assembler.add(
            WickTerm(coefficient: c, monomial: constant.multiplied(by: r.monomial)), table)
        }
      }
    }
  }

  /// Whether the random part `r` (canonical, with random factors of even counts, colours from
  /// ``WickTable/refinedColours(_:)``) is computed by leaf enumeration.
  private func usesEnumeration(_ r: WickMonomial, _ colours: [Int]) -> Bool {
    var counts = Array(repeating: 0, count: table.familyHeads.count)
    for f in r.factors { if let fam = table.shapes[f.shape].family { counts[fam] += 1 } }
    if counts.allSatisfy({ $0 == 0 }) || counts.contains(where: { $0 % 2 == 1 }) { return false }
    switch strategy {
    case .leafEnumeration: return true
    case .orbitMerging, .reference: return false
    case .automatic:
      return !table.covarianceIsRandom && table.randomFactorsDistinguishable(r, colours: colours)
    }
  }

  private func isUnit(_ m: WickMonomial) -> Bool {
    m.scalars.isEmpty && m.factors.isEmpty && m.dummySpaces.isEmpty && m.distinct.isEmpty
  }

  /// The constant and random parts of `m` (scalars go with the constant part).
  func split(_ m: WickMonomial) -> (constant: WickMonomial, random: WickMonomial) {
    let components = WickComponents(m)
    var randomComponent = Array(repeating: false, count: components.count)
    var randomFactor = Array(repeating: false, count: m.factors.count)
    for (n, f) in m.factors.enumerated() where table.shapes[f.shape].family != nil {
      randomFactor[n] = true
      if components.factorComponent[n] >= 0 {
        randomComponent[components.factorComponent[n]] = true
      }
    }
    var constant = WickMonomial()
    var random = WickMonomial()
    constant.scalars = m.scalars
    // Dummies renumbered per part in order of their number.
    var renumber = Array(repeating: 0, count: m.dummySpaces.count)
    for (d, s) in m.dummySpaces.enumerated() {
      if randomComponent[components.dummyComponent[d]] {
        renumber[d] = random.dummySpaces.count
        random.dummySpaces.append(s)
      } else {
        renumber[d] = constant.dummySpaces.count
        constant.dummySpaces.append(s)
      }
    }
    func map(_ v: Int) -> Int { v >= 0 ? v : wickDummy(renumber[wickDummyNumber(v)]) }
    for (n, f) in m.factors.enumerated() {
      let c = components.factorComponent[n]
      let moved = WickFactor(shape: f.shape, slots: f.slots.map(map))
      if c >= 0 ? randomComponent[c] : randomFactor[n] {
        random.factors.append(moved)
      } else {
        constant.factors.append(moved)
      }
    }
    for (n, g) in m.distinct.enumerated() {
      let c = components.groupComponent[n]
      if c >= 0 && randomComponent[c] {
        random.distinct.append(g.map(map))
      } else {
        constant.distinct.append(g.map(map))
      }
    }
    return (constant, random)
  }

  /// E of a random part in canonical form, memoised; results in canonical form.
  mutating func expectRandom(_ r: WickMonomial) -> [WickTerm] {
    if let hit = memo[r] { return hit }
    var counts = Array(repeating: 0, count: table.familyHeads.count)
    var any = false
    for f in r.factors {
      if let fam = table.shapes[f.shape].family {
        counts[fam] += 1
        any = true
      }
    }
    let result: [WickTerm]
    if !any {
      result = [WickTerm(coefficient: .one, monomial: r)]
    } else if counts.contains(where: { $0 % 2 == 1 }) {
      result = []
    } else {
      let analysis = table.refinedColours(r)
      result =
        usesEnumeration(r, analysis.colours)
        ? enumerateLeaves(r) : mergeOrbits(r, analysis.graph, analysis.colours)
    }
    memo[r] = result
    return result
  }

  /// Orbit merging: pair the first random factor with each distinct partner.
  private mutating func mergeOrbits(
    _ r: WickMonomial, _ graph: SlotGraph, _ colours: [Int]
  ) -> [WickTerm] {
    guard let first = r.factors.firstIndex(where: { table.shapes[$0.shape].family != nil }) else {
      return [WickTerm(coefficient: .one, monomial: r)]
    }
    let family = table.shapes[r.factors[first].shape].family
    // Partners grouped into classes that an automorphism fixing `first` exchanges (one
    // representative per class, times the class size).
    let signatures = partnerSignatures(r, first: first, twins: graph.twinClasses(colours))
    var partners: [(position: Int, count: Int)] = []
    var seen: [[Int]: Int] = [:]
    for q in r.factors.indices
    where q != first && table.shapes[r.factors[q].shape].family == family {
      if let k = seen[signatures[q]] {
        partners[k].count += 1
      } else {
        seen[signatures[q]] = partners.count
        partners.append((q, 1))
      }
    }
    var accumulator = WickAccumulator()
    for (q, count) in partners {
      for sub in table.paired(r, first, q, coefficient: Rational(count)) {
        let (constant, random) = split(sub.monomial)
        for res in expectRandom(table.canonicalForm(random, cache: &pieces)) {
          let key = table.canonicalForm(constant.multiplied(by: res.monomial), cache: &pieces)
          accumulator.add(sub.coefficient * res.coefficient, key)
        }
      }
    }
    return accumulator.terms
  }

  /// For every factor of `r`, a signature such that two factors with equal signatures are
  /// exchanged by an automorphism of `r` that fixes the factor `first`: its shape, its free
  /// indices, the dummies it shares with `first`, the twin class (``SlotGraph/twinClasses(_:)``,
  /// without `first`'s dummies) of each other dummy, and which of its slots hold the same dummy.
  /// Permutations inside twin classes are automorphisms, and one maps a factor onto any other
  /// with the same signature.
  private func partnerSignatures(_ r: WickMonomial, first: Int, twins: [Int]) -> [[Int]] {
    let pinned = Set(r.factors[first].slots.filter { $0 < 0 }.map(wickDummyNumber))
    // A class's label: its smallest member outside `first`.
    var label: [Int: Int] = [:]
    for d in twins.indices where !pinned.contains(d) && label[twins[d]] == nil {
      label[twins[d]] = d
    }
    return r.factors.map { f in
      var signature = [f.shape]
      for (s, v) in f.slots.enumerated() {
        if v >= 0 {
          signature += [0, v]
        } else if pinned.contains(wickDummyNumber(v)) {
          signature += [1, wickDummyNumber(v)]
        } else {
          signature += [2, label[twins[wickDummyNumber(v)]] ?? -1]
        }
        signature.append(f.slots.firstIndex(of: v) ?? s)
      }
      return signature
    }
  }

  /// Leaf enumeration: every pairing, depth first; leaves canonicalised and merged.
  private func enumerateLeaves(_ r: WickMonomial) -> [WickTerm] {
    var enumerator = WickPairingEnumerator(table: table, monomial: r)
    return enumerator.run(table).terms
  }
}

/// Adds coefficients of equal monomials, keeping first-insertion order (never hashing order).
struct WickAccumulator {
  private var position: [WickMonomial: Int] = [:]
  private var monomials: [WickMonomial] = []
  private var coefficients: [Rational] = []

  mutating func add(_ c: Rational, _ m: WickMonomial) {
    if let k = position[m] {
      coefficients[k] += c
    } else {
      position[m] = monomials.count
      monomials.append(m)
      coefficients.append(c)
    }
  }

  /// The non-zero terms in first-insertion order.
  var terms: [WickTerm] {
    zip(coefficients, monomials).compactMap { c, m in
      c.isZero ? nil : WickTerm(coefficient: c, monomial: m)
    }
  }
}
