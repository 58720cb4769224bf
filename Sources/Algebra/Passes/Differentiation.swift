import Rational

extension Expression {
  /// **Pass: differentiation** with respect to one component of an indexed variable, e.g.
  /// ∂/∂z_{k;β}. Product rule over factors; chain rule through opaque functions:
  /// ∂σ^{(m)}(z_{j;α})/∂z_{k;β} = σ^{(m+1)}(z_{j;α}) δ_{jk} δ_{αβ}; ∂z_{j;α}/∂z_{k;β} = δ_{jk}δ_{αβ}.
  /// Other tensors and Gaussian averages are constants. Dummies colliding with the variable's
  /// indices are renamed apart first. The δ's are left for ``contractingDeltas()``.
  public func differentiated(by variable: Tensor) -> Expression {
    precondition(variable.head.symmetry == .none, "differentiation by a symmetric tensor")
    var out: [Term] = []
    for t0 in expanded().terms {
      var t = t0
      t = t.renamingDummiesApart(from: variable.indices)
      for (n, f) in t.monomial.factors.enumerated() {
        let argument: Tensor
        let replacement: Factor?
        switch f {
        case .tensor(let x) where x.head == variable.head:
          argument = x
          replacement = nil
        case .function(let g) where g.argument.head == variable.head:
          argument = g.argument
          replacement = .function(
            FunctionApplication(g.head, derivative: g.derivative + 1, g.argument))
        default:
          continue
        }
        precondition(argument.indices.count == variable.indices.count, "index count mismatch")
        var m = t.monomial
        m.factors.remove(at: n)
        if let replacement { m.factors.insert(replacement, at: n) }
        for (a, b) in zip(argument.indices, variable.indices) { m.factors.append(.delta(a, b)) }
        out.append(Term(t.coefficient, m))
      }
    }
    return Expression(out)
  }
}
