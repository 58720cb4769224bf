/// The index structure of a monomial as integers: the one representation that canonical
/// labelling works on, for ``DummyCanonicalizer`` (monomials of ``Index`` values) and for the
/// Wick engine (its interned integer monomials).
///
/// The *vertices* are the dummies (summed indices), numbered `0..<vertexCount`; the *edges* are
/// the factors and the distinctness groups. A slot value `v ≥ 0` is a free index (a code chosen
/// by the caller, never relabelled); `v < 0` is the vertex `−1 − v` (``vertex(_:)``).
///
/// A *labelling* gives every vertex a distinct position `0..<vertexCount`; ``form(labels:)``
/// is the graph relabelled by it, as integers. The canonical labellings are the leaves of an
/// individualisation–refinement search (``leafLabellings()``, ``smallestLeaf()``):
/// 1. every vertex gets a *colour*: its seed colour (``vertexColours``, e.g. its index space)
///    and the sorted (edge label, slot class) pairs of its occurrences, refined by the colours of
///    the vertices it shares edges with (1-dimensional Weisfeiler–Leman) until stable; colours
///    are dense ranks of sorted integer keys, never hashes;
/// 2. while a colour cell has several members, the first cell by colour (an invariant choice)
///    is split by making each member in turn the first of the cell and refining again;
/// 3. two prunings keep the tree small without changing the set of leaf forms: of *twins*
///    (vertices whose exchange is an automorphism) only one is tried, and a member whose first
///    leaf has the same form as the first member's first leaf is skipped (the two leaves define
///    an automorphism mapping one member onto the other, so their subtrees have the same forms).
///
/// The set of leaf forms depends only on the graph up to relabelling, so the smallest leaf by
/// any fixed order of forms is a canonical form. Cost: the number of leaves — one for most
/// monomials met in derivations, about 2k for a ring of k interchangeable dummies (not k!).
public struct SlotGraph: Sendable {
  /// A factor or a distinctness group.
  public struct Edge: Sendable {
    /// An invariant of the edge that seeds the colours (its order is their order): equal for
    /// edges that a relabelling of the vertices can exchange, e.g. the rank of the factor's shape
    /// with its free indices in place. It must not depend on vertex numbers.
    public var label: Int
    /// The edge's identity in ``SlotGraph/form(labels:)``: with its slots in canonical
    /// arrangement, it must determine the factor (or group).
    public var shape: Int
    /// How the slots may be permuted.
    public var symmetry: SlotSymmetry
    /// A class per slot, constant on the orbits of `symmetry`
    /// (``SlotSymmetry/slotClasses(arity:)``).
    public var classes: [Int]
    /// Free codes (≥ 0) and vertices (< 0).
    public var slots: [Int]

    public init(label: Int, shape: Int, symmetry: SlotSymmetry, classes: [Int], slots: [Int]) {
      precondition(classes.count == slots.count, "one class per slot")
      self.label = label
      self.shape = shape
      self.symmetry = symmetry
      self.classes = classes
      self.slots = slots
    }
  }

  /// The seed colour of every vertex (an invariant, e.g. its index space).
  public let vertexColours: [Int]
  public let edges: [Edge]
  /// The (edge, slot) occurrences of every vertex, in edge and slot order.
  let occurrences: [[Occurrence]]
  /// Whether no edge holds two different vertices: then a vertex's refinement key depends only
  /// on its own colour and occurrences, and refinement never splits a cell.
  let verticesUnlinked: Bool

  struct Occurrence: Sendable {
    var edge: Int
    var slot: Int
  }

  public init(vertexColours: [Int], edges: [Edge]) {
    self.vertexColours = vertexColours
    self.edges = edges
    var occurrences = Array(repeating: [Occurrence](), count: vertexColours.count)
    var unlinked = true
    for (e, edge) in edges.enumerated() {
      var first: Int? = nil
      for (s, v) in edge.slots.enumerated() where v < 0 {
        occurrences[Self.vertex(v)].append(Occurrence(edge: e, slot: s))
        if let f = first, f != v { unlinked = false }
        first = first ?? v
      }
    }
    self.occurrences = occurrences
    self.verticesUnlinked = unlinked
  }

  /// A graph whose edge labels are the ranks of the edges' shapes with their free slots in
  /// place (vertices masked, slots in canonical arrangement): the labelling for callers whose
  /// shape ids and free codes are themselves invariants. The `label` of `edges` is ignored.
  public init(vertexColours: [Int], labellingByShape edges: [Edge]) {
    let keys: [[Int]] = edges.map { edge in
      var masked = edge.slots.map { $0 < 0 ? -1 : $0 }
      edge.symmetry.canonicalize(&masked)
      return [edge.shape, masked.count] + masked
    }
    let labels = Self.ranks(keys)
    var labelled = edges
    for e in labelled.indices { labelled[e].label = labels[e] }
    self.init(vertexColours: vertexColours, edges: labelled)
  }

  public var vertexCount: Int { vertexColours.count }

  /// The vertex of a slot value `v < 0`.
  @inline(__always) public static func vertex(_ v: Int) -> Int { -1 - v }

  /// The slot value of vertex `d`.
  @inline(__always) public static func slotValue(ofVertex d: Int) -> Int { -1 - d }

  // MARK: Colours

  /// The colours after refinement from the seeds (dense ranks; equal colours for vertices that an
  /// automorphism exchanges).
  public func refinedColours() -> [Int] { refine(initialColours()) }

  /// Seed colour and the sorted (label, class) pairs of the occurrences, ranked.
  func initialColours() -> [Int] {
    // The keys one after the other in `keys`, vertex d's from `starts[d]`.
    var keys: [Int] = []
    var starts: [Int] = []
    starts.reserveCapacity(vertexCount + 1)
    var pairs: [(Int, Int)] = []
    for d in vertexColours.indices {
      pairs.removeAll(keepingCapacity: true)
      for occ in occurrences[d] {
        let edge = edges[occ.edge]
        pairs.append((edge.label, edge.classes[occ.slot]))
      }
      pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
      starts.append(keys.count)
      keys.append(vertexColours[d])
      for (l, c) in pairs {
        keys.append(l)
        keys.append(c)
      }
    }
    starts.append(keys.count)
    return Self.ranks(flat: keys, starts: starts)
  }

  /// Refines `start` (dense ranks) until the number of cells is stable. A vertex's key starts
  /// with its colour, so cells are only split, and in an order that respects the old one.
  func refine(_ start: [Int]) -> [Int] {
    // Without neighbours, vertices of one colour have the same occurrences (the colour refines
    // the initial one, which encodes them), hence the same keys: nothing splits.
    if verticesUnlinked { return start }
    let k = vertexCount
    var colours = start
    var cells = Self.cellCount(colours)
    var neighbours: [(Int, Int)] = []
    // A vertex's key is its colour, then for each of its occurrences in lexicographic order of
    // their keys, the occurrence key's length and the key: edge label, slot class, the number
    // of other vertices in the edge and their (slot class, colour) pairs, sorted. The keys of a
    // round are written one after the other into `keys` (vertex d's from `keyStart[d]`), the
    // occurrence keys of the vertex being keyed into `occurrenceKeys`.
    var keys: [Int] = []
    var keyStart = Array(repeating: 0, count: k + 1)
    var occurrenceKeys: [Int] = []
    var occurrenceStart: [Int] = []
    var occurrenceOrder: [Int] = []
    while cells < k {
      keys.removeAll(keepingCapacity: true)
      for d in 0..<k {
        occurrenceKeys.removeAll(keepingCapacity: true)
        occurrenceStart.removeAll(keepingCapacity: true)
        for occ in occurrences[d] {
          let edge = edges[occ.edge]
          neighbours.removeAll(keepingCapacity: true)
          for (s, v) in edge.slots.enumerated() where v < 0 {
            let other = Self.vertex(v)
            if other != d { neighbours.append((edge.classes[s], colours[other])) }
          }
          neighbours.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
          occurrenceStart.append(occurrenceKeys.count)
          occurrenceKeys.append(edge.label)
          occurrenceKeys.append(edge.classes[occ.slot])
          occurrenceKeys.append(neighbours.count)
          for (c, colour) in neighbours {
            occurrenceKeys.append(c)
            occurrenceKeys.append(colour)
          }
        }
        occurrenceStart.append(occurrenceKeys.count)
        let count = occurrenceStart.count - 1
        occurrenceOrder.removeAll(keepingCapacity: true)
        occurrenceOrder.append(contentsOf: 0..<count)
        occurrenceOrder.sort { a, b in
          occurrenceKeys[occurrenceStart[a]..<occurrenceStart[a + 1]].lexicographicallyPrecedes(
            occurrenceKeys[occurrenceStart[b]..<occurrenceStart[b + 1]])
        }
        keyStart[d] = keys.count
        keys.append(colours[d])
        for o in occurrenceOrder {
          keys.append(occurrenceStart[o + 1] - occurrenceStart[o])
          keys.append(contentsOf: occurrenceKeys[occurrenceStart[o]..<occurrenceStart[o + 1]])
        }
      }
      keyStart[k] = keys.count
      let refined = Self.ranks(flat: keys, starts: keyStart)
      let count = Self.cellCount(refined)
      colours = refined
      if count == cells { break }
      cells = count
    }
    return colours
  }

  /// Dense ranks (0, 1, …) in lexicographic order of the keys `flat[starts[i]..<starts[i + 1]]`
  /// (the same as ``ranks(_:)`` of the keys as arrays).
  static func ranks(flat: [Int], starts: [Int]) -> [Int] {
    let n = starts.count - 1
    func key(_ i: Int) -> ArraySlice<Int> { flat[starts[i]..<starts[i + 1]] }
    let order = (0..<n).sorted { key($0).lexicographicallyPrecedes(key($1)) }
    var out = Array(repeating: 0, count: n)
    var rank = 0
    for (m, i) in order.enumerated() {
      if m > 0 && !key(i).elementsEqual(key(order[m - 1])) { rank += 1 }
      out[i] = rank
    }
    return out
  }

  /// Dense ranks (0, 1, …) of the keys in lexicographic order.
  static func ranks(_ keys: [[Int]]) -> [Int] {
    let order = keys.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }
    var out = Array(repeating: 0, count: keys.count)
    var rank = 0
    for (n, i) in order.enumerated() {
      if n > 0 && keys[i] != keys[order[n - 1]] { rank += 1 }
      out[i] = rank
    }
    return out
  }

  /// The number of distinct colours of dense ranks.
  static func cellCount(_ colours: [Int]) -> Int { (colours.max() ?? -1) + 1 }

  // MARK: Twins

  /// Twin classes: `twins[d]` is the smallest vertex whose exchange with `d` is an automorphism
  /// (twins have equal refined `colours`, so only those are compared).
  public func twinClasses(_ colours: [Int]) -> [Int] {
    let k = vertexCount
    var twins = Array(0..<k)
    // colour → class representatives
    var representatives = Array(repeating: [Int](), count: (colours.max() ?? -1) + 1)
    for d in 0..<k {
      var joined = false
      for r in representatives[colours[d]] where areTwins(r, d) {
        twins[d] = r
        joined = true
        break
      }
      if !joined { representatives[colours[d]].append(d) }
    }
    return twins
  }

  /// Whether exchanging vertices `a` and `b` maps the edges onto themselves.
  public func areTwins(_ a: Int, _ b: Int) -> Bool {
    if occurrences[a].count != occurrences[b].count { return false }
    // The exchange fixes every other vertex, so twins have the same other neighbours: a cheap,
    // allocation-free test that rejects most pairs before the edges are compared.
    if !neighboursShared(a, b, excluding: b) || !neighboursShared(b, a, excluding: a) {
      return false
    }
    let va = Self.slotValue(ofVertex: a)
    let vb = Self.slotValue(ofVertex: b)
    var touched = occurrences[a].map(\.edge) + occurrences[b].map(\.edge)
    touched.sort()
    if let plain = swapPreservesPlainEdges(touched, va, vb) { return plain }
    var before: [[Int]] = []
    var after: [[Int]] = []
    for (n, e) in touched.enumerated() where n == 0 || touched[n - 1] != e {
      let edge = edges[e]
      before.append(flattened(edge, edge.slots))
      after.append(flattened(edge, edge.slots.map { $0 == va ? vb : ($0 == vb ? va : $0) }))
    }
    before.sort { $0.lexicographicallyPrecedes($1) }
    after.sort { $0.lexicographicallyPrecedes($1) }
    return before == after
  }

  /// Whether exchanging the slot values `va` and `vb` maps the multiset of `touched` edges (sorted,
  /// with repetitions) onto itself, when none of them has a slot symmetry (then an edge's form is
  /// its shape and slots as they stand): every swapped edge is matched with an unmatched equal
  /// one, greedily, which decides multiset equality because equality is an equivalence. Nil
  /// when some touched edge has a symmetry (the caller compares canonical arrangements).
  private func swapPreservesPlainEdges(_ touched: [Int], _ va: Int, _ vb: Int) -> Bool? {
    var distinct = touched
    var count = 0
    for (n, e) in touched.enumerated() where n == 0 || touched[n - 1] != e {
      if !edges[e].symmetry.isTrivial { return nil }
      distinct[count] = e
      count += 1
    }
    // `distinct[0..<count]`: the touched edges; a matched one is marked by −1 − edge.
    for n in 0..<count {
      let edge = edges[distinct[n] < 0 ? -1 - distinct[n] : distinct[n]]
      var found = false
      for m in 0..<count where distinct[m] >= 0 {
        let other = edges[distinct[m]]
        guard other.shape == edge.shape, other.slots.count == edge.slots.count else { continue }
        var equal = true
        for (x, y) in zip(edge.slots, other.slots) {
          let swapped = x == va ? vb : (x == vb ? va : x)
          if swapped != y {
            equal = false
            break
          }
        }
        if equal {
          distinct[m] = -1 - distinct[m]
          found = true
          break
        }
      }
      if !found { return false }
    }
    return true
  }

  /// Whether every vertex other than `a` and `excluded` that shares an edge with `a` also shares
  /// one with `b`.
  private func neighboursShared(_ a: Int, _ b: Int, excluding excluded: Int) -> Bool {
    for occ in occurrences[a] {
      for v in edges[occ.edge].slots where v < 0 {
        let c = Self.vertex(v)
        if c == a || c == excluded { continue }
        var found = false
        search: for other in occurrences[b] {
          for w in edges[other.edge].slots where w == v {
            found = true
            break search
          }
        }
        if !found { return false }
      }
    }
    return true
  }

  // MARK: Forms

  /// An edge as integers: shape, arity, slots in canonical arrangement.
  func flattened(_ edge: Edge, _ slots: [Int]) -> [Int] {
    var s = slots
    edge.symmetry.canonicalize(&s)
    return [edge.shape, s.count] + s
  }

  /// The graph relabelled by `labels` (vertex → position) as integers: the vertex count, the seed
  /// colours by position, the edge count, then the relabelled edges (shape, arity, slots in
  /// canonical arrangement) in lexicographic order. Equal forms of two labellings mean that one
  /// is an automorphism away from the other.
  public func form(labels: [Int]) -> [Int] {
    var seeds = Array(repeating: 0, count: vertexCount)
    for (d, l) in labels.enumerated() { seeds[l] = vertexColours[d] }
    var flat: [[Int]] = edges.map { edge in
      flattened(
        edge,
        edge.slots.map { $0 >= 0 ? $0 : Self.slotValue(ofVertex: labels[Self.vertex($0)]) })
    }
    flat.sort { $0.lexicographicallyPrecedes($1) }
    var out = [vertexCount] + seeds + [flat.count]
    for f in flat { out += f }
    return out
  }
}
