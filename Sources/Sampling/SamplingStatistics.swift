/// Mergeable sufficient statistics of one layer over a set of networks.
///
/// Per network the sampler records two vectors (``SampleIndexLayout`` order, `P` pairs,
/// `Q = P(P+1)/2` pairs of pairs, `n` this layer's width):
///
/// * ``preactivation``: `a_p = A_p / n` then `h_pq = (A_p A_q − D_pq) / (n(n−1))`, where
///   `A_{αβ} = Σ_i z_{i;α} z_{i;β}` and `D_{αβγδ} = Σ_i z_{i;α} z_{i;β} z_{i;γ} z_{i;δ}`.
///   `h` averages `z_{i;α}z_{i;β}z_{k;γ}z_{k;δ}` over ordered pairs of distinct neurons `i ≠ k`.
/// * ``metric``: the stochastic metric `Ĝ_p` of this layer (computed from the previous layer by
///   the layer's ``ConditionalCovariance``; constant for layer 1), then `Ĝ_p Ĝ_q`.
///
/// Both keep the co-moments the estimators read (``CoMomentPattern/pairProducts(pairCount:)``,
/// ``SampleIndexLayout/momentPattern``): those among the `P` pair components, and those of each
/// pair-of-pairs component with its two pairs and itself.
public struct LayerStatistics: Hashable, Sendable, Codable {
  /// The layer, 1-based as in the book (`z^(layer)`).
  public let layer: Int
  /// Its width `n_layer`.
  public let width: Int
  /// Moments of `(a_p, h_pq)`, dimension `P + Q`.
  public internal(set) var preactivation: SampleMoments
  /// Moments of `(Ĝ_p, Ĝ_p Ĝ_q)`, dimension `P + Q`.
  public internal(set) var metric: SampleMoments

  init(layer: Int, width: Int, layout: SampleIndexLayout) {
    self.layer = layer
    self.width = width
    preactivation = SampleMoments(pattern: layout.momentPattern)
    metric = SampleMoments(pattern: layout.momentPattern)
  }

  /// A layer's moments.
  init(layer: Int, width: Int, preactivation: SampleMoments, metric: SampleMoments) {
    self.layer = layer
    self.width = width
    self.preactivation = preactivation
    self.metric = metric
  }

  /// Adds the networks of `other` (the same layer of networks of the same shape).
  mutating func merge(_ other: LayerStatistics) {
    preactivation.merge(other.preactivation)
    metric.merge(other.metric)
  }
}

/// Sufficient statistics of a Monte-Carlo run: per layer, mergeable moments of the per-network
/// statistics. Two runs over disjoint network ranges (same specification and seed, or different
/// seeds) ``merge(_:)`` into the statistics of their union.
///
/// The run is held as ``blocks`` — the moments of aligned dyadic blocks of chunks
/// (``StatisticsBlock``) — and ``layers`` is their total, folded left to right. For runs of whole
/// chunks (every range starting at a multiple of ``chunkSize``, as the shards of `derive check`
/// do), merging is associative bit for bit: any split of networks `0 ..< N` into such runs, merged
/// in any order, gives the statistics of the single run, identical in every bit.
///
/// `Codable`, so shards of a large run can be written to files and merged later; doubles
/// round-trip exactly through JSON in their shortest round-trip decimal form. The encoded form
/// holds the blocks; the total is recomputed when decoding.
public struct SamplingStatistics: Hashable, Sendable, Codable {
  /// The order of sample-index combinations in every array.
  public let layout: SampleIndexLayout
  /// `n1 … nL`.
  public let widths: [Int]
  /// The run's blocks, sorted by network, no two adjacent ones siblings.
  public private(set) var blocks: [StatisticsBlock]
  /// One entry per layer, layer 1 first: the total over ``blocks``.
  public private(set) var layers: [LayerStatistics]

  /// Empty statistics for a network of the given widths.
  public init(layout: SampleIndexLayout, widths: [Int]) {
    self.layout = layout
    self.widths = widths
    blocks = []
    layers = Self.emptyLayers(layout: layout, widths: widths)
  }

  /// The statistics of `blocks` (networks of the given shape, sorted by network and disjoint);
  /// sibling blocks are merged into their parents.
  public init(layout: SampleIndexLayout, widths: [Int], blocks: [StatisticsBlock]) {
    self.init(layout: layout, widths: widths)
    self.blocks = [].mergingBlocks(of: blocks)
    layers = Self.total(of: self.blocks, layout: layout, widths: widths)
  }

  private static func emptyLayers(layout: SampleIndexLayout, widths: [Int]) -> [LayerStatistics] {
    widths.enumerated().map {
      LayerStatistics(layer: $0.offset + 1, width: $0.element, layout: layout)
    }
  }

  /// The blocks' moments merged left to right.
  private static func total(
    of blocks: [StatisticsBlock], layout: SampleIndexLayout, widths: [Int]
  ) -> [LayerStatistics] {
    guard var total = blocks.first?.layers else {
      return emptyLayers(layout: layout, widths: widths)
    }
    for block in blocks.dropFirst() {
      for k in total.indices { total[k].merge(block.layers[k]) }
    }
    return total
  }

  /// Number of networks accumulated.
  public var networkCount: Int { layers.first?.preactivation.count ?? 0 }

  /// Whether `other` describes networks of the same shape (sample count and widths), the
  /// precondition of ``merge(_:)``. (Whether the two runs used disjoint network ranges or
  /// different seeds is the caller's bookkeeping: the statistics do not record it.)
  public func isMergeable(with other: SamplingStatistics) -> Bool {
    other.layout == layout && other.widths == widths
  }

  /// Adds the networks of `other`, a run over networks disjoint from this one's; requires
  /// ``isMergeable(with:)``. Sibling blocks of the two runs merge into their parents, then the
  /// total is folded again from the blocks.
  public mutating func merge(_ other: SamplingStatistics) {
    precondition(isMergeable(with: other), "merging statistics of different networks")
    blocks = blocks.mergingBlocks(of: other.blocks)
    layers = Self.total(of: blocks, layout: layout, widths: widths)
  }

  /// Appends the moments of one chunk — chunk `chunk`, networks `networks`, which follow the
  /// last block's — carrying sibling merges as a binary counter does. Keeps ``layers`` stale:
  /// call ``finishAppending()`` when the run is complete.
  mutating func appendChunk(
    _ chunk: Int, networks: Range<Int>, layers chunkLayers: [LayerStatistics]
  ) {
    blocks.pushMerging(
      StatisticsBlock(
        level: 0, index: chunk, lower: networks.lowerBound, upper: networks.upperBound,
        layers: chunkLayers))
  }

  /// Recomputes ``layers`` from ``blocks`` after ``appendChunk(_:networks:layers:)``.
  mutating func finishAppending() {
    layers = Self.total(of: blocks, layout: layout, widths: widths)
  }

  private enum CodingKeys: String, CodingKey { case layout, widths, blocks }

  /// Decodes the blocks and folds the total; blocks that cannot be statistics of this shape
  /// (wrong lengths or counts, unsorted or overlapping ranges, impossible levels) are a
  /// `DecodingError`, so a damaged file cannot make a merge trap.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let layout = try container.decode(SampleIndexLayout.self, forKey: .layout)
    let widths = try container.decode([Int].self, forKey: .widths)
    let blocks = try container.decode([StatisticsBlock].self, forKey: .blocks)
    if let problem = Self.shapeProblem(of: blocks, layout: layout, widths: widths) {
      throw DecodingError.dataCorruptedError(
        forKey: .blocks, in: container, debugDescription: problem)
    }
    self.init(layout: layout, widths: widths, blocks: blocks)
  }

  /// The largest network index a block may reach (keeps aligned ranges far from overflow).
  static let maximumNetworks = 1 << 50

  /// What makes `blocks` impossible statistics of networks of this shape, or nil.
  static func shapeProblem(
    of blocks: [StatisticsBlock], layout: SampleIndexLayout, widths: [Int]
  ) -> String? {
    let pattern = layout.momentPattern
    var next = 0
    for block in blocks {
      guard (0...StatisticsBlock.maximumLevel).contains(block.level), block.index >= 0,
        block.index < maximumNetworks / (chunkSize << block.level), block.lower >= next,
        block.lower < block.upper, block.upper <= maximumNetworks
      else { return "block ranges out of order or out of range" }
      next = block.upper
      guard block.layers.count == widths.count else { return "a block has the wrong depth" }
      for (k, layer) in block.layers.enumerated() {
        guard layer.layer == k + 1, layer.width == widths[k] else {
          return "a block's layer \(k + 1) is numbered or sized wrongly"
        }
        for moments in [layer.preactivation, layer.metric] {
          guard moments.count == block.upper - block.lower, moments.pattern == pattern,
            moments.mean.count == pattern.dimension,
            moments.comoment.count == pattern.entryCount
          else { return "a block's moments have the wrong length or count" }
        }
      }
    }
    return nil
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(layout, forKey: .layout)
    try container.encode(widths, forKey: .widths)
    try container.encode(blocks, forKey: .blocks)
  }

  /// The estimates with standard errors, layer 1 first.
  public func estimates() -> [LayerEstimates] {
    layers.map { LayerEstimates(statistics: $0, layout: layout) }
  }
}

/// A Monte-Carlo estimate and its standard error (one standard deviation of the estimator).
public struct Estimate: Hashable, Sendable, CustomStringConvertible {
  public var value: Double
  public var standardError: Double

  public init(value: Double, standardError: Double) {
    self.value = value
    self.standardError = standardError
  }

  /// `(value − reference) / standardError` (infinite or NaN when the standard error is 0, e.g.
  /// for the deterministic metric of layer 1).
  public func zScore(against reference: Double) -> Double {
    (value - reference) / standardError
  }

  public var description: String { "\(value) ± \(standardError)" }
}

/// Estimates for one layer `ℓ`, arrays in ``SampleIndexLayout`` order. With `N` networks:
///
/// * ``kernel``: `mean(A_p / n_ℓ)`, an unbiased estimate of the metric `G^(ℓ) = E[z z]`
///   (`= K + G¹/n_{ℓ−1} + …`); standard error `sd/√N`.
/// * ``fourPoint``: the distinct-neuron estimator of the connected four-point function
///   `V_{(αβ)(γδ)}/n_{ℓ−1}`: `mean(h_pq) − ā_p ā_q + Ĉov(a_p, a_q)/N`. The last term removes
///   the `O(1/N)` bias of the product of means, so the estimator is unbiased. Standard error by
///   the delta method: `sd(h_pq − ā_q a_p − ā_p a_q)/√N` from the accumulated co-moments.
/// * ``metricMean``: `mean(Ĝ_p)`, the lower-variance estimate of the same `G^(ℓ)` (exact for
///   layer 1); `G¹ ≈ n_{ℓ−1}(E[Ĝ] − K)`.
/// * ``metricCovariance``: the unbiased sample covariance `Ĉov(Ĝ_p, Ĝ_q)`, which estimates the
///   same quantity as ``fourPoint`` (exactly: given layer ℓ−1, distinct neurons are independent
///   with covariance Ĝ), usually with lower variance; delta-method standard error from the
///   moments of `Ĝ_p Ĝ_q`. Zero for layer 1.
public struct LayerEstimates: Hashable, Sendable {
  public let layer: Int
  public let width: Int
  public let networkCount: Int
  public let kernel: [Estimate]
  public let fourPoint: [Estimate]
  public let metricMean: [Estimate]
  public let metricCovariance: [Estimate]

  init(statistics: LayerStatistics, layout: SampleIndexLayout) {
    layer = statistics.layer
    width = statistics.width
    networkCount = statistics.preactivation.count
    kernel = Self.means(statistics.preactivation, count: layout.pairCount)
    metricMean = Self.means(statistics.metric, count: layout.pairCount)
    fourPoint = Self.covariances(statistics.preactivation, layout: layout, biasCorrected: true)
    metricCovariance = Self.covariances(statistics.metric, layout: layout, biasCorrected: false)
  }

  private static func means(_ moments: SampleMoments, count: Int) -> [Estimate] {
    let n = Double(moments.count)
    return (0..<count).map {
      Estimate(
        value: moments.mean[$0], standardError: (moments.covariance($0, $0) / n).squareRoot())
    }
  }

  /// Estimates `E[y_pq] − E[x_p] E[x_q]` where the block holds `(x_p, y_pq)`.
  ///
  /// With `biasCorrected`, the value is `ȳ − x̄_p x̄_q + Ĉov(x_p, x_q)/N` (products of
  /// distinct neurons); otherwise the sample covariance of `x` itself, `M_pq/(N−1)`. Both are
  /// unbiased for the same target; the standard error is the delta method's.
  private static func covariances(
    _ moments: SampleMoments, layout: SampleIndexLayout, biasCorrected: Bool
  ) -> [Estimate] {
    let pairCount = layout.pairCount
    let n = Double(moments.count)
    return layout.pairPairs.enumerated().map { index, pq in
      let (p, q) = pq
      let y = pairCount + index
      let value =
        biasCorrected
        ? moments.mean[y] - moments.mean[p] * moments.mean[q] + moments.covariance(p, q) / n
        : moments.covariance(p, q)
      // Gradient of ȳ − x̄_p x̄_q: +1 on y, −x̄_q on p, −x̄_p on q (summed when p = q).
      let gradient: [(Int, Double)] = [(y, 1), (p, -moments.mean[q]), (q, -moments.mean[p])]
      var variance = 0.0
      for (i, gi) in gradient {
        for (j, gj) in gradient { variance += gi * gj * moments.covariance(i, j) }
      }
      return Estimate(value: value, standardError: (Swift.max(variance, 0) / n).squareRoot())
    }
  }
}
