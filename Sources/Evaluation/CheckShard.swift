import Foundation
import Numerics

/// One shard of a sharded `derive check`: the Monte-Carlo statistics of a range of networks at
/// every width of the scan, with everything needed to re-derive the theory and to recognise the
/// other shards of the same run. Written by `derive check --shard K/N`, combined by
/// `derive merge` (DESIGN.md, "Scale-out": an array job on a cluster scheduler, no custom
/// distribution code).
///
/// Invariants: `statistics.count == scan + 1`; entry k holds the networks `range` at the widths
/// `widths` doubled k times; network i of every shard used the stream (seed, i), so shards of
/// one run over disjoint ranges that cover `0..<networks` merge into the statistics of the
/// unsharded run (equal up to the rounding of the merge order).
public struct CheckShard: Codable, Sendable, Equatable {
  /// The file format tag and version; other values are refused.
  public static let formatName = "derive-check-shard"
  public static let formatVersion = 1

  public var format: String
  public var version: Int
  /// The model's name and its source text (the merge re-derives from the text).
  public var modelName: String
  public var modelText: String
  /// The activation as given on the command line (`Activation.parse` reads it back).
  public var activation: String
  public var couplings: [String: Double]
  /// The widths of the first scan step.
  public var widths: [Int]
  public var inputs: [[Double]]
  public var scan: Int
  public var seed: UInt64
  /// The networks per width of the whole run.
  public var networks: Int
  /// This shard's networks, `lower ..< upper`.
  public var lower: Int
  public var upper: Int
  public var statistics: [SamplingStatistics]

  public init(
    modelName: String, modelText: String, activation: String, parameters: NumericParameters,
    scan: Int, seed: UInt64, networks: Int, range: Range<Int>, statistics: [SamplingStatistics]
  ) {
    format = Self.formatName
    version = Self.formatVersion
    self.modelName = modelName
    self.modelText = modelText
    self.activation = activation
    couplings = parameters.couplings
    widths = parameters.widths
    inputs = parameters.inputs
    self.scan = scan
    self.seed = seed
    self.networks = networks
    lower = range.lowerBound
    upper = range.upperBound
    self.statistics = statistics
  }

  /// The networks of shard `index` (1…`count`) of a run of `networks`: consecutive, balanced
  /// ranges `⌊(k−1)S/N⌋ ..< ⌊kS/N⌋`.
  public static func range(shard index: Int, of count: Int, networks: Int) -> Range<Int> {
    precondition(count >= 1 && (1...count).contains(index), "shard index out of range")
    let lower = (index - 1) * networks / count
    let upper = index * networks / count
    return lower..<upper
  }

  /// The same run as `other` (everything but the range and the statistics agree).
  public func isSameRun(as other: CheckShard) -> Bool {
    var a = self
    var b = other
    a.lower = 0
    a.upper = 0
    a.statistics = []
    b.lower = 0
    b.upper = 0
    b.statistics = []
    return a == b
  }

  /// JSON with sorted keys (deterministic bytes for the same content).
  public func encoded() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    do {
      return try encoder.encode(self)
    } catch {
      throw EvaluationError("cannot encode the shard statistics (a value is not finite?)")
    }
  }

  /// A shard read from JSON, checked for format, version and internal consistency.
  public static func decoded(_ data: Data, file: String) throws -> CheckShard {
    let shard: CheckShard
    do {
      shard = try JSONDecoder().decode(CheckShard.self, from: data)
    } catch {
      throw EvaluationError("\(file): not a derive check shard (\(Self.describe(error)))")
    }
    guard shard.format == formatName else {
      throw EvaluationError("\(file): not a derive check shard (format '\(shard.format)')")
    }
    guard shard.version == formatVersion else {
      throw EvaluationError(
        "\(file): shard format version \(shard.version), this derive reads \(formatVersion)")
    }
    guard shard.networks >= 2, shard.lower >= 0, shard.lower < shard.upper,
      shard.upper <= shard.networks, (0...8).contains(shard.scan),
      shard.statistics.count == shard.scan + 1,
      shard.statistics.allSatisfy({ $0.networkCount == shard.upper - shard.lower })
    else {
      throw EvaluationError("\(file): inconsistent shard (ranges, scan or network counts)")
    }
    return shard
  }

  /// The statistics of the whole run from all its shards: same run, disjoint ranges covering
  /// `0..<networks`, merged in range order (deterministic for any order of `shards`).
  public static func merge(_ shards: [(file: String, shard: CheckShard)]) throws -> CheckShard {
    guard let first = shards.first else { throw EvaluationError("no shards to merge") }
    for (file, shard) in shards.dropFirst() where !shard.isSameRun(as: first.shard) {
      throw EvaluationError(
        "\(file) belongs to another run than \(first.file) (model, parameters, scan, seed or sample count differ)"
      )
    }
    let ordered = shards.sorted { $0.shard.lower < $1.shard.lower }
    var next = 0
    for (file, shard) in ordered {
      if shard.lower < next {
        throw EvaluationError(
          "\(file) overlaps another shard (networks \(shard.lower)..<\(shard.upper))")
      }
      if shard.lower > next {
        throw EvaluationError("networks \(next)..<\(shard.lower) are missing (a shard is absent)")
      }
      next = shard.upper
    }
    if next < first.shard.networks {
      throw EvaluationError(
        "networks \(next)..<\(first.shard.networks) are missing (a shard is absent)")
    }
    var merged = ordered[0].shard
    for (file, shard) in ordered.dropFirst() {
      for k in merged.statistics.indices {
        guard merged.statistics[k].isMergeable(with: shard.statistics[k]) else {
          throw EvaluationError("\(file): statistics of another network shape")
        }
        merged.statistics[k].merge(shard.statistics[k])
      }
    }
    merged.lower = 0
    merged.upper = first.shard.networks
    return merged
  }

  private static func describe(_ error: Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, _): return "missing '\(key.stringValue)'"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      return "bad value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
    case DecodingError.dataCorrupted(let context): return context.debugDescription
    default: return "unreadable"
    }
  }
}
