import Rational

/// A rule replacing every component of a tensor by an expression: `head`_{pattern} → replacement,
/// where the replacement's free indices are among `pattern`.
public struct TensorSubstitution: Sendable {
  public var head: TensorHead
  public var pattern: [Index]
  public var replacement: Expression

  public init(_ head: TensorHead, _ pattern: [Index], by replacement: Expression) {
    precondition(Set(pattern).count == pattern.count, "substitution pattern repeats an index")
    self.head = head
    self.pattern = pattern
    self.replacement = replacement
  }

  /// The replacement for the component with the given indices.
  func instance(_ indices: [Index]) -> Expression {
    replacement.renamingFreeIndices(Dictionary(uniqueKeysWithValues: zip(pattern, indices)))
  }
}

extension Expression {
  /// **Pass: tensor substitution.** Replaces every tensor factor with the rule's head by the
  /// rule's replacement (indices matched slot by slot, dummies renamed apart). Function
  /// arguments and Gaussian-average atoms are left alone. The result is expanded.
  public func substituting(_ rule: TensorSubstitution) -> Expression {
    var out: [Term] = []
    for t in expanded().terms {
      var rest = t.monomial
      rest.factors = []
      var pieces: [Expression] = []
      for f in t.monomial.factors {
        if case .tensor(let x) = f, x.head == rule.head {
          pieces.append(rule.instance(x.indices))
        } else {
          rest.factors.append(f)
        }
      }
      // The term's sums bind the indices the replacements inherit from the replaced tensors.
      let reserved = Set(t.monomial.allIndices)
      var partial = [Term(t.coefficient, rest)]
      for p in pieces {
        var next: [Term] = []
        for a in partial {
          for b in p.expanded().terms {
            next.append(a.multiplied(byInner: b, reserving: reserved))
          }
        }
        partial = next
      }
      out.append(contentsOf: partial)
    }
    let result = Expression(out)
    assert(result.isExpanded, "substituting: result not expanded")
    return result
  }

  /// **Pass: scalar substitution.** Replaces `symbol` by `replacement`. A replacement that is a
  /// single term without factors or sums (a scalar monomial) may stand for any power; anything
  /// else only for non-negative powers (else the result would not be polynomial), which is a
  /// precondition.
  public func substituting(_ symbol: Symbol, by replacement: Expression) -> Expression {
    var out: [Term] = []
    for t in expanded().terms {
      let k = t.monomial.exponent(of: symbol)
      if k == 0 {
        out.append(t)
        continue
      }
      var m = t.monomial
      m.scalars.removeAll { $0.symbol == symbol }
      let base = Expression(Term(t.coefficient, m))
      // The shortcut (raise coefficient and scalar exponents to the k-th power) is only valid
      // for a pure scalar monomial: a term's factors and its sums would have to be repeated k
      // times, which the general path below does.
      if replacement.terms.count == 1 && replacement.terms[0].monomial.factors.isEmpty
        && replacement.terms[0].monomial.summed.isEmpty
      {
        var r = replacement.terms[0]
        precondition(k > 0 || !r.coefficient.isZero, "negative power of zero")
        r.coefficient = r.coefficient.power(k)
        r.monomial.scalars = r.monomial.scalars.map { SymbolPower($0.symbol, $0.exponent * k) }
        out.append(contentsOf: (base * Expression(r)).expanded().terms)
      } else {
        precondition(k > 0, "negative power of a sum or of an indexed expression")
        out.append(contentsOf: (base * replacement.power(k)).expanded().terms)
      }
    }
    let result = Expression(out)
    assert(result.isExpanded, "substituting: result not expanded")
    return result
  }
}
