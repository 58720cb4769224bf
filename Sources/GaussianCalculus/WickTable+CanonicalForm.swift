import Algebra

/// The internal canonical form of ``WickMonomial``: the key under which the Wick engine merges
/// equivalent partners and memoises expectations.
///
/// **Contract.** The result is a relabelling of the input's dummies together with slot
/// permutations allowed by the shapes' symmetries (``SlotSymmetry``), so merging monomials with
/// equal forms is always sound. It is the same for every relabelling of the input's dummies and
/// every allowed slot permutation (so equivalent monomials do merge); two presentations of a
/// Gaussian average with its integrand factors in different orders are different shapes here,
/// which only costs missed merges. It is *not* the ``Monomial`` canonical form: results leave the
/// engine through ``DummyCanonicalizer``.
///
/// **Method.** The monomial splits into connected components (dummies linked by factors or
/// constraints). Each component is labelled by the canonical-labelling search of ``SlotGraph``
/// (the one that ``DummyCanonicalizer`` runs too), whose smallest leaf form is the component's
/// canonical piece; pieces are cached by the component as met. Components are then sorted by
/// their forms, so that repeated components cost nothing.
extension WickTable {
  /// The canonical relabelling of `m` (see the extension's documentation).
  func canonicalForm(_ m: WickMonomial) -> WickMonomial {
    var cache = WickPieceCache()
    return canonicalForm(m, cache: &cache)
  }

  /// The canonical relabelling of `m`, components looked up in (and added to) `cache`.
  func canonicalForm(_ m: WickMonomial, cache: inout WickPieceCache) -> WickMonomial {
    canonicalLayout(m, cache: &cache).monomial(scalars: m.scalars)
  }

  /// The canonical form of `m` as its parts (``WickLayout``): ``canonicalForm(_:cache:)`` is
  /// its ``WickLayout/monomial(scalars:)``.
  func canonicalLayout(_ m: WickMonomial, cache: inout WickPieceCache) -> WickLayout {
    if m.dummySpaces.isEmpty {
      return WickLayout(
        fixedFactors: m.factors.map { $0.canonicalSlots(shapes[$0.shape].symmetry) }
          .sorted(by: WickFactor.precedes),
        fixedGroups: m.distinct.map { $0.sorted() }.sorted { $0.lexicographicallyPrecedes($1) },
        pieces: [])
    }
    let components = WickComponents(m)
    var fixedFactors: [WickFactor] = []
    var fixedGroups: [[Int]] = []
    // Every component as met (see ``WickPieceCache``), in one pass over the factors and groups:
    // its edges (shape, slot count, slots with dummies numbered locally by first occurrence),
    // then −1 and the local dummies' spaces — all components in one buffer, component c's in
    // `flat[starts[c]..<starts[c + 1]]`.
    let count = components.count
    var lengths = Array(repeating: 0, count: count)
    for (n, f) in m.factors.enumerated() where components.factorComponent[n] >= 0 {
      lengths[components.factorComponent[n]] += 2 + f.slots.count
    }
    for (n, g) in m.distinct.enumerated() where components.groupComponent[n] >= 0 {
      lengths[components.groupComponent[n]] += 2 + g.count
    }
    // A dummy in no factor or group is a component without edges, and is not listed.
    var dummies = Array(repeating: 0, count: count)
    for c in components.dummyComponent where lengths[c] > 0 { dummies[c] += 1 }
    var starts = Array(repeating: 0, count: count + 1)
    for c in 0..<count { starts[c + 1] = starts[c] + lengths[c] + 1 + dummies[c] }
    var flat = Array(repeating: -1, count: starts[count])
    // Where component c's next edge integer and next dummy space go.
    var edgeAt = Array(starts.dropLast())
    var spaceAt = (0..<count).map { starts[$0] + lengths[$0] + 1 }
    var local = Array(repeating: -1, count: m.dummySpaces.count)
    func add(_ c: Int, _ shape: Int, _ slots: some Collection<Int>) {
      flat[edgeAt[c]] = shape
      flat[edgeAt[c] + 1] = slots.count
      edgeAt[c] += 2
      for v in slots {
        if v >= 0 {
          flat[edgeAt[c]] = v
        } else {
          let d = wickDummyNumber(v)
          if local[d] < 0 {
            local[d] = spaceAt[c] - (starts[c] + lengths[c] + 1)
            flat[spaceAt[c]] = m.dummySpaces[d]
            spaceAt[c] += 1
          }
          flat[edgeAt[c]] = wickDummy(local[d])
        }
        edgeAt[c] += 1
      }
    }
    for (n, f) in m.factors.enumerated() {
      let c = components.factorComponent[n]
      if c < 0 {
        fixedFactors.append(f.canonicalSlots(shapes[f.shape].symmetry))
      } else {
        add(c, f.shape, f.slots)
      }
    }
    for (n, g) in m.distinct.enumerated() {
      let c = components.groupComponent[n]
      if c < 0 {
        fixedGroups.append(g.sorted())
      } else {
        add(c, -1, g)
      }
    }
    var pieces: [WickPiece] = []
    pieces.reserveCapacity(count)
    for c in 0..<count {
      pieces.append(
        canonicalPiece(
          raw: flat[starts[c]..<starts[c + 1]],
          spaces: flat[(starts[c] + lengths[c] + 1)..<starts[c + 1]], cache: &cache))
    }
    pieces.sort { $0.encoding.lexicographicallyPrecedes($1.encoding) }
    return WickLayout(
      fixedFactors: fixedFactors.sorted(by: WickFactor.precedes),
      fixedGroups: fixedGroups.sorted { $0.lexicographicallyPrecedes($1) }, pieces: pieces)
  }

  /// The ``SlotGraph`` of `m` (dummies as vertices, factors then constraint groups as edges,
  /// group shape −1), labelled by shape.
  func slotGraph(_ m: WickMonomial) -> SlotGraph {
    var edges: [SlotGraph.Edge] = []
    edges.reserveCapacity(m.factors.count + m.distinct.count)
    for f in m.factors { edges.append(edge(f.shape, f.slots.array)) }
    for g in m.distinct { edges.append(edge(-1, g)) }
    return SlotGraph(vertexColours: m.dummySpaces, labellingByShape: edges)
  }

  /// The edge of a factor of shape `shape`, or of a constraint group (shape −1).
  private func edge(_ shape: Int, _ slots: [Int]) -> SlotGraph.Edge {
    if shape < 0 {
      return SlotGraph.Edge(
        label: 0, shape: -1, symmetry: .total, classes: Array(repeating: 0, count: slots.count),
        slots: slots)
    }
    let s = shapes[shape]
    return SlotGraph.Edge(
      label: 0, shape: shape, symmetry: s.symmetry, classes: s.slotClasses, slots: slots)
  }

  /// The graph of all of `m` (components not split) and its refined dummy colours.
  func refinedColours(_ m: WickMonomial) -> (graph: SlotGraph, colours: [Int]) {
    let graph = slotGraph(m)
    return (graph, graph.refinedColours())
  }

  /// Whether colour refinement alone (`colours` from ``refinedColours(_:)``) tells every random
  /// factor of `m` apart from every other one — then no relabelling exchanges two of them, and
  /// merging partners cannot gain anything.
  func randomFactorsDistinguishable(_ m: WickMonomial, colours: [Int]) -> Bool {
    var seen = Set<[Int]>()
    for f in m.factors where shapes[f.shape].family != nil {
      var values: [Int] = f.slots.map { $0 >= 0 ? 2 * $0 : 2 * colours[wickDummyNumber($0)] + 1 }
      shapes[f.shape].symmetry.canonicalize(&values)
      if !seen.insert([f.shape] + values).inserted { return false }
    }
    return true
  }

  /// The canonical piece of a component given as met (`raw`, the ``WickPieceCache`` key: its
  /// edges as shape, slot count and slots with dummies numbered locally by first occurrence, then
  /// −1 and the local dummies' `spaces`), labelled by ``SlotGraph/smallestLeaf()``.
  private func canonicalPiece(
    raw: ArraySlice<Int>, spaces: ArraySlice<Int>, cache: inout WickPieceCache
  ) -> WickPiece {
    if let hit = cache.pieces[WickPieceKey(raw)] { return hit }
    var localEdges: [SlotGraph.Edge] = []
    let end = raw.endIndex - 1 - spaces.count
    var at = raw.startIndex
    while at < end {
      let count = raw[at + 1]
      localEdges.append(edge(raw[at], Array(raw[(at + 2)..<(at + 2 + count)])))
      at += 2 + count
    }
    let spaces = Array(spaces)
    let graph = SlotGraph(vertexColours: spaces, labellingByShape: localEdges)
    let leaf = graph.smallestLeaf()
    var dummySpaces = Array(repeating: 0, count: spaces.count)
    for (d, l) in leaf.labels.enumerated() { dummySpaces[l] = spaces[d] }
    var factors: [WickFactor] = []
    var groups: [[Int]] = []
    for e in graph.edges {
      var slots = e.slots.map { $0 >= 0 ? $0 : wickDummy(leaf.labels[wickDummyNumber($0)]) }
      e.symmetry.canonicalize(&slots)
      if e.shape < 0 {
        groups.append(slots)
      } else {
        factors.append(WickFactor(shape: e.shape, slots: slots))
      }
    }
    factors.sort(by: WickFactor.precedes)
    groups.sort { $0.lexicographicallyPrecedes($1) }
    let piece = WickPiece(
      encoding: leaf.form, factors: factors, groups: groups, dummySpaces: dummySpaces)
    cache.pieces[WickPieceKey(raw)] = piece
    return piece
  }
}

/// Canonical pieces of components already seen, keyed by the component as it was met (dummies
/// numbered locally by first occurrence): a component's canonical piece depends only on its
/// isomorphism class, so the same raw component always gets the same piece.

struct WickPieceCache {
  fileprivate var pieces: [WickPieceKey: WickPiece] = [:]
}

/// A component as met, the key of ``WickPieceCache``, hashed by one fold (``WickHash``): a slice of
/// the buffer of every component of the monomial where it was met.
struct WickPieceKey: Hashable {
  var raw: ArraySlice<Int>

  init(_ raw: ArraySlice<Int>) { self.raw = raw }

  static func == (a: WickPieceKey, b: WickPieceKey) -> Bool { a.raw.elementsEqual(b.raw) }

  func hash(into hasher: inout Hasher) {
    var h = WickHash.mix(0, UInt64(bitPattern: Int64(raw.count)))
    for v in raw { h = WickHash.mix(h, UInt64(bitPattern: Int64(v))) }
    hasher.combine(h)
  }
}

/// A canonical form (``WickTable/canonicalLayout(_:cache:)``) in parts: the factors and groups
/// without dummies (canonical slots, sorted) and the canonical pieces of the components, sorted
/// by encoding.
///
/// The components of a product of two monomials are those of its operands (they share no dummy),
/// and a component's piece depends only on its isomorphism class; so the layout of a product is
/// the two layouts merged (``merged(with:)``), without labelling anything again.
struct WickLayout {
  var fixedFactors: [WickFactor]
  var fixedGroups: [[Int]]
  var pieces: [WickPiece]

  /// The canonical monomial: the fixed factors and groups, then every piece with its dummies
  /// numbered after the previous pieces'.
  func monomial(scalars: [WickPower]) -> WickMonomial {
    var out = WickMonomial()
    out.scalars = scalars
    out.factors = fixedFactors
    out.distinct = fixedGroups
    if pieces.isEmpty { return out }
    out.factors.reserveCapacity(fixedFactors.count + pieces.reduce(0) { $0 + $1.factors.count })
    for p in pieces {
      let offset = out.dummySpaces.count
      func shift(_ v: Int) -> Int { v < 0 ? v - offset : v }
      for f in p.factors {
        out.factors.append(
          offset == 0 ? f : WickFactor(shape: f.shape, slots: f.slots.map(shift)))
      }
      for g in p.groups { out.distinct.append(offset == 0 ? g : g.map(shift)) }
      out.dummySpaces += p.dummySpaces
    }
    return out
  }

  /// Where the factors of ``monomial(scalars:)`` come from: the piece of every factor (−1 for
  /// a fixed factor) and its position among the piece's factors.
  struct Placement {
    var piece: [Int]
    var local: [Int]
  }

  /// The ``Placement`` of the factors of ``monomial(scalars:)``: the fixed factors, then each
  /// piece's factors in order.
  func placement() -> Placement {
    let count = fixedFactors.count + pieces.reduce(0) { $0 + $1.factors.count }
    var out = Placement(
      piece: Array(repeating: -1, count: count), local: Array(repeating: 0, count: count))
    var at = fixedFactors.count
    for (p, x) in pieces.enumerated() {
      for t in x.factors.indices {
        out.piece[at + t] = p
        out.local[at + t] = t
      }
      at += x.factors.count
    }
    return out
  }

  /// The layout of the product of the two monomials: fixed factors, fixed groups and pieces
  /// merged in their orders (equal entries are identical, so the merge is the sorted union).
  func merged(with other: WickLayout) -> WickLayout {
    WickLayout(
      fixedFactors: Self.merge(fixedFactors, other.fixedFactors, by: WickFactor.precedes),
      fixedGroups: Self.merge(fixedGroups, other.fixedGroups) {
        $0.lexicographicallyPrecedes($1)
      },
      pieces: Self.merge(pieces, other.pieces) {
        $0.encoding.lexicographicallyPrecedes($1.encoding)
      })
  }

  private static func merge<T>(_ a: [T], _ b: [T], by precedes: (T, T) -> Bool) -> [T] {
    if b.isEmpty { return a }
    if a.isEmpty { return b }
    var out: [T] = []
    out.reserveCapacity(a.count + b.count)
    var i = 0
    var j = 0
    while i < a.count && j < b.count {
      if precedes(b[j], a[i]) {
        out.append(b[j])
        j += 1
      } else {
        out.append(a[i])
        i += 1
      }
    }
    out += a[i...]
    out += b[j...]
    return out
  }
}

/// A canonically labelled component: its factors and constraint groups with local dummies, their
/// spaces, and the integer form (``SlotGraph/form(labels:)``) that orders components.
struct WickPiece {
  var encoding: [Int]
  var factors: [WickFactor]
  var groups: [[Int]]
  var dummySpaces: [Int]

  /// The piece as a monomial (its factors, groups and dummies, no scalars).
  var monomial: WickMonomial {
    WickMonomial(scalars: [], factors: factors, dummySpaces: dummySpaces, distinct: groups)
  }
}

/// The connected components of a monomial: dummies linked by sharing a factor or a constraint
/// group.
struct WickComponents {
  /// The component of every factor and every group (−1 for those without dummies) and of every
  /// dummy.
  var factorComponent: [Int]
  var groupComponent: [Int]
  var dummyComponent: [Int]
  var count = 0

  init(_ m: WickMonomial) {
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
    func link(_ slots: some Collection<Int>) {
      var first: Int? = nil
      for v in slots where v < 0 {
        let d = find(wickDummyNumber(v))
        if let f = first {
          if f != d { parent[d] = f }
        } else {
          first = d
        }
      }
    }
    for f in m.factors { link(f.slots) }
    for g in m.distinct { link(g) }
    var componentOfRoot = Array(repeating: -1, count: k)
    var dummyComponent = Array(repeating: -1, count: k)
    var count = 0
    for d in 0..<k {
      let r = find(d)
      if componentOfRoot[r] < 0 {
        componentOfRoot[r] = count
        count += 1
      }
      dummyComponent[d] = componentOfRoot[r]
    }
    func component(_ slots: some Collection<Int>) -> Int {
      guard let v = slots.first(where: { $0 < 0 }) else { return -1 }
      return dummyComponent[wickDummyNumber(v)]
    }
    factorComponent = m.factors.map { component($0.slots) }
    groupComponent = m.distinct.map(component)
    self.dummyComponent = dummyComponent
    self.count = count
  }
}
