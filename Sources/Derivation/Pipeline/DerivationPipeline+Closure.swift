extension DerivationPipeline {
  /// Refuses a map that carries a neuron's own incoming preactivation into the new layer (a
  /// skip connection, `xi z[i;a]`), naming what its closure needs.
  ///
  /// Given layer ℓ such a layer is z′_i = ξ z_i + u_i with u_i ~ N(0, Ĝ) independent over i: a
  /// neuron keeps its past, while its σ enters every other neuron's Ĝ. At order 1/n the
  /// statistics of layer ℓ+1 then depend on the fluctuations of the stochastic metrics Ĝ of
  /// *all* earlier layers and on single-neuron averages over a neuron's states at two layers,
  /// not on the declared per-layer statistics of layer ℓ alone: a per-layer (K, G1, V)
  /// recursion is wrong from layer 3 on (Derivations/residual-closure.md derives the correct
  /// two-time closure; the tests hold an independent numeric implementation of it). Until the
  /// model language can declare statistics indexed by two layers, the derivation refuses.
  func refuseCarriedPreactivation(_ map: LayerMap) throws {
    guard let location = map.carriedPreactivation else { return }
    throw DerivationError(
      "this term carries a neuron's own preactivation into the next layer (a skip connection): a neuron then remembers its earlier layers while its σ feeds every other neuron's variance, so the description by the per-layer statistics declared here does not close at order 1/n (a (K, G1, V) recursion for it is wrong from layer 3 on). Missing: statistics indexed by two layers — the covariance n·Cov(Ĝ^(t), Ĝ^(s)) of the stochastic metrics of every pair of earlier layers, their 1/n mean shifts, and Gaussian averages over one neuron's states at two layers (Derivations/residual-closure.md); the model language cannot declare them yet. Real networks of this model can be drawn (the weights sampler reads the map), but there is no derived theory to check them against",
      at: location)
  }
}
