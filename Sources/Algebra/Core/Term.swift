import Rational

/// The coefficient-free part of a term: commuting scalar symbols with integer powers, a product
/// of factors, the indices summed over, and distinctness constraints among summed indices.
///
/// A term means  Σ_{summed, with each `distinct` group pairwise different}  Π scalars · Π factors.
/// Indices of `summed` are dummies; every other index in the factors is free.
///
/// Canonical-form invariants (established by ``DummyCanonicalizer``, checked by
/// ``Expression/isCanonical`` and asserted after the passes in debug builds; the fields are
/// read-only outside the module, see ``replacingFactors(with:)`` and its siblings):
/// 1. `scalars` sorted by symbol, one entry per symbol, exponents non-zero;
/// 2. every factor is in ``Factor/canonicalSlots()`` form and `factors` is sorted;
/// 3. summed indices carry dummy labels numbered 0, 1, … per index space (skipping numbers
///    carried by free indices of that space), and `summed` is sorted;
/// 4. each `distinct` group is sorted and has at least two members; the groups are sorted.
///    Members are summed, except that δ contraction may bind a constrained dummy to a free
///    index, leaving a free member (the constraint then restricts the free indices' values);
/// 5. no parenthesised factor remains.
public struct Monomial: Hashable, Comparable, Sendable {
  public internal(set) var scalars: [SymbolPower]
  public internal(set) var factors: [Factor]
  public internal(set) var summed: [Index]
  public internal(set) var distinct: [[Index]]

  public init(
    scalars: [SymbolPower] = [], factors: [Factor] = [], summed: [Index] = [],
    distinct: [[Index]] = []
  ) {
    self.scalars = scalars
    self.factors = factors
    self.summed = summed
    self.distinct = distinct
  }

  /// The empty product (the number 1).
  public static let one = Monomial()

  /// The order of the term in the 1/n expansion: minus the total power of the widths, where
  /// every sum over a neuron index counts as one power of n (it has n terms). So
  /// (1/n₀)Σ_j x_j x_j is of order 0, and n_ℓ/n_{ℓ−1} is of order 0.
  public var inverseWidthOrder: Int {
    let widths = scalars.reduce(0) { $0 + ($1.symbol.kind == .width ? $1.exponent : 0) }
    let neuronSums = summed.reduce(0) { n, i in
      if case .neuron = i.space { return n + 1 }
      return n
    }
    return -widths - neuronSums
  }

  /// Σ |exponent| over width symbols (0 for terms without widths).
  public var widthDegree: Int {
    scalars.reduce(0) { $0 + ($1.symbol.kind == .width ? abs($1.exponent) : 0) }
  }

  /// The exponent of `symbol` (0 if absent).
  public func exponent(of symbol: Symbol) -> Int {
    scalars.first { $0.symbol == symbol }?.exponent ?? 0
  }

  /// Every index that occurs in the factors (with repetition, in slot order), excluding the
  /// local dummies of parenthesised factors.
  public var slotIndices: [Index] {
    var all: [Index] = []
    for f in factors {
      if case .parenthesized(let e) = f {
        all.append(contentsOf: e.freeIndices)
      } else {
        all.append(contentsOf: f.slots)
      }
    }
    return all
  }

  /// Indices occurring in factors but not summed, sorted and without repetition.
  public var freeIndices: [Index] {
    let summedSet = Set(summed)
    return Array(Set(slotIndices).subtracting(summedSet)).sorted()
  }

  /// Documented total order: by order in 1/n (leading order first), then by total degree in the
  /// widths (terms without width ratios first), then by number of factors (fewer first), then
  /// factors, scalars, summed indices and constraints.
  public static func < (lhs: Monomial, rhs: Monomial) -> Bool {
    let lo = lhs.inverseWidthOrder
    let ro = rhs.inverseWidthOrder
    if lo != ro { return lo < ro }
    // Then terms without width symbols (the intrinsic part) before width ratios like n_ℓ/n_{ℓ−1}.
    let lw = lhs.widthDegree
    let rw = rhs.widthDegree
    if lw != rw { return lw < rw }
    // Then fewer factors first: C_b before C_W⟨σσ⟩, ⟨σσσσ⟩ before ⟨σσ⟩⟨σσ⟩.
    if lhs.factors.count != rhs.factors.count { return lhs.factors.count < rhs.factors.count }
    if lhs.factors != rhs.factors { return lhs.factors.lexicographicallyPrecedes(rhs.factors) }
    if lhs.scalars != rhs.scalars { return lhs.scalars.lexicographicallyPrecedes(rhs.scalars) }
    if lhs.summed != rhs.summed { return lhs.summed.lexicographicallyPrecedes(rhs.summed) }
    return lhs.distinct.lexicographicallyPrecedes(rhs.distinct) {
      $0.lexicographicallyPrecedes($1)
    }
  }
}

/// A rational coefficient times a ``Monomial``.
public struct Term: Hashable, Comparable, Sendable {
  public internal(set) var coefficient: Rational
  public internal(set) var monomial: Monomial

  public init(_ coefficient: Rational = .one, _ monomial: Monomial = .one) {
    self.coefficient = coefficient
    self.monomial = monomial
  }

  public static func < (lhs: Term, rhs: Term) -> Bool {
    lhs.monomial != rhs.monomial
      ? lhs.monomial < rhs.monomial : lhs.coefficient < rhs.coefficient
  }
}
