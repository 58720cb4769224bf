import Rational

/// Rewriting a monomial outside the algebra module.
///
/// The fields of ``Monomial``, ``Term`` and ``Expression`` are read-only outside this module, so
/// that no value that came out of a pass in canonical form is edited field by field into one
/// that silently is not. Other modules build new values with these methods or the initialisers
/// (construction never simplifies: run ``Expression/canonicalized()`` on the result). Each
/// method keeps every other field as it is.
extension Monomial {
  /// The monomial with `factors` in place of its factors.
  public func replacingFactors(with factors: [Factor]) -> Monomial {
    var m = self
    m.factors = factors
    return m
  }

  /// The monomial with the factors that satisfy `isIncluded`, in their order.
  public func filteringFactors(_ isIncluded: (Factor) throws -> Bool) rethrows -> Monomial {
    replacingFactors(with: try factors.filter(isIncluded))
  }

  /// The monomial without the factor at `position`.
  public func removingFactor(at position: Int) -> Monomial {
    var m = self
    m.factors.remove(at: position)
    return m
  }

  /// The monomial with the factor at `position` replaced by `factor`.
  public func replacingFactor(at position: Int, with factor: Factor) -> Monomial {
    var m = self
    m.factors[position] = factor
    return m
  }

  /// The monomial with `factors` appended to its factors.
  public func appendingFactors(_ factors: [Factor]) -> Monomial {
    var m = self
    m.factors += factors
    return m
  }

  /// The monomial with `powers` in place of its scalars, as given (e.g. with some symbols
  /// taken out).
  public func replacingScalars(with powers: [SymbolPower]) -> Monomial {
    var m = self
    m.scalars = powers
    return m
  }

  /// The monomial times Π `powers`: the scalars sorted by symbol, exponents of equal symbols
  /// added, zero exponents dropped.
  public func multiplyingScalars(by powers: [SymbolPower]) -> Monomial {
    var m = self
    m.scalars = mergeScalars(scalars + powers)
    return m
  }

  /// The monomial summed also over `indices` (which must not be summed yet); `summed` stays
  /// sorted.
  public func summing(over indices: [Index]) -> Monomial {
    var m = self
    for i in indices {
      precondition(!m.summed.contains(i), "index summed twice")
      m.summed.append(i)
    }
    m.summed.sort()
    return m
  }

  /// The monomial with `indices` as its summed indices (sorted, without repetition) and
  /// `constraints` as its distinctness groups (each sorted without repetition; groups of fewer
  /// than two members dropped), e.g. after identifying summed indices.
  public func replacingSums(_ indices: [Index], constraints: [[Index]]) -> Monomial {
    var m = self
    m.summed = Array(Set(indices)).sorted()
    m.distinct = constraints.map { Array(Set($0)).sorted() }.filter { $0.count >= 2 }
    return m
  }
}

extension Term {
  /// The term with its coefficient multiplied by `r`.
  public func scaled(by r: Rational) -> Term { Term(coefficient * r, monomial) }
}
