/// The parsed (not yet checked) form of a model file. Every node keeps its location so the
/// compiler can report errors precisely.
struct ModelSyntax: Sendable {
  struct Name: Hashable, Sendable {
    var text: String
    var location: SourceLocation
  }

  enum LayerSyntax: Hashable, Sendable {
    case relative(Int)
    case absolute(Int)
  }

  enum SpaceSyntax: Hashable, Sendable {
    case neuron(LayerSyntax)
    case sample
  }

  struct IndexDeclaration: Sendable {
    var names: [Name]
    var space: SpaceSyntax
  }

  /// `head[i,j]` or `head[j;a]` (a semicolon separates neuron from sample indices).
  struct TensorSyntax: Sendable {
    var head: Name
    var indices: [Name]
    var hasSemicolon: Bool
    /// The number of indices before the `;` (nil without one).
    var indicesBeforeSemicolon: Int? = nil
  }

  indirect enum FactorSyntax: Sendable {
    case number(Int, SourceLocation)
    case name(Name)
    /// `n[layer]` (explicit layer) or `n(j)` (width of index j's layer).
    case widthOfLayer(LayerSyntax, SourceLocation)
    case widthOfIndex(Name)
    case tensor(TensorSyntax)
    case call(Name, TensorSyntax)
    case parenthesized(ExpressionSyntax, SourceLocation)
  }

  struct TermSyntax: Sendable {
    var negative: Bool
    var numerator: [FactorSyntax]
    var denominator: [FactorSyntax]
    var location: SourceLocation
  }

  struct ExpressionSyntax: Sendable {
    var terms: [TermSyntax]
  }

  struct GaussianDeclaration: Sendable {
    var tensor: TensorSyntax
    var variance: ExpressionSyntax
    /// `, learning-rate EXPRESSION`: the family's learning rate in the neural tangent kernel
    /// (nil: the family is not trained).
    var learningRate: ExpressionSyntax? = nil
  }

  /// `incoming H[j1,j2;a1,a2] : tangent-kernel of z`: the neural tangent kernel of the incoming
  /// preactivation, a field with two neuron and two sample slots whose layer map the engine
  /// derives from the preactivation's map.
  struct TangentKernelDeclaration: Sendable {
    var field: TensorSyntax
    var base: Name
    var location: SourceLocation
  }

  struct StatisticsDeclaration: Sendable {
    var variable: TensorSyntax
    /// The shorthand for the standard state (nil when the statistics are declared by
    /// `statistic` and `cumulant` statements).
    var metric: Name?
    var correction: Name?
    var vertex: Name?
    var suppression: LayerSyntax?
    /// Where `path` is written: the layer is the end of each neuron's path across layers (its
    /// map carries the neuron's own preactivation forward), nil if not declared.
    var path: SourceLocation?
    var location: SourceLocation
  }

  /// `statistic NAME[a1, a2, …] [: symmetric | pairs]`.
  struct StatisticDeclaration: Sendable {
    var name: Name
    var slots: [Name]
    var symmetry: Name?
    var location: SourceLocation
  }

  /// `cumulant z[j1;a1] z[j2;a2] … = EXPRESSION`.
  struct CumulantDeclaration: Sendable {
    var fields: [TensorSyntax]
    var rhs: ExpressionSyntax
    var location: SourceLocation
  }

  struct MapDeclaration: Sendable {
    var lhs: TensorSyntax
    var rhs: ExpressionSyntax
    var location: SourceLocation
  }

  struct DeriveDeclaration: Sendable {
    var targets: [Name]
    var order: Int
    var location: SourceLocation
  }

  var file: String
  var name: Name?
  var indices: [IndexDeclaration] = []
  var couplings: [Name] = []
  var functions: [Name] = []
  var gaussians: [GaussianDeclaration] = []
  var inputs: [TensorSyntax] = []
  var incoming: StatisticsDeclaration?
  var tangentKernel: TangentKernelDeclaration?
  var statistics: [StatisticDeclaration] = []
  var cumulants: [CumulantDeclaration] = []
  var map: MapDeclaration?
  var first: MapDeclaration?
  var derive: DeriveDeclaration?
}
