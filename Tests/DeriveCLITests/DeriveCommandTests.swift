import DeriveCLI
import Foundation
import Testing

/// End-to-end runs of the `derive` command line, in-process.
@Suite struct DeriveCommandTests {
  /// The default run prints the MLP recursions in LaTeX. Catches a broken default model or
  /// renderer wiring.
  @Test func defaultRunPrintsLaTeX() {
    let out = DeriveCommandLine.run([])
    #expect(out.exitCode == 0)
    #expect(out.standardOutput.contains("\\begin{align}"))
    #expect(
      out.standardOutput.contains(
        "V^{(\\ell+1)}_{(\\alpha_{1}\\alpha_{2})(\\alpha_{3}\\alpha_{4})} &="))
    #expect(out.standardOutput.contains("\\frac{n_{\\ell}}{n_{\\ell-1}}"))
    #expect(out.standardError.isEmpty)
  }

  @Test func textAndJSONFormats() throws {
    let text = DeriveCommandLine.run(["--format", "text"])
    #expect(text.exitCode == 0)
    #expect(text.standardOutput.contains("K(ℓ+1)"))
    let json = DeriveCommandLine.run(["mlp", "--format", "json"])
    #expect(json.exitCode == 0)
    let object =
      try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
    let sections = try #require(object?["sections"] as? [[String: Any]])
    #expect(sections.count == 2)
    // Deterministic output: two runs are byte-identical.
    #expect(
      DeriveCommandLine.run(["mlp", "--format", "json"]).standardOutput == json.standardOutput)
  }

  @Test func helpExitsZero() {
    let out = DeriveCommandLine.run(["--help"])
    #expect(out.exitCode == 0)
    #expect(out.standardOutput.contains("USAGE"))
    #expect(out.standardOutput.contains("--single-input"))
  }

  @Test func documentAndOutputFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-cli-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let file = dir.appendingPathComponent("mlp.tex").path
    let out = DeriveCommandLine.run(["--document", "--output", file])
    #expect(out.exitCode == 0)
    let tex = try String(contentsOfFile: file, encoding: .utf8)
    #expect(tex.hasPrefix("\\documentclass"))
    #expect(tex.contains("\\end{document}"))
  }

  /// ReLU at a single input: the engine's closed forms give the critical couplings (0, 2).
  @Test func reluCriticality() {
    let out = DeriveCommandLine.run(["--single-input", "--activation", "relu", "--format", "text"])
    #expect(out.exitCode == 0)
    #expect(out.standardOutput.contains("C_W = 2"))
    #expect(out.standardOutput.contains("C_b = 0"))
  }

  @Test func usageErrorsExitTwo() {
    #expect(DeriveCommandLine.run(["--format", "pdf"]).exitCode == 2)
    #expect(DeriveCommandLine.run(["no-such-model.model"]).exitCode == 2)
    #expect(DeriveCommandLine.run(["--activation", "tanh"]).exitCode == 2)
    #expect(DeriveCommandLine.run(["--activation", "relu"]).exitCode == 2)  // needs --single-input
  }

  /// Malformed model files: each gives `file:line:column: error: …` and exit status 2.
  @Test(arguments: [
    ("model m\nindex i : neuron l+1\nfoo bar\n", "3:1", "unknown statement 'foo'"),
    ("index i : neuron\n", "1:17", "expected a layer"),
    ("index i : vector l\n", "1:11", "expected 'neuron' or 'sample'"),
    ("index i : sample\nindex i : sample\n", "2:7", "already declared"),
    ("index a : sample\nfirst z[i;a] = b[i]\nderive K\n", "2:9", "undeclared index 'i'"),
    (
      "index i : neuron l+1\nindex a : sample\ngaussian b[i] : C_b\nfirst z[i;a] = b[i]\nderive K\n",
      "3:17", "unknown name 'C_b'"
    ),
    (
      "index i : neuron l+1\nindex a : sample\ncoupling C\ngaussian b[i] : C\nfirst z[i;a] = b[i] $ 2\nderive K\n",
      "5:21", "unexpected character '$'"
    ),
    (
      "index i : neuron l+1\nindex a : sample\ncoupling C\ngaussian b[i] : C\nfirst z[i;a] = b[i]\n",
      "1:1", "no 'derive' statement"
    ),
    (
      "index i : neuron l+1\nindex a : sample\ncoupling C\ngaussian b[i] : C\nfirst z[i;a] = b[i]\nderive K to order 2\n",
      "6:1", "only order 1"
    ),
    (
      "index i : neuron l+1\nindex a : sample\ncoupling C\ngaussian b[i] : C\nfirst z[i;a] = b[i] + (\nderive K\n",
      "5:24", "expected a number"
    ),
    (
      "index i : neuron l+1\nindex j : neuron l\nindex a : sample\ncoupling C\nfunction s\ngaussian W[i,j] : C / n(j)\nmap z[i;a] = W[i,j] s(z[j;a])\nderive K\n",
      "7:1", "needs an 'incoming'"
    ),
    (
      "index i : neuron l+1\nindex a : sample\ncoupling C\ngaussian b[i] : C / 0\nfirst z[i;a] = b[i]\nderive K\n",
      "4:21", "division by zero"
    ),
    (
      "index i : neuron l+1\nindex a : sample\ncoupling C\ngaussian b[i] : C\nfirst z[i;a] = b[i] b[i] b[i]\nderive X\n",
      "6:8", "cannot derive 'X'"
    ),
    (
      "index i : neuron l+1\nindex a : sample\ncoupling C\ngaussian b[i] : C\nfirst z[i;a] = b[i] + 99999999999999999999\nderive K\n",
      "5:23", "number is too large"
    ),
  ])
  func malformedModel(text: String, location: String, message: String) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-bad-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let file = dir.appendingPathComponent("bad-\(abs(text.hashValue)).model").path
    try text.write(toFile: file, atomically: true, encoding: .utf8)
    let out = DeriveCommandLine.run([file])
    #expect(out.exitCode == 2)
    #expect(out.standardOutput.isEmpty)
    #expect(out.standardError.contains("\(file):\(location): error:"), "\(out.standardError)")
    #expect(out.standardError.contains(message), "\(out.standardError)")
  }
}
