import Algebra

/// One named intermediate result of a derivation (shown with `--steps`).
public struct DerivationStep: Sendable {
  public var title: String
  public var expression: Expression
}

/// A derived equation `lhs = rhs`, e.g. K^{(ℓ+1)}_{α₁α₂} = C_b + C_W⟨σ_{α₁}σ_{α₂}⟩_{K^{(ℓ)}}.
///
/// Invariant: `lhs` is the statistic's tensor at the next layer on `freeIndices`, and those are
/// exactly the free indices of `rhs`.
public struct Recursion: Sendable {
  /// The statistic the equation is for (its name, rank and symmetry: the equation's signature).
  public var statistic: Statistic
  /// The free sample indices, one per slot of the statistic, in slot order.
  public var freeIndices: [Index]
  public var lhs: Expression
  public var rhs: Expression

  public init(statistic: Statistic, freeIndices: [Index], lhs: Expression, rhs: Expression) {
    self.statistic = statistic
    self.freeIndices = freeIndices
    self.lhs = lhs
    self.rhs = rhs
  }

  /// The statistic's name as declared in the model.
  public var quantity: String { statistic.name }
}

/// Everything a derivation produces.
public struct DerivationResult: Sendable {
  /// Initial conditions from the `first` map (layer 1).
  public var initialConditions: [Recursion]
  /// The layer-to-layer recursions from the `map` statement.
  public var recursions: [Recursion]
  public var steps: [DerivationStep]
  /// The stochastic metric Ĝ_{α₁α₂} of the `first` map: the coefficient of δ_{i₁i₂} in the
  /// two-point function after integrating out the parameters only (step 1). Given the inputs,
  /// the first layer is Gaussian with covariance δ Ĝ.
  public var firstConditionalCovariance: Expression?
  /// The stochastic metric Ĝ of the `map`: given layer ℓ, the new preactivations have
  /// conditional covariance δ_{i₁i₂} Ĝ_{α₁α₂} (a function of layer ℓ). Used by the conditional
  /// sampler.
  public var conditionalCovariance: Expression?
  /// For a map that carries each neuron's own preactivation (a path layer): the skip
  /// coefficient, the stochastic metric's integrand and the kernel response its self-feedback
  /// atoms are evaluated with; nil otherwise.
  public var path: PathClosure? = nil
}

/// A derivation that cannot be carried out for the model as written, with the reason and the
/// statement of the model file it concerns.
///
/// `description` has the compiler-style form `file:line:column: error: message` when the
/// location is known (always, for models compiled from text).
public struct DerivationError: Error, Sendable, CustomStringConvertible {
  public var message: String
  public var location: SourceLocation?
  public init(_ message: String, at location: SourceLocation? = nil) {
    self.message = message
    self.location = location
  }
  public var description: String {
    if let location { return "\(location): error: \(message)" }
    return "error: \(message)"
  }
}
