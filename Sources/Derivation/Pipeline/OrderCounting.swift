import Algebra

/// Orders in 1/n, counted on a term as the total inverse power of the widths, a neuron sum
/// counting as one power of its width (``Algebra/Monomial/inverseWidthOrder``) — except for
/// the widths and neuron sums of `exactLayers`, which are fixed sizes rather than expansion
/// parameters (the input dimension n₀ of the first layer).
struct OrderCounting: Sendable {
  var exactLayers: Set<Layer>

  func order(of t: Term) -> Int {
    var order = t.monomial.inverseWidthOrder
    for p in t.monomial.scalars where p.symbol.kind == .width {
      if let l = p.symbol.layer, exactLayers.contains(l) { order += p.exponent }
    }
    for i in t.monomial.summed {
      if case .neuron(let l) = i.space, exactLayers.contains(l) { order += 1 }
    }
    return order
  }

  /// The terms of exactly the given order.
  func part(_ e: Expression, ofOrder k: Int) -> Expression {
    Expression(e.terms.filter { order(of: $0) == k })
  }

  /// The terms of order at most `k`.
  func truncated(_ e: Expression, toOrder k: Int) -> Expression {
    Expression(e.terms.filter { order(of: $0) <= k })
  }

  /// "order 1/n^k", "O(1)" or "growing like n^k" for a message.
  func describe(_ t: Term) -> String {
    let k = order(of: t)
    switch k {
    case 0: return "O(1)"
    case 1: return "O(1/n)"
    case 2...: return "O(1/n^\(k))"
    case -1: return "growing like n"
    default: return "growing like n^\(-k)"
    }
  }
}
