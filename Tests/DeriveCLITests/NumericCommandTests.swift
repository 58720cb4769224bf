import DeriveCLI
import Foundation
import Testing

/// `derive eval` and `derive check` end to end.
@Suite struct NumericCommandTests {
  func evalJSON(_ arguments: [String]) throws -> [[String: Any]] {
    let out = DeriveCommandLine.run(["eval"] + arguments + ["--format", "json"])
    #expect(out.exitCode == 0, "\(out.standardError)")
    let object =
      try JSONSerialization.jsonObject(with: Data(out.standardOutput.utf8)) as? [String: Any]
    return try #require(object?["layers"] as? [[String: Any]])
  }

  /// ReLU, C_W = 2, orthonormal inputs (n₀ = 2), by hand: K⁽¹⁾ = I; K⁽²⁾₀₁ = C_W·(1/2π)(sin θ +
  /// (π−θ)cos θ) at θ = π/2, i.e. 1/π; V⁽²⁾₀₀₀₀ = C_W²(⟨σ⁴⟩ − ⟨σ²⟩²) = 4(3/2 − 1/4) = 5;
  /// V⁽³⁾₀₀₀₀ = 5 + (n/n)·χ∥²·5 = 10 (χ∥ = 1); V⁽²⁾₀₀₁₁ = 0 (independent inputs).
  /// Catches: wrong sample-index layout, wrong width ratio, wrong Hermite-form derivatives.
  @Test func reluHandComputedValues() throws {
    let layers = try evalJSON([
      "--activation", "relu", "--cb", "0", "--cw", "2", "--width", "50", "--depth", "3", "--input",
      "1,0", "--input", "0,1",
    ])
    #expect(layers.count == 3)
    func k(_ l: Int) -> [[Double]] { (layers[l]["K"] as? [[Double]]) ?? [] }
    func v(_ l: Int, _ key: String) -> Double {
      ((layers[l]["V"] as? [String: Double]) ?? [:])[key] ?? .nan
    }
    #expect(abs(k(0)[0][0] - 1) < 1e-14 && abs(k(0)[0][1]) < 1e-14)
    #expect(abs(k(1)[0][1] - 1 / Double.pi) < 1e-11)
    #expect(abs(k(1)[1][1] - 1) < 1e-11)
    #expect(abs(v(1, "0000") - 5) < 1e-9)
    #expect(abs(v(1, "0011")) < 1e-9)
    #expect(abs(v(2, "0000") - 10) < 1e-8)
    #expect(((layers[1]["V"] as? [String: Double]) ?? [:]).count == 16)
  }

  /// Linear activation, unequal widths: K⁽²⁾ = C_b + C_W K⁽¹⁾ and V⁽³⁾₀₀₀₀ = 2C_W²(K⁽²⁾₀₀)² +
  /// C_W²(n₂/n₁)V⁽²⁾₀₀₀₀ with V⁽²⁾₀₀₀₀ = 2C_W²(K⁽¹⁾₀₀)² — computed here by hand.
  @Test func linearUnequalWidths() throws {
    let layers = try evalJSON([
      "--activation", "linear", "--cb", "0.5", "--cw", "1.5", "--widths", "10,20,40", "--input",
      "1,2,2",
    ])
    let k1 = 0.5 + 1.5 * 9 / 3
    let k2 = 0.5 + 1.5 * k1
    let v2 = 2 * 1.5 * 1.5 * k1 * k1
    let v3 = 2 * 1.5 * 1.5 * k2 * k2 + 1.5 * 1.5 * (20.0 / 10.0) * v2
    let kk = (layers[1]["K"] as? [[Double]]) ?? [[.nan]]
    #expect(abs(kk[0][0] - k2) < 1e-10)
    let v = ((layers[2]["V"] as? [String: Double]) ?? [:])["0000"] ?? .nan
    #expect(abs(v - v3) < 1e-8 * v3)
  }

  @Test func evalRejectsSingularKernelAndBadNumbers() {
    let same = DeriveCommandLine.run([
      "eval", "--activation", "relu", "--cw", "2", "--cb", "0", "--width", "8", "--depth", "3",
      "--input", "1,0", "--input", "1,0",
    ])
    #expect(same.exitCode == 2)
    #expect(same.standardError.contains("singular"))
    #expect(
      DeriveCommandLine.run([
        "eval", "--activation", "relu", "--cw", "2", "--widths", "8,0", "--input", "1",
      ]).exitCode == 2)
    #expect(
      DeriveCommandLine.run([
        "eval", "--activation", "relu", "--cw", "nan", "--width", "8", "--depth", "2", "--input",
        "1",
      ]).exitCode == 2)
    #expect(
      DeriveCommandLine.run([
        "eval", "--activation", "relu", "--cw", "2", "--width", "8", "--depth", "2", "--input",
        "1,x",
      ]).exitCode == 2)
    #expect(
      DeriveCommandLine.run([
        "eval", "--activation", "relu", "--width", "8", "--depth", "2", "--input", "1",
      ]).exitCode == 2)  // no C_W
  }

  /// A quick theory-vs-Monte-Carlo check (fixed seed; tolerance: fitted residual at n → ∞
  /// within 4 standard errors, as documented in CrossValidation). Small on purpose: the
  /// statistically heavy runs belong to `derive check` itself.
  @Test func quickCheckPasses() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-check-\(getpid())")
    let out = DeriveCommandLine.run([
      "check", "--activation", "tanh", "--cb", "0.1", "--cw", "1", "--width", "16", "--depth", "3",
      "--input", "1,0.5", "--input=-0.5,1", "--samples", "3000", "--seed", "7", "--scan", "1",
      "--output", dir.path,
    ])
    #expect(out.exitCode == 0, "\(out.standardOutput)")
    #expect(out.standardOutput.contains("PASS"))
    #expect(out.standardError.contains("check: width scan 2/2"))
    let json = try Data(contentsOf: dir.appendingPathComponent("check.json"))
    let object = try JSONSerialization.jsonObject(with: json) as? [String: Any]
    #expect(object?["passed"] as? Bool == true)
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("check.svg").path))
  }

  /// A negative control's report header has two lines; check.json must escape the line break
  /// (it was written raw, and the file was not JSON). Catches: unescaped control characters in
  /// any string of the report.
  @Test func negativeControlReportIsJSON() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-check-negative-\(getpid())")
    let out = DeriveCommandLine.run([
      "check", "--activation", "tanh", "--cb", "0.1", "--cw", "1", "--width", "4", "--depth", "3",
      "--input", "1,0.5", "--input=-0.5,1", "--samples", "2000", "--seed", "1", "--scan", "1",
      "--threads", "1", "--negative-control", "G1", "--output", dir.path,
    ])
    #expect(out.exitCode == 0 || out.exitCode == 1, "\(out.standardError)")
    let json = try Data(contentsOf: dir.appendingPathComponent("check.json"))
    let object = try JSONSerialization.jsonObject(with: json) as? [String: Any]
    let header = try #require(object?["header"] as? String)
    #expect(header.contains("\nNEGATIVE CONTROL: the theory below has G1 removed"))
    #expect(object?["negative_control"] as? String == "G1")
  }

  /// The check can fail: feeding it a deliberately wrong coupling for the theory is not
  /// possible from the command line, so instead compare a model against samples of itself at
  /// a width where 1/n effects are large and ask for no scan — the residual at n = 4 is many
  /// standard errors (the test pins that the verdict reacts to a real discrepancy).
  @Test func checkFailsOnUnresolvedFiniteWidthEffects() {
    let out = DeriveCommandLine.run([
      "check", "--activation", "relu", "--cb", "0", "--cw", "2", "--width", "3", "--depth", "6",
      "--input", "1,0.5", "--input=-0.5,1", "--samples", "20000", "--seed", "3", "--scan", "0",
    ])
    #expect(out.exitCode == 1, "\(out.standardOutput)")
    #expect(out.standardOutput.contains("FAIL"))
  }
}
