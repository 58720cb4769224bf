import DeriveCLI
import Foundation
import Testing

/// eval and check iterate over the model's declared statistics: renamed statistics give the
/// same numbers under their own names.
@Suite struct DeclaredStatisticsCommandTests {
  static let derivations = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Derivations").standardizedFileURL

  func write(_ text: String, _ name: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-declared-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let file = dir.appendingPathComponent(name).path
    try text.write(toFile: file, atomically: true, encoding: .utf8)
    return file
  }

  /// The MLP with its statistics named Q, H, U and its couplings s_b, s_w.
  func renamedMLP() throws -> String {
    var text = try String(
      contentsOf: Self.derivations.appendingPathComponent("mlp.model"), encoding: .utf8)
    for (old, new) in [
      ("K[", "Q["), ("G1[", "H["), ("V[", "U["), ("derive K G1 V", "derive Q H U"),
      ("C_b", "s_b"), ("C_W", "s_w"),
    ] {
      #expect(text.contains(old))
      text = text.replacingOccurrences(of: old, with: new)
    }
    return try write(text, "renamed.model")
  }

  static func numbers(_ json: String) throws -> [String: Any] {
    try #require(
      JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
  }

  /// Flattens every number of a layer's statistic (a matrix or an object keyed by indices).
  static func values(_ x: Any?) -> [Double] {
    if let m = x as? [[Double]] { return m.flatMap { $0 } }
    if let o = x as? [String: Double] { return o.keys.sorted().compactMap { o[$0] } }
    return []
  }

  @Test func renamedStatisticsGiveTheSameNumbers() throws {
    let arguments = [
      "--activation", "tanh", "--cb", "0.1", "--cw", "1.5", "--width", "32", "--depth", "4",
      "--input", "1,0.5", "--input", "-0.5,1", "--format", "json",
    ]
    let mlp = DeriveCommandLine.run(["eval", "mlp"] + arguments)
    let renamed = DeriveCommandLine.run(["eval", try renamedMLP()] + arguments)
    #expect(mlp.exitCode == 0 && renamed.exitCode == 0, "\(renamed.standardError)")
    let a = try #require(try Self.numbers(mlp.standardOutput)["layers"] as? [[String: Any]])
    let b = try #require(try Self.numbers(renamed.standardOutput)["layers"] as? [[String: Any]])
    #expect(a.count == 4 && b.count == 4)
    for (x, y) in zip(a, b) {
      #expect(Set(y.keys) == ["layer", "Q", "H", "U", "finiteWidth", "chi_parallel", "chi_perp"])
      // The finite-width predictions are labelled in the model's names.
      let finite = try #require(y["finiteWidth"] as? [String: Any])
      #expect(Set(finite.keys) == ["n", "Q+H/n", "U/n", "U/(nQ^2)", "truncationUnreliable"])
      let same = try #require(x["finiteWidth"] as? [String: Any])
      let (u, v) = (Self.values(same["K+G1/n"]), Self.values(finite["Q+H/n"]))
      #expect(!u.isEmpty && u.count == v.count)
      for (p, q) in zip(u, v) { #expect(abs(p - q) <= 1e-12 * max(1, abs(p))) }
      for (old, new) in [("K", "Q"), ("G1", "H"), ("V", "U")] {
        let (u, v) = (Self.values(x[old]), Self.values(y[new]))
        #expect(!u.isEmpty && u.count == v.count)
        for (p, q) in zip(u, v) {
          #expect(abs(p - q) <= 1e-12 * max(1, abs(p)), "\(new): \(p) vs \(q)")
        }
      }
    }
    // The check's rows and its negative control use the model's names.
    let check = DeriveCommandLine.run([
      "check", try renamedMLP(), "--activation", "tanh", "--cb", "0.1", "--cw", "1",
      "--width", "4", "--depth", "3", "--input", "1,0.5", "--samples", "400", "--scan", "1",
      "--seed", "1", "--negative-control", "H",
    ])
    #expect(check.standardOutput.contains("U[(00)(00)]"), "\(check.standardError)")
    #expect(check.standardOutput.contains("negative control (H removed from the theory)"))
    #expect(check.standardOutput.contains("(Q: MC two-point vs Q + H/n"))
    // Criticality in the model's own couplings.
    let relu = DeriveCommandLine.run([
      try renamedMLP(), "--single-input", "--activation", "relu", "--format", "text",
    ])
    #expect(relu.exitCode == 0, "\(relu.standardError)")
    #expect(relu.standardOutput.hasSuffix("s_b = 0\ns_w = 2\n"), "\(relu.standardOutput)")
    #expect(!relu.standardOutput.contains("C_W"))
    #expect(!relu.standardOutput.contains("K("))
    #expect(relu.standardOutput.contains("Q(ℓ+1) = "))
  }

  /// A derived statistic that check has no Monte-Carlo estimator for is refused by name, before
  /// any network is sampled (eval evaluates it).
  @Test func checkRefusesAStatisticWithoutAnEstimator() throws {
    let model = Self.derivations.appendingPathComponent("mean-centred.model").path
    let common = [
      "--activation", "relu", "--cw", "2", "--width", "8", "--depth", "3", "--input", "1,0.5",
    ]
    let eval = DeriveCommandLine.run(["eval", model] + common)
    #expect(eval.exitCode == 0)
    #expect(eval.standardOutput.contains("R[00] = -1"))
    let check = DeriveCommandLine.run(["check", model] + common + ["--samples", "200"])
    #expect(check.exitCode == 2)
    #expect(check.standardError.contains("no Monte-Carlo estimator for the statistic 'R'"))
    #expect(!check.standardError.contains("width scan"))
  }

  /// A statement continued with '\' must end its line there; a file may not end inside one.
  @Test func lineContinuation() throws {
    let mlp = try String(
      contentsOf: Self.derivations.appendingPathComponent("mlp.model"), encoding: .utf8)
    let inside = mlp.replacingOccurrences(
      of: "map z[i;a] = b[i] + W[i,j] sigma(z[j;a])",
      with: "map z[i;a] = b[i] \\ + W[i,j] sigma(z[j;a])")
    let out = DeriveCommandLine.run([try write(inside, "bad-continuation.model")])
    #expect(out.exitCode == 2)
    #expect(out.standardError.contains("it must end the line"))
    let split = mlp.replacingOccurrences(
      of: "map z[i;a] = b[i] + W[i,j] sigma(z[j;a])",
      with: "map z[i;a] = b[i] \\\n    + W[i,j] sigma(z[j;a])")
    let same = DeriveCommandLine.run([try write(split, "split.model"), "--format", "text"])
    #expect(same.exitCode == 0)
    #expect(
      same.standardOutput == DeriveCommandLine.run(["mlp", "--format", "text"]).standardOutput)
    let end = DeriveCommandLine.run([try write(mlp + "derive K \\", "end.model")])
    #expect(end.exitCode == 2)
    #expect(end.standardError.contains("ends inside a statement"))
  }
}
