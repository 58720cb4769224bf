import Foundation
import Fuzzing

/// Runs a case as a subprocess of the `derive` binary, in a fresh temporary directory, with a
/// wall-clock time bound (the process is killed on expiry) and, when `prlimit` is available, a
/// cap on its address space.
struct SubprocessRunner: Sendable {
  var derivePath: String
  var timeout: Double
  /// Address-space cap in bytes (0: none).
  var memoryLimit: Int
  var prlimitPath: String?

  init(derivePath: String, timeout: Double, memoryLimit: Int) {
    self.derivePath = derivePath
    self.timeout = timeout
    self.memoryLimit = memoryLimit
    prlimitPath = ["/usr/bin/prlimit", "/bin/prlimit"].first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
  }

  func run(_ fuzzCase: FuzzCase, index: Int) -> FuzzRun {
    let fm = FileManager.default
    let dir = fm.temporaryDirectory.appendingPathComponent(
      "derive-fuzz-\(getpid())-\(index)", isDirectory: true)
    try? fm.removeItem(at: dir)
    defer { try? fm.removeItem(at: dir) }
    let outDir = dir.appendingPathComponent("out")
    let modelPath = dir.appendingPathComponent("case.model").path
    let stdoutPath = dir.appendingPathComponent("stdout").path
    let stderrPath = dir.appendingPathComponent("stderr").path
    do {
      try fm.createDirectory(at: outDir, withIntermediateDirectories: true)
      if let model = fuzzCase.model {
        try Data(model).write(to: URL(fileURLWithPath: modelPath))
      }
    } catch {
      return FuzzRun(
        termination: .exit(-1), standardOutput: "",
        standardError: "derive-fuzz: cannot prepare \(dir.path): \(error)", seconds: 0)
    }
    _ = fm.createFile(atPath: stdoutPath, contents: nil)
    _ = fm.createFile(atPath: stderrPath, contents: nil)
    let arguments = fuzzCase.arguments(modelPath: modelPath, outputDirectory: outDir.path)
    let process = Process()
    if let prlimitPath, memoryLimit > 0 {
      process.executableURL = URL(fileURLWithPath: prlimitPath)
      process.arguments = ["--as=\(memoryLimit)", "--", derivePath] + arguments
    } else {
      process.executableURL = URL(fileURLWithPath: derivePath)
      process.arguments = arguments
    }
    var environment = ProcessInfo.processInfo.environment
    // The backtracer takes seconds per crash; the fatal-error message is enough to triage.
    environment["SWIFT_BACKTRACE"] = "enable=no"
    process.environment = environment
    process.currentDirectoryURL = dir
    let stdoutHandle = FileHandle(forWritingAtPath: stdoutPath)
    let stderrHandle = FileHandle(forWritingAtPath: stderrPath)
    process.standardOutput = stdoutHandle
    process.standardError = stderrHandle
    process.standardInput = FileHandle.nullDevice
    let start = Date()
    do {
      try process.run()
    } catch {
      return FuzzRun(
        termination: .exit(-1), standardOutput: "",
        standardError: "derive-fuzz: cannot run \(derivePath): \(error)", seconds: 0)
    }
    var timedOut = false
    while process.isRunning {
      if Date().timeIntervalSince(start) > timeout {
        timedOut = true
        kill(process.processIdentifier, SIGKILL)
        break
      }
      usleep(2_000)
    }
    process.waitUntilExit()
    let seconds = Date().timeIntervalSince(start)
    try? stdoutHandle?.close()
    try? stderrHandle?.close()
    func read(_ path: String) -> String {
      let data = fm.contents(atPath: path) ?? Data()
      // Long outputs are only scanned for the oracle's words; keep the head and the tail.
      let bytes = data.count > 2_000_000 ? data.prefix(1_000_000) + data.suffix(1_000_000) : data
      return String(decoding: bytes, as: UTF8.self)
    }
    let termination: FuzzRun.Termination
    if timedOut {
      termination = .timedOut
    } else if process.terminationReason == .uncaughtSignal {
      termination = .signal(process.terminationStatus)
    } else {
      termination = .exit(process.terminationStatus)
    }
    return FuzzRun(
      termination: termination, standardOutput: read(stdoutPath),
      standardError: read(stderrPath), seconds: seconds)
  }
}
