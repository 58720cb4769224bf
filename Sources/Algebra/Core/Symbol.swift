/// A commuting scalar symbol: a width n_ℓ, a coupling (C_b, C_W), the number of samples, or any
/// other named parameter of a model.
///
/// Widths may carry any integer power in a term (Laurent monomials in 1/n); every inverse power
/// of a width counts as one order of the 1/n expansion.
public struct Symbol: Hashable, Comparable, Sendable {
  /// What a symbol stands for. The raw value fixes the canonical order of kinds.
  public enum Kind: Int, Hashable, Comparable, Sendable {
    /// A coupling or other model parameter (C_b, C_W, ξ, …).
    case parameter = 0
    /// The width n of a layer: the range of that layer's neuron indices.
    case width = 1
    /// The number of samples (the range of sample indices).
    case sampleCount = 2

    public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
  }

  public var kind: Kind
  /// The symbol's name without its layer label ("C_W", "n").
  public var name: String
  /// The layer label, if the symbol is layer-dependent.
  public var layer: Layer?

  public init(kind: Kind, name: String, layer: Layer? = nil) {
    self.kind = kind
    self.name = name
    self.layer = layer
  }

  /// A model parameter such as a coupling.
  public static func parameter(_ name: String, layer: Layer? = nil) -> Symbol {
    Symbol(kind: .parameter, name: name, layer: layer)
  }

  /// The width n of the given layer.
  public static func width(_ layer: Layer) -> Symbol {
    Symbol(kind: .width, name: "n", layer: layer)
  }

  /// The number of samples (inputs) in the data set.
  public static let sampleCount = Symbol(kind: .sampleCount, name: "N_D")

  public static func < (lhs: Symbol, rhs: Symbol) -> Bool {
    if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
    if lhs.name != rhs.name { return lhs.name < rhs.name }
    return Layer?.precedes(lhs.layer, rhs.layer)
  }
}

/// A symbol raised to a non-zero integer power.
public struct SymbolPower: Hashable, Comparable, Sendable {
  public var symbol: Symbol
  public var exponent: Int

  public init(_ symbol: Symbol, _ exponent: Int) {
    self.symbol = symbol
    self.exponent = exponent
  }

  public static func < (lhs: SymbolPower, rhs: SymbolPower) -> Bool {
    lhs.symbol != rhs.symbol ? lhs.symbol < rhs.symbol : lhs.exponent < rhs.exponent
  }
}
