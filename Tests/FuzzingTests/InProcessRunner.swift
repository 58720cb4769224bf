import DeriveCLI
import Foundation
import Fuzzing

/// Runs fuzz cases in-process through `DeriveCommandLine.run`, with the model file in a fresh
/// temporary directory. A crash here ends the test process (and fails the run): the long mode,
/// `derive-fuzz`, runs cases as subprocesses instead.
struct InProcessRunner: Sendable {
  /// Where this runner's case directories go.
  var root: URL

  init(label: String) {
    root = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-fuzz-tests-\(getpid())-\(label)", isDirectory: true)
  }

  func run(_ fuzzCase: FuzzCase, index: Int) -> FuzzRun {
    let fm = FileManager.default
    let dir = root.appendingPathComponent("case-\(index)", isDirectory: true)
    let outDir = dir.appendingPathComponent("out", isDirectory: true)
    let modelPath = dir.appendingPathComponent("case.model").path
    defer { try? fm.removeItem(at: dir) }
    do {
      try fm.createDirectory(at: outDir, withIntermediateDirectories: true)
      if let model = fuzzCase.model {
        try Data(model).write(to: URL(fileURLWithPath: modelPath))
      }
    } catch {
      return FuzzRun(
        termination: .exit(-1), standardOutput: "", standardError: "cannot prepare: \(error)",
        seconds: 0)
    }
    let start = ContinuousClock.now
    let out = DeriveCommandLine.run(
      fuzzCase.arguments(modelPath: modelPath, outputDirectory: outDir.path))
    let elapsed = ContinuousClock.now - start
    let seconds =
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return FuzzRun(
      termination: .exit(out.exitCode), standardOutput: out.standardOutput,
      standardError: out.standardError, seconds: seconds)
  }
}
