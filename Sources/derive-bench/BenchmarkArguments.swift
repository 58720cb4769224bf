/// The command line of `derive-bench`: `[GROUP…] [--json] [--no-peers] [--case TEXT]`, or
/// `--help`. Anything else is refused before a benchmark runs (the whole suite takes minutes, so
/// a mistyped option must not start it).
struct BenchmarkArguments: Equatable {
  /// The groups to run, in the order given (empty: every group).
  var groups: [String] = []
  /// One JSON object per case instead of text lines.
  var json = false
  /// Measure the peer systems (FORM, numpy, …) where installed.
  var measuresPeers = true
  /// Keep only the cases whose name contains this text.
  var caseFilter: String?

  /// What the command line asks for.
  enum Request: Equatable {
    case run(BenchmarkArguments)
    case help
  }

  /// A command line that cannot be run, with the reason.
  struct Failure: Error, Equatable, CustomStringConvertible {
    var description: String
  }

  /// Reads the arguments (without the program name), against the known group names.
  static func parse(_ arguments: [String], groups known: [String]) throws(Failure) -> Request {
    var result = BenchmarkArguments()
    var rest = arguments[...]
    while let argument = rest.popFirst() {
      switch argument {
      case "--help", "-h", "help":
        return .help
      case "--json":
        result.json = true
      case "--no-peers":
        result.measuresPeers = false
      case "--case":
        guard let text = rest.popFirst() else {
          throw Failure(description: "--case needs a TEXT (a part of the case names to run)")
        }
        result.caseFilter = text
      default:
        if argument.hasPrefix("-") {
          throw Failure(description: "unknown option '\(argument)'")
        }
        guard known.contains(argument) else {
          throw Failure(
            description:
              "unknown group '\(argument)' (groups: \(known.joined(separator: ", ")))")
        }
        result.groups.append(argument)
      }
    }
    return .run(result)
  }

  /// The text `--help` prints.
  static func usage(groups: [String]) -> String {
    """
    usage: derive-bench [GROUP…] [--json] [--no-peers] [--case TEXT]

    Release-mode benchmarks (build with -c release): the median over repeats of each case, and
    the peer systems measured in the same run where they are installed.

      GROUP          run only these groups: \(groups.joined(separator: ", "))
                     (default: all; the whole suite takes a few minutes)
      --json         one JSON object per case instead of a text line
      --no-peers     skip the peers (quick iterations, profiling)
      --case TEXT    keep the cases whose name contains TEXT
      -h, --help     print this text and exit

    Example: swift run -c release derive-bench quadrature --no-peers
    """
  }
}
