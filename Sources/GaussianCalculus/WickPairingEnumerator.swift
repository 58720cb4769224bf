import Algebra
import Rational

/// Depth-first enumeration of all pairings of the random factors of a monomial (Isserlis), used
/// by ``WickEngine``'s leaf enumeration.
///
/// The covariance of every admissible pair is instantiated once up front; a pairing is a stack of
/// (pair, covariance term) choices, and nothing is materialised before a leaf. At a leaf the δ's
/// are contracted by a union-find over the dummies. In the common case — every factor ends up
/// without dummies, no constraints, no δ between two free indices — the leaf is just a sorted
/// list of interned factor ids plus a vector of exponents (every dummy class left is summed
/// out: one power of its width), and leaves are merged on that integer key. Any other leaf is
/// built as a ``WickMonomial`` and goes through ``WickTable/normalized(_:coefficient:deltas:)``
/// and ``WickTable/canonicalForm(_:)``, exactly as in orbit merging.
struct WickPairingEnumerator {
  /// One covariance term instantiated for a pair: slots resolved to the monomial's indices;
  /// internal dummies encoded as `−1 − (k + d)` with k the monomial's dummy count (shifted when
  /// the leaf is built).
  struct Instance {
    var coefficient: Rational
    var scalars: [WickPower]
    var factors: [WickFactor]
    var deltas: [(Int, Int)]
    var distinct: [[Int]]
    var internalSpaces: [Int]
    /// Interned ids of the factors without dummies, and the factors with dummies.
    var atoms: [Int] = []
    var dummyFactors: [WickFactor] = []
    /// Whether a leaf using this instance must take the general path.
    var general: Bool { !internalSpaces.isEmpty || !distinct.isEmpty }
  }

  private let base: WickMonomial
  private let random: [WickFactor]
  private let family: [Int]
  /// All instances; those of the pair (a, b), a < b, are `pairInstances[a * count + b]`.
  private var instances: [Instance] = []
  private var pairInstances: [Range<Int>]
  /// Flat copies for the common leaf path: per instance, its δ's (pairs of slot values), atoms
  /// and scalar powers (symbol, exponent) in `…[start[i]..<start[i + 1]]`.
  private var flatDeltas: [Int] = []
  private var deltaStart: [Int] = [0]
  private var flatAtoms: [Int] = []
  private var atomStart: [Int] = [0]
  private var flatScalars: [Int] = []
  private var scalarStart: [Int] = [0]
  private var hasDummyFactors: [Bool] = []
  private let dummyCount: Int
  private let dummyWidth: [Int]
  private let symbolCount: Int

  // Interned factors without dummies (canonical slots).
  private var atomOf: [WickFactor: Int] = [:]
  private var atomFactors: [WickFactor] = []
  private let symmetries: [SlotSymmetry]
  private var baseAtoms: [Int] = []
  private var baseDummyFactors: [WickFactor] = []

  init(table: WickTable, monomial m: WickMonomial) {
    symmetries = table.shapes.map(\.symmetry)
    var constant = m
    constant.factors = []
    var random: [WickFactor] = []
    var family: [Int] = []
    for f in m.factors {
      if let fam = table.shapes[f.shape].family {
        random.append(f)
        family.append(fam)
      } else {
        constant.factors.append(f)
      }
    }
    base = constant
    self.random = random
    self.family = family
    let k = m.dummySpaces.count
    dummyCount = k
    dummyWidth = m.dummySpaces.map { table.spaceWidth[$0] }
    symbolCount = table.symbols.count
    pairInstances = Array(repeating: 0..<0, count: random.count * random.count)
    for f in constant.factors {
      if f.slots.contains(where: { $0 < 0 }) {
        baseDummyFactors.append(f)
      } else {
        baseAtoms.append(atom(f))
      }
    }
    for a in random.indices {
      for b in random.indices where b > a && family[b] == family[a] {
        let made = table.covariances[family[a]].map { term in
          func value(_ s: WickCovarianceSlot) -> Int {
            switch s {
            case .first(let i): return random[a].slots[i]
            case .second(let i): return random[b].slots[i]
            case .free(let id): return id
            case .internal(let d): return wickDummy(k + d)
            }
          }
          var instance = Instance(
            coefficient: term.coefficient, scalars: term.scalars,
            factors: term.factors.map { WickFactor(shape: $0.shape, slots: $0.slots.map(value)) },
            deltas: term.deltas.map { (value($0.0), value($0.1)) },
            distinct: term.distinct.map { $0.map(value) }, internalSpaces: term.internalSpaces)
          for f in instance.factors {
            if f.slots.contains(where: { $0 < 0 }) {
              instance.dummyFactors.append(f)
            } else {
              instance.atoms.append(atom(f))
            }
          }
          return instance
        }
        pairInstances[a * random.count + b] = instances.count..<(instances.count + made.count)
        for instance in made {
          instances.append(instance)
          for (x, y) in instance.deltas { flatDeltas += [x, y] }
          deltaStart.append(flatDeltas.count)
          flatAtoms += instance.atoms
          atomStart.append(flatAtoms.count)
          for p in instance.scalars { flatScalars += [p.symbol, p.exponent] }
          scalarStart.append(flatScalars.count)
          hasDummyFactors.append(!instance.dummyFactors.isEmpty)
        }
      }
    }
  }

  private mutating func atom(_ f: WickFactor) -> Int {
    let c = f.canonicalSlots(symmetries[f.shape])
    if let id = atomOf[c] { return id }
    atomOf[c] = atomFactors.count
    atomFactors.append(c)
    return atomFactors.count - 1
  }

  // Search state.
  private var used: [Bool] = []
  private var chosen: [Int] = []
  private var parent: [Int] = []
  private var leafAtoms: [Int] = []
  private var exponents: [Int] = []
  private var key: [Int] = []
  private var fastKeys: [[Int]: Int] = [:]
  private var fastOrder: [[Int]] = []
  private var fastCoefficients: [Rational] = []
  private var general = WickAccumulator()
  private var pieces = WickPieceCache()

  /// E of the monomial: all pairings, leaves merged.
  mutating func run(_ table: WickTable) -> WickEnumeration {
    used = Array(repeating: false, count: random.count)
    chosen.reserveCapacity(random.count / 2)
    parent = Array(repeating: 0, count: dummyCount)
    exponents = Array(repeating: 0, count: symbolCount)
    // Expected number of leaves (one covariance term per pair): Π (c − 1)!! over families.
    var leaves = 1
    var counts: [Int: Int] = [:]
    for f in family { counts[f, default: 0] += 1 }
    for (_, c) in counts {
      for k in stride(from: c - 1, to: 0, by: -2) { leaves = Swift.min(leaves * k, 1 << 21) }
    }
    fastKeys.reserveCapacity(leaves)
    fastOrder.reserveCapacity(leaves)
    fastCoefficients.reserveCapacity(leaves)
    recurse(.one, !base.distinct.isEmpty, table)
    return WickEnumeration(
      general: general.terms, atoms: atomFactors, symbolCount: symbolCount, keys: fastOrder,
      coefficients: fastCoefficients)
  }

  private mutating func recurse(_ coefficient: Rational, _ needsGeneral: Bool, _ table: WickTable) {
    guard let a = used.firstIndex(of: false) else {
      if !needsGeneral && fastKey() {
        var isNew = false
        let count = fastOrder.count
        func slot(_ v: inout Int) -> Int {
          if v < 0 {
            v = count
            isNew = true
          }
          return v
        }
        let k = slot(&fastKeys[key, default: -1])
        if isNew {
          fastOrder.append(key)
          fastCoefficients.append(coefficient)
        } else {
          fastCoefficients[k] += coefficient
        }
      } else {
        generalLeaf(coefficient, table)
      }
      return
    }
    used[a] = true
    for b in (a + 1)..<Swift.max(a + 1, random.count) where !used[b] && family[b] == family[a] {
      used[b] = true
      for t in pairInstances[a * random.count + b] {
        chosen.append(t)
        let c = instances[t].coefficient
        recurse(
          c.isOne ? coefficient : coefficient * c, needsGeneral || instances[t].general, table)
        chosen.removeLast()
      }
      used[b] = false
    }
    used[a] = false
  }

  private func find(_ v: Int) -> Int { WickSlotClasses.root(of: v, in: parent) }

  /// Builds the integer key of the current leaf in `key`; false when some factor keeps a dummy
  /// or two free indices are identified (then the leaf takes the general path).
  private mutating func fastKey() -> Bool {
    for d in 0..<dummyCount { parent[d] = wickDummy(d) }
    for t in chosen {
      var q = deltaStart[t]
      while q < deltaStart[t + 1] {
        let identifiesFrees =
          WickSlotClasses.join(flatDeltas[q], flatDeltas[q + 1], in: &parent) != nil
        q += 2
        if identifiesFrees { return false }
      }
    }
    leafAtoms.removeAll(keepingCapacity: true)
    leafAtoms += baseAtoms
    for s in 0..<symbolCount { exponents[s] = 0 }
    for p in base.scalars { exponents[p.symbol] += p.exponent }
    for f in baseDummyFactors where !addResolved(f) { return false }
    for t in chosen {
      for q in atomStart[t]..<atomStart[t + 1] { leafAtoms.append(flatAtoms[q]) }
      var q = scalarStart[t]
      while q < scalarStart[t + 1] {
        exponents[flatScalars[q]] += flatScalars[q + 1]
        q += 2
      }
      if hasDummyFactors[t] {
        for f in instances[t].dummyFactors where !addResolved(f) { return false }
      }
    }
    // No factor has a dummy left: every remaining class is summed out.
    for d in 0..<dummyCount where parent[d] == wickDummy(d) { exponents[dummyWidth[d]] += 1 }
    leafAtoms.sort()
    key.removeAll(keepingCapacity: true)
    key += exponents
    key += leafAtoms
    return true
  }

  /// Adds the atom of `f` with its dummies resolved; false if a dummy remains.
  private mutating func addResolved(_ f: WickFactor) -> Bool {
    let slots = f.slots.map { $0 < 0 ? find($0) : $0 }
    if slots.contains(where: { $0 < 0 }) { return false }
    leafAtoms.append(atom(WickFactor(shape: f.shape, slots: slots)))
    return true
  }

  private mutating func generalLeaf(_ coefficient: Rational, _ table: WickTable) {
    var m = base
    var deltas: [(Int, Int)] = []
    let k = dummyCount
    for t in chosen {
      let instance = instances[t]
      m.scalars = WickPower.merge(m.scalars, instance.scalars)
      let shift = m.dummySpaces.count - k
      func move(_ v: Int) -> Int { v < -k ? v - shift : v }
      m.dummySpaces += instance.internalSpaces
      for f in instance.factors {
        m.factors.append(WickFactor(shape: f.shape, slots: f.slots.map(move)))
      }
      for g in instance.distinct { m.distinct.append(g.map(move)) }
      for (x, y) in instance.deltas { deltas.append((move(x), move(y))) }
    }
    for t in table.normalized(m, coefficient: coefficient, deltas: deltas) {
      general.add(t.coefficient, table.canonicalForm(t.monomial, cache: &pieces))
    }
  }
}

/// The result of a leaf enumeration: general leaves as terms, and the common leaves in compact
/// form — an exponent vector over the table's first `symbolCount` symbols followed by the sorted
/// ids of the leaf's factors in `atoms` (canonical slots, no dummies).
struct WickEnumeration {
  var general: [WickTerm]
  var atoms: [WickFactor]
  var symbolCount: Int
  var keys: [[Int]]
  var coefficients: [Rational]

  /// All leaves as terms in internal canonical form.
  var terms: [WickTerm] {
    var out = general
    for (key, c) in zip(keys, coefficients) where !c.isZero {
      var m = WickMonomial()
      for s in 0..<symbolCount where key[s] != 0 {
        m.scalars.append(WickPower(symbol: s, exponent: key[s]))
      }
      m.factors = key[symbolCount...].map { atoms[$0] }.sorted(by: WickFactor.precedes)
      out.append(WickTerm(coefficient: c, monomial: m))
    }
    return out
  }
}
