import Rational

extension Expression {
  /// **Pass: δ contraction.** Expands, then in every term
  /// - δ_{aa} → 1;
  /// - δ_{ab} with b summed: b is replaced by a everywhere and no longer summed (and with a also
  ///   summed, the smaller index survives); if a and b are constrained distinct the term is 0;
  /// - a summed index left in no factor is summed out: Σ_j 1 = n_j, and for j constrained
  ///   distinct from m other indices (one constraint group), Σ_j 1 = n_j − m.
  /// δ's of two free indices stay.
  public func contractingDeltas() -> Expression {
    var out: [Term] = []
    for t in expanded().terms {
      guard let c = t.contractedDeltas() else { continue }
      out.append(contentsOf: c.summingOutUnusedDummies())
    }
    let result = Expression(out)
    assert(result.hasContractedDeltas, "contractingDeltas: a δ is left to contract")
    return result
  }
}

extension Term {
  /// The term with δ's contracted, or nil if a constraint makes it vanish.
  func contractedDeltas() -> Term? {
    var m = monomial
    var changed = true
    while changed {
      changed = false
      for (n, f) in m.factors.enumerated() {
        guard case .delta(let a, let b) = f else { continue }
        if a == b {
          m.factors.remove(at: n)
          changed = true
          break
        }
        let aSummed = m.summed.contains(a)
        let bSummed = m.summed.contains(b)
        if !aSummed && !bSummed { continue }
        // Replace `gone` by `kept`.
        let (gone, kept): (Index, Index) =
          (aSummed && bSummed) ? (Swift.max(a, b), Swift.min(a, b)) : (bSummed ? (b, a) : (a, b))
        if m.distinct.contains(where: { $0.contains(gone) && $0.contains(kept) }) { return nil }
        m.factors.remove(at: n)
        m.summed.removeAll { $0 == gone }
        m = m.renamed([gone: kept])
        m.distinct = m.distinct.map { Array(Set($0)).sorted() }.filter { $0.count >= 2 }
        changed = true
        break
      }
    }
    return Term(coefficient, m)
  }

  /// Sums out dummies that occur in no factor.
  func summingOutUnusedDummies() -> [Term] {
    var results = [self]
    var progress = true
    while progress {
      progress = false
      var next: [Term] = []
      for t in results {
        let used = Set(t.monomial.slotIndices)
        guard
          let j = t.monomial.summed.first(where: { s in
            !used.contains(s) && t.monomial.distinct.filter { $0.contains(s) }.count <= 1
          })
        else {
          next.append(t)
          continue
        }
        progress = true
        var m = t.monomial
        m.summed.removeAll { $0 == j }
        var others = 0
        if let g = m.distinct.firstIndex(where: { $0.contains(j) }) {
          others = m.distinct[g].count - 1
          m.distinct[g].removeAll { $0 == j }
          if m.distinct[g].count < 2 { m.distinct.remove(at: g) }
        }
        var withN = m
        withN.scalars = mergeScalars(m.scalars + [SymbolPower(j.space.dimension, 1)])
        next.append(Term(t.coefficient, withN))
        if others > 0 { next.append(Term(t.coefficient * Rational(-others), m)) }
      }
      results = next
    }
    return results
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
    let m = self
    let summed = Set(m.summed)
    var pairs: [(Index, Index)] = []
    var others: [Factor] = []
    for f in m.factors {
      if case .delta(let a, let b) = f, !summed.contains(a), !summed.contains(b) {
        pairs.append((a, b))
      } else {
        others.append(f)
      }
    }
    if pairs.isEmpty { return m }
    var parent: [Index: Index] = [:]
    func find(_ x: Index) -> Index {
      var x = x
      while let p = parent[x], p != x { x = p }
      return x
    }
    for (a, b) in pairs {
      parent[a] = parent[a] ?? a
      parent[b] = parent[b] ?? b
      let ra = find(a)
      let rb = find(b)
      if ra != rb { parent[Swift.max(ra, rb)] = Swift.min(ra, rb) }
    }
    var map: [Index: Index] = [:]
    var deltas: [Factor] = []
    for x in parent.keys.sorted() where find(x) != x {
      map[x] = find(x)
      deltas.append(.delta(find(x), x))
    }
    return m.replacingFactors(with: others).renamed(map).appendingFactors(deltas)
  }
}
