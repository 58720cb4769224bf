import DeriveCLI
import Foundation
import Testing

/// `derive criticality` end to end, and the susceptibilities `derive eval` prints.
@Suite struct CriticalityCommandTests {
  /// The JSON of the closed-form line and of the K★ = 0 point, byte for byte: couplings under
  /// the MLP's names, bias variance first, K null for a line.
  @Test func jsonForReluAndTanh() {
    let relu = DeriveCommandLine.run(["criticality", "--activation", "relu", "--format", "json"])
    #expect(relu.exitCode == 0, "\(relu.standardError)")
    #expect(
      relu.standardOutput
        == #"{"critical":[{"couplings":{"C_b":0,"C_W":2},"K":null,"chi_parallel":1,"chi_perp":1,"class":"scale-invariant"}]}"#
        + "\n")
    let tanh = DeriveCommandLine.run([
      "criticality", "mlp", "--activation", "tanh", "--format", "json",
    ])
    #expect(
      tanh.standardOutput
        == #"{"critical":[{"couplings":{"C_b":0,"C_W":1},"K":0,"chi_parallel":1,"chi_perp":1,"class":"K*=0"}]}"#
        + "\n")
  }

  /// A model whose couplings are named s_b and s_w: the JSON is keyed by those names, for the
  /// line and for GELU's numeric point. Catches: output keyed by hard-coded C_b, C_W.
  @Test func renamedCouplingsKeyTheJSON() throws {
    let file = try CouplingOptionTests.renamedModel()
    let relu = DeriveCommandLine.run([
      "criticality", file, "--activation", "relu", "--format", "json",
    ])
    #expect(
      relu.standardOutput.contains(#""couplings":{"s_b":0,"s_w":2}"#), "\(relu.standardOutput)")
    let gelu = DeriveCommandLine.run([
      "criticality", file, "--activation", "gelu", "--format", "json",
    ])
    let object = try JSONSerialization.jsonObject(with: Data(gelu.standardOutput.utf8))
    let points = try #require((object as? [String: Any])?["critical"] as? [[String: Any]])
    #expect(points.count == 2)
    for p in points {
      let couplings = try #require(p["couplings"] as? [String: Double])
      #expect(Set(couplings.keys) == ["s_b", "s_w"])
    }
    let k = try #require(points.last?["K"] as? Double)
    #expect(abs(k - (3 + 17.0.squareRoot()) / 2) <= 1e-9)
    #expect(!gelu.standardOutput.contains("C_W"))
  }

  /// The text shows each point with its class and the flow about it.
  @Test func textForGelu() {
    let out = DeriveCommandLine.run(["criticality", "--activation", "gelu"])
    #expect(out.exitCode == 0)
    #expect(out.standardOutput.contains("[1] class K*=0, unstable"))
    #expect(out.standardOutput.contains("C_b = 0, C_W = 4, K* = 0"))
    #expect(out.standardOutput.contains("[2] class K*>0, half-stable (attracts from above)"))
    #expect(out.standardOutput.contains("K* = 3.5615528128"))
  }

  /// Refusals, exit status 2 with a message: a model applying no function, a model without a
  /// weight variance (here C_W² / n(j)), an unknown activation, no --activation.
  @Test func refusals() throws {
    let noFunction = DeriveCommandLine.run(["criticality", "deep-linear", "--activation", "tanh"])
    #expect(noFunction.exitCode == 2)
    #expect(noFunction.standardError.contains("applies no activation function"))
    let mlp = try String(
      contentsOf: CouplingOptionTests.derivations.appendingPathComponent("mlp.model"),
      encoding: .utf8)
    let squared = mlp.replacingOccurrences(
      of: "gaussian W[i,j] : C_W / n(j)", with: "gaussian W[i,j] : C_W * C_W / n(j)")
    #expect(squared != mlp)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-criticality-\(getpid()).model")
    try squared.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    for activation in ["relu", "tanh"] {
      let out = DeriveCommandLine.run(["criticality", file.path, "--activation", activation])
      #expect(out.exitCode == 2 && out.standardError.contains("has no weight variance"))
    }
    let unknown = DeriveCommandLine.run(["criticality", "--activation", "elu"])
    #expect(unknown.exitCode == 2 && unknown.standardError.contains("unknown activation 'elu'"))
    #expect(DeriveCommandLine.run(["criticality"]).exitCode == 2)
  }

  /// `derive eval` adds χ_∥ and χ_⊥ per layer and input after the statistics: 1 on the critical
  /// ReLU line at every layer, and C_W exactly for the deep linear network.
  @Test func evalPrintsSusceptibilities() throws {
    let relu = DeriveCommandLine.run([
      "eval", "--activation", "relu", "--cb", "0", "--cw", "2", "--width", "8", "--depth", "3",
      "--input", "1,0.5", "--input", "-0.5,1", "--format", "json",
    ])
    #expect(relu.exitCode == 0, "\(relu.standardError)")
    let object = try JSONSerialization.jsonObject(with: Data(relu.standardOutput.utf8))
    let layers = try #require((object as? [String: Any])?["layers"] as? [[String: Any]])
    #expect(layers.count == 3)
    for layer in layers {
      for key in ["chi_parallel", "chi_perp"] {
        let values = try #require(layer[key] as? [Double])
        #expect(values.count == 2 && values.allSatisfy { abs($0 - 1) <= 1e-12 }, "\(key) \(values)")
      }
    }
    // After the layer's statistics: the first layer's text ends with its V, then χ.
    let first = relu.standardOutput.components(separatedBy: #","chi_parallel":"#)[0]
    #expect(first.hasSuffix("}") && first.contains(#""V":{"#) && !first.contains(#""layer":2"#))
    let linear = DeriveCommandLine.run([
      "eval", "deep-linear", "--cw", "1.5", "--width", "4", "--depth", "2", "--input", "1",
    ])
    #expect(linear.standardOutput.contains("  chi_parallel[0] = 1.5    chi_perp[0] = 1.5"))
  }
}
