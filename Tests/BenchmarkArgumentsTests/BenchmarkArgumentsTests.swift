import Testing

@testable import derive_bench

/// `derive-bench`'s command line: `--help` used to be ignored (every argument starting with
/// `--` that was not `--json` or `--no-peers` was dropped), so `derive-bench --help` ran the
/// whole suite for minutes; a mistyped option or group did the same.
@Suite struct BenchmarkArgumentsTests {
  static let groups = ["derive", "rational", "quadrature"]

  func parse(_ arguments: [String]) throws(BenchmarkArguments.Failure)
    -> BenchmarkArguments.Request
  {
    try BenchmarkArguments.parse(arguments, groups: Self.groups)
  }

  @Test func helpAsksForUsageWhereverItStands() throws {
    #expect(try parse(["--help"]) == .help)
    #expect(try parse(["-h"]) == .help)
    #expect(try parse(["quadrature", "--json", "--help"]) == .help)
    let usage = BenchmarkArguments.usage(groups: Self.groups)
    #expect(usage.hasPrefix("usage: derive-bench"))
    #expect(usage.contains("derive, rational, quadrature"))
  }

  @Test func optionsAndGroupsAreRead() throws {
    #expect(try parse([]) == .run(BenchmarkArguments()))
    let expected = BenchmarkArguments(
      groups: ["quadrature", "derive"], json: true, measuresPeers: false, caseFilter: "relu")
    #expect(
      try parse(["quadrature", "--json", "--case", "relu", "derive", "--no-peers"])
        == .run(expected))
  }

  @Test func unknownOptionsAndGroupsAreRefused() {
    #expect(throws: BenchmarkArguments.Failure(description: "unknown option '--jsn'")) {
      try parse(["--jsn"])
    }
    #expect(throws: BenchmarkArguments.Failure.self) { try parse(["quadratur"]) }
    #expect(throws: BenchmarkArguments.Failure.self) { try parse(["--case"]) }
  }
}
