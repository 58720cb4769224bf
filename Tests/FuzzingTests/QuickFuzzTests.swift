import DeriveCLI
import Foundation
import Fuzzing
import Testing

/// Quick mode of the fuzzer: a few thousand seeded cases through the command line, in-process,
/// in parallel shards. Each must satisfy the oracle (``FuzzOutcome``): exit status 0, 1 or 2,
/// located errors for model files, no `internal:` message, no nan/inf from a successful numeric
/// command, and a time bound. Catches any crash, hang or unlocated error the generators reach.
@Suite struct QuickFuzzTests {
  static let seed: UInt64 = 2_024
  static let modelCases = 1_300
  static let commandLineCases = 200
  static let shards = 8
  /// Seconds of wall-clock time per case. The user-facing limit is the derivation's work
  /// estimate (about 0.5 s of a release build at its ceiling; `derive-fuzz` campaigns use 10 s of
  /// release time). Here the build is a debug build (about 10× slower) and 8 shards share 2 cores
  /// (about 4× slower again), so a case at the work ceiling may take 20–30 s; 60 s is still far
  /// below what a hang (minutes, or forever) takes.
  static let timeBound = 60.0

  static let generator = FuzzCaseGenerator(seed: seed, profile: .quick)

  @Test(arguments: 0..<shards)
  func quickMode(shard: Int) {
    let runner = InProcessRunner(label: "quick-\(shard)")
    let total = Self.modelCases + Self.commandLineCases
    for k in stride(from: shard, to: total, by: Self.shards) {
      let fuzzCase = Self.generator.fuzzCase(k, modelCases: Self.modelCases)
      let run = runner.run(fuzzCase, index: k)
      let outcome = FuzzOutcome.classify(run, of: fuzzCase, timeBound: Self.timeBound)
      #expect(
        outcome.verdict == .pass,
        "case \(k) (\(fuzzCase.label)): \(outcome.verdict.rawValue): \(outcome.detail); replay: derive-fuzz --quick --seed \(Self.seed) --cases \(Self.modelCases) --cli-cases \(Self.commandLineCases) --only \(k)"
      )
    }
  }

  /// The generators reach every known crash class in quick mode, so none can come back
  /// unnoticed once the skip list is emptied.
  @Test func quickModeReachesEveryKnownClass() {
    var seen: Set<KnownFailureClass> = []
    let total = Self.modelCases + Self.commandLineCases
    for k in 0..<total {
      seen.formUnion(
        KnownFailureClass.classes(of: Self.generator.fuzzCase(k, modelCases: Self.modelCases)))
    }
    let missing = KnownFailureClass.allCases.filter { !seen.contains($0) }
    #expect(missing.isEmpty, "not generated: \(missing.map(\.rawValue))")
  }

  /// Case k is a function of (seed, k) alone.
  @Test func casesAreDeterministic() {
    let other = FuzzCaseGenerator(seed: Self.seed, profile: .quick)
    for k in [0, 1, 17, 1_299, 1_300, 1_499] {
      #expect(
        Self.generator.fuzzCase(k, modelCases: Self.modelCases)
          == other.fuzzCase(k, modelCases: Self.modelCases))
    }
    #expect(
      FuzzCaseGenerator(seed: 1, profile: .quick).modelCase(5)
        != FuzzCaseGenerator(seed: 2, profile: .quick).modelCase(5))
  }
}
