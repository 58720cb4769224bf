/// A single-neuron Gaussian expectation atom ⟨∂_{β₁}⋯∂_{β_k} F⟩_K.
///
/// `integrand` is a product of factors that depend on one neuron's sample vector z_α only
/// (functions σ^{(m)}(z_α) or the variable z_α itself, whose tensor has a single sample
/// index); `derivatives` lists the sample indices of the partial derivatives ∂/∂z_β applied to
/// the whole product before averaging; `metric` names the covariance K of the centred Gaussian.
///
/// Symmetries: derivatives commute (the derivative indices form one symmetric block) and the
/// integrand is a commutative product (identical factors are interchangeable). In canonical form
/// `derivatives` is sorted and `integrand` is sorted by ``Factor`` order.
public struct GaussianAverage: Hashable, Comparable, Sendable {
  public var metric: TensorHead
  public var derivatives: [Index]
  public var integrand: [Factor]

  public init(metric: TensorHead, derivatives: [Index] = [], integrand: [Factor]) {
    self.metric = metric
    self.derivatives = derivatives
    self.integrand = integrand
  }

  public static func < (lhs: GaussianAverage, rhs: GaussianAverage) -> Bool {
    if lhs.metric != rhs.metric { return lhs.metric < rhs.metric }
    if lhs.derivatives.count != rhs.derivatives.count {
      return lhs.derivatives.count < rhs.derivatives.count
    }
    if lhs.integrand != rhs.integrand {
      return lhs.integrand.lexicographicallyPrecedes(rhs.integrand)
    }
    return lhs.derivatives.lexicographicallyPrecedes(rhs.derivatives)
  }
}
