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

  /// **δ contraction and summing out** by the rules of ``Algebra/SlotDeltas`` (those of
  /// ``Expression/contractingDeltas()``): the δ factors of `m` and the extra `deltas` are
  /// contracted (a term whose constraint forbids an identification vanishes); δ's between free
  /// indices stay, written as a star from the class's first free index (δ_{ab}δ_{bc} and
  /// δ_{ab}δ_{ac} are the same product) with the class's other indices renamed to it, as
  /// ``Monomial/normalizingFreeDeltas()`` writes them; dummies left in no factor are summed out.
  func normalized(_ m: WickMonomial, coefficient: Rational, deltas extra: [(Int, Int)])
    -> [WickTerm]
  {
    if m.distinct.isEmpty, let t = normalizedWithoutGroups(m, coefficient: coefficient, extra) {
      return [t]
    }
    var deltas: [(Int, Int)] = []
    var factors: [WickFactor] = []
    factors.reserveCapacity(m.factors.count)
    for f in m.factors {
      if shapes[f.shape].isDelta {
        deltas.append((f.slots[0], f.slots[1]))
      } else {
        factors.append(f)
      }
    }
    deltas += extra
    var out = m
    if deltas.isEmpty {
      out.factors = factors
      return summingOut(WickTerm(coefficient: coefficient, monomial: out))
    }
    guard
      let c = SlotDeltas.contract(
        dummyCount: m.dummySpaces.count, deltas: deltas, groups: m.distinct)
    else { return [] }
    var kept: [(Int, Int)] = []
    for (n, d) in deltas.enumerated() where !c.removed[n] {
      kept.append((c.value(d.0), c.value(d.1)))
    }
    let star = SlotDeltas.freeDeltaStar(kept)
    func rep(_ v: Int) -> Int {
      let r = c.value(v)
      return r >= 0 ? star.representatives[r] ?? r : r
    }
    out.factors = factors.map { WickFactor(shape: $0.shape, slots: $0.slots.map(rep)) }
    for (r, x) in star.star { out.factors.append(WickFactor(shape: deltaShapeID, slots: [r, x])) }
    var groups: [[Int]] = []
    for g in m.distinct {
      let mapped = g.map(rep)
      if Set(mapped).count != mapped.count { return [] }
      groups.append(mapped)
    }
    out.distinct = groups
    let alive = (0..<m.dummySpaces.count).map { c.survives($0) }
    return summingOut(WickTerm(coefficient: coefficient, monomial: out), alive: alive)
  }

  /// ``normalized(_:coefficient:deltas:)`` of a monomial without constraint groups in one pass,
  /// or nil when two different free indices meet (a δ between them stays: the general path
  /// writes it). The same rules, hence the same term: a class of slot values joined by δ's
  /// becomes its free index, else its smallest dummy (which δ's are taken first does not matter);
  /// without groups nothing vanishes and every dummy left in no factor is summed out with
  /// multiplier 1, smallest first; the rest are numbered in order of first occurrence.
  private func normalizedWithoutGroups(
    _ m: WickMonomial, coefficient: Rational, _ extra: [(Int, Int)]
  ) -> WickTerm? {
    let k = m.dummySpaces.count
    // Union-find as in ``Algebra/SlotDeltas/contract``: a dummy's parent is a slot value.
    var parent = (0..<k).map(wickDummy)
    func root(_ v: Int) -> Int { WickSlotClasses.root(of: v, in: parent) }
    func join(_ a: Int, _ b: Int) -> Bool {
      let ra = root(a)
      let rb = root(b)
      if ra == rb { return true }
      if ra >= 0 && rb >= 0 { return false }
      let (gone, kept) =
        ra < 0 && rb < 0 ? (Swift.min(ra, rb), Swift.max(ra, rb)) : (ra < 0 ? (ra, rb) : (rb, ra))
      parent[wickDummyNumber(gone)] = kept
      return true
    }
    var out = WickMonomial()
    out.factors.reserveCapacity(m.factors.count)
    for f in m.factors {
      if shapes[f.shape].isDelta {
        if !join(f.slots[0], f.slots[1]) { return nil }
      } else {
        out.factors.append(f)
      }
    }
    for (a, b) in extra where !join(a, b) { return nil }
    if k == 0 {
      out.scalars = m.scalars
      return WickTerm(coefficient: coefficient, monomial: out)
    }
    // Dummies (roots) numbered in order of first occurrence.
    var renumber = Array(repeating: -1, count: k)
    out.dummySpaces.reserveCapacity(k)
    for n in out.factors.indices {
      out.factors[n].slots = out.factors[n].slots.map { v in
        let r = root(v)
        if r >= 0 { return r }
        let d = wickDummyNumber(r)
        if renumber[d] < 0 {
          renumber[d] = out.dummySpaces.count
          out.dummySpaces.append(m.dummySpaces[d])
        }
        return wickDummy(renumber[d])
      }
    }
    var scalars = m.scalars
    for d in 0..<k where renumber[d] < 0 && parent[d] == wickDummy(d) {
      scalars = WickPower.adding(scalars, symbol: spaceWidth[m.dummySpaces[d]], exponent: 1)
    }
    out.scalars = scalars
    return WickTerm(coefficient: coefficient, monomial: out)
  }

  /// Sums out the `alive` dummies that occur in no factor (``Algebra/SlotDeltas/summingOut``),
  /// drops the dead (contracted) and summed-out ones and renumbers the rest 0, 1, … in order of
  /// first occurrence.
  func summingOut(_ t: WickTerm, alive: [Bool]? = nil) -> [WickTerm] {
    let m = t.monomial
    let k = m.dummySpaces.count
    if k == 0 { return [t] }
    var inFactor = Array(repeating: false, count: k)
    for f in m.factors { for v in f.slots where v < 0 { inFactor[wickDummyNumber(v)] = true } }
    let summed = (0..<k).filter { alive?[$0] ?? true }.map(wickDummy)
    return SlotDeltas.summingOut(summed: summed, inFactor: inFactor, groups: m.distinct).map { s in
      var mono = m
      for d in s.summedOut {
        mono.scalars = WickPower.adding(
          mono.scalars, symbol: spaceWidth[m.dummySpaces[wickDummyNumber(d)]], exponent: 1)
      }
      mono.distinct = s.groups
      let coefficient = s.multiplier == 1 ? t.coefficient : t.coefficient * Rational(s.multiplier)
      return WickTerm(coefficient: coefficient, monomial: compacted(mono))
    }
  }

  /// Drops dummies that occur nowhere and renumbers the rest in order of first occurrence.
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
