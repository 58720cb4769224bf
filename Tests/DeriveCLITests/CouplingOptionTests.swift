import DeriveCLI
import Foundation
import Testing

/// `--cb`, `--cw`, `--set` and `--activation` read against the model: the sugar maps onto the
/// couplings and functions the model has (found by their role, not their names), and options
/// the model cannot take are refused with exit status 2.
@Suite struct CouplingOptionTests {
  static let derivations = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Derivations").standardizedFileURL

  /// The MLP model file with its couplings renamed: `coupling s_b s_w`, `b[i] : s_b`,
  /// `W[i,j] : s_w / n(j)`, and the model named `renamed`.
  static func renamedModel() throws -> String {
    let mlp = try String(
      contentsOf: derivations.appendingPathComponent("mlp.model"), encoding: .utf8)
    let replacements = [
      ("model mlp\n", "model renamed\n"), ("coupling C_b C_W", "coupling s_b s_w"),
      ("gaussian b[i] : C_b", "gaussian b[i] : s_b"),
      ("gaussian W[i,j] : C_W / n(j)", "gaussian W[i,j] : s_w / n(j)"),
    ]
    var text = mlp
    for (old, new) in replacements {
      #expect(text.contains(old), "mlp.model has no '\(old)'")
      text = text.replacingOccurrences(of: old, with: new)
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-couplings-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let file = dir.appendingPathComponent("renamed.model").path
    try text.write(toFile: file, atomically: true, encoding: .utf8)
    return file
  }

  static let network = [
    "--width", "8", "--depth", "3", "--input", "1,0.5", "--input", "-0.5,1", "--format", "json",
  ]

  /// The renamed model's single-input ReLU output is the MLP's with the names (and the model's
  /// name) replaced, criticality included: s_b = 0, s_w = 2. The renderer orders a product's
  /// factors by name (s_w after K, where C_W came before it), so an equation may differ from
  /// the renamed MLP line only in the order of its characters. Catches: criticality looking for
  /// couplings named C_b and C_W ("No closed-form criticality solution").
  @Test func renamedModelDerivesLikeTheMLP() throws {
    let file = try Self.renamedModel()
    let arguments = ["--single-input", "--activation", "relu", "--format", "text"]
    let renamed = DeriveCommandLine.run([file] + arguments)
    let mlp = DeriveCommandLine.run(["mlp"] + arguments)
    #expect(renamed.exitCode == 0 && mlp.exitCode == 0, "\(renamed.standardError)")
    let expected = mlp.standardOutput.replacingOccurrences(of: "model: mlp", with: "model: renamed")
      .replacingOccurrences(of: "C_b", with: "s_b").replacingOccurrences(of: "C_W", with: "s_w")
    let (lines, expectedLines) = (
      renamed.standardOutput.split(separator: "\n"), expected.split(separator: "\n")
    )
    #expect(lines.count == expectedLines.count)
    for (line, want) in zip(lines, expectedLines) where line != want {
      let lhs = { (l: Substring) in l.components(separatedBy: " = ").first }
      #expect(lhs(line) == lhs(want) && line.sorted() == want.sorted(), "\(line) ≠ \(want)")
    }
    #expect(
      renamed.standardOutput.hasSuffix(
        "\n## Criticality (χ_∥ = χ_⊥ = 1 at a fixed point K★)\ns_b = 0\ns_w = 2\n"))
    #expect(!renamed.standardOutput.contains("No closed-form"))
  }

  /// `--cb` and `--cw` set the renamed model's s_b and s_w: the numbers are the MLP's, and the
  /// same as naming them with --set. Catches: the sugar writing C_b/C_W, which the renamed model
  /// does not read ("no value for the coupling s_b").
  @Test func evalOnRenamedCouplings() throws {
    let file = try Self.renamedModel()
    let couplings = ["--cb", "0.1", "--cw", "1"]
    let mlp = DeriveCommandLine.run(["eval", "--activation", "tanh"] + couplings + Self.network)
    let renamed = DeriveCommandLine.run(
      ["eval", file, "--activation", "tanh"] + couplings + Self.network)
    let named = DeriveCommandLine.run(
      ["eval", file, "--activation", "tanh", "--set", "s_b=0.1", "--set", "s_w=1"] + Self.network)
    #expect(mlp.exitCode == 0 && renamed.exitCode == 0, "\(renamed.standardError)")
    #expect(renamed.standardOutput.hasPrefix("{\"layers\":[{\"layer\":1,\"K\":"))
    #expect(renamed.standardOutput == mlp.standardOutput)
    #expect(named.standardOutput == mlp.standardOutput)
  }

  /// `--cb` on a model without a bias is refused, naming the model's couplings; it was written
  /// to a coupling C_b the model does not have, and silently ignored.
  @Test func biasVarianceOfABiasFreeModel() {
    let out = DeriveCommandLine.run(
      ["eval", "mlp-no-bias", "--activation", "tanh", "--cb", "0.1", "--cw", "1"] + Self.network)
    #expect(out.exitCode == 2)
    #expect(out.standardError.hasPrefix("error: --cb: the model mlp-no-bias has no bias variance"))
    #expect(out.standardError.contains("its couplings: C_W"))
    #expect(out.standardOutput.isEmpty)
    let check = DeriveCommandLine.run([
      "check", "mlp-no-bias", "--activation", "tanh", "--cb", "0.1", "--cw", "1", "--width", "4",
      "--depth", "2", "--input", "1", "--samples", "100",
    ])
    #expect(check.exitCode == 2)
    #expect(check.standardError.hasPrefix("error: --cb:"))
  }

  /// `--set` with a name the model does not declare is refused (it was accepted and unused),
  /// with a suggestion when the name is close to one it does.
  @Test func unknownCoupling() {
    let base = ["eval", "--activation", "tanh", "--cb", "0.1", "--cw", "1"] + Self.network
    let nope = DeriveCommandLine.run(base + ["--set", "nope=1"])
    #expect(nope.exitCode == 2)
    #expect(
      nope.standardError
        == "error: --set nope=1: 'nope' is not a coupling of the model mlp (its couplings: C_b, C_W)\n"
    )
    let close = DeriveCommandLine.run(
      ["eval", "--activation", "tanh", "--cb", "0.1", "--set", "C_w=1"] + Self.network)
    #expect(close.exitCode == 2)
    #expect(close.standardError.contains("did you mean 'C_W'?"))
    let twice = DeriveCommandLine.run(base + ["--set", "C_b=0.2"])
    #expect(twice.exitCode == 2)
    #expect(twice.standardError.contains("C_b is given twice (--cb and --set C_b=0.2)"))
  }

  /// The deep linear network applies no function: `--activation` is refused there (it was
  /// accepted and meant nothing), and the model evaluates without it.
  @Test func activationForAModelWithoutFunctions() throws {
    let deepLinear = try String(
      contentsOf: Self.derivations.appendingPathComponent("deep-linear.model"), encoding: .utf8)
    #expect(!deepLinear.contains("\nfunction "))
    for command in ["eval", "check"] {
      let out = DeriveCommandLine.run(
        [
          command, "deep-linear", "--activation", "tanh", "--cw", "1", "--width", "4", "--depth",
          "2", "--input", "1", "--samples", "100",
        ].filter {
          command == "check" || ($0 != "--samples" && $0 != "100")
        })
      #expect(out.exitCode == 2, "\(command)")
      #expect(
        out.standardError.hasPrefix(
          "error: --activation: the maps of the model deep-linear apply no function"), "\(command)")
    }
    let eval = DeriveCommandLine.run(["eval", "deep-linear", "--cw", "1"] + Self.network)
    #expect(eval.exitCode == 0, "\(eval.standardError)")
    // K(1) = C_W (1/n₀) x·x = 0.625 for x = (1, 0.5).
    #expect(eval.standardOutput.hasPrefix("{\"layers\":[{\"layer\":1,\"K\":[[0.625,"))
    let missing = DeriveCommandLine.run(["eval", "--cb", "0", "--cw", "1"] + Self.network)
    #expect(missing.exitCode == 2)
    #expect(missing.standardError.hasPrefix("error: missing --activation: the maps apply sigma"))
  }

  /// `--activation sigma=tanh` names the MLP's one function: the same numbers as
  /// `--activation tanh` and as `--function sigma=tanh`. An activation's own ':' is kept
  /// (`sigma=leaky_relu:0.1`). Catches: pairs parsed as an activation name, or split at ':'.
  @Test func perFunctionActivation() {
    let couplings = ["--cb", "0.1", "--cw", "1"]
    func eval(_ activation: [String]) -> CommandOutput {
      DeriveCommandLine.run(["eval"] + activation + couplings + Self.network)
    }
    let all = eval(["--activation", "tanh"])
    let named = eval(["--activation", "sigma=tanh"])
    #expect(all.exitCode == 0 && named.exitCode == 0, "\(named.standardError)")
    #expect(named.standardOutput == all.standardOutput)
    #expect(eval(["--function", "sigma=tanh"]).standardOutput == all.standardOutput)
    let leaky = eval(["--activation", "leaky_relu:0.1"])
    #expect(leaky.exitCode == 0)
    #expect(eval(["--activation", "sigma=leaky_relu:0.1"]).standardOutput == leaky.standardOutput)
    #expect(leaky.standardOutput != all.standardOutput)
    let unknown = eval(["--activation", "rho=tanh"])
    #expect(unknown.exitCode == 2)
    #expect(unknown.standardError.contains("the maps apply no function 'rho' (they apply sigma)"))
    #expect(eval(["--activation", "sigma=tanh=1"]).exitCode == 2)
    #expect(eval(["--activation", "sigma=tanh", "--function", "sigma=relu"]).exitCode == 2)
  }

  /// A model applying σ and τ: `--activation sigma=tanh,tau=relu` is
  /// `--activation tanh --function tau=relu`; naming only one of two functions is refused.
  @Test func severalFunctions() throws {
    let mlp = try String(
      contentsOf: Self.derivations.appendingPathComponent("mlp.model"), encoding: .utf8)
    let text = mlp.replacingOccurrences(of: "function sigma", with: "function sigma\nfunction tau")
      .replacingOccurrences(
        of: "W[i,j] sigma(z[j;a])\n", with: "W[i,j] sigma(z[j;a]) tau(z[j;a])\n")
    #expect(text.contains("tau(z[j;a])"))
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-couplings-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let file = dir.appendingPathComponent("two-functions.model").path
    try text.write(toFile: file, atomically: true, encoding: .utf8)
    let base = ["eval", file, "--cb", "0.1", "--cw", "1"] + Self.network
    let pairs = DeriveCommandLine.run(base + ["--activation", "sigma=tanh,tau=relu"])
    let split = DeriveCommandLine.run(base + ["--activation", "tanh", "--function", "tau=relu"])
    #expect(pairs.exitCode == 0 && split.exitCode == 0, "\(pairs.standardError)")
    #expect(pairs.standardOutput == split.standardOutput)
    let one = DeriveCommandLine.run(base + ["--activation", "sigma=tanh"])
    #expect(one.exitCode == 2)
    #expect(one.standardError.contains("no activation for tau"))
  }
}
