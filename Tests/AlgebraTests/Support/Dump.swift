import Algebra
import Rational

/// A deterministic one-line text form of expressions for snapshot comparisons (independent of
/// any renderer, and of hashing: it prints the arrays in their stored order).
enum Dump {
  static func layer(_ l: Layer?) -> String {
    switch l {
    case nil: return ""
    case .relative(let o)?: return o == 0 ? "ℓ" : (o > 0 ? "ℓ+\(o)" : "ℓ\(o)")
    case .absolute(let a)?: return "\(a)"
    }
  }

  static func index(_ i: Index) -> String {
    let space: String
    switch i.space {
    case .neuron(let l): space = "n" + layer(l)
    case .sample: space = "s"
    }
    switch i.label {
    case .named(let name): return "\(space):\(name)"
    case .dummy(let k): return "\(space)#\(k)"
    }
  }

  static func indices(_ xs: [Index]) -> String { xs.map(index).joined(separator: ",") }

  static func factor(_ f: Factor) -> String {
    switch f {
    case .delta(let a, let b): return "δ(\(index(a)),\(index(b)))"
    case .tensor(let t): return "\(t.head.name)\(layer(t.head.layer))(\(indices(t.indices)))"
    case .function(let g):
      let t = g.argument
      return
        "\(g.head.name)\(layer(g.head.layer))^\(g.derivative)[\(t.head.name)(\(indices(t.indices)))]"
    case .average(let g):
      return
        "<∂(\(indices(g.derivatives))) \(g.integrand.map(factor).joined(separator: " "))>_\(g.metric.name)"
    case .parenthesized(let e): return "(\(expression(e)))"
    }
  }

  static func term(_ t: Term) -> String {
    let m = t.monomial
    var parts = [t.coefficient.description]
    for p in m.scalars {
      parts.append("\(p.symbol.name)\(layer(p.symbol.layer))^\(p.exponent)")
    }
    parts.append(contentsOf: m.factors.map(factor))
    var s = parts.joined(separator: " ")
    if !m.summed.isEmpty { s += " Σ[\(indices(m.summed))]" }
    for g in m.distinct { s += " ≠[\(indices(g))]" }
    return s
  }

  static func expression(_ e: Expression) -> String {
    e.terms.isEmpty ? "0" : e.terms.map(term).joined(separator: " + ")
  }
}
