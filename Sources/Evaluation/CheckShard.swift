import Foundation
import Sampling

/// One shard of a sharded `derive check`: the Monte-Carlo statistics of a range of networks at
/// every width of the scan, with everything needed to re-derive the theory and to recognise the
/// other shards of the same run. Written by `derive check --shard K/N`, combined by
/// `derive merge` (DESIGN.md, "Scale-out": an array job on a cluster scheduler, no custom
/// distribution code).
///
/// Invariants: `statistics.count == scan + 1`; every array has the shape the parameters imply
/// and every number is finite; `checksum == statisticsChecksum`; entry k holds the networks `range` at the widths
/// `widths` doubled k times; network i of every shard used the stream (seed, i), so shards of
/// one run over disjoint ranges that cover `0..<networks` merge into the statistics of the
/// unsharded run. Shard ranges are whole chunks of ``SamplingStatistics/chunkSize`` networks, so
/// the merge is bitwise the unsharded run (``SamplingStatistics``, ``StatisticsBlock``).
public struct CheckShard: Codable, Sendable, Equatable {
  /// The file format tag and version; other values are refused.
  public static let formatName = "derive-check-shard"
  public static let formatVersion = 5

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
  /// The sampler that drew the networks (a run parameter: shards of one run agree on it).
  public var sampler: SamplerKind
  /// The networks per width of the whole run.
  public var networks: Int
  /// This shard's networks, `lower ..< upper`.
  public var lower: Int
  public var upper: Int
  public var statistics: [SamplingStatistics]
  /// The NTK statistics of the same networks, one per scan step, when the check samples the NTK
  /// (``NTKEstimators``); absent otherwise, and then the file is byte for byte what it was
  /// before the NTK existed.
  public var ntk: [NTKSamplingStatistics]?
  /// ``statisticsChecksum`` when the shard was written, as 16 hexadecimal digits: a shard whose
  /// numbers were edited (or damaged) afterwards is refused by ``decoded(_:file:)``.
  public var checksum: String

  public init(
    modelName: String, modelText: String, activation: String, parameters: NumericParameters,
    scan: Int, seed: UInt64, networks: Int, range: Range<Int>, sampler: SamplerKind,
    statistics: [SamplingStatistics], ntk: [NTKSamplingStatistics]? = nil
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
    self.sampler = sampler
    self.networks = networks
    lower = range.lowerBound
    upper = range.upperBound
    self.statistics = statistics
    self.ntk = ntk
    checksum = ""
    checksum = statisticsChecksum
  }

  /// A 64-bit FNV-1a hash, as 16 hexadecimal digits, of a canonical serialization of the run's
  /// numbers: the range, scan, seed, network count and sampler, then per scan step the sample
  /// count, the widths and, per block, its level, index and networks and, per layer, its number,
  /// width and both moment blocks (the co-moment pattern's kind unless dense, count, the IEEE
  /// bit patterns of every mean and kept co-moment, and the array lengths), then — only when present, so shards without the NTK keep their
  /// checksums — the NTK statistics (learning rates, input dimension, and per step and block its
  /// level, index, networks and moments). It detects edits and damage, not deliberate forgery (it is not a
  /// cryptographic signature).
  public var statisticsChecksum: String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ value: UInt64) {
      for shift in stride(from: 0, to: 64, by: 8) {
        hash ^= (value >> UInt64(shift)) & 0xff
        hash = hash &* 0x0000_0100_0000_01b3
      }
    }
    func mix(_ value: Int) { mix(UInt64(bitPattern: Int64(value))) }
    func mix(_ moments: SampleMoments) {
      if moments.pattern.kind != .dense {
        for byte in moments.pattern.kind.rawValue.utf8 { mix(Int(byte)) }
      }
      mix(moments.count)
      mix(moments.mean.count)
      for x in moments.mean { mix(x.bitPattern) }
      mix(moments.comoment.count)
      for x in moments.comoment { mix(x.bitPattern) }
    }
    for value in [lower, upper, scan, networks, statistics.count] { mix(value) }
    mix(seed)
    for byte in sampler.rawValue.utf8 { mix(Int(byte)) }
    for step in statistics {
      mix(step.layout.sampleCount)
      mix(step.widths.count)
      for width in step.widths { mix(width) }
      mix(step.blocks.count)
      for block in step.blocks {
        for value in [block.level, block.index, block.lower, block.upper, block.layers.count] {
          mix(value)
        }
        for layer in block.layers {
          mix(layer.layer)
          mix(layer.width)
          mix(layer.preactivation)
          mix(layer.metric)
        }
      }
    }
    if let ntk {
      mix(ntk.count)
      for step in ntk {
        mix(step.learningRates.bias.bitPattern)
        mix(step.learningRates.weights.bitPattern)
        mix(step.inputDimension)
        mix(step.blocks.count)
        for block in step.blocks {
          for value in [block.level, block.index, block.lower, block.upper, block.moments.count] {
            mix(value)
          }
          for moments in block.moments { mix(moments) }
        }
      }
    }
    let digits = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }

  /// The networks of shard `index` (1…`count`) of a run of `networks`: consecutive, balanced
  /// ranges of whole chunks, chunks `⌊(k−1)C/N⌋ ..< ⌊kC/N⌋` of the `C` chunks of
  /// ``SamplingStatistics/chunkSize`` networks (the last one possibly partial). Whole chunks are
  /// what makes the merged statistics bitwise those of the unsharded run; it needs
  /// `count ≤ C` (``maximumShards(networks:)``).
  public static func range(shard index: Int, of count: Int, networks: Int) -> Range<Int> {
    precondition(count >= 1 && (1...count).contains(index), "shard index out of range")
    let size = SamplingStatistics.chunkSize
    let chunks = maximumShards(networks: networks)
    let lower = Swift.min(networks, (index - 1) * chunks / count * size)
    let upper = Swift.min(networks, index * chunks / count * size)
    return lower..<upper
  }

  /// The most shards a run of `networks` networks splits into: one per chunk of
  /// ``SamplingStatistics/chunkSize`` networks.
  public static func maximumShards(networks: Int) -> Int {
    (Swift.max(0, networks) + SamplingStatistics.chunkSize - 1) / SamplingStatistics.chunkSize
  }

  /// The same run as `other` (everything but the range and the statistics agree, the sampler
  /// included).
  public func isSameRun(as other: CheckShard) -> Bool {
    var a = self
    var b = other
    a.lower = 0
    a.upper = 0
    a.statistics = []
    a.checksum = ""
    b.checksum = ""
    b.lower = 0
    b.upper = 0
    b.statistics = []
    // Both or neither carry the NTK, with the same learning rates.
    a.ntk = a.ntk.map { $0.map { Self.emptied($0) } }
    b.ntk = b.ntk.map { $0.map { Self.emptied($0) } }
    return a == b
  }

  /// NTK statistics of the same shape and learning rates, without networks.
  static func emptied(_ statistics: NTKSamplingStatistics) -> NTKSamplingStatistics {
    NTKSamplingStatistics(
      layout: statistics.layout, widths: statistics.widths,
      inputDimension: statistics.inputDimension,
      learningRates: statistics.learningRates)
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
    guard shard.networks >= CrossValidation.minimumNetworks, shard.lower >= 0,
      shard.lower < shard.upper,
      shard.upper <= shard.networks, (0...8).contains(shard.scan),
      shard.statistics.count == shard.scan + 1,
      shard.statistics.allSatisfy({ $0.networkCount == shard.upper - shard.lower })
    else {
      throw EvaluationError("\(file): inconsistent shard (ranges, scan or network counts)")
    }
    if let problem = shard.shapeProblem {
      throw EvaluationError("\(file): inconsistent shard (\(problem))")
    }
    guard shard.checksum == shard.statisticsChecksum else {
      throw EvaluationError(
        "\(file): the shard's checksum does not match its statistics (the file was edited or damaged)"
      )
    }
    return shard
  }

  /// The largest sample count, depth and width a shard may describe (those of the CLI).
  static let maximumSampleCount = 8
  static let maximumDepth = 10_000
  static let maximumWidth = 1 << 20

  /// What is wrong with the parameters or the shape of the statistics, or nil: every array
  /// must have the shape the run's parameters imply and every number must be finite. Checked
  /// after the ranges and counts; each step is checked before it is used, so a damaged file
  /// cannot make the merge index out of range.
  var shapeProblem: String? {
    let s = inputs.count
    guard (1...Self.maximumSampleCount).contains(s) else {
      return "\(s) inputs, expected 1…\(Self.maximumSampleCount)"
    }
    guard let n0 = inputs.first?.count, n0 >= 1, inputs.allSatisfy({ $0.count == n0 }),
      inputs.allSatisfy({ $0.allSatisfy(\.isFinite) })
    else { return "inputs of unequal length or not finite" }
    guard couplings.values.allSatisfy(\.isFinite) else { return "a coupling is not finite" }
    guard (1...Self.maximumDepth).contains(widths.count),
      widths.allSatisfy({ (1...Self.maximumWidth).contains($0) })
    else { return "widths out of range" }
    let layout = SampleIndexLayout(sampleCount: s)
    let pattern = layout.momentPattern
    let count = upper - lower
    for (step, statistics) in statistics.enumerated() {
      let expected = widths.map { $0 << step }
      guard statistics.layout.sampleCount == s, statistics.widths == expected,
        statistics.layers.count == expected.count
      else { return "scan step \(step): sample count, widths or layers differ from the run's" }
      for (index, layer) in statistics.layers.enumerated() {
        guard layer.layer == index + 1, layer.width == expected[index] else {
          return "scan step \(step): layer \(index + 1) is numbered or sized wrongly"
        }
        for moments in [layer.preactivation, layer.metric] {
          guard moments.count == count, moments.pattern == pattern,
            moments.mean.count == pattern.dimension,
            moments.comoment.count == pattern.entryCount
          else {
            return
              "scan step \(step), layer \(index + 1): mean or comoment has the wrong length or count"
          }
          guard moments.mean.allSatisfy(\.isFinite), moments.comoment.allSatisfy(\.isFinite)
          else { return "scan step \(step), layer \(index + 1): a statistic is not finite" }
        }
      }
      for block in statistics.blocks {
        guard block.lower >= lower, block.upper <= upper,
          block.lower == block.alignedRange.lowerBound
        else { return "scan step \(step): a block lies outside the shard's whole chunks" }
        for layer in block.layers {
          for moments in [layer.preactivation, layer.metric] {
            guard moments.mean.allSatisfy(\.isFinite), moments.comoment.allSatisfy(\.isFinite)
            else { return "scan step \(step): a block's statistic is not finite" }
          }
        }
      }
    }
    if let ntk { return ntkShapeProblem(ntk, count: count, layout: layout) }
    return nil
  }

  /// The NTK statistics' shape problem, or nil: one entry per scan step with the run's widths,
  /// fan-ins and network count, finite moments of the ``NTKStatisticsLayout`` dimension, and the
  /// same learning rates everywhere.
  func ntkShapeProblem(_ ntk: [NTKSamplingStatistics], count: Int, layout: SampleIndexLayout)
    -> String?
  {
    guard ntk.count == statistics.count else { return "the NTK statistics do not match the scan" }
    guard layout.sampleCount <= NTKStatisticsLayout.maximumSampleCount else {
      return "NTK statistics for more than \(NTKStatisticsLayout.maximumSampleCount) inputs"
    }
    let pattern = CoMomentPattern.ntk(NTKStatisticsLayout(samples: layout))
    let n0 = inputs.first?.count ?? 0
    for (step, entry) in ntk.enumerated() {
      let expected = widths.map { $0 << step }
      guard entry.layout == layout, entry.widths == expected,
        entry.layers.count == expected.count, entry.base == statistics[step],
        entry.learningRates == ntk[0].learningRates,
        entry.learningRates.bias.isFinite, entry.learningRates.weights.isFinite
      else { return "scan step \(step): the NTK statistics are for another network" }
      for (index, layer) in entry.layers.enumerated() {
        let fanIn = index == 0 ? n0 : expected[index - 1]
        let moments = layer.moments
        guard layer.layer == index + 1, layer.width == expected[index], layer.fanIn == fanIn,
          moments.count == count, moments.pattern == pattern,
          moments.mean.count == pattern.dimension, moments.comoment.count == pattern.entryCount,
          moments.mean.allSatisfy(\.isFinite), moments.comoment.allSatisfy(\.isFinite)
        else { return "scan step \(step), layer \(index + 1): malformed NTK statistics" }
      }
    }
    return nil
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
      switch (merged.ntk, shard.ntk) {
      case (nil, nil): break
      case (var total?, let part?):
        for k in total.indices {
          guard k < part.count, total[k].isMergeable(with: part[k]) else {
            throw EvaluationError("\(file): NTK statistics of another network shape")
          }
          total[k].merge(part[k])
        }
        merged.ntk = total
      default:
        throw EvaluationError("\(file): only some shards carry the NTK statistics")
      }
    }
    merged.lower = 0
    merged.upper = first.shard.networks
    merged.checksum = merged.statisticsChecksum
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
