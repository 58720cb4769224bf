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
/// - the **NTK** statistics (FORMULAS.md §12: Θ, Θ¹, A, B, D, F) are compared through the
///   ``Sampling/NTKSampler``'s estimators when the caller classifies them (``NTKEstimators``,
///   by the structure of their cumulant terms) and passes them to ``init(_:ntk:)``.
/// A derived statistic of any other structure has no estimator here, and `check` refuses it by
/// name rather than skip it.
public struct MonteCarloEstimators: Sendable {
  public var metric: Statistic
  public var correction: Statistic?
  public var vertex: Statistic?
  /// The NTK statistics and their estimators, when the model has them.
  public var ntk: NTKEstimators?

  public init(_ model: Model) throws {
    try self.init(model, ntk: nil)
  }

  /// As ``init(_:)``, with the statistics `ntk` covers counted as covered (and left out of the
  /// metric / correction / vertex search, whose structures they do not have).
  public init(_ model: Model, ntk: NTKEstimators?) throws {
    self.ntk = ntk
    guard let state = model.state else {
      throw EvaluationError("the model declares no statistics", at: model.location)
    }
    let ntkStatistics = ntk?.statistics ?? []
    let derived = model.derivedStatistics.filter { !ntkStatistics.contains($0) }
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
