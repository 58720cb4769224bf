import Algebra

/// Specialisation to a single input: every sample index (free or summed) becomes the one input
/// α, sums over samples disappear (they have one term), and the statistics K, G¹, V with all
/// indices equal become scalar symbols K^{(ℓ)}, G^{{1}(ℓ)}, V^{(ℓ)} (Laurent powers allowed).
public struct SingleInput: Sendable {
  /// Names of the statistics turned into scalars.
  public var statistics: Set<String>
  /// The input's index.
  public var input: Index

  public init(statistics: Set<String>, input: Index = .sample("alpha")) {
    self.statistics = statistics
    self.input = input
  }

  /// The scalar symbol standing for a statistic at a layer.
  public static func scalar(_ head: TensorHead) -> Symbol {
    .parameter(head.name, layer: head.layer)
  }

  public func apply(_ e: Expression) -> Expression {
    var out: [Term] = []
    for t in e.expanded().terms {
      let m = t.monomial
      var map: [Index: Index] = [:]
      for i in m.mentionedIndices where i.space == .sample { map[i] = input }
      let renamed = Monomial(
        scalars: m.scalars, factors: m.factors, summed: m.summed.filter { $0.space != .sample },
        distinct: m.distinct.filter { $0.first?.space != .sample }
      ).renamed(map)
      var scalars: [SymbolPower] = []
      let kept = renamed.filteringFactors { f in
        if case .tensor(let x) = f, statistics.contains(x.head.name),
          x.indices.allSatisfy({ $0.space == .sample })
        {
          scalars.append(SymbolPower(SingleInput.scalar(x.head), 1))
          return false
        }
        return true
      }
      out.append(Term(t.coefficient, kept.multiplyingScalars(by: scalars)))
    }
    return Expression(out).contractingDeltas().canonicalized()
  }
}
