import Algebra
import Rational

extension WickTable {
  /// The terms of `m` with factors `p` and `q` (components of one family) replaced by their
  /// covariance, δ's contracted and unused dummies summed out.
  func paired(_ m: WickMonomial, _ p: Int, _ q: Int, coefficient: Rational) -> [WickTerm] {
    let first = m.factors[p]
    let second = m.factors[q]
    guard let fam = shapes[first.shape].family else { return [] }
    var base = m
    base.factors.remove(at: Swift.max(p, q))
    base.factors.remove(at: Swift.min(p, q))
    var out: [WickTerm] = []
    for term in covariances[fam] {
      var sub = base
      let offset = sub.dummySpaces.count
      sub.dummySpaces += term.internalSpaces
      sub.scalars = WickPower.merge(sub.scalars, term.scalars)
      func value(_ s: WickCovarianceSlot) -> Int {
        switch s {
        case .first(let k): return first.slots[k]
        case .second(let k): return second.slots[k]
        case .free(let id): return id
        case .internal(let d): return wickDummy(offset + d)
        }
      }
      for f in term.factors {
        sub.factors.append(WickFactor(shape: f.shape, slots: f.slots.map(value)))
      }
      for g in term.distinct { sub.distinct.append(g.map(value)) }
      let deltas = term.deltas.map { (value($0.0), value($0.1)) }
      out += normalized(sub, coefficient: coefficient * term.coefficient, deltas: deltas)
    }
    return out
  }

  /// **δ contraction and summing out**, as ``Expression/contractingDeltas()`` does it: the δ
  /// factors of `m` and the extra `deltas` are contracted (a dummy is replaced by the other
  /// index; a term whose constraint forbids the identification vanishes); δ's between free
  /// indices stay, written as a star from the class's first free index (δ_{ab}δ_{bc} and
  /// δ_{ab}δ_{ac} are the same product); dummies left in no factor are summed out
  /// (Σ_j 1 = n, or n − m next to m constrained-distinct partners).
  func normalized(_ m: WickMonomial, coefficient: Rational, deltas extra: [(Int, Int)])
    -> [WickTerm]
  {
    var deltas = extra
    var factors: [WickFactor] = []
    factors.reserveCapacity(m.factors.count)
    for f in m.factors {
      if shapes[f.shape].isDelta {
        deltas.append((f.slots[0], f.slots[1]))
      } else {
        factors.append(f)
      }
    }
    let k = m.dummySpaces.count
    if deltas.isEmpty {
      var out = m
      out.factors = factors
      return summingOut(WickTerm(coefficient: coefficient, monomial: out))
    }
    // Union-find: a dummy's parent is a slot value (itself when it is a root); frees are roots.
    var parent = (0..<k).map { wickDummy($0) }
    func find(_ v: Int) -> Int { WickSlotClasses.root(of: v, in: parent) }
    var freePairs: [(Int, Int)] = []
    for (x, y) in deltas {
      if let frees = WickSlotClasses.join(x, y, in: &parent) { freePairs.append(frees) }
    }
    // Classes of free indices joined by δ's: represented by their smallest id.
    var freeParent: [Int: Int] = [:]
    func freeFind(_ v: Int) -> Int {
      var v = v
      while let p = freeParent[v], p != v { v = p }
      return v
    }
    for (a, b) in freePairs {
      let ra = freeFind(a)
      let rb = freeFind(b)
      if ra != rb { freeParent[Swift.max(ra, rb)] = Swift.min(ra, rb) }
    }
    func rep(_ v: Int) -> Int {
      let r = find(v)
      return r >= 0 && !freeParent.isEmpty ? freeFind(r) : r
    }
    var out = m
    out.factors = factors.map { WickFactor(shape: $0.shape, slots: $0.slots.map(rep)) }
    if !freeParent.isEmpty {
      for v in freeParent.keys.sorted() where freeFind(v) != v {
        out.factors.append(WickFactor(shape: deltaShapeID, slots: [freeFind(v), v]))
      }
    }
    var groups: [[Int]] = []
    for g in m.distinct {
      let mapped = g.map(rep)
      if Set(mapped).count != mapped.count { return [] }
      groups.append(mapped)
    }
    out.distinct = groups
    let alive = (0..<k).map { find(wickDummy($0)) == wickDummy($0) }
    return summingOut(WickTerm(coefficient: coefficient, monomial: out), alive: alive)
  }

  /// Sums out the `alive` dummies that occur in no factor (as
  /// ``Expression/contractingDeltas()`` does: n, or n − m next to m constrained-distinct
  /// partners; a dummy in several constraints stays), drops the dead (contracted) ones and
  /// renumbers the rest 0, 1, … in order of first occurrence.
  func summingOut(_ t: WickTerm, alive: [Bool]? = nil) -> [WickTerm] {
    let m = t.monomial
    let k = m.dummySpaces.count
    if k == 0 { return [t] }
    var inFactor = Array(repeating: false, count: k)
    for f in m.factors { for v in f.slots where v < 0 { inFactor[wickDummyNumber(v)] = true } }
    return summingOut(t, inFactor: inFactor, alive: alive ?? Array(repeating: true, count: k))
  }

  private func summingOut(_ t: WickTerm, inFactor: [Bool], alive: [Bool]) -> [WickTerm] {
    let k = t.monomial.dummySpaces.count
    var results: [WickTerm] = []
    var work: [(WickTerm, [Bool])] = [(t, alive)]
    while let (term, alive) = work.popLast() {
      var mono = term.monomial
      var groupCount = Array(repeating: 0, count: k)
      for g in mono.distinct { for v in g where v < 0 { groupCount[wickDummyNumber(v)] += 1 } }
      guard let j = (0..<k).first(where: { alive[$0] && !inFactor[$0] && groupCount[$0] <= 1 })
      else {
        results.append(WickTerm(coefficient: term.coefficient, monomial: compacted(mono)))
        continue
      }
      var nextAlive = alive
      nextAlive[j] = false
      var others = 0
      if let g = mono.distinct.firstIndex(where: { $0.contains(wickDummy(j)) }) {
        others = mono.distinct[g].count - 1
        mono.distinct[g].removeAll { $0 == wickDummy(j) }
        if mono.distinct[g].count < 2 { mono.distinct.remove(at: g) }
      }
      var withN = mono
      withN.scalars = WickPower.adding(
        mono.scalars, symbol: spaceWidth[mono.dummySpaces[j]], exponent: 1)
      if others > 0 {
        work.append(
          (WickTerm(coefficient: term.coefficient * Rational(-others), monomial: mono), nextAlive))
      }
      work.append((WickTerm(coefficient: term.coefficient, monomial: withN), nextAlive))
    }
    return results
  }

  /// Drops dead dummies and renumbers the rest in order of first occurrence.
  private func compacted(_ m: WickMonomial) -> WickMonomial {
    var renumber = Array(repeating: -1, count: m.dummySpaces.count)
    var spaces: [Int] = []
    func map(_ v: Int) -> Int {
      if v >= 0 { return v }
      let d = wickDummyNumber(v)
      if renumber[d] < 0 {
        renumber[d] = spaces.count
        spaces.append(m.dummySpaces[d])
      }
      return wickDummy(renumber[d])
    }
    var out = m
    out.factors = m.factors.map { WickFactor(shape: $0.shape, slots: $0.slots.map(map)) }
    // Unused dummies kept because of several constraints are numbered here.
    out.distinct = m.distinct.map { $0.map(map) }
    out.dummySpaces = spaces
    return out
  }
}
