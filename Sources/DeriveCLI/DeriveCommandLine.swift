import ArgumentParser
import Foundation

/// The `derive` command line: `derive [MODEL] …` derives and prints recursions; `derive eval`,
/// `derive check` and `derive merge` (numerics) are subcommands.
struct DeriveRoot: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "derive",
    abstract: "Derive the order-1/n recursions of random neural networks at initialization (PDLT).",
    discussion: """
      derive [MODEL] [--format latex|text|json|sympy|mathematica] [--single-input]
             [--activation NAME] [--steps] [--document] [--output FILE]

        MODEL is a model file (grammar: Derivations/README.md) or a built-in model
        (mlp, mlp-no-bias, deep-linear, mlp-ntk); the default is the MLP.

      Examples:
        derive                                        MLP recursions in LaTeX
        derive Derivations/deep-linear.model --format text
        derive --single-input --activation relu       closed forms and criticality
        derive --document --output mlp.tex            standalone LaTeX document
        derive help recursions                        all options
        derive eval | check | merge …                 numerics (derive help check)
        derive criticality --activation gelu          critical initialisation
        derive asymptotics --activation tanh --cb 0 --cw 1   large-depth power laws

      Exit status: 0 success, 1 a check failed, 2 usage or input error.
      """,
    subcommands: [
      RecursionsCommand.self, EvalCommand.self, CheckCommand.self, MergeCommand.self,
      CriticalityCommand.self, AsymptoticsCommand.self,
    ],
    defaultSubcommand: RecursionsCommand.self)
}

/// Entry point of the `derive` executable.
public enum DeriveCommandLine {
  /// Runs the command line in-process and returns what it wrote and its exit status.
  public static func run(_ arguments: [String], liveProgress: Bool = false) -> CommandOutput {
    var out = CommandOutput()
    out.liveProgress = liveProgress
    var command: ParsableCommand
    do {
      command = try DeriveRoot.parseAsRoot(arguments)
    } catch {
      reportParserError(error, into: &out)
      return out
    }
    do {
      switch command {
      case let c as RecursionsCommand:
        try c.execute(into: &out)
      case let c as EvalCommand:
        try c.execute(into: &out)
      case let c as CheckCommand:
        try c.execute(into: &out)
      case let c as MergeCommand:
        try c.execute(into: &out)
      case let c as CriticalityCommand:
        try c.execute(into: &out)
      case let c as AsymptoticsCommand:
        try c.execute(into: &out)
      default:
        do {
          try command.run()
        } catch {
          reportParserError(error, into: &out)
        }
      }
    } catch let failure as CommandFailure {
      out.error(failure.message)
      out.exitCode = failure.exitCode
    } catch {
      // An engine error a command did not translate: its description is the message, which
      // already carries its `error: ` (or `FILE:LINE:COLUMN: error: `) prefix. It must not go
      // through the argument parser's reporting, which prefixes `Error: ` again.
      out.error(message(for: error))
      out.exitCode = 2
    }
    return out
  }

  /// What the argument parser says about `error` (a usage error, or `--help`), with its exit
  /// status.
  static func reportParserError(_ error: Error, into out: inout CommandOutput) {
    let code = DeriveRoot.exitCode(for: error)
    let message = DeriveRoot.fullMessage(for: error)
    if code == .success {
      out.write(message + "\n")
      out.exitCode = 0
    } else {
      out.error(message)
      out.exitCode = 2
    }
  }

  /// The one-line message of an error thrown by the engine: its description, with the
  /// `error: ` prefix added when it has none.
  static func message(for error: Error) -> String {
    let text = "\(error)"
    return text.hasPrefix("error: ") || text.contains(": error: ") ? text : "error: " + text
  }

  /// Runs the command line with the process arguments and exits with the command's status.
  public static func main() -> Never {
    let out = run(Array(CommandLine.arguments.dropFirst()), liveProgress: true)
    FileHandle.standardOutput.write(Data(out.standardOutput.utf8))
    FileHandle.standardError.write(Data(out.standardError.utf8))
    exit(out.exitCode)
  }
}
