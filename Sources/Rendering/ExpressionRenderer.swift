import Algebra

/// A printer of expressions and equations into one output language.
///
/// Renderers are pure values: the same input gives the same output in every process (no
/// `Dictionary` or `Set` order reaches the output), and terms appear in the order described by
/// ``TermLayout``.
public protocol ExpressionRenderer: Sendable {
  /// The expression; the zero expression renders as the language's zero.
  func render(_ expression: Expression) -> String
  /// The equation `lhs = rhs`, dummy names chosen for both sides together.
  func renderEquation(lhs: Expression, rhs: Expression) -> String
}

extension ExpressionRenderer {
  /// The equation.
  public func render(_ equation: Equation) -> String {
    renderEquation(lhs: equation.lhs, rhs: equation.rhs)
  }
}
