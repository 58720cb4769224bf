/// Deterministic canonical relabelling of summed (dummy) indices.
///
/// **Contract.** For an expanded monomial (no parenthesised factors) the result is the same for
/// every renaming of its dummies and every rearrangement of slots allowed by the declared
/// symmetries of its factors, and it never depends on hashing order.
///
/// **Method.** The monomial becomes a ``SlotGraph`` (dummies as vertices, factors and
/// distinctness groups as edges; see ``slotGraph(_:dummies:)``), the integer representation that
/// the Wick engine canonicalises too. Its individualisation–refinement search yields candidate
/// orderings of the dummies, an invariant set; each ordering labels the dummies `.dummy(0)`,
/// `.dummy(1)`, … per space (skipping numbers carried by free indices), the factors are put in
/// canonical slot order and sorted, and the smallest result by ``Factor`` order wins.
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

  // MARK: The graph

  /// The orderings of `dummies` at the leaves of the canonical-labelling search on the
  /// monomial's ``SlotGraph``, one per distinct leaf form.
  static func candidateOrderings(_ m: Monomial, dummies: [Index]) -> [[Index]] {
    let graph = slotGraph(m, dummies: dummies)
    return graph.leafLabellings().map { labels in
      var ordering = dummies
      for (d, l) in labels.enumerated() { ordering[l] = dummies[d] }
      return ordering
    }
  }

  /// The monomial as a ``SlotGraph`` whose vertices are `dummies` (in that order).
  ///
  /// Edge labels are the ranks, in ``Factor`` order, of the factors' shapes with their free
  /// indices in place (dummies replaced by a placeholder, slots in canonical arrangement); a
  /// distinctness group is labelled past them by its size. Seed colours are the ranks of the
  /// dummies' index spaces. Edge identities: the label, except for Gaussian averages, whose shape
  /// with free indices does not fix the order of their integrand factors — those are identified
  /// by their exact template (negative ids). Free indices are coded by first occurrence.
  static func slotGraph(_ m: Monomial, dummies: [Index]) -> SlotGraph {
    var dummyPosition: [Index: Int] = [:]
    dummyPosition.reserveCapacity(dummies.count)
    for (d, i) in dummies.enumerated() { dummyPosition[i] = d }
    let placeholder = Index(.sample, .dummy(-1))
    var freeCodes: [Index: Int] = [:]
    func value(_ i: Index) -> Int {
      if let d = dummyPosition[i] { return SlotGraph.slotValue(ofVertex: d) }
      if let c = freeCodes[i] { return c }
      freeCodes[i] = freeCodes.count
      return freeCodes.count - 1
    }

    var shapeKeys: [Factor] = []
    shapeKeys.reserveCapacity(m.factors.count)
    var factorSlots: [[Index]] = []
    factorSlots.reserveCapacity(m.factors.count)
    for f in m.factors {
      let slots = f.slots
      factorSlots.append(slots)
      shapeKeys.append(
        f.withSlots(slots.map { dummyPosition[$0] == nil ? $0 : placeholder }).canonicalSlots())
    }
    let distinctShapes = Array(Set(shapeKeys)).sorted()
    var templates: [Factor: Int] = [:]
    var edges: [SlotGraph.Edge] = []
    edges.reserveCapacity(m.factors.count + m.distinct.count)
    for (n, f) in m.factors.enumerated() {
      let label = distinctShapes.firstIndex(of: shapeKeys[n]) ?? 0
      var shape = label
      if case .average = f {
        let template = f.nameShape()
        if templates[template] == nil { templates[template] = templates.count }
        shape = -1 - (templates[template] ?? 0)
      }
      let symmetry = f.slotSymmetry
      edges.append(
        SlotGraph.Edge(
          label: label, shape: shape, symmetry: symmetry,
          classes: symmetry.slotClasses(arity: factorSlots[n].count),
          slots: factorSlots[n].map(value)))
    }
    for group in m.distinct {
      let label = distinctShapes.count + group.count
      edges.append(
        SlotGraph.Edge(
          label: label, shape: label, symmetry: .total,
          classes: Array(repeating: 0, count: group.count), slots: group.map(value)))
    }
    let spaces = Array(Set(dummies.map(\.space))).sorted()
    return SlotGraph(
      vertexColours: dummies.map { d in spaces.firstIndex(of: d.space) ?? 0 }, edges: edges)
  }
}

extension Monomial {
  /// The canonical form (see ``DummyCanonicalizer``).
  public func canonicalized() -> Monomial { DummyCanonicalizer.canonicalize(self) }
}
