/// The name of an opaque scalar function such as the activation σ (optionally layer-dependent).
public struct FunctionHead: Hashable, Comparable, Sendable {
  public var name: String
  public var layer: Layer?

  public init(_ name: String, layer: Layer? = nil) {
    self.name = name
    self.layer = layer
  }

  public static func < (lhs: FunctionHead, rhs: FunctionHead) -> Bool {
    if lhs.name != rhs.name { return lhs.name < rhs.name }
    return Layer?.precedes(lhs.layer, rhs.layer)
  }
}

/// The `derivative`-th derivative of an opaque function applied to one component of an indexed
/// variable: σ^{(k)}(z_{j;α}).
///
/// The function depends on that single component only, so ∂σ(z_{j;α})/∂z_{k;β} = δ_{jk}δ_{αβ}σ'(z_{j;α}).
public struct FunctionApplication: Hashable, Comparable, Sendable {
  public var head: FunctionHead
  public var derivative: Int
  public var argument: Tensor

  public init(_ head: FunctionHead, derivative: Int = 0, _ argument: Tensor) {
    precondition(derivative >= 0, "derivative order must be non-negative")
    self.head = head
    self.derivative = derivative
    self.argument = argument
  }

  public static func < (lhs: FunctionApplication, rhs: FunctionApplication) -> Bool {
    if lhs.head != rhs.head { return lhs.head < rhs.head }
    if lhs.derivative != rhs.derivative { return lhs.derivative < rhs.derivative }
    return lhs.argument < rhs.argument
  }
}
