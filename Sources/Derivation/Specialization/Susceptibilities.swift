import Algebra
import GaussianCalculus
import Rational

/// Derived single-input quantities: the parallel and perpendicular susceptibilities
///   χ_∥ = ∂K′/∂K (single input),   χ_⊥ = 2 ∂K′_{α₁α₂}/∂K_{α₁α₂} at coincident inputs,
/// both obtained by differentiating the *derived* kernel recursion with respect to the metric
/// (∂⟨F⟩_K/∂K_{ab} = ½⟨∂_a∂_b F⟩_K), and the criticality conditions where they have a closed
/// form.
public struct Susceptibilities: Sendable {
  public var parallel: Expression
  public var perpendicular: Expression

  /// - Parameters:
  ///   - kernel: the derived K′_{α₁α₂} (free sample indices `samples`).
  ///   - metric: the incoming metric head K^{(ℓ)}.
  public init(
    kernel: Expression, metric: TensorHead, samples: (Index, Index), singleInput: SingleInput
  ) {
    let (a1, a2) = samples
    let coincident = kernel.renamingFreeIndices([a2: a1])
    parallel = singleInput.apply(coincident.differentiatedByMetric(metric, a1, a1))
    // The two inputs are different samples (δ_{α₁α₂} = 0) that are then brought together.
    let distinctSamples = kernel.differentiatedByMetric(metric, a1, a2).scaled(by: Rational(2))
      .expandingAverageDerivatives().droppingTerms(where: {
        $0.factors.contains(.delta(Swift.min(a1, a2), Swift.max(a1, a2)))
      })
    perpendicular = singleInput.apply(distinctSamples.renamingFreeIndices([a2: a1]))
  }
}

/// Criticality of a single-input kernel map K′ = C_b + C_W·c·K with susceptibilities χ = c·C_W
/// (the scale-invariant case): χ_∥ = χ_⊥ = 1 gives C_W = 1/c, and the fixed point K★ = K′(K★)
/// then needs C_b = 0. Returns nil when the derived expressions are not of this form.
public struct Criticality: Sendable, Equatable {
  public var cb: Rational
  public var cw: Rational

  public init?(kernel: Expression, parallel: Expression, perpendicular: Expression, metric: Symbol)
  {
    let cw = Symbol.parameter("C_W")
    let cb = Symbol.parameter("C_b")
    func linearInCW(_ e: Expression) -> Rational? {
      let c = e.canonicalized()
      guard c.terms.count == 1, let t = c.terms.first, t.monomial.factors.isEmpty,
        t.monomial.scalars == [SymbolPower(cw, 1)]
      else { return nil }
      return t.coefficient
    }
    guard let p = linearInCW(parallel), let q = linearInCW(perpendicular), p == q, !p.isZero else {
      return nil
    }
    // K′ must be C_b + p·C_W·K (so that χ_∥ = p·C_W is K-independent and K★ is a line).
    let expected = Expression.symbol(cb) + Expression(p) * .symbol(cw) * .symbol(metric)
    let withoutCb = expected - .symbol(cb)
    let k = kernel.canonicalized()
    guard k.isEquivalent(to: expected) || k.isEquivalent(to: withoutCb) else { return nil }
    self.cb = .zero
    self.cw = Rational.one / p
  }
}
