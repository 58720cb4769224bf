import Algebra
import JSON
import Rational

/// Renders expressions as structured JSON for other programs.
///
/// Schema (keys always in this order; dummies keep their canonical numbers):
///
/// ```
/// expression  {"terms": [term, …]}                      (zero: {"terms": []})
/// term        {"coefficient": "-7/12", "inverseWidthOrder": 1, "scalars": [scalar, …],
///              "factors": [factor, …], "summed": [index, …], "distinct": [[index, …], …]}
/// scalar      {"symbol": "C_W", "kind": "parameter"|"width"|"sampleCount",
///              "layer": layer|null, "exponent": 2}
/// layer       {"relative": -1} | {"absolute": 2}
/// index       {"space": "sample"|"neuron", "layer": layer|null, "name": "alpha1"}
///             or {…, "dummy": 0} instead of "name"
/// factor      {"kind": "delta", "indices": [index, index]}
///             {"kind": "tensor", "head": head, "indices": [index, …]}
///             {"kind": "function", "head": "σ", "layer": layer|null, "derivative": 1,
///              "argument": {"head": head, "indices": [index, …]}}
///             {"kind": "average", "metric": head, "derivatives": [index, …],
///              "integrand": [factor, …]}
///             {"kind": "feedback", "metric": head, "derivatives": [index, …],
///              "integrand": [factor, …], "pair": [index, index]}  (self-feedback of a path layer)
///             {"kind": "parenthesized", "expression": expression}
/// head        {"name": "V", "layer": layer|null, "symmetry": "none"|"symmetric"|"pairOfPairs"|"pairExchange"|"separatePairs"}
/// equation    {"lhs": expression, "rhs": expression}
/// ```
///
/// Coefficients are exact rationals written as strings ("3", "-7/12"). The renderer never
/// reorders terms.
public struct JSONRenderer: ExpressionRenderer {
  /// Pretty-print with two-space indentation (otherwise one line).
  public var prettyPrinted: Bool

  public init(prettyPrinted: Bool = false) {
    self.prettyPrinted = prettyPrinted
  }

  public func render(_ expression: Expression) -> String {
    Self.value(of: expression).serialized(style)
  }

  public func renderEquation(lhs: Expression, rhs: Expression) -> String {
    Self.value(lhs: lhs, rhs: rhs).serialized(style)
  }

  /// Two-space indentation or one line.
  var style: JSONStyle { prettyPrinted ? .indented(2) : .compact }

  /// The expression as a JSON value (the schema above), for documents that embed expressions.
  public static func value(of expression: Expression) -> JSONValue {
    Self.expression(expression)
  }

  /// The equation `lhs = rhs` as a JSON value, `{"lhs": expression, "rhs": expression}`.
  public static func value(lhs: Expression, rhs: Expression) -> JSONValue {
    .object([("lhs", expression(lhs)), ("rhs", expression(rhs))])
  }

  // MARK: Encoding

  static func expression(_ e: Expression) -> JSONValue {
    .object([("terms", .array(e.terms.map(term)))])
  }

  static func term(_ t: Term) -> JSONValue {
    let m = t.monomial
    return .object([
      ("coefficient", .string(t.coefficient.description)),
      ("inverseWidthOrder", .int(m.inverseWidthOrder)),
      ("scalars", .array(m.scalars.map(scalar))),
      ("factors", .array(m.factors.map(factor))),
      ("summed", .array(m.summed.map(index))),
      ("distinct", .array(m.distinct.map { .array($0.map(index)) })),
    ])
  }

  static func scalar(_ p: SymbolPower) -> JSONValue {
    let kind: String
    switch p.symbol.kind {
    case .parameter: kind = "parameter"
    case .width: kind = "width"
    case .sampleCount: kind = "sampleCount"
    }
    return .object([
      ("symbol", .string(p.symbol.name)),
      ("kind", .string(kind)),
      ("layer", layer(p.symbol.layer)),
      ("exponent", .int(p.exponent)),
    ])
  }

  static func layer(_ l: Layer?) -> JSONValue {
    switch l {
    case nil: return .null
    case .relative(let k)?: return .object([("relative", .int(k))])
    case .absolute(let n)?: return .object([("absolute", .int(n))])
    }
  }

  static func index(_ i: Index) -> JSONValue {
    let space: (String, JSONValue)
    switch i.space {
    case .sample: space = ("sample", .null)
    case .neuron(let l): space = ("neuron", layer(l))
    }
    let label: (String, JSONValue)
    switch i.label {
    case .named(let s): label = ("name", .string(s))
    case .dummy(let k): label = ("dummy", .int(k))
    }
    return .object([("space", .string(space.0)), ("layer", space.1), label])
  }

  static func head(_ h: TensorHead) -> JSONValue {
    let symmetry: String
    switch h.symmetry {
    case .none: symmetry = "none"
    case .symmetric: symmetry = "symmetric"
    case .pairOfPairs: symmetry = "pairOfPairs"
    case .pairExchange: symmetry = "pairExchange"
    case .separatePairs: symmetry = "separatePairs"
    }
    return .object([
      ("name", .string(h.name)), ("layer", layer(h.layer)), ("symmetry", .string(symmetry)),
    ])
  }

  static func factor(_ f: Factor) -> JSONValue {
    switch f {
    case .delta(let a, let b):
      return .object([("kind", .string("delta")), ("indices", .array([index(a), index(b)]))])
    case .tensor(let t):
      return .object([
        ("kind", .string("tensor")), ("head", head(t.head)),
        ("indices", .array(t.indices.map(index))),
      ])
    case .function(let g):
      return .object([
        ("kind", .string("function")),
        ("head", .string(g.head.name)),
        ("layer", layer(g.head.layer)),
        ("derivative", .int(g.derivative)),
        (
          "argument",
          .object([
            ("head", head(g.argument.head)), ("indices", .array(g.argument.indices.map(index))),
          ])
        ),
      ])
    case .average(let g) where g.isFeedback:
      return .object([
        ("kind", .string("feedback")),
        ("metric", head(g.metric)),
        ("derivatives", .array(g.derivatives.map(index))),
        ("integrand", .array(g.integrand.map(factor))),
        ("pair", .array(g.feedback.map(index))),
      ])
    case .average(let g):
      return .object([
        ("kind", .string("average")),
        ("metric", head(g.metric)),
        ("derivatives", .array(g.derivatives.map(index))),
        ("integrand", .array(g.integrand.map(factor))),
      ])
    case .parenthesized(let e):
      return .object([("kind", .string("parenthesized")), ("expression", expression(e))])
    }
  }
}
