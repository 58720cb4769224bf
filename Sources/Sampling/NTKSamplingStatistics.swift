/// Mergeable sufficient statistics of the NTK of one layer over a set of networks: the moments
/// of the per-network vector of ``NTKStatisticsLayout``.
public struct NTKLayerStatistics: Hashable, Sendable, Codable {
  /// The layer, 1-based (`Ĥ^(layer)`).
  public let layer: Int
  /// Its width `n_layer`.
  public let width: Int
  /// The width feeding it, `n_{layer−1}` (`n0` for layer 1): the `n` of FORMULAS.md §12's
  /// `1/n` normalisation of `Θ¹, A, B, D, F`.
  public let fanIn: Int
  /// Moments of the ``NTKStatisticsLayout`` vector.
  public internal(set) var moments: SampleMoments

  init(layer: Int, width: Int, fanIn: Int, dimension: Int) {
    self.layer = layer
    self.width = width
    self.fanIn = fanIn
    moments = SampleMoments(dimension: dimension)
  }
}

/// The Monte-Carlo statistics of an ``NTKSampler`` run: the preactivation statistics of every
/// sampler (``base``: kernel, `G¹`, four-point function, from the same networks) and, per layer,
/// those of the NTK. Runs over disjoint network ranges ``merge(_:)`` into the statistics of their
/// union (shards); `Codable` like ``SamplingStatistics``.
public struct NTKSamplingStatistics: Hashable, Sendable, Codable {
  public let layout: SampleIndexLayout
  /// `n1 … nL`.
  public let widths: [Int]
  /// The learning rates of the run (a run parameter: only runs with equal rates merge).
  public let learningRates: NTKLearningRates
  /// The preactivation and metric statistics of the same networks.
  public internal(set) var base: SamplingStatistics
  /// One entry per layer, layer 1 first.
  public internal(set) var layers: [NTKLayerStatistics]

  /// Empty statistics; `inputDimension` is `n0`.
  public init(
    layout: SampleIndexLayout, widths: [Int], inputDimension: Int,
    learningRates: NTKLearningRates
  ) {
    self.layout = layout
    self.widths = widths
    self.learningRates = learningRates
    base = SamplingStatistics(layout: layout, widths: widths)
    let dimension = NTKStatisticsLayout(samples: layout).dimension
    layers = widths.enumerated().map { index, width in
      NTKLayerStatistics(
        layer: index + 1, width: width, fanIn: index == 0 ? inputDimension : widths[index - 1],
        dimension: dimension)
    }
  }

  /// Number of networks accumulated.
  public var networkCount: Int { base.networkCount }

  /// Same sample count, widths, fan-ins and learning rates: the precondition of ``merge(_:)``.
  public func isMergeable(with other: NTKSamplingStatistics) -> Bool {
    other.layout == layout && other.widths == widths && other.learningRates == learningRates
      && other.layers.map(\.fanIn) == layers.map(\.fanIn)
  }

  /// Adds the networks of `other`; requires ``isMergeable(with:)``.
  public mutating func merge(_ other: NTKSamplingStatistics) {
    precondition(isMergeable(with: other), "merging NTK statistics of different networks")
    base.merge(other.base)
    for index in layers.indices { layers[index].moments.merge(other.layers[index].moments) }
  }

  /// The NTK estimates with standard errors, layer 1 first.
  public func estimates() -> [NTKLayerEstimates] {
    let ntkLayout = NTKStatisticsLayout(samples: layout)
    return layers.map { NTKLayerEstimates(statistics: $0, layout: ntkLayout) }
  }
}
