import Foundation
import Testing

@testable import DeriveCLI

/// `report.tex` and `report.pdf` of `derive check --output DIR` and `derive merge`, the SVG's
/// ticks, and the LaTeX compilation's failures (which never fail a check).
@Suite struct CheckReportFilesTests {
  static let pdflatex = PDFLaTeX.onPath()

  /// Whether TeX finds pgfplots (Debian's texlive-pictures), which report.tex needs.
  static let pgfplots: Bool = {
    guard let pdflatex else { return false }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: pdflatex.executable)
      .deletingLastPathComponent().appendingPathComponent("kpsewhich")
    process.arguments = ["pgfplots.sty"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
  }()

  /// A tiny check (2 000 networks at widths 4 and 8, depth 3; about a second in a debug build).
  static let tinyCheck = [
    "check", "mlp", "--activation", "tanh", "--cb", "0.1", "--cw", "1", "--width", "4",
    "--depth", "3", "--input", "1,0.5", "--input", "-0.5,1", "--samples", "2000", "--scan", "1",
    "--seed", "1",
  ]

  static func directory(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-report-\(getpid())-\(name)-\(UUID().uuidString)")
  }

  /// The report compiles to a PDF of several pages (run, recursions, plots, verdict table)
  /// with no LaTeX error and no line running into the margin; the check says where it is.
  @Test(.enabled(if: pgfplots, "pdflatex or pgfplots is not installed"))
  func reportCompiles() throws {
    let dir = Self.directory("pdf")
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = DeriveCommandLine.run(Self.tinyCheck + ["--output", dir.path])
    #expect(out.exitCode == 0, "\(out.standardError)")
    #expect(out.standardOutput.contains("report: \(dir.path)/report.tex, report.pdf\n"))
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("report.pdf").path))
    let log = try #require(Self.pdflatex).log("report", in: dir).split(separator: "\n")
    #expect(log.filter { $0.hasPrefix("!") }.isEmpty, "\(log.filter { $0.hasPrefix("!") })")
    let overfull = log.filter { $0.hasPrefix("Overfull \\hbox") }
    #expect(overfull.isEmpty, "\(overfull)")
    let written = try #require(log.first { $0.hasPrefix("Output written on report.pdf (") })
    let pages = Int(written.split(separator: "(")[1].split(separator: " ")[0]) ?? 0
    #expect(pages >= 2, "\(written)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("report.aux").path))
  }

  /// `derive merge --output` writes the report files the unsharded check writes, byte for byte
  /// (bar the header's "merged from" note): the merged moments are the unsharded ones bit for bit
  /// (whole-chunk shards reduced over one tree, README "sharded checks"), so even check.json's
  /// and check.csv's last digits agree.
  @Test func mergeWritesTheSameReport() throws {
    let whole = Self.directory("whole")
    let shards = Self.directory("shards")
    let merged = Self.directory("merged")
    defer { for d in [whole, shards, merged] { try? FileManager.default.removeItem(at: d) } }
    let check = DeriveCommandLine.run(Self.tinyCheck + ["--output", whole.path, "--no-pdf"])
    #expect(check.exitCode == 0, "\(check.standardError)")
    for k in 1...2 {
      let shard = DeriveCommandLine.run(
        Self.tinyCheck + ["--shard", "\(k)/2", "--output", shards.path])
      #expect(shard.exitCode == 0, "\(shard.standardError)")
    }
    let merge = DeriveCommandLine.run(["merge", shards.path, "--output", merged.path, "--no-pdf"])
    #expect(merge.exitCode == 0, "\(merge.standardError)")
    #expect(
      merge.standardOutput.contains("report: \(merged.path)/report.tex (not compiled: --no-pdf)"))
    for name in ["report.tex", "check.svg", "check.json", "check.csv"] {
      let a = try String(contentsOf: whole.appendingPathComponent(name), encoding: .utf8)
      let b = try String(contentsOf: merged.appendingPathComponent(name), encoding: .utf8)
      // The SVG's title is the table's header, which names the merge.
      #expect(
        a == b.replacingOccurrences(of: " (merged from 2 shards)", with: ""), "\(name) differs")
    }
  }

  /// A failing or hanging pdflatex is an outcome to report, not an error: the check goes on.
  @Test func compilationFailuresAreOutcomes() throws {
    let dir = Self.directory("failing")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try "x".write(to: dir.appendingPathComponent("report.tex"), atomically: true, encoding: .utf8)
    guard case .failed(let reason) = PDFLaTeX(executable: "/bin/false").compile("report", in: dir)
    else {
      Issue.record("/bin/false compiled")
      return
    }
    #expect(reason.hasPrefix("pdflatex failed"))
    let hang = dir.appendingPathComponent("hang.sh")
    try "#!/bin/sh\nexec sleep 30\n".write(to: hang, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hang.path)
    let started = Date()
    #expect(
      PDFLaTeX(executable: hang.path, timeout: 1).compile("report", in: dir)
        == .failed("pdflatex did not finish within 1 s"))
    #expect(Date().timeIntervalSince(started) < 20)
    #expect(PDFLaTeX.onPath(["PATH": dir.path]) == nil)
  }

  /// Round ticks, not the data's extremes (the old SVG labelled an axis `0.3058538`).
  @Test func ticksAreRoundValues() {
    let t = AxisTicks(low: 0.3058538, high: 0.7346, count: 5)
    #expect(t.values.map(t.label) == ["0.3", "0.4", "0.5", "0.6", "0.7", "0.8"])
    let small = AxisTicks(low: -0.0005, high: 0.0011, count: 4)
    #expect(small.values.map(small.label) == ["-0.0005", "0", "0.0005", "0.001", "0.0015"])
    let flat = AxisTicks(low: 0, high: 0)
    #expect(flat.lower < 0 && flat.upper > 0 && flat.values.contains(0))
    #expect(AxisTicks.decades(low: 0.003, high: 0.02) == [0.001, 0.01, 0.1])
  }

  /// Text LaTeX cannot set as is: Ĝ (the sampler's summary) as a math accent, long model-file
  /// lines wrapped with the model language's continuation.
  @Test func unicodeAndLongLines() {
    #expect(CheckReportDocument.unicodeReplacement("Ĝ") == "\\ensuremath{\\hat{G}}")
    #expect(CheckReportDocument.unicodeReplacement("ℓ") == "\\ensuremath{\\ell}")
    let line =
      "cumulant "
      + Array(repeating: "delta[j1,j2] V[a1,a2,a3,a4]", count: 5).joined(
        separator: " + ")
    let wrapped = CheckReportDocument.wrapped(line)
    #expect(wrapped.count > 1 && wrapped.allSatisfy { $0.count <= 80 })
    #expect(wrapped.dropLast().allSatisfy { $0.hasSuffix(" \\") })
    #expect(
      wrapped.map { $0.hasSuffix(" \\") ? String($0.dropLast(2)) : $0 }
        .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ") == line)
  }
}
