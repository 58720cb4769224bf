import Algebra

/// The internal canonical form of ``WickMonomial``: the key under which the Wick engine merges
/// equivalent partners and memoises expectations.
///
/// **Contract.** The result is a relabelling of the input's dummies together with slot
/// permutations allowed by the shapes' symmetries, so merging monomials with equal forms is
/// always sound. It is the same for every relabelling of the input's dummies (so equivalent
/// monomials do merge), except for symmetries the engine does not model (slots of Gaussian
/// averages), which only cost missed merges. It is *not* the ``Monomial`` canonical form: results
/// leave the engine through ``DummyCanonicalizer``.
///
/// **Method.** The monomial splits into connected components (dummies linked by factors or
/// constraints). Each component is labelled by individualisation–refinement: dummies are
/// coloured by colour refinement (1-dimensional Weisfeiler–Leman), then the first non-singleton
/// colour cell is split by individualising each member in turn, recursively, and the smallest
/// relabelled component over the leaves wins. Two prunings keep the tree small: members of a
/// cell that are *twins* (their exchange is an automorphism) are tried once, and a member whose
/// first leaf equals the first leaf of the first member is skipped (the two leaves define an
/// automorphism mapping one member to the other, so their subtrees give the same leaves).
/// Components are then sorted, so that repeated components cost nothing.
extension WickTable {
  /// The canonical relabelling of `m` (see the extension's documentation).
  func canonicalForm(_ m: WickMonomial) -> WickMonomial {
    var cache = WickPieceCache()
    return canonicalForm(m, cache: &cache)
  }

  /// The canonical relabelling of `m`, with components looked up in (and added to) `cache`.
  func canonicalForm(_ m: WickMonomial, cache: inout WickPieceCache) -> WickMonomial {
    var out = WickMonomial()
    out.scalars = m.scalars
    if m.dummySpaces.isEmpty {
      out.factors = m.factors.map { $0.canonicalSlots(shapes[$0.shape].symmetry) }
        .sorted(by: WickFactor.precedes)
      out.distinct = m.distinct.map { $0.sorted() }.sorted { $0.lexicographicallyPrecedes($1) }
      return out
    }
    let graph = WickGraph(m, table: self)
    var fixedFactors: [WickFactor] = []
    var fixedGroups: [[Int]] = []
    for (e, edge) in graph.edges.enumerated() where graph.edgeComponent[e] < 0 {
      if edge.isGroup {
        fixedGroups.append(edge.slots.sorted())
      } else {
        fixedFactors.append(
          WickFactor(shape: edge.shape, slots: edge.slots).canonicalSlots(edge.symmetry))
      }
    }
    var pieces: [WickPiece] = []
    for c in 0..<graph.componentCount {
      pieces.append(graph.canonicalPiece(component: c, cache: &cache))
    }
    pieces.sort { $0.encoding.lexicographicallyPrecedes($1.encoding) }
    out.factors = fixedFactors.sorted(by: WickFactor.precedes)
    out.distinct = fixedGroups.sorted { $0.lexicographicallyPrecedes($1) }
    for p in pieces {
      let offset = out.dummySpaces.count
      func shift(_ v: Int) -> Int { v < 0 ? v - offset : v }
      for f in p.factors {
        out.factors.append(WickFactor(shape: f.shape, slots: f.slots.map(shift)))
      }
      for g in p.groups { out.distinct.append(g.map(shift)) }
      out.dummySpaces += p.dummySpaces
    }
    return out
  }

  /// The hypergraph of all of `m` (components not split) and its colour-refined dummy colours.
  func refinedColours(_ m: WickMonomial) -> (graph: WickGraph, colours: [Int]) {
    let graph = WickGraph(m, table: self, splitComponents: false)
    var colours = graph.initialColours()
    graph.refine(&colours)
    return (graph, colours)
  }

  /// Whether colour refinement alone (`colours` from ``refinedColours(_:)``) tells every random
  /// factor of `m` apart from every other one — then no relabelling exchanges two of them, and
  /// merging partners cannot gain anything.
  func randomFactorsDistinguishable(_ m: WickMonomial, colours: [Int]) -> Bool {
    var seen = Set<[Int]>()
    for f in m.factors where shapes[f.shape].family != nil {
      var values = f.slots.map { $0 >= 0 ? 2 * $0 : 2 * colours[wickDummyNumber($0)] + 1 }
      shapes[f.shape].symmetry.canonicalize(&values)
      if !seen.insert([f.shape] + values).inserted { return false }
    }
    return true
  }
}

/// Canonical pieces of components already seen, keyed by the component as it was met (dummies
/// numbered locally by first occurrence): a component's canonical piece depends only on its
/// isomorphism class, so the same raw component always gets the same piece.
struct WickPieceCache {
  fileprivate var pieces: [[Int]: WickPiece] = [:]
}

/// A canonically labelled component: its factors and constraint groups with local dummies, their
/// spaces, and the integer encoding that orders components.
struct WickPiece {
  var encoding: [Int]
  var factors: [WickFactor]
  var groups: [[Int]]
  var dummySpaces: [Int]
}

/// The hypergraph of a monomial: dummies are vertices, factors and constraint groups are edges.
struct WickGraph {
  struct Edge {
    /// Factor shape, or −1 for a constraint group.
    var shape: Int
    var symmetry: SlotSymmetry
    /// The shape's slot classes (empty for a constraint group: one class).
    var classes: [Int]
    var slots: [Int]
    var isGroup: Bool { shape < 0 }

    func slotClass(_ s: Int) -> Int { isGroup ? 0 : classes[s] }
  }

  var edges: [Edge] = []
  var dummySpaces: [Int]
  /// (edge, slot) occurrences of every dummy.
  var occurrences: [[(edge: Int, slot: Int)]]
  /// Component of every edge (−1 for edges without dummies) and of every dummy.
  var edgeComponent: [Int] = []
  var dummyComponent: [Int] = []
  var componentCount = 0

  init(_ m: WickMonomial, table: WickTable, splitComponents: Bool = true) {
    dummySpaces = m.dummySpaces
    occurrences = Array(repeating: [], count: m.dummySpaces.count)
    for f in m.factors {
      let shape = table.shapes[f.shape]
      edges.append(
        Edge(shape: f.shape, symmetry: shape.symmetry, classes: shape.slotClasses, slots: f.slots))
    }
    for g in m.distinct { edges.append(Edge(shape: -1, symmetry: .total, classes: [], slots: g)) }
    for (e, edge) in edges.enumerated() {
      for (s, v) in edge.slots.enumerated() where v < 0 {
        occurrences[wickDummyNumber(v)].append((e, s))
      }
    }
    // Components by union-find over dummies.
    let k = m.dummySpaces.count
    var parent = Array(0..<k)
    func find(_ x: Int) -> Int {
      var x = x
      while parent[x] != x {
        parent[x] = parent[parent[x]]
        x = parent[x]
      }
      return x
    }
    if splitComponents {
      for edge in edges {
        var first: Int? = nil
        for v in edge.slots where v < 0 {
          let d = find(wickDummyNumber(v))
          if let f = first {
            if f != d { parent[d] = f }
          } else {
            first = d
          }
        }
      }
    } else {
      for d in 0..<k { parent[d] = 0 }
    }
    var componentOfRoot = Array(repeating: -1, count: k)
    dummyComponent = Array(repeating: -1, count: k)
    for d in 0..<k {
      let r = find(d)
      if componentOfRoot[r] < 0 {
        componentOfRoot[r] = componentCount
        componentCount += 1
      }
      dummyComponent[d] = componentOfRoot[r]
    }
    edgeComponent = edges.map { edge in
      guard let v = edge.slots.first(where: { $0 < 0 }) else { return -1 }
      return dummyComponent[wickDummyNumber(v)]
    }
  }

  // MARK: Colour refinement

  /// A value's contribution to a key: free ids even, dummy colours odd.
  @inline(__always) func code(_ v: Int, _ colours: [Int]) -> Int {
    v >= 0 ? 2 * v : 2 * colours[wickDummyNumber(v)] + 1
  }

  /// Initial colours: space and the shapes, slot classes and free neighbours of the occurrences.
  func initialColours() -> [Int] {
    let blank = Array(repeating: 0, count: dummySpaces.count)
    let keys: [[Int]] = dummySpaces.indices.map { d in
      var descriptors: [[Int]] = occurrences[d].map { occ in
        descriptor(occ, blank, dummyMarker: true)
      }
      descriptors.sort { $0.lexicographicallyPrecedes($1) }
      var key = [dummySpaces[d]]
      for x in descriptors {
        key.append(x.count)
        key += x
      }
      return key
    }
    return ranks(keys)
  }

  /// An occurrence's description: shape, own slot class, and the (class, code) pairs of the other
  /// slots, sorted. With `dummyMarker`, every dummy neighbour codes as 1 (no colours yet).
  func descriptor(_ occ: (edge: Int, slot: Int), _ colours: [Int], dummyMarker: Bool = false)
    -> [Int]
  {
    let edge = edges[occ.edge]
    var pairs: [(Int, Int)] = []
    pairs.reserveCapacity(edge.slots.count)
    for (s, v) in edge.slots.enumerated() where s != occ.slot {
      pairs.append((edge.slotClass(s), v >= 0 ? 2 * v : (dummyMarker ? 1 : code(v, colours))))
    }
    pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    var out = [edge.shape, edge.slotClass(occ.slot)]
    out.reserveCapacity(2 + 2 * pairs.count)
    for (c, v) in pairs {
      out.append(c)
      out.append(v)
    }
    return out
  }

  /// Refines `colours` (dense ranks) until the number of cells is stable. New colours order
  /// cells by (old colour, neighbourhood), so the refinement respects the old cell order.
  func refine(_ colours: inout [Int]) {
    let k = dummySpaces.count
    var cells = Set(colours).count
    while cells < k {
      let keys: [[Int]] = (0..<k).map { d in
        var descriptors = occurrences[d].map { descriptor($0, colours) }
        descriptors.sort { $0.lexicographicallyPrecedes($1) }
        var key = [colours[d]]
        for x in descriptors {
          key.append(x.count)
          key += x
        }
        return key
      }
      let refined = ranks(keys)
      let count = Set(refined).count
      colours = refined
      if count == cells { break }
      cells = count
    }
  }

  /// Dense ranks (0, 1, …) of keys in lexicographic order.
  func ranks(_ keys: [[Int]]) -> [Int] {
    let order = keys.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }
    var out = Array(repeating: 0, count: keys.count)
    var rank = 0
    for (n, i) in order.enumerated() {
      if n > 0 && keys[i] != keys[order[n - 1]] { rank += 1 }
      out[i] = rank
    }
    return out
  }

  // MARK: Individualisation–refinement

  /// The canonical piece of one component.
  func canonicalPiece(component c: Int, cache: inout WickPieceCache) -> WickPiece {
    // Local numbering of the component's dummies by first occurrence, and the raw key.
    var local: [Int: Int] = [:]
    var spaces: [Int] = []
    var raw: [Int] = []
    var localEdges: [Edge] = []
    for (e, edge) in edges.enumerated() where edgeComponent[e] == c {
      raw.append(edge.shape)
      raw.append(edge.slots.count)
      var slots: [Int] = []
      slots.reserveCapacity(edge.slots.count)
      for v in edge.slots {
        if v >= 0 {
          slots.append(v)
        } else {
          let d = wickDummyNumber(v)
          if local[d] == nil {
            local[d] = spaces.count
            spaces.append(dummySpaces[d])
          }
          slots.append(wickDummy(local[d] ?? 0))
        }
      }
      raw += slots
      localEdges.append(
        Edge(shape: edge.shape, symmetry: edge.symmetry, classes: edge.classes, slots: slots))
    }
    raw.append(-1)
    raw += spaces
    if let hit = cache.pieces[raw] { return hit }
    var sub = WickGraph(empty: spaces)
    sub.edges = localEdges
    for (e, edge) in sub.edges.enumerated() {
      for (s, v) in edge.slots.enumerated() where v < 0 {
        sub.occurrences[wickDummyNumber(v)].append((e, s))
      }
    }
    let piece =
      spaces.count == 1
      ? sub.piece(labels: [0], encoding: sub.encoding(labels: [0])) : sub.canonicalPiece()
    cache.pieces[raw] = piece
    return piece
  }

  init(empty dummySpaces: [Int]) {
    self.dummySpaces = dummySpaces
    occurrences = Array(repeating: [], count: dummySpaces.count)
    dummyComponent = Array(repeating: 0, count: dummySpaces.count)
    componentCount = dummySpaces.isEmpty ? 0 : 1
  }

  /// The canonical piece of this (connected) graph.
  func canonicalPiece() -> WickPiece {
    var colours = initialColours()
    refine(&colours)
    let twins = twinClasses(colours)
    let result = search(colours, twins: twins)
    return piece(labels: result.bestLabels, encoding: result.best)
  }

  /// Twin classes: `twins[d]` is the smallest dummy whose exchange with `d` is an automorphism.
  func twinClasses(_ colours: [Int]) -> [Int] {
    let k = dummySpaces.count
    var twins = Array(0..<k)
    var reps: [Int: [Int]] = [:]  // colour → class representatives
    for d in 0..<k {
      var joined = false
      for r in reps[colours[d], default: []] where areTwins(r, d) {
        twins[d] = r
        joined = true
        break
      }
      if !joined { reps[colours[d], default: []].append(d) }
    }
    return twins
  }

  /// Whether exchanging dummies `a` and `b` maps the edges onto themselves.
  func areTwins(_ a: Int, _ b: Int) -> Bool {
    if occurrences[a].count != occurrences[b].count { return false }
    let da = wickDummy(a)
    let db = wickDummy(b)
    var touched = occurrences[a].map(\.edge) + occurrences[b].map(\.edge)
    touched.sort()
    var before: [[Int]] = []
    var after: [[Int]] = []
    for (n, e) in touched.enumerated() where n == 0 || touched[n - 1] != e {
      let edge = edges[e]
      before.append(flatten(edge.shape, edge.symmetry, edge.slots))
      let swapped = edge.slots.map { $0 == da ? db : ($0 == db ? da : $0) }
      after.append(flatten(edge.shape, edge.symmetry, swapped))
    }
    before.sort { $0.lexicographicallyPrecedes($1) }
    after.sort { $0.lexicographicallyPrecedes($1) }
    return before == after
  }

  /// An edge as integers: shape, arity, slots in canonical arrangement.
  func flatten(_ shape: Int, _ symmetry: SlotSymmetry, _ slots: [Int]) -> [Int] {
    var s = slots
    if shape < 0 {
      s.sort()
    } else {
      s = WickFactor(shape: shape, slots: slots).canonicalSlots(symmetry).slots
    }
    return [shape, s.count] + s
  }

  struct SearchResult {
    var best: [Int]
    var bestLabels: [Int]
    var first: [Int]
  }

  func isDiscrete(_ colours: [Int]) -> Bool { Set(colours).count == colours.count }

  /// The first non-singleton cell's members, one per twin class.
  func targetCell(_ colours: [Int], twins: [Int]) -> [Int] {
    var counts: [Int: Int] = [:]
    for c in colours { counts[c, default: 0] += 1 }
    guard let cell = counts.filter({ $0.value > 1 }).keys.min() else { return [] }
    var seen = Set<Int>()
    var out: [Int] = []
    for d in colours.indices where colours[d] == cell && seen.insert(twins[d]).inserted {
      out.append(d)
    }
    return out
  }

  func individualized(_ colours: [Int], _ x: Int) -> [Int] {
    let c = colours[x]
    let keys = colours.indices.map { d in [colours[d], colours[d] == c && d != x ? 1 : 0] }
    return ranks(keys)
  }

  func search(_ start: [Int], twins: [Int]) -> SearchResult {
    var colours = start
    refine(&colours)
    if isDiscrete(colours) {
      let e = encoding(labels: colours)
      return SearchResult(best: e, bestLabels: colours, first: e)
    }
    let cell = targetCell(colours, twins: twins)
    var result: SearchResult? = nil
    var firstLeaf: [Int] = []
    for (n, x) in cell.enumerated() {
      let child = individualized(colours, x)
      if n > 0 && greedyLeaf(child, twins: twins) == firstLeaf { continue }
      let r = search(child, twins: twins)
      if n == 0 { firstLeaf = r.first }
      if let best = result {
        if r.best.lexicographicallyPrecedes(best.best) {
          result = SearchResult(best: r.best, bestLabels: r.bestLabels, first: best.first)
        }
      } else {
        result = r
      }
    }
    // `cell` is never empty for a non-discrete colouring.
    return result ?? SearchResult(best: [], bestLabels: colours, first: [])
  }

  /// The leaf reached by always individualising the first member of the target cell.
  func greedyLeaf(_ start: [Int], twins: [Int]) -> [Int] {
    var colours = start
    refine(&colours)
    while !isDiscrete(colours) {
      let cell = targetCell(colours, twins: twins)
      colours = individualized(colours, cell[0])
      refine(&colours)
    }
    return encoding(labels: colours)
  }

  /// The relabelled edges as integers: dummy count, spaces by label, then the sorted edges.
  func encoding(labels: [Int]) -> [Int] {
    var spaces = Array(repeating: 0, count: dummySpaces.count)
    for (d, l) in labels.enumerated() { spaces[l] = dummySpaces[d] }
    var flat: [[Int]] = edges.map { edge in
      flatten(
        edge.shape, edge.symmetry,
        edge.slots.map { $0 >= 0 ? $0 : wickDummy(labels[wickDummyNumber($0)]) })
    }
    flat.sort { $0.lexicographicallyPrecedes($1) }
    var out = [dummySpaces.count] + spaces + [flat.count]
    for f in flat { out += f }
    return out
  }

  func piece(labels: [Int], encoding: [Int]) -> WickPiece {
    var spaces = Array(repeating: 0, count: dummySpaces.count)
    for (d, l) in labels.enumerated() { spaces[l] = dummySpaces[d] }
    var factors: [WickFactor] = []
    var groups: [[Int]] = []
    for edge in edges {
      let slots = edge.slots.map { $0 >= 0 ? $0 : wickDummy(labels[wickDummyNumber($0)]) }
      if edge.isGroup {
        groups.append(slots.sorted())
      } else {
        factors.append(WickFactor(shape: edge.shape, slots: slots).canonicalSlots(edge.symmetry))
      }
    }
    factors.sort(by: WickFactor.precedes)
    groups.sort { $0.lexicographicallyPrecedes($1) }
    return WickPiece(encoding: encoding, factors: factors, groups: groups, dummySpaces: spaces)
  }
}
