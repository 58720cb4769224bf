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

  /// Refused with exit status 2: couplings off criticality, a missing coupling.
  @Test func refusals() {
    let off = DeriveCommandLine.run([
      "asymptotics", "--activation", "tanh", "--cb", "0", "--cw", "1.2",
    ])
    #expect(off.exitCode == 2 && off.standardError.contains("not at a critical point"))
    let missing = DeriveCommandLine.run(["asymptotics", "--activation", "relu", "--cw", "2"])
    #expect(
      missing.exitCode == 2 && missing.standardError.contains("no value for the coupling C_b"))
  }
}
