import Rational

extension Expression {
  /// **Pass: δ contraction.** Expands, then in every term
  /// - δ_{aa} → 1;
  /// - δ_{ab} with b summed: b is replaced by a everywhere and no longer summed (and with a also
  ///   summed, the smaller index survives); if a and b are constrained distinct the term is 0;
  /// - a summed index left in no factor is summed out: Σ_j 1 = n_j, and for j constrained
  ///   distinct from m other indices (one constraint group), Σ_j 1 = n_j − m.
  /// δ's of two free indices stay. The rules are implemented once, on slot values, by
  /// ``SlotDeltas`` (which the Wick engine uses too).
  public func contractingDeltas() -> Expression {
    var out: [Term] = []
    for t in expanded().terms { out.append(contentsOf: t.contractingDeltas()) }
    let result = Expression(out)
    assert(result.hasContractedDeltas, "contractingDeltas: a δ is left to contract")
    return result
  }
}

extension Term {
  /// The terms of `self` with δ's contracted and unused dummies summed out (the rules of
  /// ``SlotDeltas``); empty when a constraint makes the term vanish.
  func contractingDeltas() -> [Term] {
    let m = monomial
    // Slot values: dummies numbered in index order, free indices by first occurrence.
    let dummies = Array(Set(m.summed)).sorted()
    var dummyNumber: [Index: Int] = [:]
    dummyNumber.reserveCapacity(dummies.count)
    for (d, i) in dummies.enumerated() { dummyNumber[i] = d }
    var frees: [Index] = []
    var freeCode: [Index: Int] = [:]
    func value(_ i: Index) -> Int {
      if let d = dummyNumber[i] { return SlotGraph.slotValue(ofVertex: d) }
      if let c = freeCode[i] { return c }
      freeCode[i] = frees.count
      frees.append(i)
      return frees.count - 1
    }
    func index(_ v: Int) -> Index { v >= 0 ? frees[v] : dummies[SlotGraph.vertex(v)] }

    var deltas: [(Int, Int)] = []
    for f in m.factors {
      if case .delta(let a, let b) = f { deltas.append((value(a), value(b))) }
    }
    var groups = m.distinct.map { $0.map(value) }
    guard
      let c = SlotDeltas.contract(dummyCount: dummies.count, deltas: deltas, groups: groups)
    else { return [] }

    // The contracted monomial: contracted δ's dropped, the other factors renamed in place.
    var contracted = m
    var summed = m.summed.map(value)
    if !deltas.isEmpty {
      var factors: [Factor] = []
      factors.reserveCapacity(m.factors.count)
      var n = 0
      for f in m.factors {
        if case .delta = f {
          n += 1
          if c.removed[n - 1] { continue }
        }
        factors.append(
          c.identifiedAny ? f.withSlots(f.slots.map { index(c.value(value($0))) }) : f)
      }
      contracted.factors = factors
    }
    if c.identifiedAny {
      summed = summed.filter { c.survives(SlotGraph.vertex($0)) }.sorted(by: >)
      groups = groups.map { g in
        var seen: [Int] = []
        for v in g.map(c.value) where !seen.contains(v) { seen.append(v) }
        return seen
      }.filter { $0.count >= 2 }
    }
    var inFactor = Array(repeating: false, count: dummies.count)
    for f in contracted.factors {
      for i in f.slots {
        if let d = dummyNumber[i], c.survives(d) { inFactor[d] = true }
      }
    }
    return SlotDeltas.summingOut(summed: summed, inFactor: inFactor, groups: groups).map { t in
      var r = contracted
      if !t.summedOut.isEmpty {
        r.scalars = mergeScalars(
          r.scalars + t.summedOut.map { SymbolPower(index($0).space.dimension, 1) })
      }
      r.summed = t.summed.map(index)
      r.distinct = t.groups.map { g in
        let members = g.map(index)
        return c.identifiedAny ? members.sorted() : members
      }
      return Term(t.multiplier == 1 ? coefficient : coefficient * Rational(t.multiplier), r)
    }
  }
}

extension Monomial {
  /// Rewrites the δ's between free indices of a monomial as a star from the smallest index of
  /// each class and renames the other members of the class to it in every other factor and
  /// constraint (δ_{ab} x_b = δ_{ab} x_a, δ_{ab}δ_{bc} = δ_{ab}δ_{ac}, δ_{ab}δ_{ab} = δ_{ab}).
  ///
  /// ``Expression/contractingDeltas()`` keeps δ's of free indices as they come, so the same
  /// product can leave it in different arrangements depending on the order of contraction; this
  /// pass makes the result independent of that order, which is what lets the Wick strategies
  /// agree term by term.
  public func normalizingFreeDeltas() -> Monomial {
    let summed = Set(self.summed)
    var pairs: [(Index, Index)] = []
    var others: [Factor] = []
    for f in factors {
      if case .delta(let a, let b) = f, !summed.contains(a), !summed.contains(b) {
        pairs.append((a, b))
      } else {
        others.append(f)
      }
    }
    if pairs.isEmpty { return self }
    // Codes in index order, so that the star's centre is the smallest index of its class.
    let members = Array(Set(pairs.flatMap { [$0.0, $0.1] })).sorted()
    var code: [Index: Int] = [:]
    for (c, i) in members.enumerated() { code[i] = c }
    let star = SlotDeltas.freeDeltaStar(pairs.map { (code[$0.0] ?? 0, code[$0.1] ?? 0) })
    var map: [Index: Index] = [:]
    for (c, r) in star.representatives where c != r { map[members[c]] = members[r] }
    return replacingFactors(with: others).renamed(map)
      .appendingFactors(star.star.map { .delta(members[$0.0], members[$0.1]) })
  }
}
