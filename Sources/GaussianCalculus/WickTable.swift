import Algebra
import Rational

/// The interned atoms of one expectation: free indices, index spaces, symbols and factor shapes,
/// plus the compiled covariances of the families. Translates between ``Term`` and ``WickTerm``.
///
/// Ids are assigned in order of first use, so they never depend on hashing order; nothing here is
/// shared between expectations.
struct WickTable {
  private(set) var freeIndices: [Index] = []
  private var freeIDs: [Index: Int] = [:]
  private(set) var spaces: [IndexSpace] = []
  private var spaceIDs: [IndexSpace: Int] = [:]
  private(set) var symbols: [Symbol] = []
  private var symbolIDs: [Symbol: Int] = [:]
  private(set) var shapes: [WickShape] = []
  private var shapeIDs: [Factor: Int] = [:]
  /// The width symbol id of every space id.
  private(set) var spaceWidth: [Int] = []
  let familyHeads: [TensorHead]
  /// Compiled covariance terms per family.
  private(set) var covariances: [[WickCovarianceTerm]] = []
  /// Whether some covariance contains a random component itself.
  private(set) var covarianceIsRandom = false
  /// The shape of δ.
  private(set) var deltaShapeID = 0
  private static let placeholder = Index(.sample, .dummy(-1))

  init(families: [GaussianFamily]) {
    familyHeads = families.map(\.head)
    deltaShapeID = shape(of: .delta(Self.placeholder, Self.placeholder))
    for fam in families { covariances.append(compileCovariance(fam)) }
  }

  // MARK: Interning

  mutating func free(_ i: Index) -> Int {
    if let id = freeIDs[i] { return id }
    freeIndices.append(i)
    freeIDs[i] = freeIndices.count - 1
    return freeIndices.count - 1
  }

  mutating func space(_ s: IndexSpace) -> Int {
    if let id = spaceIDs[s] { return id }
    spaces.append(s)
    spaceIDs[s] = spaces.count - 1
    let w = symbol(s.dimension)
    spaceWidth.append(w)
    return spaces.count - 1
  }

  mutating func symbol(_ s: Symbol) -> Int {
    if let id = symbolIDs[s] { return id }
    symbols.append(s)
    symbolIDs[s] = symbols.count - 1
    return symbols.count - 1
  }

  mutating func shape(of f: Factor) -> Int {
    let slots = f.slots
    let template = f.withSlots(Array(repeating: Self.placeholder, count: slots.count))
    // A few shapes are compared directly: cheaper than hashing a factor (its names' Unicode
    // normalisation); the id is the same either way.
    if shapes.count <= 8 {
      if let id = shapes.firstIndex(where: { $0.template == template }) { return id }
    } else if let id = shapeIDs[template] {
      return id
    }
    var family: Int? = nil
    if case .tensor(let t) = f { family = familyHeads.firstIndex(of: t.head) }
    var isDelta = false
    if case .delta = f { isDelta = true }
    shapes.append(
      WickShape(
        template: template, arity: slots.count, symmetry: template.slotSymmetry,
        slotClasses: template.slotClasses(), family: family, isDelta: isDelta))
    shapeIDs[template] = shapes.count - 1
    return shapes.count - 1
  }

  // MARK: Compilation

  /// The engine form of an expanded term, or nil when a distinctness group names an index that is
  /// not summed (not representable; such terms take the reference path).
  mutating func compile(_ t: Term) -> WickTerm? {
    let m = t.monomial
    var dummy: [Index: Int] = [:]
    dummy.reserveCapacity(m.summed.count)
    var spacesOfDummies: [Int] = []
    spacesOfDummies.reserveCapacity(m.summed.count)
    // Summed indices come sorted, so those of one space are consecutive: one look-up per run.
    var lastSpace: (IndexSpace, Int)? = nil
    for s in m.summed where dummy[s] == nil {
      dummy[s] = spacesOfDummies.count
      if let (x, id) = lastSpace, x == s.space {
        spacesOfDummies.append(id)
      } else {
        let id = space(s.space)
        lastSpace = (s.space, id)
        spacesOfDummies.append(id)
      }
    }
    func value(_ i: Index) -> Int {
      if let d = dummy[i] { return wickDummy(d) }
      return free(i)
    }
    var out = WickMonomial()
    out.dummySpaces = spacesOfDummies
    for f in m.factors {
      if case .parenthesized = f { return nil }
      out.factors.append(WickFactor(shape: shape(of: f), slots: f.slots.map(value)))
    }
    var powers: [WickPower] = []
    for p in m.scalars {
      powers = WickPower.adding(powers, symbol: symbol(p.symbol), exponent: p.exponent)
    }
    out.scalars = powers
    for g in m.distinct {
      if g.contains(where: { dummy[$0] == nil }) { return nil }
      out.distinct.append(g.map(value))
    }
    return WickTerm(coefficient: t.coefficient, monomial: out)
  }

  private mutating func compileCovariance(_ fam: GaussianFamily) -> [WickCovarianceTerm] {
    var roles: [Index: WickCovarianceSlot] = [:]
    for (k, p) in fam.first.enumerated() { roles[p] = .first(k) }
    for (k, p) in fam.second.enumerated() { roles[p] = .second(k) }
    var out: [WickCovarianceTerm] = []
    for t in fam.covariance.expanded().terms {
      var term = WickCovarianceTerm(coefficient: t.coefficient)
      var local: [Index: Int] = [:]
      for s in t.monomial.summed where local[s] == nil {
        local[s] = term.internalSpaces.count
        term.internalSpaces.append(space(s.space))
      }
      func role(_ i: Index) -> WickCovarianceSlot {
        if let d = local[i] { return .internal(d) }
        if let r = roles[i] { return r }
        return .free(free(i))
      }
      for p in t.monomial.scalars {
        term.scalars = WickPower.adding(
          term.scalars, symbol: symbol(p.symbol), exponent: p.exponent)
      }
      for f in t.monomial.factors {
        if case .delta(let a, let b) = f {
          term.deltas.append((role(a), role(b)))
        } else {
          let s = shape(of: f)
          if shapes[s].family != nil { covarianceIsRandom = true }
          term.factors.append((s, f.slots.map(role)))
        }
      }
      term.distinct = t.monomial.distinct.map { $0.map(role) }
      out.append(term)
    }
    return out
  }

  // MARK: Decompilation

  /// The ``Monomial`` of an engine monomial. Dummies get dummy labels above every dummy number
  /// used by a free index, so that they cannot collide with one.
  func monomial(of m: WickMonomial) -> Monomial {
    var base = 0
    for i in freeIndices { if case .dummy(let k) = i.label { base = Swift.max(base, k + 1) } }
    let dummies = m.dummySpaces.enumerated().map {
      Index(spaces[$0.element], .dummy(base + $0.offset))
    }
    func index(_ v: Int) -> Index { v >= 0 ? freeIndices[v] : dummies[wickDummyNumber(v)] }
    return Monomial(
      scalars: m.scalars.map { SymbolPower(symbols[$0.symbol], $0.exponent) }.sorted {
        $0.symbol < $1.symbol
      },
      factors: m.factors.map { shapes[$0.shape].template.withSlots($0.slots.map(index)) },
      summed: dummies.sorted(), distinct: m.distinct.map { $0.map(index).sorted() })
  }

  /// The factor of an engine factor without dummies.
  func factor(_ f: WickFactor) -> Factor {
    shapes[f.shape].template.withSlots(f.slots.map { freeIndices[$0] })
  }
}

/// Where a covariance slot's index comes from.
enum WickCovarianceSlot: Sendable {
  /// Slot `k` of the first component.
  case first(Int)
  /// Slot `k` of the second component.
  case second(Int)
  /// A free index of the covariance itself.
  case free(Int)
  /// A dummy summed inside the covariance.
  case `internal`(Int)
}

/// One term of a compiled covariance E[X_{first} X_{second}].
struct WickCovarianceTerm: Sendable {
  var coefficient: Rational
  var scalars: [WickPower] = []
  var factors: [(shape: Int, slots: [WickCovarianceSlot])] = []
  var deltas: [(WickCovarianceSlot, WickCovarianceSlot)] = []
  var distinct: [[WickCovarianceSlot]] = []
  var internalSpaces: [Int] = []

  init(coefficient: Rational) { self.coefficient = coefficient }
}
