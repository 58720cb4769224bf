import DeriveCLI
import Foundation
import Testing

/// `derive check --shard K/N` and `derive merge`: a sharded run reports what the unsharded run
/// reports, and incomplete or mixed shards are refused with exit status 2.
@Suite struct ShardedCheckTests {
  static let run = [
    "check", "--activation", "tanh", "--cb", "0.1", "--cw", "1", "--width", "8", "--depth", "3",
    "--input", "1,0.5", "--input=-0.5,1", "--samples", "900", "--seed", "11", "--scan", "1",
  ]

  func directory(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-shards-\(getpid())-\(name)")
  }

  /// Writes shards `indices` of `count` into a fresh directory.
  func shards(_ indices: [Int], of count: Int, into name: String, extra: [String] = [])
    -> URL
  {
    let dir = directory(name)
    try? FileManager.default.removeItem(at: dir)
    for k in indices {
      let out = DeriveCommandLine.run(
        Self.run + extra + ["--shard", "\(k)/\(count)", "--output", dir.path])
      #expect(out.exitCode == 0, "\(out.standardError)")
      #expect(out.standardOutput.contains("shard \(k)/\(count): networks"))
    }
    return dir
  }

  /// The rows of a check table (everything after the header line).
  func rows(_ text: String) -> [String] {
    text.split(separator: "\n").dropFirst().filter { !$0.hasPrefix("report files") }.map(
      String.init)
  }

  /// Network k uses the stream (seed, k) in every shard, so three shards merge into the
  /// unsharded statistics; the printed table (6 significant digits) is the same, row by row.
  @Test func mergedShardsReportAsTheUnshardedRun() throws {
    let whole = DeriveCommandLine.run(Self.run)
    #expect(whole.exitCode == 0 || whole.exitCode == 1)
    let dir = shards([3, 1, 2], of: 3, into: "complete")
    let merged = DeriveCommandLine.run(["merge", dir.path])
    #expect(merged.exitCode == whole.exitCode, "\(merged.standardError)")
    #expect(merged.standardOutput.contains("(merged from 3 shards)"))
    #expect(rows(merged.standardOutput) == rows(whole.standardOutput))
    #expect(rows(whole.standardOutput).count > 20)
  }

  @Test func missingOverlappingAndForeignShardsAreRefused() throws {
    let partial = shards([1, 3], of: 3, into: "partial")
    let missing = DeriveCommandLine.run(["merge", partial.path])
    #expect(missing.exitCode == 2)
    #expect(missing.standardError.contains("networks 300..<600 are missing"))

    let halves = shards([1], of: 2, into: "halves")
    let overlapping = DeriveCommandLine.run([
      "merge", partial.appendingPathComponent("shard-1-of-3.json").path,
      halves.appendingPathComponent("shard-1-of-2.json").path,
    ])
    #expect(overlapping.exitCode == 2)
    #expect(overlapping.standardError.contains("overlaps"))

    let other = shards([2], of: 3, into: "other", extra: ["--seed", "12"])
    let foreign = DeriveCommandLine.run([
      "merge", partial.path, other.appendingPathComponent("shard-2-of-3.json").path,
    ])
    #expect(foreign.exitCode == 2)
    #expect(foreign.standardError.contains("belongs to another run"))

    let bad = directory("bad.json")
    try Data(#"{"format": "derive-check-shard", "version": 99}"#.utf8).write(to: bad)
    let malformed = DeriveCommandLine.run(["merge", bad.path])
    #expect(malformed.exitCode == 2)
    #expect(malformed.standardError.contains("not a derive check shard"))
  }

  @Test func shardOptionsAreValidated() {
    for (shard, message) in [
      ("0/3", "1 ≤ K ≤ N"), ("4/3", "1 ≤ K ≤ N"), ("x", "1 ≤ K ≤ N"), ("1/600", "fewer than 2"),
    ] {
      let out = DeriveCommandLine.run(
        Self.run + ["--shard", shard, "--output", directory("unused").path])
      #expect(out.exitCode == 2, "\(shard)")
      #expect(out.standardError.contains(message), "\(shard): \(out.standardError)")
    }
    let noOutput = DeriveCommandLine.run(Self.run + ["--shard", "1/2"])
    #expect(noOutput.exitCode == 2)
    #expect(noOutput.standardError.contains("needs --output"))
  }
}
