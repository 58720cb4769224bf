import DeriveCLI
import Foundation
import Testing

/// The built-in MLP with its neural tangent kernel (`mlp-ntk`) through the command line.
@Suite struct TangentKernelCommandTests {
  static let network = [
    "--activation", "tanh", "--cb", "0.2", "--cw", "1.5", "--set", "lambda_b=0.4", "--set",
    "lambda_W=0.9", "--widths", "10,10", "--input", "1,0.5,-0.3", "--input", "0.2,-0.9,0.8",
  ]

  /// A small NTK check (widths 4,8,4 → 16,32,16, 2 inputs, 3000 networks): enough power for A
  /// at layer 3 (the NTKReferenceTests' quick run has the same shape and numbers).
  static let check = [
    "check", "mlp-ntk", "--activation", "tanh", "--cb", "0.2", "--cw", "1.5", "--set",
    "lambda_b=0.4", "--set", "lambda_W=0.9", "--widths", "4,8,4", "--input", "1,0.5,-0.3",
    "--input", "0.2,-0.9,0.8", "--scan", "2", "--samples", "3000", "--seed", "2026",
  ]

  /// The rows of a check table whose quantity is `name` (`name[` starts the row).
  static func rows(_ table: String, _ name: String) -> [Substring] {
    table.split(separator: "\n").filter { $0.hasPrefix(name + "[") }
  }

  /// `derive check` on the MLP with its NTK compares every statistic: K, G1, V and the NTK's
  /// Θ, Θ¹, A, B, D, F (3 + 2·(3 + 3 + 6 + 16 + 9 + 16) NTK rows for 2 inputs at depth 3), on
  /// real networks, and passes; the JSON report has the same rows.
  @Test func checkComparesTheKernelStatistics() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-ntk-check-\(getpid())")
    try? FileManager.default.removeItem(at: dir)
    let out = DeriveCommandLine.run(Self.check + ["--output", dir.path, "--no-pdf"])
    #expect(out.exitCode == 0, "\(out.standardOutput)\(out.standardError)")
    let table = out.standardOutput
    #expect(table.contains("sampler: weights with the NTK"))
    let counts = ["K": 9, "G1": 6, "V": 12, "Theta": 9, "Theta1": 6, "A": 12, "B": 32, "D": 18]
    for (name, count) in counts.sorted(by: { $0.key < $1.key }) {
      #expect(Self.rows(table, name).count == count, "\(name)")
    }
    #expect(Self.rows(table, "F").count == 32)
    #expect(table.contains("A: n·Cov(H̄, H̄) vs A"))
    #expect(table.contains("PASS"))
    let json = try String(
      contentsOf: dir.appendingPathComponent("check.json"), encoding: .utf8)
    #expect(json.contains(#""quantity":"Theta1""#))
    #expect(json.contains(#""quantity":"F""#))
    let csv = try String(contentsOf: dir.appendingPathComponent("check.csv"), encoding: .utf8)
    #expect(csv.split(separator: "\n").filter { $0.hasPrefix("B,") }.count == 32 * 3)
    let tex = try String(
      contentsOf: dir.appendingPathComponent("report.tex"), encoding: .utf8)
    #expect(tex.contains("Theta") || tex.contains("\\Theta"))
  }

  /// The negative control on A (the theory with A zero at every layer) fails on the same run,
  /// and an A row is among the failures.
  @Test func negativeControlOnAFails() {
    let out = DeriveCommandLine.run(Self.check + ["--negative-control", "A"])
    #expect(out.exitCode == 1, "\(out.standardError)")
    #expect(out.standardOutput.contains("negative control (A removed from the theory): FAILS"))
    #expect(Self.rows(out.standardOutput, "A").contains { $0.hasSuffix("FAIL") })
  }

  /// Two shards of an NTK check merge into the unsharded report, row by row (the shards carry
  /// the NTK statistics); `--sampler conditional` is refused (the NTK needs real networks).
  @Test func shardedKernelCheckMergesAndConditionalIsRefused() throws {
    let small = Self.check.map { $0 == "3000" ? "400" : $0 }
    let whole = DeriveCommandLine.run(small)
    #expect(whole.exitCode == 0 || whole.exitCode == 1, "\(whole.standardError)")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-ntk-shards-\(getpid())")
    try? FileManager.default.removeItem(at: dir)
    for k in [2, 1] {
      let out = DeriveCommandLine.run(small + ["--shard", "\(k)/2", "--output", dir.path])
      #expect(out.exitCode == 0, "\(out.standardError)")
    }
    let merged = DeriveCommandLine.run(["merge", dir.path])
    #expect(merged.exitCode == whole.exitCode, "\(merged.standardError)")
    func rows(_ text: String) -> [Substring] { text.split(separator: "\n").dropFirst().map { $0 } }
    #expect(rows(merged.standardOutput) == rows(whole.standardOutput))
    #expect(Self.rows(merged.standardOutput, "F").count == 32)

    let conditional = DeriveCommandLine.run(small + ["--sampler", "conditional"])
    #expect(conditional.exitCode == 2)
    #expect(conditional.standardError.contains("only real networks give"))
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
