import Algebra
import Rational

/// Criticality of a single-input kernel map K′ = b + c·w·K with susceptibilities
/// χ_∥ = χ_⊥ = c·w (the scale-invariant case), where b and w are the model's bias and weight
/// variances found by ``CouplingRoles`` (C_b and C_W in the MLP, whatever the model calls them):
/// χ = 1 gives w = 1/c, and the fixed point K★ = K′(K★) then needs b = 0. A kernel map without
/// the bias variance (a bias-free model) is critical at w = 1/c alone. Returns nil when the
/// model has no weight variance or the derived expressions are not of this form.
public struct Criticality: Sendable, Equatable {
  /// A coupling at its critical value.
  public struct Condition: Hashable, Sendable {
    public var coupling: Symbol
    public var value: Rational

    public init(coupling: Symbol, value: Rational) {
      self.coupling = coupling
      self.value = value
    }
  }

  /// The critical couplings: the bias variance (0) when the kernel map has it, then the weight
  /// variance.
  public var conditions: [Condition]

  public init?(
    kernel: Expression, parallel: Expression, perpendicular: Expression, metric: Symbol,
    roles: CouplingRoles
  ) {
    guard let cw = roles.weightVariance else { return nil }
    func linearInWeightVariance(_ e: Expression) -> Rational? {
      let c = e.canonicalized()
      guard c.terms.count == 1, let t = c.terms.first, t.monomial.factors.isEmpty,
        t.monomial.scalars == [SymbolPower(cw, 1)]
      else { return nil }
      return t.coefficient
    }
    guard let p = linearInWeightVariance(parallel), let q = linearInWeightVariance(perpendicular),
      p == q, !p.isZero
    else {
      return nil
    }
    // K′ must be b + p·w·K, or p·w·K (so that χ_∥ = p·w is K-independent and K★ is a line).
    let scaled = Expression(p) * .symbol(cw) * .symbol(metric)
    let k = kernel.canonicalized()
    let critical = Condition(coupling: cw, value: Rational.one / p)
    if let cb = roles.biasVariance, k.isEquivalent(to: .symbol(cb) + scaled) {
      conditions = [Condition(coupling: cb, value: .zero), critical]
    } else if k.isEquivalent(to: scaled) {
      conditions = [critical]
    } else {
      return nil
    }
  }
}
