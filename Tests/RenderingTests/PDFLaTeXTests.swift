import Algebra
import Foundation
import Rendering
import Testing

/// Compiles a standalone document with `pdflatex` when it is installed, and checks that no row
/// of its equations is wider than the page's text (no "Overfull \\hbox" in the log). Without
/// pdflatex the test is skipped (reported as such), since the snapshot tests already pin the
/// text.
@Suite struct PDFLaTeXTests {
  static let pdflatex: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let candidate = String(directory) + "/pdflatex"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    print("note: pdflatex not found on PATH; the LaTeX compilation test is skipped")
    return nil
  }()

  @Test(.enabled(if: pdflatex != nil, "pdflatex is not installed"))
  func standaloneDocumentCompiles() throws {
    let executable = try #require(Self.pdflatex)
    typealias F = Fixtures
    let renderer = LaTeXRenderer(
      options: .init(
        layout: .book, breaksLinesBetweenBlocks: true,
        textWidth: LaTeXRenderer.articleTextWidth))
    let g1 = Expression.tensor(
      TensorHead("G1", layer: .relative(1), symmetry: .symmetric),
      [F.a1, F.a2])
    let document = renderer.document(
      [
        Equation(lhs: F.vNext, rhs: F.vRecursion),
        Equation(lhs: g1, rhs: F.g1Recursion),
        Equation(lhs: .tensor(F.K, [F.a1, F.a2]), rhs: F.fourPoint),
        Equation(lhs: F.sym(F.cB), rhs: F.distinctNeuronSum),
        Equation(lhs: F.sym(F.cW), rhs: F.signedCoefficients),
        Equation(lhs: .zero, rhs: .zero),
      ], title: "Recursions_& #tests 100% — χ_∥ = χ_⊥ = 1 at K★, ℓ → ℓ+1")

    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("rendering-pdflatex-\(ProcessInfo.processInfo.processIdentifier)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let source = directory.appendingPathComponent("recursions.tex")
    try document.write(to: source, atomically: true, encoding: .utf8)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = ["-interaction=nonstopmode", "-halt-on-error", "recursions.tex"]
    process.currentDirectoryURL = directory
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()

    let log =
      (try? String(contentsOf: directory.appendingPathComponent("recursions.log"), encoding: .utf8))
      ?? ""
    let errors = log.split(separator: "\n").filter { $0.hasPrefix("!") }
    #expect(process.terminationStatus == 0, "pdflatex failed: \(errors)")
    #expect(
      FileManager.default.fileExists(
        atPath: directory.appendingPathComponent("recursions.pdf").path))
    // Broken to the article's text width, no row runs into the margin.
    let overfull = log.split(separator: "\n").filter { $0.hasPrefix("Overfull \\hbox") }
    #expect(overfull.isEmpty, "\(overfull)")
  }
}
