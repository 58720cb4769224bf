import Algebra
import Rational

extension Expression {
  /// **Pass: derivative expansion of averages.** Applies the derivatives of every atom
  /// ⟨∂_{β₁}⋯∂_{β_k} Π f(z_α)⟩ to its integrand by the product and chain rules
  /// (∂_β σ^{(m)}(z_α) = δ_{αβ} σ^{(m+1)}(z_α)), leaving atoms without derivatives times sample
  /// δ's, which are then contracted. The result is canonical.
  public func expandingAverageDerivatives() -> Expression {
    replacingAverages { g in
      guard !g.derivatives.isEmpty, let variable = g.integrandVariable else { return nil }
      return g.applyingDerivatives(variable: variable)
    }
  }

  /// **Pass: derivative with respect to the metric** K_{ab} (symmetric convention, entries
  /// K_{ab} and K_{ba} treated as one variable shared by both orders):
  /// ∂⟨F⟩_K/∂K_{ab} = ½⟨∂_a∂_b F⟩_K and ∂K_{cd}/∂K_{ab} = ½(δ_{ac}δ_{bd} + δ_{ad}δ_{bc}).
  /// Dummies colliding with a, b are renamed apart. The result is canonical.
  public func differentiatedByMetric(_ metric: TensorHead, _ a: Index, _ b: Index) -> Expression {
    var out: [Term] = []
    for t0 in expanded().terms {
      var t = t0
      t = t.renamingDummiesApart(from: [a, b])
      for (n, f) in t.monomial.factors.enumerated() {
        let m = t.monomial
        switch f {
        case .average(let g) where g.metric == metric:
          // A self-feedback atom is a functional of the whole path, not of K alone.
          precondition(!g.isFeedback, "differentiatedByMetric: a self-feedback atom")
          let differentiated = m.replacingFactor(
            at: n,
            with: .average(
              GaussianAverage(
                metric: g.metric, derivatives: g.derivatives + [a, b], integrand: g.integrand)))
          out.append(Term(t.coefficient * Rational(1, 2), differentiated))
        case .tensor(let x) where x.head == metric && x.indices.count == 2:
          let rest = m.removingFactor(at: n)
          let m1 = rest.appendingFactors([.delta(a, x.indices[0]), .delta(b, x.indices[1])])
          let m2 = rest.appendingFactors([.delta(a, x.indices[1]), .delta(b, x.indices[0])])
          out.append(Term(t.coefficient * Rational(1, 2), m1))
          out.append(Term(t.coefficient * Rational(1, 2), m2))
        default:
          continue
        }
      }
    }
    return Expression(out).contractingDeltas().canonicalized()
  }

  /// Replaces atoms for which `value` returns an expression (its free indices refer to the
  /// enclosing term's indices), then contracts δ's and canonicalises.
  public func replacingAverages(_ value: (GaussianAverage) throws -> Expression?) rethrows
    -> Expression
  {
    var out: [Term] = []
    for t in expanded().terms {
      var kept: [Factor] = []
      var values: [Expression] = []
      for f in t.monomial.factors {
        if case .average(let g) = f, let v = try value(g) {
          values.append(v)
        } else {
          kept.append(f)
        }
      }
      var partial = [Term(t.coefficient, t.monomial.replacingFactors(with: kept))]
      for v in values {
        partial = partial.flatMap { p in v.expanded().terms.map { p.multipliedInScope(by: $0) } }
      }
      out.append(contentsOf: partial)
    }
    return Expression(out).contractingDeltas().canonicalized()
  }
}

extension GaussianAverage {
  /// The atom with its derivatives applied to the integrand by the product and chain rules:
  /// atoms without derivatives (same metric and feedback pair) times sample δ's. A self-feedback
  /// atom left with no factor is a covariance of a constant, zero, and is dropped.
  func applyingDerivatives(variable: TensorHead) -> Expression {
    var body = Expression.one
    for f in integrand { body = body * .factor(f) }
    for β in derivatives { body = body.differentiated(by: Tensor(variable, [β])) }
    return Expression(
      body.expanded().terms.compactMap { t in
        let m = t.monomial
        let deltas = m.factors.filter {
          if case .delta = $0 { return true } else { return false }
        }
        let rest = m.factors.filter { if case .delta = $0 { return false } else { return true } }
        if isFeedback && rest.isEmpty { return nil }
        return Term(
          t.coefficient,
          m.replacingFactors(
            with: deltas
              + [
                .average(
                  GaussianAverage(
                    metric: metric, derivatives: [], integrand: rest, feedback: feedback))
              ]))
      })
  }

  /// The single-neuron variable the integrand depends on (from its first factor).
  public var integrandVariable: TensorHead? {
    for f in integrand {
      switch f {
      case .function(let g): return g.argument.head
      case .tensor(let t): return t.head
      default: continue
      }
    }
    return nil
  }
}
