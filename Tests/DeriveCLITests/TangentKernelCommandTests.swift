import DeriveCLI
import Foundation
import Testing

/// The built-in MLP with its neural tangent kernel (`mlp-ntk`) through the command line.
@Suite struct TangentKernelCommandTests {
  static let network = [
    "--activation", "tanh", "--cb", "0.2", "--cw", "1.5", "--set", "lambda_b=0.4", "--set",
    "lambda_W=0.9", "--widths", "10,10", "--input", "1,0.5,-0.3", "--input", "0.2,-0.9,0.8",
  ]

  /// `derive check` has no Monte-Carlo estimator for the kernel's statistics yet: it refuses them
  /// by name with exit status 2 before sampling, rather than crashing or comparing a wrong
  /// estimator.
  @Test func checkRefusesTheKernelStatisticsByName() {
    let out = DeriveCommandLine.run(
      ["check", "mlp-ntk"] + Self.network + ["--samples", "100", "--seed", "1"])
    #expect(out.exitCode == 2)
    #expect(out.standardError.contains("no Monte-Carlo estimator for the statistic 'Theta'"))
    #expect(out.standardOutput.isEmpty)
  }

  /// `--set` sets the learning rates: Θ⁽¹⁾₀₀ = λ_b + λ_W |x₀|²/n₀ = 0.4 + 0.9 · 1.34/3 = 0.802,
  /// Θ⁽¹⁾₀₁ = 0.4 + 0.9 · (0.2 − 0.45 − 0.24)/3 = 0.253. Catches a learning rate not read or
  /// not fan-in scaled.
  @Test func learningRatesAreSet() throws {
    let out = DeriveCommandLine.run(["eval", "mlp-ntk"] + Self.network + ["--format", "json"])
    #expect(out.exitCode == 0, "\(out.standardError)")
    #expect(out.standardOutput.contains(#""Theta":[[0.802,0.253],[0.253,0.847]]"#))
  }

  /// A learning rate the model does not declare is refused (with the couplings it has).
  @Test func unknownLearningRateIsRefused() {
    let out = DeriveCommandLine.run(
      ["eval", "mlp-ntk"] + Self.network.map { $0 == "lambda_W=0.9" ? "lambda_U=0.9" : $0 })
    #expect(out.exitCode == 2)
    #expect(out.standardError.contains("lambda_U"))
  }
}
