import DeriveCLI
import Foundation
import Testing

/// The rendered derivations checked into Derivations/ are exactly what the engine produces now.
/// Catches any unreviewed change of a derived formula or of its typesetting. Re-record after an
/// intended change with `RECORD_DERIVATIONS=1 swift test --filter DerivationOutputTests`.
@Suite struct DerivationOutputTests {
  static let derivations = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Derivations").standardizedFileURL

  static let cases: [(file: String, arguments: [String])] = [
    ("mlp.tex", ["mlp.model"]),
    ("mlp-no-bias.tex", ["mlp-no-bias.model"]),
    ("deep-linear.tex", ["deep-linear.model"]),
    ("stacked-weights.tex", ["stacked-weights.model"]),
    ("random-gain.tex", ["random-gain.model"]),
    ("mean-centred.tex", ["mean-centred.model"]),
    ("shaped-relu.tex", ["shaped-relu.model"]),
    ("shaped-relu-asymmetric.tex", ["shaped-relu-asymmetric.model"]),
    ("mlp-single-input.tex", ["mlp.model", "--single-input"]),
    ("mlp-single-input-relu.tex", ["mlp.model", "--single-input", "--activation", "relu"]),
    ("mlp-linear.tex", ["mlp.model", "--activation", "linear"]),
    ("mlp-ntk.tex", ["mlp-ntk.model"]),
    ("mlp-no-bias-ntk.tex", ["mlp-no-bias-ntk.model"]),
    ("deep-linear-ntk.tex", ["deep-linear-ntk.model"]),
    ("residual.tex", ["residual.model"]),
    ("residual-no-bias.tex", ["residual-no-bias.model"]),
    ("residual-scaled.tex", ["residual-scaled.model"]),
  ]

  @Test(arguments: cases.map(\.file))
  func checkedInOutputIsCurrent(file: String) throws {
    let arguments = try #require(Self.cases.first { $0.file == file }).arguments
    let modelPath = Self.derivations.appendingPathComponent(arguments[0]).path
    let out = DeriveCommandLine.run([modelPath] + arguments.dropFirst())
    #expect(out.exitCode == 0, "\(out.standardError)")
    // The model path appears nowhere in the output, so the files do not depend on the checkout.
    let url = Self.derivations.appendingPathComponent(file)
    if ProcessInfo.processInfo.environment["RECORD_DERIVATIONS"] == "1" {
      try out.standardOutput.write(to: url, atomically: true, encoding: .utf8)
      return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(
      out.standardOutput == expected,
      "Derivations/\(file) is stale; re-record with RECORD_DERIVATIONS=1")
  }
}
