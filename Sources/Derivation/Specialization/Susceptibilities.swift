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
