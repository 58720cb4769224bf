import Algebra

/// An equation between two expressions, e.g. a derived recursion `K^{(ℓ+1)} = …`.
public struct Equation: Hashable, Sendable {
  public var lhs: Expression
  public var rhs: Expression

  public init(lhs: Expression, rhs: Expression) {
    self.lhs = lhs
    self.rhs = rhs
  }
}
