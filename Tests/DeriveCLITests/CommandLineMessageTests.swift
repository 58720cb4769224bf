import DeriveCLI
import Foundation
import Testing

/// The rough edges a new user hit (issue 14): each command line below used to answer with a
/// misleading or raw message; each is now refused (exit status 2) with one `error: …` line that
/// gives the real reason, or accepted.
@Suite struct CommandLineMessageTests {
  static let network = ["--width", "8", "--depth", "2", "--input", "1,0.5"]
  static let relu = ["--activation", "relu", "--cb", "0", "--cw", "2"]

  /// Refused with exit status 2 and a single `error: ` line containing every one of `parts`.
  func expectRefusal(
    _ arguments: [String], _ parts: [String], sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let out = DeriveCommandLine.run(arguments)
    #expect(out.exitCode == 2, "\(arguments)", sourceLocation: sourceLocation)
    #expect(
      out.standardError.hasPrefix("error: "), "\(out.standardError)",
      sourceLocation: sourceLocation)
    #expect(
      !out.standardError.contains("Error: error:"), "\(out.standardError)",
      sourceLocation: sourceLocation)
    for part in parts {
      #expect(
        out.standardError.contains(part), "\(arguments): \(out.standardError)",
        sourceLocation: sourceLocation)
    }
    #expect(out.standardOutput.isEmpty, sourceLocation: sourceLocation)
  }

  /// `--width -64` and `--cw -1` (a negative value after a space) were read as a missing value
  /// ("Missing value for '--width <width>'"): the argument parser took `-64` for an option.
  /// They are now read as numbers and refused for being out of range.
  @Test func negativeNumbersAfterASpaceAreReadThenRefused() {
    let two = ["--input", "1,0.5"]
    expectRefusal(
      ["eval"] + Self.relu + ["--width", "-64", "--depth", "3"] + two,
      ["widths must be between 1 and", "(got -64)"])
    expectRefusal(
      ["eval", "--activation", "relu", "--cb", "0", "--cw", "-1"] + Self.network,
      ["the coupling C_W must be a number between 0 and", "(got -1.0)"])
    expectRefusal(
      ["eval", "--activation", "relu", "--cb", "-0.5", "--cw", "1"] + Self.network,
      ["the coupling C_b must be a number between 0 and", "(got -0.5)"])
    expectRefusal(
      ["eval"] + Self.relu + ["--width", "8", "--depth", "-3"] + two,
      ["--depth must be between 1 and", "(got -3)"])
    expectRefusal(["eval"] + Self.relu + ["--widths", "-4,8"] + two, ["(got -4)"])
    expectRefusal(
      ["check"] + Self.relu + Self.network + ["--threads", "-2"],
      ["--threads must be between 1 and", "(got -2)"])
    expectRefusal(
      ["check"] + Self.relu + Self.network + ["--scan", "-1"],
      ["--scan must be between 0 and", "(got -1)"])
    expectRefusal(
      ["check"] + Self.relu + Self.network + ["--samples", "-5"],
      ["--samples must be between", "(got -5)"])
  }

  /// An error the engine throws and a command did not translate went through the argument
  /// parser's reporting, which printed `Error: error: unknown or non-exact activation 'tanh'`.
  @Test func engineErrorsAreNotPrefixedTwice() {
    expectRefusal(
      ["--activation", "tanh"], ["unknown or non-exact activation 'tanh'", "relu"])
  }

  /// `derive check --width 1` printed `cannot sample this network:
  /// widthTooSmallForEstimators(layer: 0, width: 1)`, the raw enum case with a 0-based layer.
  @Test func samplerRefusalsAreSentences() {
    expectRefusal(
      ["check"] + Self.relu + ["--width", "1", "--depth", "2", "--input", "1", "--samples", "100"],
      [
        "cannot sample this network: layer 1 has width 1, but every width must be at least 2",
        "pairs of distinct neurons",
      ])
    let out = DeriveCommandLine.run(
      ["check"] + Self.relu + ["--width", "1", "--depth", "2", "--input", "1", "--samples", "100"])
    #expect(!out.standardError.contains("widthTooSmallForEstimators"))
  }

  /// Activation names are case-insensitive, and a misspelt one gets a suggestion (it used to
  /// get only the list of names).
  @Test func activationsAreCaseInsensitiveWithSuggestions() {
    let upper = DeriveCommandLine.run(
      ["eval", "--activation", "ReLU", "--cb", "0", "--cw", "2"] + Self.network)
    #expect(upper.exitCode == 0, "\(upper.standardError)")
    let lower = DeriveCommandLine.run(["eval"] + Self.relu + Self.network)
    #expect(upper.standardOutput == lower.standardOutput)
    expectRefusal(
      ["eval", "--activation", "tahn", "--cb", "0", "--cw", "2"] + Self.network,
      ["unknown activation 'tahn'; did you mean 'tanh'?"])
    expectRefusal(
      ["eval", "--activation", "Leaky-ReLU:0.1", "--cb", "0", "--cw", "2"] + Self.network,
      ["did you mean 'leaky_relu'?"])
    // Nothing close: no suggestion, the list.
    expectRefusal(
      ["eval", "--activation", "sigmoid", "--cb", "0", "--cw", "2"] + Self.network,
      ["unknown activation 'sigmoid'; known activations: linear, relu"])
    // The exact specialisations of `derive --activation` read names the same way.
    let derived = DeriveCommandLine.run(["--single-input", "--activation", "ReLU"])
    #expect(derived.exitCode == 0, "\(derived.standardError)")
    #expect(
      derived.standardOutput
        == DeriveCommandLine.run(["--single-input", "--activation", "relu"]).standardOutput)
  }

  /// `model x2-hidden` was refused ("expected end of line, found '-'") while `model
  /// deep-linear` was accepted: a `-` joined a name only after a letter. It now joins after a
  /// digit too; `n[l-1]` (a layer) is unchanged, so the model still derives.
  @Test func modelNamesMayHaveDigitsBeforeAHyphen() throws {
    let text = """
      model x2-hidden
      index i : neuron l+1
      index j : neuron l
      index a : sample
      coupling C_W
      gaussian W[i,j] : C_W / n(j)
      input x[j;a]
      incoming z[j;a] : nearly-gaussian metric K, correction G1, vertex V, per n[l-1]
      map z[i;a] = W[i,j] z[j;a]
      first z[i;a] = W[i,j] x[j;a]
      derive K G1 V to order 1

      """
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-x2-hidden-\(getpid()).model")
    try text.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let out = DeriveCommandLine.run(
      ["eval", file.path, "--cw", "1.5", "--width", "8", "--depth", "3", "--input", "1"])
    #expect(out.exitCode == 0, "\(out.standardError)")
    #expect(out.standardOutput.hasPrefix("model: x2-hidden\n"))
    // The same network as the built-in deep-linear model.
    let builtin = DeriveCommandLine.run(
      ["eval", "deep-linear", "--cw", "1.5", "--width", "8", "--depth", "3", "--input", "1"])
    #expect(
      out.standardOutput.replacingOccurrences(of: "x2-hidden", with: "deep-linear")
        == builtin.standardOutput)
  }

  /// Two identical inputs (ReLU keeps them identical at every layer) make the metric singular;
  /// the refusal was the quadrature's "Cholesky pivot … derivative forms need K⁻¹ — drop the
  /// duplicate coordinate", in `eval` and in `check` alike (check evaluates the same theory).
  /// It now names the inputs and says what to change.
  @Test func singularMetricsAreExplainedInPlainWords() {
    let same = ["--width", "8", "--depth", "3", "--input", "1,0", "--input", "1,0"]
    for command in [["eval"], ["check", "--samples", "100", "--scan", "0"]] {
      expectRefusal(
        command + Self.relu + same,
        [
          "the metric K at layer 2 is singular: inputs 1 and 2 are perfectly correlated there",
          "Give each input once",
        ])
    }
    expectRefusal(
      ["eval"] + Self.relu + ["--width", "8", "--depth", "3", "--input", "1,0", "--input", "0,0"],
      ["input 2 has zero variance there", "Leave that input out"])
  }
}
