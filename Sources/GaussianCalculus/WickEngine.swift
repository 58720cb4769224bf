import Algebra
import Rational

/// The Wick/Isserlis engine behind ``WickContraction`` (strategies other than `.reference`).
///
/// A term is split into its *constant part* (connected components of factors that contain no
/// random component) and its *random part*; E[const · random] = const · E[random], and
/// E[random] is memoised on the internal canonical form (``WickTable/canonicalForm(_:)``), so the
/// work follows the number of distinct random parts, not the number of pairings.
///
/// E[random] is computed in one of two ways:
/// - **orbit merging**: the first random factor is paired with every partner; partners that an
///   automorphism fixing the first factor exchanges (equal factors, or factors that differ by a
///   permutation of twin dummies) are taken once with their multiplicity, and results equal in
///   canonical form are merged before recursing — efficient when the random factors are exchangeable
///   (E[(z·z)^8] with one input is eight levels of one monomial);
/// - **leaf enumeration**: every pairing is enumerated depth-first with a union-find over
///   indices instead of intermediate monomials, and only the leaves are canonicalised —
///   efficient when no two random factors can be exchanged (free sample indices all different),
///   where merging never happens and intermediate canonical forms would be pure overhead.
///
/// `.automatic` uses leaf enumeration for a random part whose random factors colour refinement
/// tells apart (``WickTable/randomFactorsDistinguishable(_:)``), orbit merging otherwise.
///
/// Canonical random parts and canonical results are interned as integers, and the monomials met
/// on the way (random parts before canonicalisation, constant part × result products) are
/// memoised by their exact form: a part met again costs one hash, merging equal results compares
/// integers, and the canonical labelling runs once per distinct monomial.
struct WickEngine {
  var table: WickTable
  var strategy: WickContraction.Options.Strategy
  /// Canonical random parts met (``WickTable/canonicalForm(_:)``), interned: a part's id indexes
  /// `randomParts` and the memo `expectations`.
  private var randomIDs: [WickMonomial: Int] = [:]
  private var randomParts: [WickMonomial] = []
  /// The canonical layout of every interned random part (``WickLayout``).
  private var randomLayouts: [WickLayout] = []
  private var expectations: [[WickResult]?] = []
  /// The id of the canonical form of every random part as met (so that one hash finds it).
  private var metRandomIDs: [WickMonomial: Int] = [:]
  /// Canonical results (monomials without random factors), interned: a result's id indexes
  /// `results`. They are keyed by their structure (the monomial without scalars, interned in
  /// `structureIDs`) and their scalars, so that a result with other scalars is found without
  /// hashing its factors again.
  private var structureIDs: [WickMonomial: Int] = [:]
  private var resultIDs: [WickResultKey: Int] = [:]
  /// The structure id of every result.
  private var resultStructures: [Int] = []
  private var results: [WickMonomial] = []
  /// The canonical layout of every interned result, when known: the products of a constant part
  /// with a result are merged from the two layouts.
  private var resultLayouts: [WickLayout?] = []
  /// The canonical products (result ids) of a constant part, as met, with every result of a
  /// random part, in the order of the random part's expectation.
  private var products: [WickProductKey: [Int]] = [:]
  /// The canonical layouts of the constant parts (without scalars) met by ``product(_:_:)``.
  private var constantLayouts: [WickMonomial: WickLayout] = [:]
  private var pieces = WickPieceCache()
  /// ``localPartnerClasses(_:pinning:)`` of the pieces met, by encoding and pinned position.
  private var pieceLocalClasses: [[Int]: [Int]] = [:]

  init(table: WickTable, strategy: WickContraction.Options.Strategy) {
    self.table = table
    self.strategy = strategy
  }

  /// Adds E of one compiled term to `assembler`.
  mutating func addExpectation(of t: WickTerm, to assembler: inout WickAssembler) {
    for n in table.normalized(t.monomial, coefficient: t.coefficient, deltas: []) {
      let (constant, random) = split(n.monomial)
      let id = randomID(random)
      let key = randomParts[id]
      var analysis: (graph: SlotGraph, colours: [Int])? = nil
      if isUnit(constant) && expectations[id] == nil && !mergesWithoutRefinement(id) {
        let colours = table.refinedColours(key)
        if usesEnumeration(key, colours.colours) {
          // The whole term is random: its leaves go to the assembler in compact form.
          var enumerator = WickPairingEnumerator(table: table, monomial: key)
          assembler.add(enumerator.run(table), scaledBy: n.coefficient, table)
          continue
        }
        analysis = colours
      }
      for r in expectRandom(id, analysis: analysis) {
        let c = n.coefficient * r.coefficient
        if isUnit(constant) {
          assembler.add(WickTerm(coefficient: c, monomial: results[r.result]), table)
        } else {
          assembler.add(
            WickTerm(coefficient: c, monomial: constant.multiplied(by: results[r.result])), table)
        }
      }
    }
  }

  /// The id of the canonical form of the random part `r`, interned on first meeting.
  private mutating func randomID(_ r: WickMonomial) -> Int {
    if let id = metRandomIDs[r] { return id }
    let layout = table.canonicalLayout(r, cache: &pieces)
    let key = layout.monomial(scalars: r.scalars)
    let id: Int
    if let known = randomIDs[key] {
      id = known
    } else {
      id = randomParts.count
      randomIDs[key] = id
      randomParts.append(key)
      randomLayouts.append(layout)
      expectations.append(nil)
    }
    metRandomIDs[r] = id
    return id
  }

  /// The id of the canonical result `m` (of canonical layout `layout`, when known), interned on
  /// first meeting.
  private mutating func resultID(_ m: WickMonomial, layout: WickLayout? = nil) -> Int {
    var bare = m
    bare.scalars = []
    let structure: Int
    if let known = structureIDs[bare] {
      structure = known
    } else {
      structure = structureIDs.count
      structureIDs[bare] = structure
    }
    return resultID(structure, m.scalars, layout: layout) { m }
  }

  /// The id of the result of structure `structure` and scalars `scalars` (`m()` is that result),
  /// interned on first meeting.
  private mutating func resultID(
    _ structure: Int, _ scalars: [WickPower], layout: WickLayout?, _ m: () -> WickMonomial
  ) -> Int {
    let key = WickResultKey(structure: structure, scalars: scalars)
    if let id = resultIDs[key] { return id }
    let id = results.count
    resultIDs[key] = id
    results.append(m())
    resultStructures.append(structure)
    resultLayouts.append(layout)
    return id
  }

  /// The canonical products of `constant` with every result of the random part `id` (result
  /// ids, in the order of its expectation). The labelling ignores scalars, so the products of the
  /// constant's factors are memoised and its scalars multiplied in afterwards. A product's
  /// canonical form is the merge of the constant's canonical layout with the result's
  /// (``WickLayout/merged(with:)``); a result without a known layout is canonicalised whole.
  private mutating func product(_ constant: WickMonomial, _ id: Int) -> [Int] {
    var bare = constant
    bare.scalars = []
    let key = WickProductKey(constant: bare, random: id)
    let ids: [Int]
    if let hit = products[key] {
      ids = hit
    } else {
      var out: [Int] = []
      let bareLayout: WickLayout
      if let known = constantLayouts[bare] {
        bareLayout = known
      } else {
        bareLayout = table.canonicalLayout(bare, cache: &pieces)
        constantLayouts[bare] = bareLayout
      }
      for r in expectRandom(id) {
        let result = results[r.result]
        if let layout = resultLayouts[r.result] {
          let merged = bareLayout.merged(with: layout)
          out.append(resultID(merged.monomial(scalars: result.scalars), layout: merged))
        } else {
          let layout = table.canonicalLayout(bare.multiplied(by: result), cache: &pieces)
          out.append(resultID(layout.monomial(scalars: result.scalars), layout: layout))
        }
      }
      products[key] = out
      ids = out
    }
    if constant.scalars.isEmpty { return ids }
    return ids.map { p in
      var m = results[p]
      m.scalars = WickPower.merge(constant.scalars, m.scalars)
      return resultID(resultStructures[p], m.scalars, layout: resultLayouts[p]) { m }
    }
  }

  /// Whether the random part `id` is computed by orbit merging without colour refinement: two of
  /// its components with equal canonical pieces hold random factors. Exchanging them is an
  /// automorphism, so refinement cannot tell those factors apart
  /// (``WickTable/randomFactorsDistinguishable(_:colours:)`` is false) and ``usesEnumeration(_:_:)``
  /// would choose orbit merging too (except under `.leafEnumeration`).
  private func mergesWithoutRefinement(_ id: Int) -> Bool {
    if strategy == .leafEnumeration { return false }
    let pieces = randomLayouts[id].pieces
    var previousIsRandom = false
    for (p, x) in pieces.enumerated() {
      let isRandom = x.factors.contains { table.shapes[$0.shape].family != nil }
      if isRandom && previousIsRandom && pieces[p - 1].encoding == x.encoding { return true }
      previousIsRandom = isRandom
    }
    return false
  }

  /// Whether the random part `r` (canonical, with random factors of even counts, colours from
  /// ``WickTable/refinedColours(_:)``) is computed by leaf enumeration.
  private func usesEnumeration(_ r: WickMonomial, _ colours: [Int]) -> Bool {
    var counts = Array(repeating: 0, count: table.familyHeads.count)
    for f in r.factors { if let fam = table.shapes[f.shape].family { counts[fam] += 1 } }
    if counts.allSatisfy({ $0 == 0 }) || counts.contains(where: { $0 % 2 == 1 }) { return false }
    switch strategy {
    case .leafEnumeration: return true
    case .orbitMerging, .reference: return false
    case .automatic:
      return !table.covarianceIsRandom && table.randomFactorsDistinguishable(r, colours: colours)
    }
  }

  private func isUnit(_ m: WickMonomial) -> Bool {
    m.scalars.isEmpty && m.factors.isEmpty && m.dummySpaces.isEmpty && m.distinct.isEmpty
  }

  /// The constant and random parts of `m` (scalars go with the constant part).
  func split(_ m: WickMonomial) -> (constant: WickMonomial, random: WickMonomial) {
    let components = WickComponents(m)
    var randomComponent = Array(repeating: false, count: components.count)
    var randomFactor = Array(repeating: false, count: m.factors.count)
    for (n, f) in m.factors.enumerated() where table.shapes[f.shape].family != nil {
      randomFactor[n] = true
      if components.factorComponent[n] >= 0 {
        randomComponent[components.factorComponent[n]] = true
      }
    }
    var constant = WickMonomial()
    var random = WickMonomial()
    constant.scalars = m.scalars
    // Dummies renumbered per part in order of their number.
    var renumber = Array(repeating: 0, count: m.dummySpaces.count)
    for (d, s) in m.dummySpaces.enumerated() {
      if randomComponent[components.dummyComponent[d]] {
        renumber[d] = random.dummySpaces.count
        random.dummySpaces.append(s)
      } else {
        renumber[d] = constant.dummySpaces.count
        constant.dummySpaces.append(s)
      }
    }
    func map(_ v: Int) -> Int { v >= 0 ? v : wickDummy(renumber[wickDummyNumber(v)]) }
    for (n, f) in m.factors.enumerated() {
      let c = components.factorComponent[n]
      let moved = WickFactor(shape: f.shape, slots: f.slots.map(map))
      if c >= 0 ? randomComponent[c] : randomFactor[n] {
        random.factors.append(moved)
      } else {
        constant.factors.append(moved)
      }
    }
    for (n, g) in m.distinct.enumerated() {
      let c = components.groupComponent[n]
      if c >= 0 && randomComponent[c] {
        random.distinct.append(g.map(map))
      } else {
        constant.distinct.append(g.map(map))
      }
    }
    return (constant, random)
  }

  /// E of the random part `id` (canonical), memoised; results in canonical form. `analysis`:
  /// its ``WickTable/refinedColours(_:)``, when already computed.
  private mutating func expectRandom(
    _ id: Int, analysis known: (graph: SlotGraph, colours: [Int])? = nil
  ) -> [WickResult] {
    if let hit = expectations[id] { return hit }
    let r = randomParts[id]
    var counts = Array(repeating: 0, count: table.familyHeads.count)
    var any = false
    for f in r.factors {
      if let fam = table.shapes[f.shape].family {
        counts[fam] += 1
        any = true
      }
    }
    let result: [WickResult]
    if !any {
      result = [WickResult(coefficient: .one, result: resultID(r, layout: randomLayouts[id]))]
    } else if counts.contains(where: { $0 % 2 == 1 }) {
      result = []
    } else if known == nil && mergesWithoutRefinement(id) {
      result = mergeOrbits(r, layout: randomLayouts[id])
    } else {
      let analysis = known ?? table.refinedColours(r)
      result =
        usesEnumeration(r, analysis.colours)
        ? enumerateLeaves(r) : mergeOrbits(r, layout: randomLayouts[id])
    }
    expectations[id] = result
    return result
  }

  /// Orbit merging: pair the first random factor with each distinct partner. `layout` is the
  /// canonical layout of `r` (`r` is its ``WickLayout/monomial(scalars:)``).
  private mutating func mergeOrbits(_ r: WickMonomial, layout: WickLayout) -> [WickResult] {
    guard let first = r.factors.firstIndex(where: { table.shapes[$0.shape].family != nil }) else {
      return [WickResult(coefficient: .one, result: resultID(r))]
    }
    let placement = layout.placement()
    let partners = partnerClasses(r, first: first, layout, placement)
    // Coefficients of equal results added, in first-insertion order (never hashing order).
    var position: [Int: Int] = [:]
    var merged: [WickResult] = []
    for (q, count) in partners {
      let parts =
        pairedInPieces(r, first, q, coefficient: Rational(count), layout, placement)
        ?? table.paired(r, first, q, coefficient: Rational(count)).map { sub in
          let (constant, random) = split(sub.monomial)
          return (sub.coefficient, constant, randomID(random))
        }
      for (coefficient, constant, id) in parts {
        let expectation = expectRandom(id)
        let ids = isUnit(constant) ? expectation.map(\.result) : product(constant, id)
        for (res, p) in zip(expectation, ids) {
          let c = coefficient * res.coefficient
          if let k = position[p] {
            merged[k].coefficient += c
          } else {
            position[p] = merged.count
            merged.append(WickResult(coefficient: c, result: p))
          }
        }
      }
    }
    return merged.filter { !$0.coefficient.isZero }
  }

  /// The terms of pairing the factors `first` and `q` of the random part `r` (the canonical
  /// monomial of `layout`, factors placed by `placement`), each as its coefficient, its constant
  /// part and the id of its random part — computed on the components of `first` and `q` alone.
  ///
  /// The pairing only touches those components: the covariance's δ's and internal dummies link
  /// slots of `first` and `q`, and dummies summed out are theirs. So every term is (a term of
  /// pairing inside the touched components) × (the other components, unchanged), whose
  /// components are all random (`r` is a random part): the constant part is the touched one's,
  /// and the canonical layout of the random part is the touched random part's merged with the
  /// other pieces' (``WickLayout/merged(with:)``). Nil (the caller pairs in all of `r`) when
  /// `first` or `q` has no dummy, or when a term keeps a δ between free indices — then the other
  /// indices of its class are renamed in every factor, untouched components included.
  private mutating func pairedInPieces(
    _ r: WickMonomial, _ first: Int, _ q: Int, coefficient: Rational, _ layout: WickLayout,
    _ placement: WickLayout.Placement
  ) -> [(Rational, WickMonomial, Int)]? {
    let pf = placement.piece[first]
    let pq = placement.piece[q]
    if pf < 0 || pq < 0 || !r.scalars.isEmpty { return nil }
    let touched = WickLayout(
      fixedFactors: [], fixedGroups: [],
      pieces: pf == pq ? [layout.pieces[pf]] : [layout.pieces[pf], layout.pieces[pq]])
    var rest = layout
    rest.pieces.removeAll(keepingCapacity: false)
    for (p, x) in layout.pieces.enumerated() where p != pf && p != pq { rest.pieces.append(x) }
    let a = touched.monomial(scalars: [])
    let qa = pf == pq ? placement.local[q] : layout.pieces[pf].factors.count + placement.local[q]
    let subs = table.paired(a, placement.local[first], qa, coefficient: coefficient)
    for sub in subs where sub.monomial.factors.contains(where: { table.shapes[$0.shape].isDelta }) {
      return nil
    }
    return subs.map { sub in
      let (constant, random) = split(sub.monomial)
      let merged = table.canonicalLayout(random, cache: &pieces).merged(with: rest)
      return (sub.coefficient, constant, randomID(layout: merged))
    }
  }

  /// The id of the random part of canonical layout `layout`, interned on first meeting.
  private mutating func randomID(layout: WickLayout) -> Int {
    let key = layout.monomial(scalars: [])
    if let known = randomIDs[key] { return known }
    let id = randomParts.count
    randomIDs[key] = id
    randomParts.append(key)
    randomLayouts.append(layout)
    expectations.append(nil)
    return id
  }

  /// The partners of the factor `first` of `r` (the factors of its family), grouped into classes
  /// that automorphisms of `r` fixing `first` exchange: one representative per class (its first
  /// factor) and the class size, in factor order. `r` is the canonical monomial of `layout`:
  /// each piece's factors are consecutive, after the fixed factors, and pieces with equal
  /// encodings have equal factors at equal local positions. Relations, each witnessed by such an
  /// automorphism, are joined (an orbit contains the classes of all):
  /// - equal factors without dummies;
  /// - in `first`'s component, equal signatures (``localPartnerClasses(_:pinning:)``, `first`'s
  ///   dummies pinned): a permutation of twin dummies;
  /// - in the other components, equal local classes (``localPartnerClasses(_:pinning:)``: equal
  ///   unpinned signatures in the component) in isomorphic components: exchanging two
  ///   components with equal canonical pieces, each mapped onto the piece by its canonical
  ///   labelling, fixes every other factor, and a permutation of twin dummies inside one
  ///   component does too.
  /// Twins are found per component: exchanging two dummies of different components is an
  /// automorphism only when neither shares an edge with another dummy, and then their components
  /// are isomorphic single dummies, whose factors the second relation joins.
  private mutating func partnerClasses(
    _ r: WickMonomial, first: Int, _ layout: WickLayout, _ placement: WickLayout.Placement
  ) -> [(position: Int, count: Int)] {
    let family = table.shapes[r.factors[first].shape].family
    let piece = placement.piece
    let local = placement.local
    let pf = piece[first]
    // The classes of the factors of `first`'s piece, its dummies pinned.
    let firstClasses = pf >= 0 ? localPartnerClasses(layout.pieces[pf], pinning: local[first]) : []
    // Each piece's class: the first piece with the same encoding; and the local classes of a
    // class's factors, once needed.
    var pieceClass = Array(repeating: 0, count: layout.pieces.count)
    for (p, x) in layout.pieces.enumerated() {
      pieceClass[p] =
        p > 0 && layout.pieces[p - 1].encoding == x.encoding ? pieceClass[p - 1] : p
    }
    var localClasses = Array(repeating: [Int](), count: layout.pieces.count)
    // Union-find over factors: `parent[q]` points towards the class's first factor.
    var parent = Array(r.factors.indices)
    func find(_ q: Int) -> Int {
      var q = q
      while parent[q] != q { q = parent[q] }
      return q
    }
    func join(_ a: Int, _ b: Int) {
      let x = find(a)
      let y = find(b)
      if x < y { parent[y] = x } else if y < x { parent[x] = y }
    }
    var byFactor: [WickFactor: Int] = [:]
    var byFirstClass: [Int: Int] = [:]
    var byClass: [Int: Int] = [:]
    var isPartner = Array(repeating: false, count: r.factors.count)
    for q in r.factors.indices
    where q != first && table.shapes[r.factors[q].shape].family == family {
      isPartner[q] = true
      if piece[q] < 0 {
        if let k = byFactor[r.factors[q]] { join(k, q) } else { byFactor[r.factors[q]] = q }
      } else if piece[q] == pf {
        let c = firstClasses[local[q]]
        if let k = byFirstClass[c] { join(k, q) } else { byFirstClass[c] = q }
      } else {
        let c = pieceClass[piece[q]]
        if localClasses[c].isEmpty {
          localClasses[c] = localPartnerClasses(layout.pieces[c], pinning: nil)
        }
        let key = c * r.factors.count + localClasses[c][local[q]]
        if let k = byClass[key] { join(k, q) } else { byClass[key] = q }
      }
    }
    var partners: [(position: Int, count: Int)] = []
    var slot = Array(repeating: -1, count: r.factors.count)
    for q in r.factors.indices where isPartner[q] {
      let root = find(q)
      if slot[root] < 0 {
        slot[root] = partners.count
        partners.append((root, 0))
      }
      partners[slot[root]].count += 1
    }
    return partners
  }

  /// For every factor of a piece, the first local position of a factor with the same signature
  /// (``partnerSignatures(_:pinning:twins:)``, the dummies of the factor at local position
  /// `pinning` pinned, when given), memoised by the piece's encoding and `pinning`.
  private mutating func localPartnerClasses(_ piece: WickPiece, pinning: Int?) -> [Int] {
    let key = piece.encoding + [pinning ?? -1]
    if let hit = pieceLocalClasses[key] { return hit }
    let m = piece.monomial
    let signatures = partnerSignatures(
      m, pinning: pinning.map { m.factors[$0] },
      twins: table.slotGraph(m).twinClasses(m.dummySpaces))
    var firstWith: [[Int]: Int] = [:]
    var classes: [Int] = []
    for (t, s) in signatures.enumerated() {
      if let k = firstWith[s] {
        classes.append(k)
      } else {
        firstWith[s] = t
        classes.append(t)
      }
    }
    pieceLocalClasses[key] = classes
    return classes
  }

  /// For every factor of `r`, a signature such that two factors with equal signatures are
  /// exchanged by an automorphism of `r` that fixes the factor `pinning` (when given): its shape,
  /// its free indices, the dummies it shares with `pinning`, the twin class
  /// (``SlotGraph/twinClasses(_:)``, without `pinning`'s dummies) of each other dummy, and which
  /// of its slots hold the same dummy. Permutations inside twin classes are automorphisms, and
  /// one maps a factor onto any other with the same signature. `twins` may come from any
  /// colouring that twins share (the dummy spaces, the coarsest): the classes are the same.
  private func partnerSignatures(_ r: WickMonomial, pinning first: WickFactor?, twins: [Int])
    -> [[Int]]
  {
    var pinned = Array(repeating: false, count: r.dummySpaces.count)
    for v in first?.slots ?? WickSlots([]) where v < 0 { pinned[wickDummyNumber(v)] = true }
    // A class's label: its smallest member outside `first`.
    var label = Array(repeating: -1, count: twins.count)
    for d in twins.indices where !pinned[d] && label[twins[d]] < 0 {
      label[twins[d]] = d
    }
    return r.factors.map { f in
      var signature = [f.shape]
      signature.reserveCapacity(1 + 3 * f.slots.count)
      for (s, v) in f.slots.enumerated() {
        if v >= 0 {
          signature.append(0)
          signature.append(v)
        } else if pinned[wickDummyNumber(v)] {
          signature.append(1)
          signature.append(wickDummyNumber(v))
        } else {
          signature.append(2)
          signature.append(label[twins[wickDummyNumber(v)]])
        }
        signature.append(f.slots.firstIndex(of: v) ?? s)
      }
      return signature
    }
  }

  /// Leaf enumeration: every pairing, depth first; leaves canonicalised and merged.
  private mutating func enumerateLeaves(_ r: WickMonomial) -> [WickResult] {
    var enumerator = WickPairingEnumerator(table: table, monomial: r)
    return enumerator.run(table).terms.map {
      let layout = table.canonicalLayout($0.monomial, cache: &pieces)
      return WickResult(
        coefficient: $0.coefficient,
        result: resultID(layout.monomial(scalars: $0.monomial.scalars), layout: layout))
    }
  }
}

/// A term of an expectation inside the engine: a coefficient and an interned canonical result.
struct WickResult {
  var coefficient: Rational
  var result: Int
}

/// An interned result structure (a result without scalars) and the scalars: the key of the
/// results.
struct WickResultKey: Hashable {
  var structure: Int
  var scalars: [WickPower]

  func hash(into hasher: inout Hasher) {
    var h = WickHash.mix(0, UInt64(bitPattern: Int64(structure)))
    for p in scalars {
      h = WickHash.mix(h, UInt64(bitPattern: Int64(p.symbol)))
      h = WickHash.mix(h, UInt64(bitPattern: Int64(p.exponent)))
    }
    hasher.combine(h)
  }
}

/// A constant part as met and a random part's id: the key of the products' memo.
struct WickProductKey: Hashable {
  var constant: WickMonomial
  var random: Int
}

/// Adds coefficients of equal monomials, keeping first-insertion order (never hashing order).
struct WickAccumulator {
  private var position: [WickMonomial: Int] = [:]
  private var monomials: [WickMonomial] = []
  private var coefficients: [Rational] = []

  mutating func add(_ c: Rational, _ m: WickMonomial) {
    if let k = position[m] {
      coefficients[k] += c
    } else {
      position[m] = monomials.count
      monomials.append(m)
      coefficients.append(c)
    }
  }

  /// The non-zero terms in first-insertion order.
  var terms: [WickTerm] {
    zip(coefficients, monomials).compactMap { c, m in
      c.isZero ? nil : WickTerm(coefficient: c, monomial: m)
    }
  }
}
