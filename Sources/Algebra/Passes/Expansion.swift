import Rational

extension Expression {
  /// **Pass: expansion.** Distributes every parenthesised factor (recursively), renaming dummies
  /// apart. The result has no ``Factor/parenthesized(_:)`` factors; terms are not collected.
  public func expanded() -> Expression {
    var out: [Term] = []
    for t in terms { out.append(contentsOf: t.expanded()) }
    let result = Expression(out)
    assert(result.isExpanded, "expanded: a parenthesised factor is left")
    return result
  }

  /// Whether no term has a parenthesised factor.
  public var isExpanded: Bool {
    terms.allSatisfy { t in
      !t.monomial.factors.contains {
        if case .parenthesized = $0 { return true } else { return false }
      }
    }
  }
}

extension Term {
  /// The term with its parenthesised factors distributed.
  func expanded() -> [Term] {
    var plain = monomial
    var sums: [Expression] = []
    plain.factors = []
    for f in monomial.factors {
      if case .parenthesized(let e) = f {
        sums.append(e.expanded())
      } else {
        plain.factors.append(f)
      }
    }
    if sums.isEmpty { return [self] }
    // The outer sums bind the free indices of the parenthesised factors; the factors' own
    // dummies are renamed apart from every index of the term.
    let reserved = Set(monomial.allIndices)
    var partial = [Term(coefficient, plain)]
    for s in sums {
      var next: [Term] = []
      next.reserveCapacity(partial.count * s.terms.count)
      for p in partial {
        for q in s.terms { next.append(p.multiplied(byInner: q, reserving: reserved)) }
      }
      partial = next
    }
    return partial
  }
}
