import Algebra
import GaussianCalculus

/// A layer map z^{(out)}_{i;α} = Σ_terms (products of Gaussian parameters and functions of the
/// incoming variables), with `neuron` and `sample` the left-hand side's free indices.
public struct LayerMap: Sendable {
  public var output: TensorHead
  public var neuron: Index
  public var sample: Index
  public var rhs: Expression
  /// Where the map is stated in the model file (refusals about the map point here).
  public var location: SourceLocation?
  /// Where the map first carries a neuron's own incoming preactivation into the new layer
  /// (`xi z[i;a]`, a skip connection), nil if it does not. Such a map can be sampled; its
  /// derivation is refused (its closure needs statistics of two layers).
  public var carriedPreactivation: SourceLocation? = nil

  /// The right-hand side for other free indices (dummies renamed apart as needed).
  public func instance(neuron i: Index, sample a: Index) -> Expression {
    rhs.renamingFreeIndices([neuron: i, sample: a])
  }
}

/// A checked, compiled model: everything the derivation pipeline needs.
///
/// Invariants (established by ``ModelCompiler``): every tensor in the maps is a declared
/// Gaussian parameter, a declared input or the incoming variable; every family's covariance is
/// symmetric; the map's free indices are exactly its left-hand side's.
public struct Model: Sendable {
  public var name: String
  /// The model file's name, as given to the compiler (for messages).
  public var file: String = ""
  /// The couplings the model declares (`coupling C_b C_W`), in declaration order.
  public var couplings: [String] = []
  /// Where a refusal about the model as a whole points: its `map` statement, else its `first`
  /// statement, else the file's start.
  public var location: SourceLocation {
    map?.location ?? first?.location ?? SourceLocation(file: file, line: 1, column: 1)
  }
  /// Parameters of the recursion step (layer ℓ → ℓ+1).
  public var families: [GaussianFamily]
  /// Parameters of the first layer (inputs → layer 1).
  public var firstFamilies: [GaussianFamily]
  public var map: LayerMap?
  public var first: LayerMap?
  /// The incoming layer as the cumulant expansion sees it (nil if the model has no recursion
  /// step): built from `state`.
  public var incoming: NearlyGaussianLayer?
  /// The declared statistics of a layer (nil if the model declares none).
  public var state: LayerStatistics?
  public var targets: [String]
  public var order: Int
  /// The learning rate of each trained parameter family of the recursion step (a scalar, e.g.
  /// λ_W/n_ℓ), keyed by the family's head; families without one are not trained.
  public var learningRates: [TensorHead: Expression] = [:]
  /// The learning rates of the first layer's families.
  public var firstLearningRates: [TensorHead: Expression] = [:]
  /// Where the incoming layer is declared a path (`incoming z[j;a] : …, path`): the map carries
  /// each neuron's own preactivation forward, and the expectation over the incoming layer
  /// includes each neuron's self-feedback through the stochastic metrics of earlier layers
  /// (``GaussianCalculus/NearlyGaussianLayer/withSelfFeedback(width:)``); nil otherwise.
  public var pathDeclaration: SourceLocation? = nil
  /// The neural tangent kernel field Ĥ of the incoming layer (nil when the model declares none).
  public var tangentKernel: TensorHead? { state?.kernel }

  /// The declared statistics, in declared order.
  public var statistics: [Statistic] { state?.statistics ?? [] }

  /// The declared statistics the model derives, in declared order.
  public var derivedStatistics: [Statistic] { statistics.filter { targets.contains($0.name) } }
}
