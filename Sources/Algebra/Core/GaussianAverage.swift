/// A single-neuron Gaussian expectation atom ⟨∂_{β₁}⋯∂_{β_k} F⟩_K.
///
/// `integrand` is a product of factors that depend on one neuron's sample vector z_α only
/// (functions σ^{(m)}(z_α) or the variable z_α itself, whose tensor has a single sample
/// index); `derivatives` lists the sample indices of the partial derivatives ∂/∂z_β applied to
/// the whole product before averaging; `metric` names the covariance K of the centred Gaussian.
///
/// **Self-feedback atoms.** With a non-empty `feedback` pair (γ, δ) the atom is not an average
/// but the self-feedback covariance of a *path* layer (a layer whose neurons carry their own
/// earlier states forward, as in a residual network; Derivations/residual-closure.md):
///   R^{(ℓ)}[∂_{β₁}⋯∂_{β_k} F]_{γδ} = n·Cov_self(∂⋯∂F(z_i^{(ℓ)}), S^{(ℓ)}_{γδ}),
/// the covariance of a neuron's F with the shared path covariance S^{(ℓ)} through the neuron's
/// own contributions to the stochastic metrics of earlier layers. It is linear in F, so
/// derivatives distribute over the integrand as for an average; it is not a Gaussian average
/// and has no polynomial value. `metric` still names the leading-order covariance of the
/// neuron's state at layer ℓ.
///
/// Symmetries: derivatives commute (the derivative indices form one symmetric block), the
/// integrand is a commutative product (identical factors are interchangeable) and the feedback
/// pair is symmetric. In canonical form `derivatives` and `feedback` are sorted and `integrand`
/// is sorted by ``Factor`` order.
public struct GaussianAverage: Hashable, Comparable, Sendable {
  public var metric: TensorHead
  public var derivatives: [Index]
  public var integrand: [Factor]
  /// Empty for an average; the two sample indices (γ, δ) of a self-feedback atom.
  public var feedback: [Index]

  public init(
    metric: TensorHead, derivatives: [Index] = [], integrand: [Factor], feedback: [Index] = []
  ) {
    precondition(feedback.isEmpty || feedback.count == 2, "a feedback atom has two indices")
    self.metric = metric
    self.derivatives = derivatives
    self.integrand = integrand
    self.feedback = feedback
  }

  /// Whether this is a self-feedback atom rather than a Gaussian average.
  public var isFeedback: Bool { !feedback.isEmpty }

  public static func < (lhs: GaussianAverage, rhs: GaussianAverage) -> Bool {
    if lhs.metric != rhs.metric { return lhs.metric < rhs.metric }
    if lhs.feedback.count != rhs.feedback.count { return lhs.feedback.count < rhs.feedback.count }
    if lhs.derivatives.count != rhs.derivatives.count {
      return lhs.derivatives.count < rhs.derivatives.count
    }
    if lhs.integrand != rhs.integrand {
      return lhs.integrand.lexicographicallyPrecedes(rhs.integrand)
    }
    if lhs.derivatives != rhs.derivatives {
      return lhs.derivatives.lexicographicallyPrecedes(rhs.derivatives)
    }
    return lhs.feedback.lexicographicallyPrecedes(rhs.feedback)
  }
}
