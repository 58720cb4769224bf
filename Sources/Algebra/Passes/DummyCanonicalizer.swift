/// Deterministic canonical relabelling of summed (dummy) indices.
///
/// **Contract.** For an expanded monomial (no parenthesised factors) the result is the same for
/// every renaming of its dummies and every rearrangement of slots allowed by the declared
/// symmetries of its factors, and it never depends on hashing order.
///
/// **Method.** The canonical form is the smallest (by ``Factor`` order) sorted factor list over a
/// set of candidate labellings that is itself invariant under relabelling:
/// 1. every dummy gets a *colour*: its index space and the multiset of (factor shape, slot
///    class) where it occurs, refined by the colours of the dummies it shares factors with
///    (1-dimensional Weisfeiler–Leman) until stable; colours are ranks of sorted keys, never
///    hashes;
/// 2. *individualisation–refinement*: while a colour class has several members, each member in
///    turn is made the first of its class and the colouring refined again (the class chosen is
///    the first by colour, an invariant choice); every branch ends in an ordering of all
///    dummies;
/// 3. *twins* — dummies whose exchange is an automorphism of the monomial — give identical
///    branches, so only one per twin class is explored;
/// 4. each ordering labels the dummies `.dummy(0)`, `.dummy(1)`, … per space; the factors are
///    put in canonical slot order and sorted; the smallest result wins.
///
/// Cost: the number of leaves of the search — 1 for most monomials met in derivations, about 2k
/// for a ring of k interchangeable dummies (instead of k!).
public enum DummyCanonicalizer {
  /// The canonical form of `monomial`. Precondition: no parenthesised factors.
  public static func canonicalize(_ monomial: Monomial) -> Monomial {
    var m = monomial
    m.scalars = mergeScalars(m.scalars)
    precondition(
      !m.factors.contains { if case .parenthesized = $0 { return true } else { return false } },
      "canonicalize requires an expanded monomial")
    let dummies = Array(Set(m.summed)).sorted()
    if dummies.isEmpty {
      m.factors = m.factors.map { $0.canonicalSlots() }.sorted()
      m.summed = []
      // Groups may remain among free indices (δ contraction binds a constrained dummy to a free
      // index: Σ_{j≠k} δ_{jl} δ_{km} = [l ≠ m]); they are part of the term's value.
      m.distinct = m.distinct.map { $0.sorted() }.sorted { $0.lexicographicallyPrecedes($1) }
      return m
    }
    // Dummy numbers already carried by free indices (e.g. a factor taken out of a canonical
    // term) are skipped, so that no free index is captured by a relabelled dummy.
    let dummySet = Set(dummies)
    var reserved: [IndexSpace: Set<Int>] = [:]
    for i in m.slotIndices + m.distinct.flatMap({ $0 }) where !dummySet.contains(i) {
      if case .dummy(let k) = i.label { reserved[i.space, default: []].insert(k) }
    }
    let candidates = candidateOrderings(m, dummies: dummies)
    var best: Monomial? = nil
    for ordering in candidates {
      let labelled = relabel(m, ordering: ordering, reserved: reserved)
      if let b = best {
        if isSmaller(labelled, than: b) { best = labelled }
      } else {
        best = labelled
      }
    }
    // `candidates` is never empty: there is at least one ordering.
    return best ?? relabel(m, ordering: dummies, reserved: reserved)
  }

  // MARK: Labelling

  static func relabel(
    _ m: Monomial, ordering: [Index], reserved: [IndexSpace: Set<Int>] = [:]
  ) -> Monomial {
    var counters: [IndexSpace: Int] = [:]
    var map: [Index: Index] = [:]
    map.reserveCapacity(ordering.count)
    for d in ordering {
      var k = counters[d.space, default: 0]
      if let taken = reserved[d.space] { while taken.contains(k) { k += 1 } }
      counters[d.space] = k + 1
      map[d] = Index(d.space, .dummy(k))
    }
    var out = m
    out.factors = m.factors.map { f in f.withSlots(f.slots.map { map[$0] ?? $0 }).canonicalSlots() }
      .sorted()
    out.summed = m.summed.map { map[$0] ?? $0 }.sorted()
    out.distinct = m.distinct.map { $0.map { map[$0] ?? $0 }.sorted() }.sorted {
      $0.lexicographicallyPrecedes($1)
    }
    return out
  }

  static func isSmaller(_ a: Monomial, than b: Monomial) -> Bool {
    if a.factors != b.factors { return a.factors.lexicographicallyPrecedes(b.factors) }
    return a.distinct.lexicographicallyPrecedes(b.distinct) { $0.lexicographicallyPrecedes($1) }
  }

  // MARK: Colours

  /// One place where a dummy occurs: the factor (or constraint) number, its shape rank and the
  /// slot's class.
  struct Occurrence {
    var owner: Int
    var shape: Int
    var slotClass: Int
  }

  static func candidateOrderings(_ m: Monomial, dummies: [Index]) -> [[Index]] {
    let dummyPosition = Dictionary(uniqueKeysWithValues: dummies.enumerated().map { ($1, $0) })
    let placeholder = Index(.sample, .dummy(-1))

    // Owners: factors, then distinctness groups. Shapes ranked by sorted order of their keys.
    var ownerSlots: [[Int?]] = []  // dummy position per slot, nil for free slots
    var ownerClasses: [[Int]] = []
    var shapeKeys: [Factor] = []
    for f in m.factors {
      let slots = f.slots
      ownerSlots.append(slots.map { dummyPosition[$0] })
      ownerClasses.append(f.slotClasses())
      shapeKeys.append(
        f.withSlots(slots.map { dummyPosition[$0] == nil ? $0 : placeholder }).canonicalSlots())
    }
    let distinctShapes = Array(Set(shapeKeys)).sorted()
    var shapeRank = shapeKeys.map { k in distinctShapes.firstIndex(of: k) ?? 0 }
    for group in m.distinct {
      ownerSlots.append(group.map { dummyPosition[$0] })
      ownerClasses.append(Array(repeating: 0, count: group.count))
      shapeRank.append(distinctShapes.count + group.count)
    }

    var occurrences = Array(repeating: [Occurrence](), count: dummies.count)
    for (o, slots) in ownerSlots.enumerated() {
      for (s, d) in slots.enumerated() {
        if let d {
          occurrences[d].append(
            Occurrence(owner: o, shape: shapeRank[o], slotClass: ownerClasses[o][s]))
        }
      }
    }

    // Initial colours: space rank + sorted (shape, class) pairs.
    let spaces = Array(Set(dummies.map { $0.space })).sorted()
    let keys: [[Int]] = dummies.enumerated().map { (d, idx) in
      var key = [spaces.firstIndex(of: idx.space) ?? 0]
      let occ = occurrences[d].map { [$0.shape, $0.slotClass] }.sorted {
        $0.lexicographicallyPrecedes($1)
      }
      for o in occ { key.append(contentsOf: o) }
      return key
    }
    // Refinement by neighbours' colours (1-dimensional Weisfeiler–Leman) until stable. The key
    // starts with the current colour, so a refined partition never merges classes.
    func refine(_ start: [Int]) -> [Int] {
      var colours = start
      var classCount = Set(colours).count
      while classCount < dummies.count {
        let refinedKeys: [[Int]] = dummies.indices.map { d in
          var occKeys: [[Int]] = []
          for occ in occurrences[d] {
            var neighbours: [[Int]] = []
            for (s, other) in ownerSlots[occ.owner].enumerated() {
              if let other, other != d {
                neighbours.append([ownerClasses[occ.owner][s], colours[other]])
              }
            }
            neighbours.sort { $0.lexicographicallyPrecedes($1) }
            occKeys.append(
              [occ.shape, occ.slotClass, neighbours.count] + neighbours.flatMap { $0 })
          }
          occKeys.sort { $0.lexicographicallyPrecedes($1) }
          var key = [colours[d]]
          for k in occKeys {
            key.append(k.count)
            key.append(contentsOf: k)
          }
          return key
        }
        let refined = ranks(of: refinedKeys)
        let refinedCount = Set(refined).count
        colours = refined
        if refinedCount == classCount { break }
        classCount = refinedCount
      }
      return colours
    }

    // Individualisation–refinement: at a colouring with a non-singleton class (the first by
    // colour, an invariant choice), try each member as the first of its class, refine, recurse.
    // Twins (exchangeable dummies) give identical subtrees, so one per twin class is tried. A
    // ring of k dummies needs about 2k leaves instead of k!.
    let baseline = m.factors.map { $0.canonicalSlots() }.sorted()
    var twinCache: [Int: Bool] = [:]
    func twins(_ a: Int, _ b: Int) -> Bool {
      let key = Swift.min(a, b) * dummies.count + Swift.max(a, b)
      if let hit = twinCache[key] { return hit }
      let t = isAutomorphism(m, swapping: dummies[a], dummies[b], baseline: baseline)
      twinCache[key] = t
      return t
    }
    var leaves: [[Int]] = []
    func search(_ start: [Int]) {
      let colours = refine(start)
      var classes: [[Int]] = Array(repeating: [], count: (colours.max() ?? 0) + 1)
      for d in dummies.indices { classes[colours[d]].append(d) }
      guard let cls = classes.first(where: { $0.count > 1 }) else {
        leaves.append(dummies.indices.sorted { colours[$0] < colours[$1] })
        return
      }
      var representatives: [Int] = []
      for v in cls where !representatives.contains(where: { twins($0, v) }) {
        representatives.append(v)
      }
      let c = colours[cls[0]]
      for v in representatives {
        search(
          ranks(
            of: dummies.indices.map { x in [2 * colours[x] + (colours[x] == c && x != v ? 1 : 0)] })
        )
      }
    }
    search(ranks(of: keys))
    return leaves.map { $0.map { dummies[$0] } }
  }

  static func isAutomorphism(_ m: Monomial, swapping a: Index, _ b: Index, baseline: [Factor])
    -> Bool
  {
    let swapped = m.factors.map { f in
      f.withSlots(f.slots.map { $0 == a ? b : ($0 == b ? a : $0) }).canonicalSlots()
    }.sorted()
    if swapped != baseline { return false }
    let groups = m.distinct.map { Set($0) }
    let swappedGroups = m.distinct.map { Set($0.map { $0 == a ? b : ($0 == b ? a : $0) }) }
    return Set(groups) == Set(swappedGroups)
  }

  /// Dense ranks (0, 1, …) of the keys in lexicographic order.
  static func ranks(of keys: [[Int]]) -> [Int] {
    let sortedKeys = keys.enumerated().sorted { $0.element.lexicographicallyPrecedes($1.element) }
    var out = Array(repeating: 0, count: keys.count)
    var rank = 0
    for (n, entry) in sortedKeys.enumerated() {
      if n > 0 && entry.element != sortedKeys[n - 1].element { rank += 1 }
      out[entry.offset] = rank
    }
    return out
  }

}

extension Monomial {
  /// The canonical form (see ``DummyCanonicalizer``).
  public func canonicalized() -> Monomial { DummyCanonicalizer.canonicalize(self) }
}
