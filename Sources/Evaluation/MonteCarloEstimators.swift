import Algebra
import Derivation

/// Which Monte-Carlo estimator `derive check` compares each derived statistic with, found from
/// the statistic's cumulant ansatz — its neuron structure and order — never from its name.
///
/// The sampled networks give, per layer, the same-neuron two-point function E[z_{i;α}z_{i;β}]
/// and the distinct-neuron connected four-point function E_c[z_{i;α}z_{i;β}z_{j;γ}z_{j;δ}]
/// (i ≠ j). So:
/// - the **metric** (the order-0 term δ_{j₁j₂}·M of the two-point ansatz) is compared through
///   the two-point function, against M + C/n when the model also derives a **correction** C
///   (the order-1 term δ_{j₁j₂}·C/n of the same ansatz);
/// - a **correction** is compared as n·(two-point − M);
/// - a **vertex** V, the order-1 term (1/n)δ_{j₁j₂}δ_{j₃j₄}V_{α₁α₂α₃α₄} of a four-point
///   ansatz, is compared as n × the distinct-neuron connected four-point function, which for
///   j₁ = j₂ ≠ j₃ = j₄ keeps exactly that term (the ansatz has one term per neuron structure
///   and order).
/// A derived statistic of any other structure has no estimator here, and `check` refuses it by
/// name rather than skip it.
public struct MonteCarloEstimators: Sendable {
  public var metric: Statistic
  public var correction: Statistic?
  public var vertex: Statistic?

  public init(_ model: Model) throws {
    guard let state = model.state else {
      throw EvaluationError("the model declares no statistics", at: model.location)
    }
    let derived = model.derivedStatistics
    metric = state.metric
    func unique(_ term: (CumulantAnsatz, CumulantTerm) -> Bool) -> Statistic? {
      for a in state.ansatze {
        for t in a.terms where term(a, t) {
          if let s = derived.first(where: { $0.name == t.statistic }) { return s }
        }
      }
      return nil
    }
    correction = unique { a, t in
      a.rank == 2 && t.order == 1 && t.neuronBlocks == [[0, 1]] && t.coefficient == .one
        && (t.arguments == [0, 1] || state.statistic(named: t.statistic)?.symmetry == .symmetric)
    }
    vertex = unique { a, t in
      a.rank == 4 && t.order == 1 && t.neuronBlocks == [[0, 1], [2, 3]] && t.coefficient == .one
        && t.arguments == [0, 1, 2, 3]
    }
    let covered = [metric, correction, vertex].compactMap { $0 }
    for s in derived where !covered.contains(s) {
      let where_ = state.definition(of: s.name)
      throw EvaluationError(
        "derive check has no Monte-Carlo estimator for the statistic '\(s.name)' (\(where_.map { "the \($0.term.neuronStructure) term of order \($0.term.order) of the cumulant of \($0.ansatz.written)" } ?? "undefined")): it compares the metric, its 1/n correction and the four-point vertex of a preactivation",
        at: where_?.ansatz.location ?? model.location)
    }
  }
}
