import DeriveCLI
import Foundation
import Testing

/// `derive check --sampler`: the compiler decides where the conditional sampler is the model's
/// law; elsewhere the check samples real networks (every parameter drawn) and the derived
/// theory of models beyond the MLP passes against them.
@Suite struct SamplerChoiceTests {
  static let derivations = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Derivations").standardizedFileURL

  static func model(_ name: String) -> String {
    derivations.appendingPathComponent(name).path
  }

  static let run = [
    "check", "--activation", "tanh", "--cb", "0.1", "--cw", "1", "--width", "8", "--depth", "3",
    "--input", "1,0.5", "--input=-0.5,1", "--samples", "2000", "--seed", "1", "--scan", "1",
  ]

  /// End to end with real networks (widths 8 and 16, depth 3, 2000 networks, seed 1): the
  /// derived K, G1 and V of the stacked-weights and random-gain models pass the check's own
  /// 4-s.e. verdict, and `auto` chose the weights sampler, saying why. Catches a derivation
  /// wrong for products of Gaussian families (e.g. the E[g⁴] = 3 of the gain, or the
  /// n_ℓ/n_{ℓ+1} term of the stacked V) and a check that silently samples the engine's own Ĝ.
  @Test(arguments: ["stacked-weights.model", "random-gain.model"])
  func modelsBeyondTheMLPPassWithRealNetworks(file: String) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-sampler-\(getpid())-\(file)")
    let out = DeriveCommandLine.run(Self.run + [Self.model(file), "--output", dir.path])
    #expect(out.exitCode == 0, "\(out.standardOutput)\n\(out.standardError)")
    #expect(out.standardOutput.contains("PASS"))
    #expect(
      out.standardOutput.contains(
        "sampler: weights (real networks: every parameter drawn) — the conditional law is not the derived Gaussian: the term"
      ))
    let json = try String(contentsOf: dir.appendingPathComponent("check.json"), encoding: .utf8)
    #expect(json.contains("\"sampler\":\"sampler: weights"))
  }

  /// `--sampler conditional` is refused (exit 2) where it is not exact, naming the term.
  @Test func conditionalIsRefusedForStackedWeights() {
    let out = DeriveCommandLine.run(
      Self.run + [Self.model("stacked-weights.model"), "--sampler", "conditional"])
    #expect(out.exitCode == 2)
    #expect(
      out.standardError.contains(
        "the term U[i,k] W[k,j] sigma(z[j;a]) is a product of 2 Gaussian families (U, W)"),
      "\(out.standardError)")
    // At the map's line: the refusal is about the model.
    #expect(
      out.standardError.contains("stacked-weights.model:20:1: error:"), "\(out.standardError)")
  }

  /// `auto` takes the conditional sampler for the MLP (exact there); `weights` is accepted for it
  /// too and says the conditional sampler would have been exact; a bad value is a usage error.
  @Test func autoPicksConditionalForTheMLP() {
    let short = Self.run.map { $0 == "2000" ? "200" : $0 }
    let auto = DeriveCommandLine.run(short)
    #expect(auto.exitCode == 0)
    #expect(auto.standardOutput.contains("sampler: conditional"))
    let weights = DeriveCommandLine.run(short + ["--sampler", "weights"])
    #expect(weights.exitCode == 0 || weights.exitCode == 1)
    #expect(
      weights.standardOutput.contains(
        "sampler: weights (real networks: every parameter drawn) — requested"))
    #expect(DeriveCommandLine.run(short + ["--sampler", "exact"]).exitCode == 2)
  }

  /// The sampler is a run parameter of a shard: shards drawn by different samplers are not one
  /// run and are refused at merge.
  @Test func shardsOfDifferentSamplersDoNotMerge() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-sampler-shards-\(getpid())")
    try? FileManager.default.removeItem(at: dir)
    let short = Self.run.map { $0 == "2000" ? "400" : $0 }
    let first = DeriveCommandLine.run(short + ["--shard", "1/2", "--output", dir.path])
    #expect(first.exitCode == 0, "\(first.standardError)")
    let second = DeriveCommandLine.run(
      short + ["--shard", "2/2", "--output", dir.path, "--sampler", "weights"])
    #expect(second.exitCode == 0, "\(second.standardError)")
    let merged = DeriveCommandLine.run(["merge", dir.path])
    #expect(merged.exitCode == 2)
    #expect(merged.standardError.contains("belongs to another run"))
  }
}
