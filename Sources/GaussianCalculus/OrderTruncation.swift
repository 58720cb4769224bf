import Algebra

extension Expression {
  /// **Pass: truncation in 1/n.** Keeps the terms whose order (total inverse power of all width
  /// symbols, ``Monomial/inverseWidthOrder``) is at most `order`. Ratios n_ℓ/n_{ℓ−1} are O(1).
  public func truncated(toOrder order: Int) -> Expression {
    Expression(terms.filter { $0.monomial.inverseWidthOrder <= order })
  }

  /// The terms of exactly the given order in 1/n.
  public func part(ofOrder order: Int) -> Expression {
    Expression(terms.filter { $0.monomial.inverseWidthOrder == order })
  }
}
