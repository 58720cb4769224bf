import Algebra
import Rational

/// How the slots of a factor shape may be permuted, as far as the internal canonical form of
/// ``WickMonomial`` is concerned. Shapes whose symmetry is not modelled (Gaussian averages) are
/// treated as having none: that only costs missed merges, never wrong ones.
enum WickSlotSymmetry: Sendable {
  case none
  case symmetric
  case pairOfPairs
}

/// A factor with its indices removed, interned per expectation.
struct WickShape: Sendable {
  /// The factor with every slot filled by a placeholder; `withSlots` rebuilds the factor.
  var template: Factor
  var arity: Int
  var symmetry: WickSlotSymmetry
  /// The family (position in ``WickContraction/families``) if the factor is a random component.
  var family: Int?
  var isDelta: Bool
}

/// A factor of a ``WickMonomial``: an interned shape and its slots. A slot value `v ≥ 0` is the
/// free index with id `v` in the ``WickTable``; `v < 0` is the monomial's dummy number `−1 − v`.
struct WickFactor: Hashable, Sendable {
  var shape: Int
  var slots: [Int]

  /// The slots in the smallest arrangement the shape's symmetry allows (integer order).
  func canonicalSlots(_ symmetry: WickSlotSymmetry) -> WickFactor {
    switch symmetry {
    case .none: return self
    case .symmetric: return WickFactor(shape: shape, slots: slots.sorted())
    case .pairOfPairs:
      var p = [slots[0], slots[1]].sorted()
      var q = [slots[2], slots[3]].sorted()
      if q.lexicographicallyPrecedes(p) { swap(&p, &q) }
      return WickFactor(shape: shape, slots: p + q)
    }
  }

  /// Integer order: shape, then slots.
  static func precedes(_ a: WickFactor, _ b: WickFactor) -> Bool {
    a.shape != b.shape ? a.shape < b.shape : a.slots.lexicographicallyPrecedes(b.slots)
  }
}

/// The dummy encoding of slot values.
@inline(__always) func wickDummy(_ d: Int) -> Int { -1 - d }
@inline(__always) func wickDummyNumber(_ v: Int) -> Int { -1 - v }

/// Classes of slot values identified by δ's (union-find): `parent[d]` is the slot value dummy
/// `d` points to (itself when it is a root); free indices (≥ 0) are always roots, so a class
/// holds at most one free index unless two free indices are identified.
enum WickSlotClasses {
  /// The root of slot value `v`.
  @inline(__always)
  static func root(of v: Int, in parent: [Int]) -> Int {
    var v = v
    while v < 0 {
      let p = parent[wickDummyNumber(v)]
      if p == v { return v }
      v = p
    }
    return v
  }

  /// Joins the classes of `x` and `y` (a dummy root under the other root). When both roots are
  /// distinct free indices nothing is joined and they are returned.
  @inline(__always)
  static func join(_ x: Int, _ y: Int, in parent: inout [Int]) -> (Int, Int)? {
    let rx = root(of: x, in: parent)
    let ry = root(of: y, in: parent)
    if rx == ry { return nil }
    if rx < 0 {
      parent[wickDummyNumber(rx)] = ry
    } else if ry < 0 {
      parent[wickDummyNumber(ry)] = rx
    } else {
      return (rx, ry)
    }
    return nil
  }
}

/// The coefficient-free monomial of the Wick engine: interned integers instead of ``Index``
/// values, dummies numbered `0..<dummySpaces.count`.
///
/// Means Σ_{dummies, each `distinct` group pairwise different} Π scalars · Π factors, exactly like
/// ``Monomial``. Distinct groups may contain free indices after δ contraction (as in
/// ``Expression/contractingDeltas()``).
struct WickMonomial: Hashable, Sendable {
  /// (symbol id, exponent) pairs sorted by symbol id, exponents non-zero.
  var scalars: [WickPower] = []
  var factors: [WickFactor] = []
  /// The index space (interned) of every dummy.
  var dummySpaces: [Int] = []
  /// Groups of slot values constrained pairwise different.
  var distinct: [[Int]] = []

  var dummyCount: Int { dummySpaces.count }

  /// The product with `other`, whose dummies are renumbered after this monomial's.
  func multiplied(by other: WickMonomial) -> WickMonomial {
    if other.factors.isEmpty && other.dummySpaces.isEmpty && other.distinct.isEmpty {
      var out = self
      out.scalars = WickPower.merge(scalars, other.scalars)
      return out
    }
    let offset = dummySpaces.count
    func shift(_ v: Int) -> Int { v < 0 ? v - offset : v }
    var out = self
    out.scalars = WickPower.merge(scalars, other.scalars)
    out.factors.reserveCapacity(factors.count + other.factors.count)
    for f in other.factors {
      out.factors.append(WickFactor(shape: f.shape, slots: f.slots.map(shift)))
    }
    out.dummySpaces += other.dummySpaces
    for g in other.distinct { out.distinct.append(g.map(shift)) }
    return out
  }
}

/// A symbol power of a ``WickMonomial``.
struct WickPower: Hashable, Sendable {
  var symbol: Int
  var exponent: Int

  /// The product of two sorted power lists, sorted, zero exponents dropped.
  static func merge(_ a: [WickPower], _ b: [WickPower]) -> [WickPower] {
    if b.isEmpty { return a }
    if a.isEmpty { return b }
    var out: [WickPower] = []
    out.reserveCapacity(a.count + b.count)
    var i = 0
    var j = 0
    while i < a.count || j < b.count {
      if j == b.count || (i < a.count && a[i].symbol < b[j].symbol) {
        out.append(a[i])
        i += 1
      } else if i == a.count || b[j].symbol < a[i].symbol {
        out.append(b[j])
        j += 1
      } else {
        let e = a[i].exponent + b[j].exponent
        if e != 0 { out.append(WickPower(symbol: a[i].symbol, exponent: e)) }
        i += 1
        j += 1
      }
    }
    return out
  }

  /// `powers` times symbol^exponent.
  static func adding(_ powers: [WickPower], symbol: Int, exponent: Int) -> [WickPower] {
    merge(powers, [WickPower(symbol: symbol, exponent: exponent)])
  }
}

/// A term of the engine.
struct WickTerm: Sendable {
  var coefficient: Rational
  var monomial: WickMonomial
}
