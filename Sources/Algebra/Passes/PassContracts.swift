/// The post-conditions that passes promise, as checks for `assert` (evaluated in debug builds
/// only; release builds do not run them).
///
/// Every pass asserts what it promises at its end: ``Expression/expanded()`` an expanded
/// result, ``Expression/collectingLikeTerms()`` collected and sorted terms,
/// ``Expression/contractingDeltas()`` no δ left that could be contracted,
/// ``Expression/canonicalized()`` (and every pass in other modules that promises a canonical
/// result) ``Expression/isCanonical(checkingAtMost:)``.
extension Expression {
  /// How many monomials a debug-build canonicity check re-canonicalises at most: checking every
  /// term would make each assertion as costly as the pass (quadratic in passes that call
  /// `canonicalized()` repeatedly), and an evenly spaced sample catches a systematic defect.
  public static let canonicityCheckSample = 16

  /// Whether the expression is canonical (``isCanonical``), re-canonicalising at most `limit`
  /// evenly spaced monomials (always the first and the last); every other invariant (expanded,
  /// no zero coefficient, terms strictly increasing) is checked on every term.
  public func isCanonical(checkingAtMost limit: Int) -> Bool {
    guard isExpanded, isCollected else { return false }
    if terms.isEmpty { return true }
    let step = Swift.max(1, (terms.count + limit - 1) / Swift.max(limit, 1))
    var n = 0
    while n < terms.count {
      if terms[n].monomial.canonicalized() != terms[n].monomial { return false }
      n += step
    }
    let last = terms[terms.count - 1].monomial
    return last.canonicalized() == last
  }

  /// Whether no coefficient is zero and the monomials are strictly increasing (so no two terms
  /// are alike as written).
  var isCollected: Bool {
    for (n, t) in terms.enumerated() {
      if t.coefficient.isZero { return false }
      if n > 0 && !(terms[n - 1].monomial < t.monomial) { return false }
    }
    return true
  }

  /// Whether the expression is expanded and no δ can be contracted further: none has two equal
  /// indices or a summed index.
  var hasContractedDeltas: Bool {
    guard isExpanded else { return false }
    for t in terms {
      let summed = Set(t.monomial.summed)
      for f in t.monomial.factors {
        if case .delta(let a, let b) = f, a == b || summed.contains(a) || summed.contains(b) {
          return false
        }
      }
    }
    return true
  }
}
