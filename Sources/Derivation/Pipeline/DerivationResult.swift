import Algebra

/// One named intermediate result of a derivation (shown with `--steps`).
public struct DerivationStep: Sendable {
  public var title: String
  public var expression: Expression
}

/// A derived equation `lhs = rhs`, e.g. K^{(ℓ+1)}_{α₁α₂} = C_b + C_W⟨σ_{α₁}σ_{α₂}⟩_{K^{(ℓ)}}.
public struct Recursion: Sendable {
  /// The statistic's name as declared in the model (K, G1, V).
  public var quantity: String
  public var lhs: Expression
  public var rhs: Expression
}

/// Everything a derivation produces.
public struct DerivationResult: Sendable {
  /// Initial conditions from the `first` map (layer 1).
  public var initialConditions: [Recursion]
  /// The layer-to-layer recursions from the `map` statement.
  public var recursions: [Recursion]
  public var steps: [DerivationStep]
}

/// A derivation that cannot be carried out for the model as written, with the reason.
public struct DerivationError: Error, Sendable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { "error: \(message)" }
}
