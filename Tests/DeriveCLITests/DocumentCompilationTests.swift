import Foundation
import Testing

@testable import DeriveCLI

/// `derive --document` output compiled with pdflatex (when it is installed; the tests are
/// skipped otherwise): it compiles (no unescaped Unicode or math-mode error: the single-input
/// titles add χ and ℓ), and its long recursions are broken so that no line is wider than the
/// article class's text ("Overfull \hbox" in the log is such a line).
@Suite struct DocumentCompilationTests {
  static let pdflatex = PDFLaTeX.onPath()

  /// Writes `source` to a fresh directory, compiles it and returns the log's error and overfull
  /// lines.
  static func compile(_ source: String, name: String) throws -> (
    outcome: PDFLaTeX.Outcome, errors: [String], overfull: [String]
  ) {
    let compiler = try #require(pdflatex)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-document-\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try source.write(
      to: directory.appendingPathComponent(name + ".tex"), atomically: true, encoding: .utf8)
    let outcome = compiler.compile(name, in: directory)
    let log = compiler.log(name, in: directory).split(separator: "\n").map(String.init)
    return (
      outcome, log.filter { $0.hasPrefix("!") }, log.filter { $0.hasPrefix("Overfull \\hbox") }
    )
  }

  /// The MLP's G¹ and V recursions ran about 280 pt into the right margin before they were
  /// broken; the steps of a derivation are sums of dozens of terms. Every built-in model, with
  /// and without steps and specialised to a single input and to ReLU, fits the page.
  @Test(
    .enabled(if: pdflatex != nil, "pdflatex is not installed"),
    arguments: [
      [], ["mlp", "--steps"], ["mlp-no-bias"], ["deep-linear", "--steps"],
      ["mlp", "--single-input", "--activation", "relu"],
    ])
  func documentFitsThePage(arguments: [String]) throws {
    let out = DeriveCommandLine.run(arguments + ["--document"])
    #expect(out.exitCode == 0, "\(out.standardError)")
    let compiled = try Self.compile(out.standardOutput, name: "recursions")
    #expect(compiled.outcome == .compiled, "\(compiled.errors)")
    #expect(compiled.errors.isEmpty, "\(compiled.errors)")
    #expect(compiled.overfull.isEmpty, "derive \(arguments): \(compiled.overfull)")
  }
}
