import Algebra
import Rational

/// How the terms of an expression are arranged for display. Pure presentation: the blocks
/// always add up to the expression (``TermBlock/value``), and the relative order of terms is
/// kept.
///
/// **Term order contract.** Renderers show terms in the order of ``Algebra/Expression/terms``
/// — for a canonical expression, the documented ``Algebra/Monomial`` order, leading order in
/// 1/n first — and never re-sort them. ``groupsByInverseWidthOrder`` performs a *stable*
/// partition by order in 1/n (a no-op on the order of a canonical expression, but it delimits the
/// blocks); ``factorsCommonScalars`` then pulls the common scalar prefactor out of each block of
/// two or more terms:
/// `C_W^{2}\left[\langle\ldots\rangle - \langle\ldots\rangle\langle\ldots\rangle\right]`.
public struct TermLayout: Hashable, Sendable {
  /// Split the terms into blocks of equal order in 1/n (``Algebra/Monomial/inverseWidthOrder``),
  /// blocks in increasing order; otherwise the whole expression is one block.
  public var groupsByInverseWidthOrder: Bool
  /// Factor the scalar symbols common to every term of a block out of it.
  public var factorsCommonScalars: Bool

  public init(groupsByInverseWidthOrder: Bool = false, factorsCommonScalars: Bool = false) {
    self.groupsByInverseWidthOrder = groupsByInverseWidthOrder
    self.factorsCommonScalars = factorsCommonScalars
  }

  /// Every term in its own place, no factoring: the plain sum.
  public static let plain = TermLayout()

  /// Blocks by order in 1/n with common scalars factored out: the book's display.
  public static let book = TermLayout(
    groupsByInverseWidthOrder: true, factorsCommonScalars: true)

  /// The blocks of `expression` (empty for the zero expression).
  public func blocks(of expression: Expression) -> [TermBlock] {
    if expression.terms.isEmpty { return [] }
    var groups: [[Term]]
    if groupsByInverseWidthOrder {
      let orders = Array(Set(expression.terms.map { $0.monomial.inverseWidthOrder })).sorted()
      groups = orders.map { o in expression.terms.filter { $0.monomial.inverseWidthOrder == o } }
    } else {
      groups = [expression.terms]
    }
    return groups.map { factorsCommonScalars ? TermBlock(factoring: $0) : TermBlock(terms: $0) }
  }
}

/// A run of terms shown together, optionally with a common scalar prefactor:
/// value = Π ``commonScalars`` × Σ ``terms``.
public struct TermBlock: Hashable, Sendable {
  /// The symbol powers factored out of every term (empty when none is).
  public var commonScalars: [SymbolPower]
  /// The terms, with ``commonScalars`` divided out.
  public var terms: [Term]

  public init(commonScalars: [SymbolPower] = [], terms: [Term]) {
    self.commonScalars = commonScalars
    self.terms = terms
  }

  /// The block of `terms` with the largest common scalar prefactor pulled out: every symbol
  /// present in all terms with exponents of one sign, to the smallest such magnitude. Blocks of
  /// fewer than two terms are left alone (there is nothing to bracket).
  init(factoring terms: [Term]) {
    guard terms.count >= 2 else {
      self.init(terms: terms)
      return
    }
    var common: [SymbolPower] = []
    for p in terms[0].monomial.scalars.sorted() where p.exponent != 0 {
      var magnitude = abs(p.exponent)
      var shared = true
      for t in terms.dropFirst() {
        let e = t.monomial.exponent(of: p.symbol)
        if e == 0 || (e > 0) != (p.exponent > 0) {
          shared = false
          break
        }
        magnitude = min(magnitude, abs(e))
      }
      if shared { common.append(SymbolPower(p.symbol, p.exponent > 0 ? magnitude : -magnitude)) }
    }
    let reduced = terms.map { t -> Term in
      var m = t.monomial
      m.scalars = m.scalars.compactMap { p in
        guard let c = common.first(where: { $0.symbol == p.symbol }) else { return p }
        let e = p.exponent - c.exponent
        return e == 0 ? nil : SymbolPower(p.symbol, e)
      }
      return Term(t.coefficient, m)
    }
    self.init(commonScalars: common, terms: reduced)
  }

  /// The value of the block as an expression: the common prefactor times the sum of the terms.
  public var value: Expression {
    let sum = Expression(terms)
    if commonScalars.isEmpty { return sum }
    return Expression(Term(.one, Monomial(scalars: commonScalars))) * sum
  }
}
