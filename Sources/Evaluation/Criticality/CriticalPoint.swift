/// A critical point — or a critical line — of a single-input kernel map: couplings at which a
/// fixed point K★ = K′(K★) has χ_∥ = χ_⊥ = 1 (FORMULAS.md §13).
public struct CriticalPoint: Sendable, Equatable {
  /// What kind of critical point it is: its universality class.
  public enum Kind: Sendable, Equatable {
    /// Scale-invariant activations: χ_∥ and χ_⊥ do not depend on K, and every K★ is a fixed
    /// point at the critical couplings — a line.
    case line
    /// A fixed point at K★ = 0, from the expansion of the map about K = 0.
    case zeroKernel
    /// An isolated fixed point K★ > 0, found numerically.
    case positiveKernel
  }

  /// How K′(K) − K behaves about K★ at the critical couplings (χ_∥ = 1 there, so the
  /// quadratic term decides).
  public enum Stability: Sendable, Equatable {
    /// Every K is a fixed point (a critical line).
    case marginal
    /// K flows to K★ from both sides (or, at K★ = 0, from above).
    case attracting
    /// K flows away from K★ on both sides (at K★ = 0: from above).
    case repelling
    /// K′ − K > 0 on both sides: K rises to K★ from below and away from it above.
    case attractsFromBelow
    /// K′ − K < 0 on both sides: K falls to K★ from above and away from it below.
    case attractsFromAbove
  }

  /// A coupling at its critical value, by the model's name for it.
  public struct Coupling: Sendable, Equatable {
    public var name: String
    public var value: Double
    /// The value as an exact fraction when it is one (the closed-form line), for display.
    public var exact: String?

    public init(name: String, value: Double, exact: String? = nil) {
      self.name = name
      self.value = value
      self.exact = exact
    }
  }

  /// The critical couplings: the bias variance (when the map has one), then the weight variance.
  public var couplings: [Coupling]
  /// K★; nil for a line.
  public var kernel: Double?
  /// χ_∥ and χ_⊥ evaluated from their derived expressions at the point.
  public var chiParallel: Double
  public var chiPerpendicular: Double
  public var kind: Kind
  public var stability: Stability
  /// ½ d²K′/dK² at K★ (the coefficient of (K − K★)² in K′ − K), when known.
  public var curvature: Double?
  /// ⅙ d³K′/dK³ at K★ (the coefficient of (K − K★)³), for a point K★ > 0: beyond
  /// |K − K★| ≈ |curvature/cubic| it decides the flow rather than the quadratic term.
  public var cubic: Double?

  public init(
    couplings: [Coupling], kernel: Double?, chiParallel: Double, chiPerpendicular: Double,
    kind: Kind, stability: Stability, curvature: Double? = nil, cubic: Double? = nil
  ) {
    self.couplings = couplings
    self.kernel = kernel
    self.chiParallel = chiParallel
    self.chiPerpendicular = chiPerpendicular
    self.kind = kind
    self.stability = stability
    self.curvature = curvature
    self.cubic = cubic
  }

  /// The class as printed: `scale-invariant`, `K*=0`, `K*=0, unstable`, `K*>0, half-stable
  /// (attracts from below)`, … — the universality class, qualified by how K flows near it
  /// where that is not the class's usual attraction.
  public var classLabel: String {
    switch (kind, stability) {
    case (.line, _): return "scale-invariant"
    case (.zeroKernel, .attracting): return "K*=0"
    case (.zeroKernel, .repelling): return "K*=0, unstable"
    case (.zeroKernel, _): return "K*=0, marginal"
    case (.positiveKernel, .attracting): return "K*>0, stable"
    case (.positiveKernel, .repelling): return "K*>0, unstable"
    case (.positiveKernel, .attractsFromBelow): return "K*>0, half-stable (attracts from below)"
    case (.positiveKernel, .attractsFromAbove): return "K*>0, half-stable (attracts from above)"
    case (.positiveKernel, .marginal): return "K*>0, marginal"
    }
  }
}
