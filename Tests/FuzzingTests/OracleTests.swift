import Fuzzing
import Testing

/// The oracle's rules, each on a run that breaks it.
@Suite struct OracleTests {
  let modelCase = FuzzCase(
    kind: .model, label: "t", model: Array("model m\n".utf8), arguments: ["{MODEL}"])
  let evalCase = FuzzCase(kind: .commandLine, label: "t", model: nil, arguments: ["eval"])

  func verdict(_ c: FuzzCase, _ t: FuzzRun.Termination, out: String = "", err: String = "")
    -> FuzzOutcome.Verdict
  {
    FuzzOutcome.classify(
      FuzzRun(termination: t, standardOutput: out, standardError: err, seconds: 0.1), of: c,
      timeBound: 1
    ).verdict
  }

  @Test func rules() {
    #expect(verdict(modelCase, .exit(0)) == .pass)
    #expect(verdict(modelCase, .signal(11)) == .crash)
    #expect(verdict(modelCase, .timedOut) == .hang)
    #expect(verdict(modelCase, .exit(3)) == .badExitStatus)
    #expect(verdict(modelCase, .exit(2), err: "/tmp/a.model:3:14: error: x") == .pass)
    #expect(verdict(modelCase, .exit(2), err: "error: something") == .unlocatedError)
    #expect(verdict(modelCase, .exit(2), err: "error: internal: x") == .internalError)
    #expect(verdict(evalCase, .exit(2), err: "error: --cb") == .pass)
    #expect(verdict(evalCase, .exit(0), out: "K = nan") == .nonFiniteOutput)
    #expect(verdict(evalCase, .exit(0), out: "K = -inf,") == .nonFiniteOutput)
    #expect(verdict(evalCase, .exit(0), out: "information: 1.5") == .pass)
    let slow = FuzzRun(termination: .exit(0), standardOutput: "", standardError: "", seconds: 2)
    #expect(FuzzOutcome.classify(slow, of: modelCase, timeBound: 1).verdict == .hang)
  }

  @Test func locatedErrors() {
    #expect(FuzzOutcome.hasLocatedError("m.model:1:17: error: expected a layer"))
    #expect(!FuzzOutcome.hasLocatedError("error: m.model: expected"))
    #expect(!FuzzOutcome.hasLocatedError(":1:2: error: no file"))
  }
}
