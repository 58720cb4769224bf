import DeriveCLI
import Foundation
import Testing

/// `derive asymptotics` end to end.
@Suite struct AsymptoticsCommandTests {
  /// The JSON shape, byte for byte, for the K★ = 0 class and the ReLU line.
  @Test func json() {
    let tanh = DeriveCommandLine.run([
      "asymptotics", "--activation", "tanh", "--cb", "0", "--cw", "1", "--format", "json",
    ])
    #expect(tanh.exitCode == 0, "\(tanh.standardError)")
    #expect(
      tanh.standardOutput
        == #"{"K":{"power":-1,"coefficient":0.5},"G1":{"power":0,"coefficient":-0.16666666666666666},"V/K^2":{"power":1,"coefficient":0.6666666666666666}}"#
        + "\n")
    let relu = DeriveCommandLine.run([
      "asymptotics", "mlp", "--activation", "relu", "--cb", "0", "--cw", "2", "--format", "json",
    ])
    #expect(
      relu.standardOutput
        == #"{"K":{"power":0,"coefficient":null},"G1":{"power":0,"coefficient":0},"V/K^2":{"power":1,"coefficient":5}}"#
        + "\n")
  }

  /// The text prints exact fractions and K's next term.
  @Test func text() {
    let out = DeriveCommandLine.run([
      "asymptotics", "--activation", "tanh", "--cb", "0", "--cw", "1",
    ])
    #expect(
      out.standardOutput.contains("K     ≈ 1/2 ℓ^-1    (next: × [1 + 5/12 log ℓ / ℓ + O(1/ℓ)])"))
    #expect(out.standardOutput.contains("V/K^2 ≈ 2/3 ℓ^1"))
  }

  /// Statistics named Q, H, U and couplings s_b, s_w: keys Q, H, U/Q^2 and --cb/--cw by role.
  @Test func renamedStatisticsKeyTheJSON() throws {
    let file = try DeclaredStatisticsCommandTests().renamedMLP()
    let out = DeriveCommandLine.run([
      "asymptotics", file, "--activation", "tanh", "--cb", "0", "--cw", "1", "--format", "json",
    ])
    #expect(out.exitCode == 0, "\(out.standardError)")
    #expect(out.standardOutput.hasPrefix(#"{"Q":{"power":-1,"coefficient":0.5},"H":{"#))
    #expect(out.standardOutput.contains(#""U/Q^2":{"power":1,"#))
  }

  /// Refused with exit status 2: growth faster than any power (ReLU above its critical
  /// line), a missing coupling, a bad depth for the numeric fit.
  @Test func refusals() {
    let exponential = DeriveCommandLine.run([
      "asymptotics", "--activation", "relu", "--cb", "0", "--cw", "3", "--depth", "512",
    ])
    #expect(exponential.exitCode == 2 && exponential.standardError.contains("no power law"))
    let missing = DeriveCommandLine.run(["asymptotics", "--activation", "relu", "--cw", "2"])
    #expect(
      missing.exitCode == 2 && missing.standardError.contains("no value for the coupling C_b"))
    let depth = DeriveCommandLine.run([
      "asymptotics", "--activation", "tanh", "--cb", "0", "--cw", "1.2", "--depth", "100",
    ])
    #expect(depth.exitCode == 2 && depth.standardError.contains("--depth must be a multiple of 8"))
  }

  /// Off criticality there is no derived law: the numeric fit, with the reason, its errors and
  /// its JSON keys. tanh at C_W = 1.2: K tends to a limit, V/K² to a constant.
  @Test func numericFitOffCriticality() {
    let text = DeriveCommandLine.run([
      "asymptotics", "--activation", "tanh", "--cb", "0", "--cw", "1.2", "--depth", "256",
    ])
    #expect(text.exitCode == 0, "\(text.standardError)")
    #expect(
      text.standardOutput.contains(
        "class: numeric fit (no derived power law here: not at a critical point"))
    #expect(text.standardOutput.contains("  K     → 0.107079 ± "))
    #expect(text.standardOutput.contains("  V/K^2 ≈ 5.03593 ℓ^0    (power ± "))
    let json = DeriveCommandLine.run([
      "asymptotics", "--activation", "tanh", "--cb", "0", "--cw", "1.2", "--depth", "256",
      "--format", "json",
    ])
    #expect(json.exitCode == 0)
    #expect(json.standardOutput.hasPrefix(#"{"K":{"power":0,"coefficient":0.1070"#))
    #expect(json.standardOutput.contains(#""power_error":"#))
  }
}
