import Algebra

/// How the terms of an expression are arranged for display. Pure presentation: the blocks
/// always add up to the expression (``TermBlock/value``), and inside a block terms keep their
/// relative order.
///
/// **Term order contract.** Renderers show terms in the order of ``Algebra/Expression/terms``
/// — for a canonical expression, the documented ``Algebra/Monomial`` order, leading order in
/// 1/n first — and never re-sort them. ``grouping`` performs a *stable* partition into blocks
/// (see ``Grouping``); ``factorsCommonScalars`` then pulls the common scalar prefactor out of
/// each block of two or more terms:
/// `C_W^{2}\left[\langle\ldots\rangle - \langle\ldots\rangle\langle\ldots\rangle\right]`.
public struct TermLayout: Hashable, Sendable {
  /// How terms are partitioned into blocks. Every partition is stable: terms of one block keep
  /// the expression's order.
  public enum Grouping: Hashable, Sendable {
    /// One block: the expression's order.
    case none
    /// Blocks of equal order in 1/n (``Algebra/Monomial/inverseWidthOrder``, which counts a
    /// neuron sum as one power of n), in increasing order.
    case inverseWidthOrder
    /// Blocks of equal width monomial: terms with the same powers of every width (so
    /// n_ℓ/n_{ℓ−1}, though of order 1, is set apart from terms without widths). Blocks are
    /// ordered by order in 1/n, then by the number of width factors (fewest first), then by the
    /// width monomial. This reproduces the book's display of the V recursion: the
    /// width-independent block first, then the n_ℓ/n_{ℓ−1} block.
    case widthMonomial
  }

  /// The partition into blocks.
  public var grouping: Grouping
  /// Factor the scalar symbols common to every term of a block out of it.
  public var factorsCommonScalars: Bool

  public init(grouping: Grouping = .none, factorsCommonScalars: Bool = false) {
    self.grouping = grouping
    self.factorsCommonScalars = factorsCommonScalars
  }

  /// Every term in its own place, no factoring: the plain sum.
  public static let plain = TermLayout()

  /// Blocks by width monomial with common scalars factored out: the book's display.
  public static let book = TermLayout(grouping: .widthMonomial, factorsCommonScalars: true)

  /// The blocks of `expression` (empty for the zero expression).
  public func blocks(of expression: Expression) -> [TermBlock] {
    if expression.terms.isEmpty { return [] }
    let groups: [[Term]]
    switch grouping {
    case .none:
      groups = [expression.terms]
    case .inverseWidthOrder:
      groups = TermLayout.stablePartition(expression.terms) { $0.monomial.inverseWidthOrder }
    case .widthMonomial:
      groups = TermLayout.stablePartition(expression.terms) { WidthKey($0.monomial) }
    }
    return groups.map { factorsCommonScalars ? TermBlock(factoring: $0) : TermBlock(terms: $0) }
  }

  /// Terms grouped by equal keys, groups in increasing key order, terms in their original order
  /// inside each group.
  static func stablePartition<Key: Comparable>(_ terms: [Term], key: (Term) -> Key) -> [[Term]] {
    let keyed = terms.map { (key($0), $0) }
    var keys: [Key] = []
    for (k, _) in keyed where !keys.contains(k) { keys.append(k) }
    keys.sort()
    return keys.map { k in keyed.filter { $0.0 == k }.map { $0.1 } }
  }

  /// The block key of ``Grouping/widthMonomial``: order in 1/n, number of width factors
  /// (``Algebra/Monomial/widthDegree``), then the widths themselves.
  struct WidthKey: Comparable {
    var order: Int
    var degree: Int
    var widths: [SymbolPower]

    init(_ m: Monomial) {
      order = m.inverseWidthOrder
      degree = m.widthDegree
      widths = m.scalars.filter { $0.symbol.kind == .width }.sorted()
    }

    static func < (lhs: WidthKey, rhs: WidthKey) -> Bool {
      if lhs.order != rhs.order { return lhs.order < rhs.order }
      if lhs.degree != rhs.degree { return lhs.degree < rhs.degree }
      return lhs.widths.lexicographicallyPrecedes(rhs.widths)
    }
  }
}
