import Algebra

/// Renders expressions as SymPy (Python) source, for pasting into a notebook.
///
/// ``render(_:)`` gives one Python expression; ``script(_:)`` gives a runnable script that
/// declares every name it uses (`ell`, index symbols, couplings, `n = Function('n')`, tensors as
/// `IndexedBase`, activations as `Function`, an opaque `GaussianAverage`) and builds the list
/// `equations` of `Eq(lhs, rhs)`. See ``CASWriter`` for the mapping of each construct.
///
/// ```
/// Rational(1, 4)*C_W**2*n(ell - 1)**(-1)*n(ell)*Sum(V[ell, beta1, beta2, beta3, beta4]*…,
///     (beta1, 1, N_D), (beta2, 1, N_D), (beta3, 1, N_D), (beta4, 1, N_D))
/// ```
public struct SymPyRenderer: ExpressionRenderer {
  public var notation: Notation

  public init(notation: Notation = .book) {
    self.notation = notation
  }

  public func render(_ expression: Expression) -> String {
    var writer = CASWriter(dialect: .sympy, notation: notation)
    return writer.expression(
      expression, naming: IndexNaming(notation: notation, scope: [expression]))
  }

  /// `Eq(lhs, rhs)`.
  public func renderEquation(lhs: Expression, rhs: Expression) -> String {
    var writer = CASWriter(dialect: .sympy, notation: notation)
    return equation(lhs: lhs, rhs: rhs, writer: &writer)
  }

  /// A self-contained Python script: imports, declarations of every name used, and
  /// `equations = [Eq(…), …]`.
  public func script(_ equations: [Equation]) -> String {
    var writer = CASWriter(dialect: .sympy, notation: notation)
    let lines = equations.map { "    " + equation(lhs: $0.lhs, rhs: $0.rhs, writer: &writer) + "," }
    let u = writer.usage
    var out = ["from sympy import *", ""]
    if u.usesLayer {
      out.append(
        CASWriter.layerVariable + " = Symbol('" + CASWriter.layerVariable + "', integer=True)")
    }
    out.append(contentsOf: declaration(u.indices, options: ", integer=True"))
    out.append(contentsOf: declaration(u.symbols))
    out.append(contentsOf: declaration(u.layeredSymbols, options: ", cls=Function"))
    out.append(contentsOf: declaration(u.tensors, options: ", cls=IndexedBase"))
    out.append(contentsOf: declaration(u.functions, options: ", cls=Function"))
    if u.usesAverage { out.append("GaussianAverage = Function('GaussianAverage')") }
    if u.usesFeedback { out.append("SelfFeedback = Function('SelfFeedback')") }
    out.append("")
    out.append("equations = [")
    out.append(contentsOf: lines)
    out.append("]")
    return out.joined(separator: "\n") + "\n"
  }

  private func equation(lhs: Expression, rhs: Expression, writer: inout CASWriter) -> String {
    let naming = IndexNaming(notation: notation, scope: [lhs, rhs])
    return "Eq(" + writer.expression(lhs, naming: naming) + ", "
      + writer.expression(rhs, naming: naming) + ")"
  }

  /// `a, b = symbols('a b'…)` for the sorted names (a single name is written `a, =
  /// symbols('a,'…)` so that `symbols` returns a tuple);
  /// `options` are extra arguments of `symbols`.
  private func declaration(_ names: Set<String>, options: String = "") -> [String] {
    if names.isEmpty { return [] }
    let sorted = names.sorted()
    let single = sorted.count == 1 ? "," : ""
    return [
      sorted.joined(separator: ", ") + single + " = symbols('" + sorted.joined(separator: " ")
        + single + "'" + options + ")"
    ]
  }
}
