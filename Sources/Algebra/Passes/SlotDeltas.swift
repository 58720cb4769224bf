/// The rules of δ contraction on slot values: the one implementation behind
/// ``Expression/contractingDeltas()``, ``Monomial/normalizingFreeDeltas()`` and the Wick
/// engine's interned monomials.
///
/// Slot values are as in ``SlotGraph``: `v ≥ 0` a free index (a code whose order is the order
/// of the indices), `v < 0` the dummy `−1 − v`, dummies numbered in the order of their indices.
/// The rules (those documented on ``Expression/contractingDeltas()``):
/// - δ's are taken in order; δ_{aa} (after the identifications so far) is 1;
/// - δ_{ab} with a dummy: the dummy is identified with the other index (of two dummies the larger
///   goes, the smaller stays), unless a constraint group holds both, when the term is 0;
/// - δ_{ab} of two free indices stays;
/// - a dummy left in no factor and in at most one group is summed out, first dummies first:
///   Σ_j 1 = n_j, and Σ_{j ≠ m others} 1 = n_j − m.
public enum SlotDeltas {
  /// The identifications made by the δ's of one term.
  public struct Contraction: Sendable {
    /// The slot value every dummy became (its own when it survives).
    public var representatives: [Int]
    /// Per δ, in the order given: whether it was contracted away (else it joins two free
    /// indices and stays).
    public var removed: [Bool]
    /// Whether some dummy was identified with another index.
    public var identifiedAny: Bool

    /// The slot value `v` became.
    @inline(__always) public func value(_ v: Int) -> Int {
      v >= 0 ? v : representatives[SlotGraph.vertex(v)]
    }

    /// Whether dummy `d` survives.
    @inline(__always) public func survives(_ d: Int) -> Bool {
      representatives[d] == SlotGraph.slotValue(ofVertex: d)
    }
  }

  /// Contracts `deltas` (pairs of slot values, in order) in a term with `dummyCount` dummies and
  /// the constraint `groups`; nil when a constraint makes the term vanish.
  public static func contract(
    dummyCount: Int, deltas: [(Int, Int)], groups: [[Int]]
  ) -> Contraction? {
    // Union-find: a dummy's parent is a slot value (its own when it is a root); the root of a
    // class is its free index if it has one, else its smallest dummy.
    var parent = (0..<dummyCount).map { SlotGraph.slotValue(ofVertex: $0) }
    func root(_ v: Int) -> Int {
      var v = v
      while v < 0 {
        let p = parent[SlotGraph.vertex(v)]
        if p == v { return v }
        v = p
      }
      return v
    }
    var removed = Array(repeating: false, count: deltas.count)
    var identifiedAny = false
    for (n, (a, b)) in deltas.enumerated() {
      let ra = root(a)
      let rb = root(b)
      if ra == rb {
        removed[n] = true
        continue
      }
      if ra >= 0 && rb >= 0 { continue }
      // The dummy that goes: of two dummies the larger index (the more negative value).
      let (gone, kept) =
        ra < 0 && rb < 0 ? (Swift.min(ra, rb), Swift.max(ra, rb)) : (ra < 0 ? (ra, rb) : (rb, ra))
      for g in groups {
        var hasGone = false
        var hasKept = false
        for v in g {
          let r = root(v)
          if r == gone { hasGone = true } else if r == kept { hasKept = true }
        }
        if hasGone && hasKept { return nil }
      }
      parent[SlotGraph.vertex(gone)] = kept
      removed[n] = true
      identifiedAny = true
    }
    for d in 0..<dummyCount { parent[d] = root(parent[d]) }
    return Contraction(representatives: parent, removed: removed, identifiedAny: identifiedAny)
  }

  /// One term of summing out: `multiplier` times the term, with one power of the width for each
  /// dummy of `summedOut` (in the order summed out), `summed` the dummies still summed (in the
  /// order given) and `groups` the constraints left.
  public struct SumOut: Sendable {
    public var multiplier: Int
    public var summedOut: [Int]
    public var summed: [Int]
    public var groups: [[Int]]
  }

  /// Sums out the dummies of `summed` (scanned in that order; repeats allowed) that occur in no
  /// factor (`inFactor`) and in at most one of `groups`: every round, each term sums out its
  /// first such dummy, giving the term with one power of the width and, for a dummy constrained
  /// distinct from m others, also −m times the term with the dummy removed from its group (a
  /// group of fewer than two members is dropped).
  public static func summingOut(summed: [Int], inFactor: [Bool], groups: [[Int]]) -> [SumOut] {
    var results = [SumOut(multiplier: 1, summedOut: [], summed: summed, groups: groups)]
    var progress = true
    while progress {
      progress = false
      var next: [SumOut] = []
      next.reserveCapacity(results.count)
      for t in results {
        let candidate = t.summed.first { s in
          s < 0 && !inFactor[SlotGraph.vertex(s)]
            && t.groups.reduce(0) { $0 + ($1.contains(s) ? 1 : 0) } <= 1
        }
        guard let j = candidate else {
          next.append(t)
          continue
        }
        progress = true
        var rest = t
        rest.summed.removeAll { $0 == j }
        var others = 0
        if let g = rest.groups.firstIndex(where: { $0.contains(j) }) {
          others = rest.groups[g].count - 1
          rest.groups[g].removeAll { $0 == j }
          if rest.groups[g].count < 2 { rest.groups.remove(at: g) }
        }
        var withWidth = rest
        withWidth.summedOut.append(j)
        next.append(withWidth)
        if others > 0 {
          rest.multiplier *= -others
          next.append(rest)
        }
      }
      results = next
    }
    return results
  }

  /// The δ's of free indices `pairs` written as a star from the smallest code of each class:
  /// the representative of every code in a class (codes in no pair are absent) and the star's
  /// δ's (representative, member) in increasing member order.
  public static func freeDeltaStar(_ pairs: [(Int, Int)]) -> (
    representatives: [Int: Int], star: [(Int, Int)]
  ) {
    var parent: [Int: Int] = [:]
    func find(_ x: Int) -> Int {
      var x = x
      while let p = parent[x], p != x { x = p }
      return x
    }
    for (a, b) in pairs {
      if parent[a] == nil { parent[a] = a }
      if parent[b] == nil { parent[b] = b }
      let ra = find(a)
      let rb = find(b)
      if ra != rb { parent[Swift.max(ra, rb)] = Swift.min(ra, rb) }
    }
    var representatives: [Int: Int] = [:]
    var star: [(Int, Int)] = []
    for x in parent.keys.sorted() {
      let r = find(x)
      representatives[x] = r
      if r != x { star.append((r, x)) }
    }
    return (representatives, star)
  }
}
