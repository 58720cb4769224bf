import DeriveCLI
import Foundation
import Testing

/// Models outside the (K, G1, V) closure are refused with an explanation and exit status 2 —
/// never a plausible wrong recursion (DESIGN.md, "Closure").
@Suite struct ClosureRefusalTests {
  func run(_ model: String) throws -> CommandOutput {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-closure-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let file = dir.appendingPathComponent("m\(abs(model.hashValue)).model").path
    try model.write(toFile: file, atomically: true, encoding: .utf8)
    return DeriveCommandLine.run([file])
  }

  static let header = """
    index i : neuron l+1
    index j : neuron l
    index a : sample
    coupling C_b C_W xi
    function sigma
    gaussian b[i] : C_b
    gaussian W[i,j] : C_W / n(j)
    incoming z[j;a] : nearly-gaussian metric K, correction G1, vertex V, per n[l-1]

    """

  /// A residual connection carries a neuron's own preactivation forward: refused, with the reason.
  @Test func residualConnectionIsRefused() throws {
    let out = try run(
      Self.header + "map z[i;a] = W[i,j] sigma(z[j;a]) + xi z[i;a]\nderive K G1 V\n")
    #expect(out.exitCode == 2)
    #expect(out.standardError.contains("does not close"))
    #expect(out.standardError.contains(":9:"))
  }

  /// z′_i = b_i² has the mean C_b: the statistics describe a centred layer, so the map is
  /// refused at its line, naming the odd cumulant (here the one-point function).
  @Test func mapWithAMeanIsRefused() throws {
    let out = try run(Self.header + "map z[i;a] = b[i] b[i]\nderive K G1 V\n")
    #expect(out.exitCode == 2)
    #expect(out.standardError.contains(":9:1: error:"))
    #expect(out.standardError.contains("the 1-point function"))
  }

  /// z′_i = b_i + Σ_k g_k/n: the shared g makes E[z′z′] = C_b δ + C_b/n, not δ_{i₁i₂}·(…), so
  /// there is no K′ to read off.
  @Test func nonDiagonalTwoPointFunctionIsRefused() throws {
    let out = try run(
      Self.header.replacingOccurrences(
        of: "index j : neuron l\n", with: "index j : neuron l\nindex k : neuron l+1\n")
        + "gaussian g[k] : C_b\nmap z[i;a] = b[i] + g[k] / n(k)\nderive K G1 V\n")
    #expect(out.exitCode == 2)
    #expect(out.standardError.contains(":11:1: error:"))
    #expect(out.standardError.contains("neuron structure no δ"))
  }
}
