import Foundation
import Fuzzing
import Testing

/// Regression tests: every crash or hang the fuzzer found is a reproducer in `Reproducers/`
/// (`NAME.model` and/or `NAME.args`, format in ``Reproducer``), run in-process. Each must
/// end with exit status 0 or 2, satisfy the oracle (a located message for model files) and
/// stay within the time bound.
@Suite struct ReproducerTests {
  static let timeBound = 10.0

  static let reproducers: [Reproducer] = {
    guard let url = Bundle.module.url(forResource: "Reproducers", withExtension: nil) else {
      return []
    }
    return (try? Reproducer.load(from: url)) ?? []
  }()

  @Test func reproducersAreFound() {
    #expect(Self.reproducers.count >= 13)
    // Every reproducer is recognised as its class (the campaign's triage labels).
    for r in Self.reproducers {
      #expect(!KnownFailureClass.classes(of: r.fuzzCase).isEmpty, "\(r.name) has no class")
    }
  }

  @Test(arguments: reproducers)
  func reproducer(_ r: Reproducer) {
    let run = InProcessRunner(label: "reproducer-\(r.name)").run(r.fuzzCase, index: 0)
    let outcome = FuzzOutcome.classify(run, of: r.fuzzCase, timeBound: Self.timeBound)
    #expect(outcome.verdict == .pass, "\(r.name): \(outcome.verdict.rawValue): \(outcome.detail)")
    #expect(
      run.termination == .exit(0) || run.termination == .exit(2),
      "\(r.name): \(run.termination)")
  }
}
