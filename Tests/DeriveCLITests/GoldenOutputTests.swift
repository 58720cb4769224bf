import DeriveCLI
import Foundation
import Testing

/// Byte-for-byte pins of what `derive`, `derive eval` and `derive check` print and write, so an
/// internal redesign can show it changes no user-visible output. Each run of the table is
/// executed in-process and compared with its files under Golden/ (see Golden/README.md).
/// Re-record after an intended change of the output with
/// `RECORD_GOLDEN=1 swift test --filter GoldenOutputTests`, and review the diff.
///
/// Files of a run whose `file` is `STEM.EXT`:
/// - `STEM.EXT`: standard output;
/// - `STEM.stderr.txt` (`STEM.EXT.stderr.txt` when EXT is not `txt`, so that the text, JSON
///   and CSV runs of one network have their own): standard error, only if the run writes any
///   (the check's progress lines, eval's finite-width warning in JSON and CSV runs); no such
///   file means standard error must stay empty;
/// - `STEM.check.json`, `STEM.check.csv`, `STEM.check.svg`, `STEM.report.tex`: for `check` runs,
///   the report files the run writes with `--output DIR` (with `--no-pdf`: what pdflatex writes
///   depends on the machine's TeX installation; `CheckReportFilesTests` compiles it).
///
/// What depends on the machine is normalized before comparing: the only such text is the
/// `--output` directory (a fresh temporary directory for each run), which the check names in
/// its `report files: DIR/check.json, …` line; it is replaced by `$OUTPUT`. Nothing else in
/// these outputs depends on time, paths or the machine: built-in models are named by name (no
/// file path), no timings are printed, and the check's random streams are seeded and the same
/// for any number of threads (pinned to `--threads 1` here; `checkDoesNotDependOnThreads` runs
/// two of them with 2 threads against the same files).
@Suite struct GoldenOutputTests {
  static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Golden")

  static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" }

  /// Two inputs shared by the eval and check runs.
  static let twoInputs = ["--input", "1,0.5", "--input", "-0.5,1"]
  static let evalTanh = ["--activation", "tanh", "--cb", "0.1", "--cw", "1"]
  static let evalNetwork = ["--width", "16", "--depth", "4"] + twoInputs
  /// A small, fast check (2 000 networks, widths 4 and 8, depth 3; about 1 s in a debug build).
  static let checkNetwork =
    ["--width", "4", "--depth", "3"] + twoInputs
    + ["--samples", "2000", "--scan", "1", "--seed", "1", "--threads", "1"]

  /// A model file of Derivations/ that is not built in (its path appears nowhere in the
  /// outputs).
  static func modelFile(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../Derivations/\(name)").standardizedFileURL.path
  }

  /// The MLP with its neural tangent kernel, with learning rates.
  static let evalNTK = [
    "eval", "mlp-ntk", "--activation", "tanh", "--cb", "0.2", "--cw", "1.5",
    "--set", "lambda_b=0.4", "--set", "lambda_W=0.9", "--widths", "10,10,10",
    "--input", "1,0.5,-0.3", "--input", "0.2,-0.9,0.8",
  ]

  static let runs: [(file: String, arguments: [String])] = [
    // derive: the recursions of the built-in models in every format.
    ("derive-default.tex", []),
    ("derive-mlp.tex", ["mlp"]),
    ("derive-mlp.txt", ["mlp", "--format", "text"]),
    ("derive-mlp.json", ["mlp", "--format", "json"]),
    ("derive-mlp.py", ["mlp", "--format", "sympy"]),
    ("derive-mlp.wl", ["mlp", "--format", "mathematica"]),
    ("derive-mlp-document.tex", ["mlp", "--document"]),
    ("derive-mlp-steps.txt", ["mlp", "--steps", "--format", "text"]),
    ("derive-mlp-no-bias.tex", ["mlp-no-bias"]),
    ("derive-mlp-no-bias.txt", ["mlp-no-bias", "--format", "text"]),
    ("derive-mlp-no-bias.json", ["mlp-no-bias", "--format", "json"]),
    ("derive-deep-linear.tex", ["deep-linear"]),
    ("derive-deep-linear.txt", ["deep-linear", "--format", "text"]),
    ("derive-deep-linear.json", ["deep-linear", "--format", "json"]),
    ("derive-mlp-single-input.txt", ["mlp", "--single-input", "--format", "text"]),
    ("derive-mlp-single-input-relu.tex", ["mlp", "--single-input", "--activation", "relu"]),
    (
      "derive-mlp-single-input-relu.txt",
      ["mlp", "--single-input", "--activation", "relu", "--format", "text"]
    ),
    // derive eval: the recursions evaluated by quadrature.
    ("eval-mlp-tanh.txt", ["eval", "mlp"] + evalTanh + evalNetwork),
    ("eval-mlp-tanh.json", ["eval", "mlp"] + evalTanh + evalNetwork + ["--format", "json"]),
    (
      "eval-mlp-relu.txt",
      ["eval", "mlp", "--activation", "relu", "--cb", "0", "--cw", "2"] + evalNetwork
    ),
    (
      "eval-mlp-relu.json",
      ["eval", "mlp", "--activation", "relu", "--cb", "0", "--cw", "2"] + evalNetwork
        + ["--format", "json"]
    ),
    (
      "eval-mlp-relu.csv",
      ["eval", "mlp", "--activation", "relu", "--cb", "0", "--cw", "2"] + evalNetwork
        + ["--format", "csv"]
    ),
    (
      "eval-mlp-no-bias-erf.txt",
      ["eval", "mlp-no-bias", "--activation", "erf", "--cw", "1"] + evalNetwork
    ),
    (
      "eval-mlp-no-bias-erf.json",
      ["eval", "mlp-no-bias", "--activation", "erf", "--cw", "1"] + evalNetwork
        + ["--format", "json"]
    ),
    (
      "eval-deep-linear.txt",
      ["eval", "deep-linear", "--cw", "1.5"] + evalNetwork
    ),
    (
      "eval-deep-linear.json",
      ["eval", "deep-linear", "--cw", "1.5"] + evalNetwork
        + ["--format", "json"]
    ),
    (
      "eval-mlp-tanh-3-inputs.txt",
      ["eval", "mlp"] + evalTanh + evalNetwork + ["--input", "0.3,-0.7"]
    ),
    (
      "eval-mlp-tanh-3-inputs.json",
      ["eval", "mlp"] + evalTanh + evalNetwork + ["--input", "0.3,-0.7", "--format", "json"]
    ),
    (
      "eval-mlp-tanh-widths-8-12-16.txt",
      ["eval", "mlp"] + evalTanh + ["--widths", "8,12,16"] + twoInputs
    ),
    (
      "eval-mlp-tanh-widths-8-12-16.json",
      ["eval", "mlp"] + evalTanh + ["--widths", "8,12,16"] + twoInputs + ["--format", "json"]
    ),
    // The neural tangent kernel (the built-in mlp-ntk; deep-linear-ntk from Derivations/).
    ("derive-mlp-ntk.txt", ["mlp-ntk", "--format", "text"]),
    ("derive-mlp-ntk.json", ["mlp-ntk", "--format", "json"]),
    ("derive-deep-linear-ntk.txt", [modelFile("deep-linear-ntk.model"), "--format", "text"]),
    ("eval-mlp-ntk-tanh.txt", evalNTK),
    ("eval-mlp-ntk-tanh.json", evalNTK + ["--format", "json"]),
    // derive check: the table, the progress lines and the report files.
    ("check-mlp-tanh.txt", ["check", "mlp"] + evalTanh + checkNetwork),
    (
      "check-mlp-tanh-weights-sampler.txt",
      ["check", "mlp", "--sampler", "weights"] + evalTanh + checkNetwork
    ),
    (
      "check-mlp-relu.txt",
      ["check", "mlp", "--activation", "relu", "--cb", "0", "--cw", "2"] + checkNetwork
    ),
    (
      "check-deep-linear.txt",
      ["check", "deep-linear", "--cw", "1.5"] + checkNetwork
    ),
  ]

  /// The report files `derive check --output DIR --no-pdf` writes.
  static let reportFiles = ["check.json", "check.csv", "check.svg", "report.tex"]

  @Test(arguments: runs.map(\.file))
  func outputIsUnchanged(file: String) throws {
    let arguments = try #require(Self.runs.first { $0.file == file }).arguments
    try Self.verify(file: file, arguments: arguments)
  }

  /// The check's output does not depend on the number of threads: two of the recorded check
  /// runs (one per sampler) with 2 threads match the files recorded with 1.
  @Test(
    .disabled(if: recording, "recording"),
    arguments: ["check-mlp-tanh.txt", "check-mlp-tanh-weights-sampler.txt"])
  func checkDoesNotDependOnThreads(file: String) throws {
    var arguments = try #require(Self.runs.first { $0.file == file }).arguments
    let at = try #require(arguments.firstIndex(of: "--threads"))
    arguments[at + 1] = "2"
    try Self.verify(file: file, arguments: arguments)
  }

  /// The file holding the standard error of the run whose standard output is `file`.
  static func stderrFile(of file: String) -> String {
    let stem = (file as NSString).deletingPathExtension
    return (file as NSString).pathExtension == "txt" ? "\(stem).stderr.txt" : "\(file).stderr.txt"
  }

  /// Runs `arguments` in-process and compares (or, with RECORD_GOLDEN=1, records) every file of
  /// the run.
  static func verify(file: String, arguments: [String]) throws {
    let stem = (file as NSString).deletingPathExtension
    let isCheck = arguments.first == "check"
    var outputDirectory: URL?
    var fullArguments = arguments
    if isCheck {
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
        "derive-golden-\(getpid())-\(UUID().uuidString)")
      outputDirectory = dir
      fullArguments += ["--output", dir.path, "--no-pdf"]
    }
    defer { outputDirectory.map { try? FileManager.default.removeItem(at: $0) } }

    let out = DeriveCommandLine.run(fullArguments)
    #expect(out.exitCode == 0, "derive \(arguments.joined(separator: " ")): \(out.standardError)")

    var actual: [(name: String, text: String?)] = []
    var stdout = out.standardOutput
    if let dir = outputDirectory {
      stdout = stdout.replacingOccurrences(of: dir.path, with: "$OUTPUT")
    }
    actual.append((file, stdout))
    actual.append(
      (stderrFile(of: file), out.standardError.isEmpty ? nil : out.standardError))
    if let dir = outputDirectory {
      let written = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
      #expect(written == reportFiles.sorted(), "check --output wrote \(written)")
      for name in reportFiles {
        let text = try? String(
          contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
        actual.append(("\(stem).\(name)", text))
      }
    }

    for (name, text) in actual {
      let url = golden.appendingPathComponent(name)
      if recording {
        if let text {
          try text.write(to: url, atomically: true, encoding: .utf8)
        } else {
          try? FileManager.default.removeItem(at: url)
        }
        continue
      }
      let expected =
        FileManager.default.fileExists(atPath: url.path)
        ? try String(contentsOf: url, encoding: .utf8) : nil
      switch (expected, text) {
      case (nil, nil):
        break
      case (nil, let text?):
        Issue.record(
          "Golden/\(name) is missing but the run wrote \(text.utf8.count) bytes (derive \(arguments.joined(separator: " "))); user-visible output changed, re-record with RECORD_GOLDEN=1 if intended"
        )
      case (_?, nil):
        Issue.record(
          "Golden/\(name) is recorded but the run wrote nothing there (derive \(arguments.joined(separator: " "))); user-visible output changed, re-record with RECORD_GOLDEN=1 if intended"
        )
      case (let expected?, let text?):
        if let difference = firstDifference(expected: expected, actual: text) {
          Issue.record(
            "Golden/\(name) differs (derive \(arguments.joined(separator: " "))): \(difference); user-visible output changed, re-record with RECORD_GOLDEN=1 if intended"
          )
        }
      }
    }
  }

  /// The first line where `actual` differs from `expected`, or nil if they are byte-identical.
  static func firstDifference(expected: String, actual: String) -> String? {
    guard Array(expected.utf8) != Array(actual.utf8) else { return nil }
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    for i in 0..<min(e.count, a.count) where Array(e[i].utf8) != Array(a[i].utf8) {
      return "first difference at line \(i + 1):\n  expected: \(e[i])\n  actual:   \(a[i])"
    }
    if e.count != a.count {
      let line = min(e.count, a.count) + 1
      let extra = e.count > a.count ? "expected has" : "actual has"
      let text = e.count > a.count ? e[line - 1] : a[line - 1]
      return
        "\(extra) more lines (\(e.count) expected, \(a.count) actual); first extra line \(line): \(text)"
    }
    return "the lines agree but the bytes differ (e.g. line endings or Unicode normalization)"
  }
}
