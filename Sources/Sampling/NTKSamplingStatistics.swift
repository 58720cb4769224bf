/// Mergeable sufficient statistics of the NTK of one layer over a set of networks: the moments
/// of the per-network vector of ``NTKStatisticsLayout``.
public struct NTKLayerStatistics: Hashable, Sendable {
  /// The layer, 1-based (`Ĥ^(layer)`).
  public let layer: Int
  /// Its width `n_layer`.
  public let width: Int
  /// The width feeding it, `n_{layer−1}` (`n0` for layer 1): the `n` of FORMULAS.md §12's
  /// `1/n` normalisation of `Θ¹, A, B, D, F`.
  public let fanIn: Int
  /// Moments of the ``NTKStatisticsLayout`` vector, keeping the co-moments the estimators read
  /// (``CoMomentPattern/ntk(_:)``).
  public internal(set) var moments: SampleMoments

  init(layer: Int, width: Int, fanIn: Int, moments: SampleMoments) {
    self.layer = layer
    self.width = width
    self.fanIn = fanIn
    self.moments = moments
  }
}

/// The Monte-Carlo statistics of an ``NTKSampler`` run: the preactivation statistics of every
/// sampler (``base``: kernel, `G¹`, four-point function, from the same networks) and, per layer,
/// those of the NTK. Runs over disjoint network ranges ``merge(_:)`` into the statistics of their
/// union (shards).
///
/// Like ``SamplingStatistics``, the NTK moments are held as aligned dyadic blocks of chunks
/// (``NTKStatisticsBlock``) and ``layers`` is their total folded left to right: for runs of whole
/// chunks the merge is bit for bit the single run's, in any split and order. `Codable`: the
/// encoded form holds the blocks; the total is recomputed when decoding.
public struct NTKSamplingStatistics: Hashable, Sendable, Codable {
  public let layout: SampleIndexLayout
  /// `n1 … nL`.
  public let widths: [Int]
  /// `n0`, the fan-in of layer 1.
  public let inputDimension: Int
  /// The learning rates of the run (a run parameter: only runs with equal rates merge).
  public let learningRates: NTKLearningRates
  /// The preactivation and metric statistics of the same networks.
  public internal(set) var base: SamplingStatistics
  /// The NTK moments' blocks, sorted by network, no two adjacent ones siblings.
  public private(set) var blocks: [NTKStatisticsBlock]
  /// One entry per layer, layer 1 first: the total over ``blocks``.
  public private(set) var layers: [NTKLayerStatistics]

  /// Empty statistics; `inputDimension` is `n0`.
  public init(
    layout: SampleIndexLayout, widths: [Int], inputDimension: Int,
    learningRates: NTKLearningRates
  ) {
    self.layout = layout
    self.widths = widths
    self.inputDimension = inputDimension
    self.learningRates = learningRates
    base = SamplingStatistics(layout: layout, widths: widths)
    blocks = []
    layers = []
    layers = total()
  }

  /// The fan-in of every layer.
  public var fanIns: [Int] { [inputDimension] + widths.dropLast() }

  /// The blocks' moments merged left to right (empty moments without blocks).
  private func total() -> [NTKLayerStatistics] {
    let pattern = CoMomentPattern.ntk(NTKStatisticsLayout(samples: layout))
    var moments =
      blocks.first?.moments
      ?? Array(repeating: SampleMoments(pattern: pattern), count: widths.count)
    for block in blocks.dropFirst() {
      for k in moments.indices { moments[k].merge(block.moments[k]) }
    }
    let fanIns = self.fanIns
    return widths.indices.map {
      NTKLayerStatistics(
        layer: $0 + 1, width: widths[$0], fanIn: fanIns[$0], moments: moments[$0])
    }
  }

  /// Number of networks accumulated.
  public var networkCount: Int { base.networkCount }

  /// Same sample count, widths, input dimension and learning rates: the precondition of
  /// ``merge(_:)``.
  public func isMergeable(with other: NTKSamplingStatistics) -> Bool {
    other.layout == layout && other.widths == widths && other.learningRates == learningRates
      && other.inputDimension == inputDimension
  }

  /// Adds the networks of `other` (disjoint from this run's); requires ``isMergeable(with:)``.
  public mutating func merge(_ other: NTKSamplingStatistics) {
    precondition(isMergeable(with: other), "merging NTK statistics of different networks")
    base.merge(other.base)
    blocks = blocks.mergingBlocks(of: other.blocks)
    layers = total()
  }

  /// Appends one chunk's NTK moments (chunk `chunk`, networks `networks`, following the last
  /// block's); ``layers`` is stale until ``finishAppending()``.
  mutating func appendChunk(_ chunk: Int, networks: Range<Int>, moments: [SampleMoments]) {
    blocks.pushMerging(
      NTKStatisticsBlock(
        level: 0, index: chunk, lower: networks.lowerBound, upper: networks.upperBound,
        moments: moments))
  }

  mutating func finishAppending() { layers = total() }

  /// The NTK estimates with standard errors, layer 1 first.
  public func estimates() -> [NTKLayerEstimates] {
    let ntkLayout = NTKStatisticsLayout(samples: layout)
    return layers.map { NTKLayerEstimates(statistics: $0, layout: ntkLayout) }
  }

  private enum CodingKeys: String, CodingKey {
    case layout, widths, inputDimension, learningRates, base, blocks
  }

  /// Decodes the blocks and folds the total; impossible blocks (wrong lengths or counts,
  /// unsorted or overlapping ranges, impossible levels, another network count than `base`) are
  /// a `DecodingError`, so a damaged file cannot make a merge trap.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let layout = try container.decode(SampleIndexLayout.self, forKey: .layout)
    let widths = try container.decode([Int].self, forKey: .widths)
    let inputDimension = try container.decode(Int.self, forKey: .inputDimension)
    let learningRates = try container.decode(NTKLearningRates.self, forKey: .learningRates)
    let base = try container.decode(SamplingStatistics.self, forKey: .base)
    let blocks = try container.decode([NTKStatisticsBlock].self, forKey: .blocks)
    func fail(_ reason: String) -> DecodingError {
      DecodingError.dataCorruptedError(forKey: .blocks, in: container, debugDescription: reason)
    }
    guard layout.sampleCount <= NTKStatisticsLayout.maximumSampleCount, inputDimension >= 1,
      base.layout == layout, base.widths == widths
    else { throw fail("NTK statistics of another shape") }
    let pattern = CoMomentPattern.ntk(NTKStatisticsLayout(samples: layout))
    var next = 0
    for block in blocks {
      guard (0...StatisticsBlock.maximumLevel).contains(block.level), block.index >= 0,
        block.index < SamplingStatistics.maximumNetworks
          / (SamplingStatistics.chunkSize << block.level),
        block.lower >= next, block.lower < block.upper,
        block.upper <= SamplingStatistics.maximumNetworks, block.moments.count == widths.count,
        block.moments.allSatisfy({
          $0.count == block.upper - block.lower && $0.pattern == pattern
            && $0.mean.count == pattern.dimension
            && $0.comoment.count == pattern.entryCount
        })
      else { throw fail("NTK blocks out of order, out of range or of the wrong shape") }
      next = block.upper
    }
    self.init(
      layout: layout, widths: widths, inputDimension: inputDimension,
      learningRates: learningRates)
    self.base = base
    self.blocks = [].mergingBlocks(of: blocks)
    layers = total()
    guard layers.allSatisfy({ $0.moments.count == base.networkCount }) else {
      throw fail("the NTK blocks do not cover the networks of the base statistics")
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(layout, forKey: .layout)
    try container.encode(widths, forKey: .widths)
    try container.encode(inputDimension, forKey: .inputDimension)
    try container.encode(learningRates, forKey: .learningRates)
    try container.encode(base, forKey: .base)
    try container.encode(blocks, forKey: .blocks)
  }
}
