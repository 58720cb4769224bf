/// How one run of a case ended, as observed by the runner (in-process or a subprocess).
public struct FuzzRun: Hashable, Sendable {
  /// How the process ended.
  public enum Termination: Hashable, Sendable {
    /// Normal exit with this status.
    case exit(Int32)
    /// Killed by this signal (a trap, a stack overflow, an abort).
    case signal(Int32)
    /// Still running at the time bound; killed by the runner.
    case timedOut
  }

  public var termination: Termination
  public var standardOutput: String
  public var standardError: String
  /// Wall-clock seconds.
  public var seconds: Double

  public init(
    termination: Termination, standardOutput: String, standardError: String, seconds: Double
  ) {
    self.termination = termination
    self.standardOutput = standardOutput
    self.standardError = standardError
    self.seconds = seconds
  }
}

/// The oracle's verdict on one run of a case.
///
/// The rules: the exit status is 0, 1 or 2; a signal is a crash; running past the time bound is
/// a hang; exit status 2 on a model case comes with a located `FILE:LINE:COL: error:` message
/// (or a documented whole-file or derivation refusal, see ``FuzzOutcome/acceptedUnlocatedErrors``);
/// no message contains `internal:`; a numeric command that succeeds prints no `nan` or `inf`.
public struct FuzzOutcome: Hashable, Sendable {
  /// The verdict, from best to worst.
  public enum Verdict: String, Hashable, Sendable, CaseIterable, Comparable {
    case pass
    case nonFiniteOutput
    case internalError
    case unlocatedError
    case badExitStatus
    case hang
    case crash

    public static func < (a: Verdict, b: Verdict) -> Bool {
      allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }
  }

  public var verdict: Verdict
  /// Why, in one line (the offending message, the signal, the time).
  public var detail: String

  public init(verdict: Verdict, detail: String) {
    self.verdict = verdict
    self.detail = detail
  }

  /// Exit-2 messages that are correct without a line and column: they are about the whole file
  /// (size, encoding) or are the derivation's refusals (closure, neuron structure), which
  /// concern the model as a whole.
  public static let acceptedUnlocatedErrors = [
    "is not UTF-8 text",
    "is larger than",
  ]

  /// Classifies `run` of `fuzzCase`; runs longer than `timeBound` seconds are hangs.
  public static func classify(_ run: FuzzRun, of fuzzCase: FuzzCase, timeBound: Double)
    -> FuzzOutcome
  {
    let status: Int32
    switch run.termination {
    case .signal(let s):
      return FuzzOutcome(verdict: .crash, detail: "signal \(s): \(crashSite(run.standardError))")
    case .timedOut:
      return FuzzOutcome(verdict: .hang, detail: "killed after \(timeBound) s")
    case .exit(let s):
      status = s
    }
    if run.seconds > timeBound {
      return FuzzOutcome(
        verdict: .hang, detail: "took \(rounded(run.seconds)) s (bound \(timeBound) s)")
    }
    guard (0...2).contains(status) else {
      return FuzzOutcome(
        verdict: .badExitStatus, detail: "exit \(status): \(crashSite(run.standardError))")
    }
    if let line = firstLine(
      of: run.standardError + "\n" + run.standardOutput, containing: "internal:")
    {
      return FuzzOutcome(verdict: .internalError, detail: line)
    }
    if status == 2, fuzzCase.requiresLocatedErrors, !hasLocatedError(run.standardError),
      !acceptedUnlocatedErrors.contains(where: { run.standardError.contains($0) })
    {
      return FuzzOutcome(
        verdict: .unlocatedError, detail: firstLine(of: run.standardError, containing: "") ?? "")
    }
    if status == 0, let command = fuzzCase.arguments.first, command == "eval" || command == "check",
      let word = nonFiniteWord(in: run.standardOutput)
    {
      return FuzzOutcome(verdict: .nonFiniteOutput, detail: "stdout contains '\(word)'")
    }
    return FuzzOutcome(verdict: .pass, detail: "exit \(status)")
  }

  /// Whether `text` has a line with `:LINE:COL: error:`.
  public static func hasLocatedError(_ text: String) -> Bool {
    for line in text.split(separator: "\n") {
      guard let range = line.range(of: ": error:") else { continue }
      // Walk back over ":COL" and ":LINE".
      var rest = line[..<range.lowerBound]
      var numbers = 0
      while numbers < 2 {
        let digits = rest.reversed().prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { break }
        rest = rest.dropLast(digits.count)
        guard rest.last == ":" else { break }
        rest = rest.dropLast()
        numbers += 1
      }
      if numbers == 2, !rest.isEmpty { return true }
    }
    return false
  }

  /// `nan`, `inf` or `infinity` as a whole word (any case), if present.
  static func nonFiniteWord(in text: String) -> String? {
    var word = ""
    for c in text.lowercased() + " " {
      if c.isLetter {
        word.append(c)
      } else {
        if word == "nan" || word == "inf" || word == "infinity" { return word }
        word = ""
      }
    }
    return nil
  }

  /// The runtime's message of a crash (`Fatal error: …`), without addresses, for deduplication.
  public static func crashSite(_ standardError: String) -> String {
    for key in ["Fatal error:", "fatal error", "Precondition failed", "Assertion failed", "Crash"] {
      if let line = firstLine(of: standardError, containing: key) {
        return String(line.prefix(300))
      }
    }
    return "no message"
  }

  static func firstLine(of text: String, containing key: String) -> String? {
    text.split(separator: "\n").first { key.isEmpty || $0.contains(key) }.map(String.init)
  }

  static func rounded(_ x: Double) -> Double { (x * 100).rounded() / 100 }
}
