import Algebra

/// Renders expressions in Wolfram Language syntax, for pasting into a Mathematica notebook.
///
/// Couplings are `Subscript[C, W]`, widths `n[ell-1]`, tensors `V[ell][beta1, beta2, beta3,
/// beta4]`, σ^{(k)} is `Derivative[k][σ][…]`, Gaussian averages are the inert head
/// `GaussianAverage[metric, {derivative indices}, integrand]`, sums are `Sum[…, {j, 1, n[ell]}]`
/// with `Boole[j != k]` for distinct neurons. See ``CASWriter`` for the full mapping.
public struct MathematicaRenderer: ExpressionRenderer {
  public var notation: Notation

  public init(notation: Notation = .book) {
    self.notation = notation
  }

  public func render(_ expression: Expression) -> String {
    var writer = CASWriter(dialect: .mathematica, notation: notation)
    return writer.expression(
      expression, naming: IndexNaming(notation: notation, scope: [expression]))
  }

  /// `lhs == rhs`.
  public func renderEquation(lhs: Expression, rhs: Expression) -> String {
    var writer = CASWriter(dialect: .mathematica, notation: notation)
    let naming = IndexNaming(notation: notation, scope: [lhs, rhs])
    return writer.expression(lhs, naming: naming) + " == " + writer.expression(rhs, naming: naming)
  }
}
