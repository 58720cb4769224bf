import Foundation

/// `pdflatex`, found on `PATH`, run on a file in its own directory: how `derive check` turns
/// `report.tex` into `report.pdf`. Compiling is best effort: every failure (not installed, a
/// LaTeX error, a timeout) comes back as an ``Outcome`` to report, never as an error that
/// would fail the check.
struct PDFLaTeX {
  /// The `pdflatex` executable.
  var executable: String
  /// How long one run may take before it is stopped.
  var timeout: TimeInterval = 120

  /// `pdflatex` on the `PATH` of `environment`, or nil when it is not installed.
  static func onPath(_ environment: [String: String] = ProcessInfo.processInfo.environment)
    -> PDFLaTeX?
  {
    let path = environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") where !directory.isEmpty {
      let candidate = String(directory) + "/pdflatex"
      if FileManager.default.isExecutableFile(atPath: candidate) {
        return PDFLaTeX(executable: candidate)
      }
    }
    return nil
  }

  enum Outcome: Equatable {
    /// The PDF was written.
    case compiled
    /// No PDF: why, in a few words (the first LaTeX error, a timeout, …).
    case failed(String)
  }

  /// Compiles `directory/name.tex` to `directory/name.pdf` in `directory` (nonstop, halting on
  /// the first error, no shell escape), a second time when LaTeX asks for a rerun (a
  /// `longtable` settles its column widths on the second run); leaves
  /// `name.log` for inspection and removes `name.aux`.
  func compile(_ name: String, in directory: URL) -> Outcome {
    let pdf = directory.appendingPathComponent(name + ".pdf")
    try? FileManager.default.removeItem(at: pdf)
    defer {
      try? FileManager.default.removeItem(at: directory.appendingPathComponent(name + ".aux"))
    }
    for _ in 0..<2 {
      if let failure = run(name, in: directory) { return .failed(failure) }
      // longtable and cross-references say "Rerun LaTeX" / "Rerun to get …".
      if !log(name, in: directory).contains("Rerun") { break }
    }
    guard FileManager.default.fileExists(atPath: pdf.path) else {
      return .failed("pdflatex wrote no PDF (see \(name).log)")
    }
    return .compiled
  }

  /// The log of the last run (empty if there is none).
  func log(_ name: String, in directory: URL) -> String {
    let url = directory.appendingPathComponent(name + ".log")
    // TeX logs are in the input's encoding, not always UTF-8.
    return (try? String(contentsOf: url, encoding: .utf8))
      ?? (try? String(contentsOf: url, encoding: .isoLatin1)) ?? ""
  }

  /// One run; nil on success, else what went wrong.
  private func run(_ name: String, in directory: URL) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = [
      "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", name + ".tex",
    ]
    process.currentDirectoryURL = directory
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    let finished = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in finished.signal() }
    do {
      try process.run()
    } catch {
      return "cannot run \(executable): \(error.localizedDescription)"
    }
    if finished.wait(timeout: .now() + timeout) == .timedOut {
      // SIGTERM first; SIGKILL if it is ignored (an ignored signal is inherited).
      process.terminate()
      if finished.wait(timeout: .now() + 2) == .timedOut {
        kill(process.processIdentifier, SIGKILL)
        finished.wait()
      }
      return "pdflatex did not finish within \(Int(timeout)) s"
    }
    guard process.terminationStatus == 0 else {
      let error = log(name, in: directory).split(separator: "\n").first { $0.hasPrefix("!") }
      return "pdflatex failed"
        + (error.map { ": " + $0.dropFirst().trimmingCharacters(in: .whitespaces) } ?? "")
        + " (see \(name).log)"
    }
    return nil
  }
}
