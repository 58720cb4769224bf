extension DerivationPipeline {
  /// Refuses a map that carries a neuron's own incoming preactivation into the new layer (a
  /// skip connection, `xi z[i;a]`) when the incoming layer is not declared a path.
  ///
  /// Given layer ℓ such a layer is z′_i = ξ z_i + u_i with u_i ~ N(0, Ĝ) independent over i: a
  /// neuron keeps its past, while its σ enters every other neuron's Ĝ. At order 1/n the
  /// statistics of layer ℓ+1 then depend on each neuron's self-feedback through the stochastic
  /// metrics of *all* earlier layers, not on the per-layer statistics of a nearly-Gaussian layer
  /// alone: the (K, G1, V) recursion of such a layer is wrong from layer 3 on
  /// (Derivations/residual-closure.md). Declaring the incoming layer a path (`, path`) derives
  /// the closure with the self-feedback atoms (``derivePath``).
  func refuseCarriedPreactivation(_ map: LayerMap) throws {
    guard let location = map.carriedPreactivation else { return }
    throw DerivationError(
      "this term carries a neuron's own preactivation into the next layer (a skip connection): a neuron then remembers its earlier layers while its σ feeds every other neuron's variance, so a nearly-Gaussian layer described by its per-layer statistics does not close at order 1/n (a (K, G1, V) recursion for it is wrong from layer 3 on). Missing: each neuron's self-feedback through the stochastic metrics of earlier layers. Declare the incoming layer a path, 'incoming z[j;a] : nearly-gaussian, per n[l-1], path', to derive the closure with it (Derivations/residual-closure.md)",
      at: location)
  }

  /// Refuses a path declaration on a map that carries no neuron forward: its neurons forget
  /// their past, and the path's self-feedback would have nothing to feed back.
  func refuseUncarriedPath(_ map: LayerMap) throws {
    guard map.carriedPreactivation == nil else { return }
    throw DerivationError(
      "the incoming layer is declared a path, but the map does not carry a neuron's own preactivation forward (no skip term c·z[i;a]): drop ', path' from the 'incoming' declaration",
      at: model.pathDeclaration ?? map.location)
  }
}
