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

  /// The right-hand side for other free indices (dummies renamed apart as needed).
  public func instance(neuron i: Index, sample a: Index) -> Expression {
    rhs.renamingFreeIndices([neuron: i, sample: a])
  }
}

/// The names of the statistics the derivation is expressed in, at one layer.
public struct StatisticsNames: Hashable, Sendable {
  public var metric: String
  public var correction: String?
  public var vertex: String?

  /// The declared names, comma-separated, for messages.
  var listed: String {
    ([metric] + [correction, vertex].compactMap { $0 }).joined(separator: ", ")
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
  /// The incoming layer's statistics (nil if the model has no recursion step).
  public var incoming: NearlyGaussianLayer?
  public var names: StatisticsNames
  public var targets: [String]
  public var order: Int
}
