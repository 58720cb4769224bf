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
    let dimension = layout.pairCount + layout.fourPointCount
    preactivation = SampleMoments(dimension: dimension)
    metric = SampleMoments(dimension: dimension)
  }
}

/// Sufficient statistics of a Monte-Carlo run: per layer, mergeable moments of the per-network
/// statistics. Two runs over disjoint network ranges (same specification and seed, or different
/// seeds) ``merge(_:)`` into the statistics of their union.
///
/// `Codable`, so shards of a large run can be written to files and merged later; doubles
/// round-trip exactly through JSON in their shortest round-trip decimal form.
public struct SamplingStatistics: Hashable, Sendable, Codable {
  /// The order of sample-index combinations in every array.
  public let layout: SampleIndexLayout
  /// `n1 … nL`.
  public let widths: [Int]
  /// One entry per layer, layer 1 first.
  public internal(set) var layers: [LayerStatistics]

  /// Empty statistics for a network of the given widths.
  public init(layout: SampleIndexLayout, widths: [Int]) {
    self.layout = layout
    self.widths = widths
    layers = widths.enumerated().map {
      LayerStatistics(layer: $0.offset + 1, width: $0.element, layout: layout)
    }
  }

  /// Number of networks accumulated.
  public var networkCount: Int { layers.first?.preactivation.count ?? 0 }

  /// Whether `other` describes networks of the same shape (sample count and widths), the
  /// precondition of ``merge(_:)``. (Whether the two runs used disjoint network ranges or
  /// different seeds is the caller's bookkeeping: the statistics do not record it.)
  public func isMergeable(with other: SamplingStatistics) -> Bool {
    other.layout == layout && other.widths == widths
  }

  /// Adds the networks of `other`; requires ``isMergeable(with:)``.
  public mutating func merge(_ other: SamplingStatistics) {
    precondition(isMergeable(with: other), "merging statistics of different networks")
    for index in layers.indices {
      layers[index].preactivation.merge(other.layers[index].preactivation)
      layers[index].metric.merge(other.layers[index].metric)
    }
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
