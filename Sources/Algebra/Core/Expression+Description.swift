/// Debugging descriptions only; user-facing output goes through the Rendering module.
extension Index: CustomStringConvertible {
  public var description: String {
    let space: String
    switch self.space {
    case .sample: space = ""
    case .neuron(let l): space = "[\(l)]"
    }
    switch label {
    case .named(let n): return n + space
    case .dummy(let k): return (self.space == .sample ? "β" : "j") + "\(k)" + space
    }
  }
}

extension Layer: CustomStringConvertible {
  public var description: String {
    switch self {
    case .relative(0): return "ℓ"
    case .relative(let o): return o > 0 ? "ℓ+\(o)" : "ℓ\(o)"
    case .absolute(let a): return "\(a)"
    }
  }
}

extension Factor: CustomStringConvertible {
  public var description: String {
    func list(_ i: [Index]) -> String { i.map(\.description).joined(separator: ",") }
    switch self {
    case .delta(let a, let b): return "δ(\(a),\(b))"
    case .tensor(let t): return "\(t.head.name)(\(list(t.indices)))"
    case .function(let f):
      return f.head.name + String(repeating: "'", count: f.derivative)
        + "(\(f.argument.head.name)(\(list(f.argument.indices))))"
    case .average(let g):
      let d = g.derivatives.isEmpty ? "" : "∂(\(list(g.derivatives)))"
      let body = "\(d)\(g.integrand.map(\.description).joined(separator: " "))"
      if g.isFeedback { return "R[\(body)](\(list(g.feedback)))_\(g.metric.name)" }
      return "⟨\(body)⟩_\(g.metric.name)"
    case .parenthesized(let e): return "(\(e))"
    }
  }
}

extension Term: CustomStringConvertible {
  public var description: String {
    var parts = ["\(coefficient)"]
    for p in monomial.scalars {
      let l = p.symbol.layer.map { "_\($0)" } ?? ""
      parts.append(p.exponent == 1 ? "\(p.symbol.name)\(l)" : "\(p.symbol.name)\(l)^\(p.exponent)")
    }
    parts += monomial.factors.map(\.description)
    var s = parts.joined(separator: " ")
    if !monomial.summed.isEmpty {
      s =
        "Σ[\(monomial.summed.map(\.description).joined(separator: ","))"
        + (monomial.distinct.isEmpty ? "" : " ≠\(monomial.distinct)") + "] " + s
    }
    return s
  }
}

extension Expression: CustomStringConvertible {
  public var description: String {
    terms.isEmpty ? "0" : terms.map(\.description).joined(separator: "  +  ")
  }
}
