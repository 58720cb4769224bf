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

  /// Network k uses the stream (seed, k) in every shard and shards hold whole chunks, so three
  /// shards merge into the unsharded statistics bit for bit; the printed table is the same,
  /// row by row.
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
    #expect(missing.standardError.contains("networks 320..<640 are missing"))

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
      ("0/3", "1 ≤ K ≤ N"), ("4/3", "1 ≤ K ≤ N"), ("x", "1 ≤ K ≤ N"), ("1/16", "at most 15 shards"),
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

/// Damaged or edited shard files (an outside fuzz campaign): a layer fewer, a missing `mean`,
/// `inputs: []` used to trap the merge (index out of range); an edited number was merged
/// silently. All are refused with exit status 2.
@Suite struct ShardFileValidationTests {
  /// One small shard (2 of 2 networks ranges), as parsed JSON, and its directory.
  func shard(_ name: String) throws -> (URL, [String: Any]) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "derive-shard-validation-\(getpid())-\(name)")
    try? FileManager.default.removeItem(at: dir)
    let out = DeriveCommandLine.run([
      "check", "--activation", "relu", "--cb", "0", "--cw", "2", "--width", "4", "--depth", "2",
      "--input", "1,0.5", "--input=-0.5,1", "--samples", "100", "--seed", "3", "--scan", "0",
      "--shard", "1/1", "--output", dir.path,
    ])
    #expect(out.exitCode == 0, "\(out.standardError)")
    let file = dir.appendingPathComponent("shard-1-of-1.json")
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file))
    return (file, try #require(object as? [String: Any]))
  }

  func merge(_ edit: (inout [String: Any]) -> Void, name: String) throws -> (Int32, String) {
    var (file, object) = try shard(name)
    edit(&object)
    try JSONSerialization.data(withJSONObject: object).write(to: file)
    let out = DeriveCommandLine.run(["merge", file.path])
    return (out.exitCode, out.standardError)
  }

  /// Applies `change` to block 0 of scan step 0.
  func editBlock(_ object: inout [String: Any], _ change: (inout [String: Any]) -> Void) {
    var statistics = object["statistics"] as? [[String: Any]] ?? []
    var blocks = statistics[0]["blocks"] as? [[String: Any]] ?? []
    change(&blocks[0])
    statistics[0]["blocks"] = blocks
    object["statistics"] = statistics
  }

  /// Applies `change` to layer 0 of block 0 of scan step 0.
  func editLayer(_ object: inout [String: Any], _ change: (inout [String: Any]) -> Void) {
    editBlock(&object) { block in
      var layers = block["layers"] as? [[String: Any]] ?? []
      change(&layers[0])
      block["layers"] = layers
    }
  }

  @Test func untouchedShardMerges() throws {
    let (file, _) = try shard("untouched")
    let out = DeriveCommandLine.run(["merge", file.path])
    #expect(out.exitCode == 0 || out.exitCode == 1, "\(out.standardError)")
  }

  @Test func wrongShapesAreRefused() throws {
    let fewer = try merge(
      { object in
        editBlock(&object) { block in
          block["layers"] = Array((block["layers"] as? [Any] ?? []).dropLast())
        }
      }, name: "fewer")
    #expect(fewer.0 == 2)
    #expect(fewer.1.contains("wrong depth"), "\(fewer.1)")

    let shifted = try merge(
      { object in editBlock(&object) { block in block["lower"] = 1 } }, name: "shifted")
    #expect(shifted.0 == 2)
    #expect(shifted.1.contains("wrong length or count"), "\(shifted.1)")

    let impossible = try merge(
      { object in editBlock(&object) { block in block["level"] = 70 } }, name: "level")
    #expect(impossible.0 == 2)
    #expect(impossible.1.contains("out of range"), "\(impossible.1)")

    let noMean = try merge(
      { object in
        editLayer(&object) { layer in
          var moments = layer["preactivation"] as? [String: Any] ?? [:]
          moments["mean"] = nil
          layer["preactivation"] = moments
        }
      }, name: "nomean")
    #expect(noMean.0 == 2)
    #expect(noMean.1.contains("missing 'mean'"), "\(noMean.1)")

    let shortComoment = try merge(
      { object in
        editLayer(&object) { layer in
          var moments = layer["metric"] as? [String: Any] ?? [:]
          moments["comoment"] = Array((moments["comoment"] as? [Any] ?? []).dropLast())
          layer["metric"] = moments
        }
      }, name: "comoment")
    #expect(shortComoment.0 == 2)
    #expect(shortComoment.1.contains("wrong length"), "\(shortComoment.1)")

    let noInputs = try merge({ $0["inputs"] = [Any]() }, name: "noinputs")
    #expect(noInputs.0 == 2)
    #expect(noInputs.1.contains("inconsistent shard"), "\(noInputs.1)")
  }

  @Test func editedNumberIsRefused() throws {
    let edited = try merge(
      { object in
        editLayer(&object) { layer in
          var moments = layer["preactivation"] as? [String: Any] ?? [:]
          var mean = moments["mean"] as? [Double] ?? []
          mean[0] *= 1.5
          moments["mean"] = mean
          layer["preactivation"] = moments
        }
      }, name: "edited")
    #expect(edited.0 == 2)
    #expect(edited.1.contains("checksum does not match"), "\(edited.1)")
  }
}
