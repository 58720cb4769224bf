import Algebra
import Rational

/// A factor with its indices removed, interned per expectation.
struct WickShape: Sendable {
  /// The factor with every slot filled by a placeholder; `withSlots` rebuilds the factor.
  var template: Factor
  var arity: Int
  /// The template's ``Factor/slotSymmetry`` and ``Factor/slotClasses()``.
  var symmetry: SlotSymmetry
  var slotClasses: [Int]
  /// The family (position in ``WickContraction/families``) if the factor is a random component.
  var family: Int?
  var isDelta: Bool
}

/// A factor of a ``WickMonomial``: an interned shape and its slots. A slot value `v ≥ 0` is the
/// free index with id `v` in the ``WickTable``; `v < 0` is the monomial's dummy number `−1 − v`.
struct WickFactor: Hashable, Sendable {
  var shape: Int
  var slots: WickSlots

  init(shape: Int, slots: WickSlots) {
    self.shape = shape
    self.slots = slots
  }

  init(shape: Int, slots: [Int]) {
    self.shape = shape
    self.slots = WickSlots(slots)
  }

  /// The slots in the canonical arrangement of the shape's symmetry (integer order).
  func canonicalSlots(_ symmetry: SlotSymmetry) -> WickFactor {
    symmetry.isTrivial
      ? self : WickFactor(shape: shape, slots: symmetry.canonicalSlots(slots.array))
  }

  static func == (a: WickFactor, b: WickFactor) -> Bool {
    a.shape == b.shape && a.slots == b.slots
  }

  func hash(into hasher: inout Hasher) { hasher.combine(folded(seed: 0)) }

  /// The factor folded into one integer (``WickHash``).
  @inline(__always)
  func folded(seed: UInt64) -> UInt64 {
    slots.folded(seed: WickHash.mix(seed, UInt64(bitPattern: Int64(shape))))
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
///
/// Only the leaf enumeration's allocation-free path uses it, for leaves where every class of
/// dummies is summed out and no two free indices meet (so which dummy of a class survives does
/// not matter); every other leaf, and every other δ contraction of the engine, follows the rules
/// of ``Algebra/SlotDeltas``.
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

  static func == (a: WickMonomial, b: WickMonomial) -> Bool {
    a.factors == b.factors && a.dummySpaces == b.dummySpaces && a.scalars == b.scalars
      && a.distinct == b.distinct
  }

  /// All parts folded into one integer (``WickHash``), handed to the hasher once.
  func hash(into hasher: inout Hasher) {
    var h = WickHash.mix(0, UInt64(bitPattern: Int64(factors.count)))
    for f in factors { h = f.folded(seed: h) }
    h = WickHash.mix(h, UInt64(bitPattern: Int64(dummySpaces.count)))
    for s in dummySpaces { h = WickHash.mix(h, UInt64(bitPattern: Int64(s))) }
    h = WickHash.mix(h, UInt64(bitPattern: Int64(scalars.count)))
    for p in scalars {
      h = WickHash.mix(h, UInt64(bitPattern: Int64(p.symbol)))
      h = WickHash.mix(h, UInt64(bitPattern: Int64(p.exponent)))
    }
    h = WickHash.mix(h, UInt64(bitPattern: Int64(distinct.count)))
    for g in distinct {
      h = WickHash.mix(h, UInt64(bitPattern: Int64(g.count)))
      for v in g { h = WickHash.mix(h, UInt64(bitPattern: Int64(v))) }
    }
    hasher.combine(h)
  }

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
