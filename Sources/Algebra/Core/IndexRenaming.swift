extension Monomial {
  /// Every index mentioned by the monomial: slots of the factors (free indices of parenthesised
  /// factors), summed indices and constraint members.
  var allIndices: [Index] {
    slotIndices + summed + distinct.flatMap { $0 }
  }

  /// Every index mentioned by the monomial (slots, summed indices, constraint members), with
  /// repetitions.
  public var mentionedIndices: [Index] { allIndices }

  /// The largest dummy number used anywhere (including inside parenthesised factors), or −1.
  public var maxDummyNumber: Int {
    var m = -1
    func visit(_ i: Index) { if case .dummy(let k) = i.label, k > m { m = k } }
    for i in summed { visit(i) }
    for f in factors {
      if case .parenthesized(let e) = f {
        for t in e.terms { m = Swift.max(m, t.monomial.maxDummyNumber) }
      } else {
        for i in f.slots { visit(i) }
      }
    }
    return m
  }

  /// The monomial with indices replaced according to `map` (indices not in the map are kept).
  ///
  /// Inside parenthesised factors only free indices are renamed; their local dummies are first
  /// moved out of the way of the map's targets.
  public func renamed(_ map: [Index: Index]) -> Monomial {
    if map.isEmpty { return self }
    func r(_ i: Index) -> Index { map[i] ?? i }
    var m = self
    m.factors = factors.map { f in
      if case .parenthesized(let e) = f {
        return .parenthesized(e.renamingFreeIndices(map))
      }
      return f.withSlots(f.slots.map(r))
    }
    m.summed = summed.map(r).sorted()
    m.distinct = distinct.map { $0.map(r).sorted() }
    return m
  }
}

extension Expression {
  /// Renames free indices by `map`; dummies of each term that would collide with a target of
  /// the map are first renamed to fresh dummy numbers.
  public func renamingFreeIndices(_ map: [Index: Index]) -> Expression {
    if map.isEmpty { return self }
    let targets = Set(map.values)
    var next =
      Swift.max(
        terms.map { $0.monomial.maxDummyNumber }.max() ?? -1,
        targets.compactMap { i -> Int? in
          if case .dummy(let k) = i.label { return k }
          return nil
        }.max() ?? -1) + 1
    return Expression(
      terms.map { t in
        var m = t.monomial
        var local: [Index: Index] = [:]
        for s in m.summed where targets.contains(s) || map[s] != nil {
          local[s] = Index(s.space, .dummy(next))
          next += 1
        }
        m = m.renamed(local)
        var outer = map
        for s in m.summed { outer[s] = nil }
        return Term(t.coefficient, m.renamed(outer))
      })
  }
}

extension Term {
  /// The term with every summed index that belongs to `indices` renamed to a fresh dummy (beyond
  /// every dummy number used by the term or by `indices`), so that `indices` can be used as free
  /// indices next to it (e.g. the variable of a derivative).
  public func renamingDummiesApart(from indices: [Index]) -> Term {
    let avoid = Set(indices)
    guard monomial.summed.contains(where: { avoid.contains($0) }) else { return self }
    var next = monomial.maxDummyNumber + 1
    for i in indices {
      if case .dummy(let k) = i.label { next = Swift.max(next, k + 1) }
    }
    var map: [Index: Index] = [:]
    for s in monomial.summed where avoid.contains(s) {
      map[s] = Index(s.space, .dummy(next))
      next += 1
    }
    return Term(coefficient, monomial.renamed(map))
  }
}
