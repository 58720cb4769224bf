import DeriveCLI
import Foundation
import Testing

/// README.md says what the tool prints: its output excerpts and the check's verdict rule must
/// match the tool (the issue-14 review found a relu snippet the tool no longer printed, and the
/// rule worded differently in README.md and `derive help check`).
@Suite struct ReadmeTests {
  static let readme = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("README.md")

  static func text() throws -> String { try String(contentsOf: readme, encoding: .utf8) }

  /// The `#   ` lines right after the README line `swift run derive ARGUMENTS`, without that
  /// prefix.
  static func excerpt(after arguments: [String]) throws -> [String] {
    let lines = try text().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let command = "swift run derive " + arguments.joined(separator: " ")
    let start = try #require(lines.firstIndex(of: command), "README has no line '\(command)'")
    return lines[(start + 1)...].prefix { $0.hasPrefix("#   ") }.map { String($0.dropFirst(4)) }
  }

  /// Every excerpt line is a line of the output, in order.
  func expectExcerpt(of arguments: [String], sourceLocation: SourceLocation = #_sourceLocation)
    throws
  {
    let excerpt = try Self.excerpt(after: arguments)
    #expect(!excerpt.isEmpty, sourceLocation: sourceLocation)
    let out = DeriveCommandLine.run(arguments)
    #expect(out.exitCode == 0, sourceLocation: sourceLocation)
    var output = out.standardOutput.split(separator: "\n").map(String.init)[...]
    for line in excerpt {
      guard let at = output.firstIndex(of: line) else {
        Issue.record(
          "README's excerpt of 'derive \(arguments.joined(separator: " "))' has a line the tool does not print (in this order): '\(line)'",
          sourceLocation: sourceLocation)
        return
      }
      output = output[(at + 1)...]
    }
  }

  @Test func reluSingleInputExcerptIsCurrent() throws {
    try expectExcerpt(of: ["--single-input", "--activation", "relu", "--format", "text"])
  }

  @Test func finiteWidthWarningExcerptIsCurrent() throws {
    try expectExcerpt(of: [
      "eval", "--activation", "relu", "--cb", "0", "--cw", "2", "--width", "16", "--depth", "40",
      "--input", "1",
    ])
  }

  @Test func numericAsymptoticsExcerptIsCurrent() throws {
    try expectExcerpt(of: [
      "asymptotics", "--activation", "gelu", "--cb", "0.172922390756189", "--cw",
      "1.98305825743748", "--depth", "2048",
    ])
  }

  @Test func continuumExcerptIsCurrent() throws {
    let readme = try Self.text()
    let path = Self.readme.deletingLastPathComponent().appendingPathComponent(
      "Derivations/shaped-relu.model"
    ).path
    // The README names the model by its path in the repository; run it from the checkout.
    #expect(readme.contains("swift run derive continuum Derivations/shaped-relu.model"))
    let excerpt = try Self.excerpt(after: [
      "continuum", "Derivations/shaped-relu.model", "--activation", "abs", "--scale", "gamma",
    ])
    #expect(!excerpt.isEmpty)
    let out = DeriveCommandLine.run([
      "continuum", path, "--activation", "abs", "--scale", "gamma",
    ])
    #expect(out.exitCode == 0)
    let lines = out.standardOutput.split(separator: "\n").map(String.init)
    for line in excerpt { #expect(lines.contains(line), "not printed: \(line)") }
  }

  /// The verdict rule of `derive help check` appears word for word in README.md (line breaks
  /// and the quote's `>` aside).
  @Test func verdictRuleIsTheSameInHelpAndReadme() throws {
    func words(_ text: String) -> String {
      text.split(whereSeparator: { $0.isWhitespace || $0 == ">" }).joined(separator: " ")
    }
    let help = DeriveCommandLine.run(["help", "check"]).standardOutput
    let helpWords = words(help)
    let start = try #require(helpWords.range(of: "Verdict:"))
    let end = try #require(
      helpWords.range(of: "otherwise.", range: start.upperBound..<helpWords.endIndex))
    let rule = String(helpWords[start.lowerBound..<end.upperBound])
    #expect(rule.count > 300)
    #expect(words(try Self.text()).contains(rule), "README.md lacks: \(rule)")
  }
}
