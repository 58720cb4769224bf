import Algebra
import Rational
import Testing

/// Exact comparison of two expressions by the reference evaluator.
enum ValueComparison {
  /// Expects `before` and `after` to have the same exact value under every evaluator, for every
  /// assignment of their (joint) free indices — or, when there are many, for a seeded sample of
  /// them. Evaluation errors (e.g. an index a pass left unbound) are recorded as issues.
  static func expectSameValue(
    _ before: Expression, _ after: Expression, evaluators: [ExactEvaluator],
    rng: inout SplitMix64, _ context: @autoclosure () -> String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let free = Array(Set(before.freeIndices + after.freeIndices)).sorted()
    for ev in evaluators {
      var all = Vocabulary.assignments(free, ev)
      if all.count > 8 { all = (0..<8).map { _ in rng.pick(all) } }
      for assignment in all {
        do {
          let x = try ev.value(of: before, free: assignment)
          let y = try ev.value(of: after, free: assignment)
          if x != y {
            Issue.record(
              "value changed \(x) → \(y): \(context())\n  before: \(Dump.expression(before))\n  after:  \(Dump.expression(after))",
              sourceLocation: sourceLocation)
            return
          }
        } catch {
          Issue.record(
            "evaluation failed (\(error)): \(context())\n  before: \(Dump.expression(before))\n  after:  \(Dump.expression(after))",
            sourceLocation: sourceLocation)
          return
        }
      }
    }
  }
}
