import Algebra
import GaussianCalculus

/// The forward equation of the neural tangent kernel, obtained by differentiating a layer map
/// (FORMULAS.md §11): for z′_{i;α} = map(θ, z),
///   Ĥ′_{i₁i₂;α₁α₂} = Σ_θ λ_θ Σ_{slots} ∂z′_{i₁;α₁}/∂θ ∂z′_{i₂;α₂}/∂θ
///                  + Σ_{m₁m₂β₁β₂} ∂z′_{i₁;α₁}/∂z_{m₁;β₁} ∂z′_{i₂;α₂}/∂z_{m₂;β₂} Ĥ_{m₁m₂;β₁β₂},
/// the first sum over the trained families (those with a learning rate λ_θ), the second present
/// when the map reads an incoming layer with a kernel. Nothing about the map is assumed: the
/// derivatives are taken by ``Algebra/Expression/differentiated(by:)`` and the δ's contracted.
public struct TangentKernelMap: Sendable {
  /// Ĥ of the output layer.
  public var output: TensorHead
  /// The placeholders of the free indices (i₁, i₂, α₁, α₂) in ``rhs``.
  public var indices: [Index]
  public var rhs: Expression

  /// The kernel's map of `map`; `incoming` is the preactivation the map reads and `kernel` its
  /// tangent kernel (both nil for the first layer).
  public init(
    _ map: LayerMap, families: [GaussianFamily], learningRates: [TensorHead: Expression],
    incoming: TensorHead?, kernel: TensorHead?, output: TensorHead
  ) {
    let i = (1...2).map { Index(map.neuron.space, .named("ntk_i\($0)")) }
    let a = (1...2).map { Index(.sample, .named("ntk_alpha\($0)")) }
    let z = (0..<2).map { map.instance(neuron: i[$0], sample: a[$0]) }
    var rhs = Expression.zero
    for family in families {
      guard let rate = learningRates[family.head] else { continue }
      let slots = family.first.enumerated().map { Index($1.space, .named("ntk_p\($0)")) }
      let theta = Tensor(family.head, slots)
      let product = rate * z[0].differentiated(by: theta) * z[1].differentiated(by: theta)
      rhs = rhs + product.expanded().summed(over: slots)
    }
    if let incoming, let kernel, let layer = incoming.layer {
      let m = (1...2).map { Index(.neuron(layer), .named("ntk_m\($0)")) }
      let b = (1...2).map { Index(.sample, .named("ntk_beta\($0)")) }
      let d = (0..<2).map { z[$0].differentiated(by: Tensor(incoming, [m[$0], b[$0]])) }
      let product = d[0] * d[1] * .tensor(kernel, m + b)
      rhs = rhs + product.expanded().summed(over: m + b)
    }
    self.output = output
    self.indices = i + a
    self.rhs = rhs.expanded().contractingDeltas().canonicalized()
  }

  /// The right-hand side with free indices (i₁, i₂, α₁, α₂) = `indices`.
  public func instance(_ indices: [Index]) -> Expression {
    var rename: [Index: Index] = [:]
    for (p, x) in zip(self.indices, indices) { rename[p] = x }
    return rhs.renamingFreeIndices(rename)
  }
}
