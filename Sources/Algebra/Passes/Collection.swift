import Rational

extension Expression {
  /// **Pass: like-term collection.** Adds the coefficients of identical monomials, drops zero
  /// coefficients and sorts the terms by ``Monomial`` order. Monomials are compared as they
  /// are: run ``canonicalized()`` to identify terms that differ by dummy names or symmetries.
  public func collectingLikeTerms() -> Expression {
    var sums: [Monomial: Rational] = [:]
    sums.reserveCapacity(terms.count)
    for t in terms {
      var m = t.monomial
      m.scalars = mergeScalars(m.scalars)
      if let c = sums[m] { sums[m] = c + t.coefficient } else { sums[m] = t.coefficient }
    }
    var out: [Term] = []
    out.reserveCapacity(sums.count)
    for (m, c) in sums where !c.isZero { out.append(Term(c, m)) }
    out.sort { $0.monomial < $1.monomial }
    let result = Expression(out)
    assert(result.isCollected, "collectingLikeTerms: terms not collected")
    return result
  }

  /// **Pass: canonicalisation.** Expands, puts every monomial in canonical form (dummy
  /// relabelling, slot symmetries; see ``DummyCanonicalizer``) and collects like terms. The
  /// result satisfies ``isCanonical``.
  public func canonicalized() -> Expression {
    let e = isExpanded ? self : expanded()
    let result = Expression(e.terms.map { Term($0.coefficient, $0.monomial.canonicalized()) })
      .collectingLikeTerms()
    assert(
      result.isCanonical(checkingAtMost: Self.canonicityCheckSample),
      "canonicalized: result not canonical")
    return result
  }

  /// Whether the expression is in canonical form: expanded, every monomial canonical, terms
  /// strictly increasing in ``Monomial`` order, no zero coefficients.
  public var isCanonical: Bool {
    guard isExpanded else { return false }
    for (n, t) in terms.enumerated() {
      if t.coefficient.isZero { return false }
      if t.monomial.canonicalized() != t.monomial { return false }
      if n > 0 && !(terms[n - 1].monomial < t.monomial) { return false }
    }
    return true
  }

  /// The terms whose monomial does not satisfy `predicate` (e.g. to set δ_{α₁α₂} = 0 for two
  /// free indices known to be different).
  public func droppingTerms(where predicate: (Monomial) -> Bool) -> Expression {
    Expression(terms.filter { !predicate($0.monomial) })
  }

  /// Whether `self − other` canonicalises to zero.
  public func isEquivalent(to other: Expression) -> Bool {
    (self - other).canonicalized().isZero
  }
}
