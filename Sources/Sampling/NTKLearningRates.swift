/// The learning rates of the neural tangent kernel (FORMULAS.md §11): every bias has the rate
/// `λ_b`, every weight of a weight family with fan-in `n_prev` the rate `λ_W / n_prev` (scaled
/// like its variance `C_W / n_prev`), the same in every layer.
///
/// The NTK of a network is `Ĥ_{i₁i₂;α₁α₂} = Σ_θ λ_θ ∂z_{i₁;α₁}/∂θ ∂z_{i₂;α₂}/∂θ` summed over
/// all parameters θ of all layers.
public struct NTKLearningRates: Hashable, Sendable, Codable {
  /// `λ_b`, the rate of every bias.
  public var bias: Double
  /// `λ_W`; a weight with fan-in `n_prev` has the rate `λ_W / n_prev`.
  public var weights: Double

  public init(bias: Double, weights: Double) {
    self.bias = bias
    self.weights = weights
  }
}
