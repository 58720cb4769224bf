import Algebra
import Foundation

/// What a command writes: standard output, standard error and the exit status. Commands write
/// here instead of printing so the whole command line can be run in-process by tests.
public struct CommandOutput: Sendable {
  public var standardOutput = ""
  public var standardError = ""
  public var exitCode: Int32 = 0
  /// Write progress lines to the process's standard error immediately (the executable) rather
  /// than collecting them (in-process callers such as tests).
  public var liveProgress = false

  public init() {}

  mutating func progress(_ text: String) {
    if liveProgress {
      FileHandle.standardError.write(Data((text + "\n").utf8))
    } else {
      standardError += text + "\n"
    }
  }

  mutating func write(_ text: String) { standardOutput += text }
  mutating func error(_ text: String) { standardError += text + "\n" }
}

/// A failure with the exit status to report: 1 for a failed check, 2 for usage and input errors.
struct CommandFailure: Error {
  var message: String
  var exitCode: Int32

  static func usage(_ message: String) -> CommandFailure {
    CommandFailure(message: message, exitCode: 2)
  }
}

/// Foundation also exports a type named `Expression`; this module means the algebra's.
typealias Expression = Algebra.Expression
