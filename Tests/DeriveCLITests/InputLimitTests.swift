import Foundation
import Testing

@testable import DeriveCLI

/// `eval` and `check` accept up to 24 inputs and refuse more with a message (exit 2), and refuse
/// a run whose estimated time exceeds five minutes (the estimate scales with the activation's
/// measured cost); `--tolerance` takes 1e-12…1e-4 and refuses anything else.
@Suite struct InputLimitTests {
  static func inputs(_ count: Int) -> [String] {
    (0..<count).flatMap { k in ["--input", "\(Double(k) / 10),\(1 - Double(k) / 20)"] }
  }

  static let network = ["--activation", "relu", "--cb", "0.1", "--cw", "1", "--width", "4"]

  @Test func moreThanTwentyFourInputsAreRefused() {
    for command in ["eval", "check"] {
      let out = DeriveCommandLine.run(
        [command] + Self.network + ["--depth", "1"] + Self.inputs(25))
      #expect(out.exitCode == 2, "\(command): \(out.standardError)")
      #expect(out.standardError.hasPrefix("error: at most 24 inputs are supported (got 25)"))
      #expect(out.standardOutput.isEmpty)
    }
  }

  @Test func twentyFourInputsAreEvaluated() {
    let out = DeriveCommandLine.run(
      ["eval"] + Self.network + ["--depth", "1"] + Self.inputs(24))
    #expect(out.exitCode == 0, "\(out.standardError)")
    #expect(out.standardOutput.contains("K[23,23] = "))
  }

  /// The estimate: tanh's averages (odd, smooth: folded, uniform rule) cost a fifth of GELU's
  /// or ReLU's, so 24 inputs at depth 4 are refused for GELU and ReLU — before any work — and
  /// within the limit for tanh; deep enough, tanh too is refused.
  @Test func theEstimateFollowsTheActivation() {
    let slow = NetworkOptions.secondsPerLayer(inputs: 24, activations: [.gelu])
    let fast = NetworkOptions.secondsPerLayer(inputs: 24, activations: [.tanh])
    #expect(fast < 0.25 * slow)
    #expect(NetworkOptions.secondsPerLayer(inputs: 24, activations: [.tanh, .relu]) == slow)
    #expect(3 * fast <= NetworkOptions.maximumEvaluationSeconds)
    for activation in ["gelu", "relu"] {
      let out = DeriveCommandLine.run(
        [
          "eval", "--activation", activation, "--cb", "0.1", "--cw", "1", "--width", "4",
          "--depth", "4",
        ] + Self.inputs(24))
      #expect(out.exitCode == 2, "\(activation): \(out.standardError)")
      #expect(out.standardError.contains("too large to evaluate"), "\(out.standardError)")
    }
    let deep = DeriveCommandLine.run(
      ["eval", "--activation", "tanh", "--cb", "0.1", "--cw", "1", "--width", "4", "--depth", "20"]
        + Self.inputs(24))
    #expect(deep.exitCode == 2, "\(deep.standardError)")
    #expect(deep.standardError.contains("too large to evaluate"), "\(deep.standardError)")
  }

  @Test func toleranceOutOfRangeIsRefused() {
    for tolerance in ["0", "1e-13", "0.001", "nan", "-1e-8"] {
      let out = DeriveCommandLine.run(
        ["eval"] + Self.network + ["--depth", "2", "--tolerance", tolerance] + Self.inputs(2))
      #expect(out.exitCode == 2, "\(tolerance): \(out.standardError)")
      #expect(
        out.standardError.hasPrefix("error: --tolerance must be between"), "\(out.standardError)")
    }
    let out = DeriveCommandLine.run(
      ["eval"] + Self.network + ["--depth", "2", "--tolerance", "1e-8"] + Self.inputs(2))
    #expect(out.exitCode == 0, "\(out.standardError)")
  }
}
