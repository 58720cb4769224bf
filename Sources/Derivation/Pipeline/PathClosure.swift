import Algebra

/// What a path layer's self-feedback atoms need besides the recursions, derived from the map
/// (Derivations/residual-closure.md): the map is z′_i = c·z_i + u_i, where, given layer ℓ, the
/// u_i are independent over i and Gaussian with covariance Ĝ = c₀ + (1/n) Σ_j φ(z_j).
///
/// A neuron's leading-order path is then Gaussian with Cov(z^{(t)}, z^{(s)}) = c^{t−s} K^{(s)}
/// (t ≥ s), and the self-feedback atom of layer ℓ is
///   R^{(ℓ)}[F]_{γδ} = Σ_{p=1}^{ℓ−1} Σ_{μν} M^{(ℓ,p+1)}_{(γδ)(μν)} Cov(F(z^{(ℓ)}), φ_{μν}(z^{(p)})),
/// with the response M^{(t,s)} = ∂K^{(t)}/∂K^{(s)} of the leading-order kernel recursion:
/// M^{(s,s)} = 1, M^{(t+1,s)} = J^{(t)} M^{(t,s)}, J_{(αβ)(γδ)} = ∂K′_{αβ}/∂K_{γδ}.
public struct PathClosure: Sendable {
  /// The skip coefficient c (couplings and numbers only).
  public var skip: Expression
  /// φ_{α₁α₂}: the integrand of the stochastic metric's neuron sum, a product of single-neuron
  /// factors of `variable` (sample indices only), free in `integrandIndices`.
  public var integrand: Expression
  public var integrandIndices: [Index]
  /// J_{(α₁α₂)(β₁β₂)} = ∂K′_{α₁α₂}/∂K_{β₁β₂}, free in `responseIndices` (α₁, α₂, β₁, β₂).
  public var response: Expression
  public var responseIndices: [Index]
  /// The leading-order metric K of the incoming layer (its averages' metric).
  public var metric: TensorHead
  /// The incoming preactivation z (the variable of the integrand's factors).
  public var variable: TensorHead
}
