/// The NTK statistics of FORMULAS.md §12 a sampler estimates, by meaning.
public enum NTKStatistic: String, Hashable, Sendable, CaseIterable, Codable {
  /// `E[Ĥ_{ii;α₁α₂}] = Θ + Θ¹/n_{ℓ−1} + O(n⁻²)` (two sample indices).
  case mean
  /// `A_{(α₁α₂)(α₃α₄)}`: the `δ_{i₁i₂}δ_{i₃i₄}` term of the NTK covariance.
  case diagonalCovariance
  /// `B_{α₁α₂α₃α₄}`: the `δ_{i₁i₃}δ_{i₂i₄}` term of the NTK covariance.
  case offDiagonalCovariance
  /// `D_{α₁α₂α₃α₄}`: the `δ_{i₁i₂}δ_{i₃i₄}` term of the NTK–preactivation correlation.
  case diagonalCrossCorrelation
  /// `F_{α₁α₂α₃α₄}`: the `δ_{i₁i₃}δ_{i₂i₄}` term of the NTK–preactivation correlation.
  case offDiagonalCrossCorrelation

  /// The number of sample indices.
  public var rank: Int { self == .mean ? 2 : 4 }
}

/// NTK estimates for one layer `ℓ` (fan-in `m = n_{ℓ−1}`), from `N` networks, each an unbiased
/// estimator of the exact finite-width quantity it names (not of its 1/n expansion):
///
/// * ``mean`` (pairs, ``SampleIndexLayout`` order): `mean(H̄_p)`, unbiased for `E[Ĥ_{ii;p}]`
///   since `E[Ĥ_{ii} | layer ℓ−1] = H̄` exactly (``NTKSampler``); standard error `sd/√N`.
/// * ``directMean``: `mean((1/n_ℓ) Σ_i Ĥ_{ii;p})` of the drawn NTK — the same target with more
///   variance (a cross-check of the conditional identity).
/// * ``diagonalCovariance`` (pairs of pairs): the unbiased sample covariance `Ĉov(H̄_p, H̄_q)`.
///   For `i ≠ k`, `Cov(Ĥ_ii, Ĥ_kk) = E[Cov(Ĥ_ii, Ĥ_kk | ℓ−1)] + Cov(H̄, H̄)` and the first
///   term vanishes (rows `i ≠ k` of `W^(ℓ)` and the biases are independent given layer ℓ−1),
///   so this is exactly `A/m` of FORMULAS.md §12 (the `i₁ = i₂ ≠ i₃ = i₄` component).
/// * ``diagonalCrossCorrelation`` (`p·P + q`): `Ĉov(H̄_p, Ĝ_q)`, exactly
///   `E[ΔĤ_{ii;p} z_{k;q}]`-type `D/m` by the same argument (`E[z_k z_k | ℓ−1] = Ĝ`).
/// * ``offDiagonalCovariance``, ``offDiagonalCrossCorrelation`` (`S⁴`, ``NTKStatisticsLayout``
///   order): `mean(β)`, `mean(φ)`, unbiased for `B/m` and `F/m` since β and φ are the exact
///   conditional expectations given layer ℓ−1 (``NTKSampler``).
///
/// Values are per fan-in, like ``LayerEstimates/fourPoint`` (`A/m`, not `A`);
/// ``estimate(_:_:)`` returns them in the statistic's own units. Standard errors of the
/// covariances by the delta method from the co-moments, as for the four-point function.
public struct NTKLayerEstimates: Hashable, Sendable {
  public let layer: Int
  public let width: Int
  /// `m = n_{ℓ−1}` (`n0` for layer 1).
  public let fanIn: Int
  public let networkCount: Int
  public let layout: NTKStatisticsLayout
  public let mean: [Estimate]
  public let directMean: [Estimate]
  public let diagonalCovariance: [Estimate]
  public let diagonalCrossCorrelation: [Estimate]
  public let offDiagonalCovariance: [Estimate]
  public let offDiagonalCrossCorrelation: [Estimate]

  init(statistics: NTKLayerStatistics, layout: NTKStatisticsLayout) {
    layer = statistics.layer
    width = statistics.width
    fanIn = statistics.fanIn
    self.layout = layout
    let moments = statistics.moments
    networkCount = moments.count
    let count = Double(moments.count)
    let pairCount = layout.samples.pairCount
    func mean(_ i: Int) -> Estimate {
      Estimate(
        value: moments.mean[i], standardError: (moments.covariance(i, i) / count).squareRoot())
    }
    /// `Ĉov(x_i, x_j)` with the delta-method error from the product component `y`.
    func covariance(_ i: Int, _ j: Int, product y: Int) -> Estimate {
      let gradient: [(Int, Double)] = [(y, 1), (i, -moments.mean[j]), (j, -moments.mean[i])]
      var variance = 0.0
      for (a, ga) in gradient {
        for (b, gb) in gradient { variance += ga * gb * moments.covariance(a, b) }
      }
      return Estimate(
        value: moments.covariance(i, j),
        standardError: (Swift.max(variance, 0) / count).squareRoot())
    }
    self.mean = (0..<pairCount).map { mean(layout.meanOffset + $0) }
    directMean = (0..<pairCount).map { mean(layout.directMeanOffset + $0) }
    diagonalCovariance = layout.samples.pairPairs.enumerated().map { index, pq in
      covariance(
        layout.meanOffset + pq.0, layout.meanOffset + pq.1,
        product: layout.meanProductOffset + index)
    }
    var cross: [Estimate] = []
    for p in 0..<pairCount {
      for q in 0..<pairCount {
        cross.append(
          covariance(
            layout.meanOffset + p, layout.metricOffset + q,
            product: layout.crossProductOffset + p * pairCount + q))
      }
    }
    diagonalCrossCorrelation = cross
    offDiagonalCovariance = (0..<layout.quadCount).map { mean(layout.offDiagonalOffset + $0) }
    offDiagonalCrossCorrelation = (0..<layout.quadCount).map {
      mean(layout.offDiagonalCrossOffset + $0)
    }
  }

  /// The estimate of `statistic` at the sample indices `indices` (two for ``NTKStatistic/mean``,
  /// four otherwise, FORMULAS.md §12's order) in the statistic's own units: `E[Ĥ_ii]` for the
  /// mean (`Θ + Θ¹/m`), `m ×` the per-fan-in estimate for `A, B, D, F` (their leading order
  /// plus `O(1/m)`).
  public func estimate(_ statistic: NTKStatistic, _ indices: [Int]) -> Estimate {
    precondition(indices.count == statistic.rank, "wrong number of sample indices")
    let samples = layout.samples
    let m = Double(fanIn)
    func scaled(_ e: Estimate) -> Estimate {
      Estimate(value: m * e.value, standardError: m * e.standardError)
    }
    switch statistic {
    case .mean:
      return mean[samples.pairIndex(indices[0], indices[1])]
    case .diagonalCovariance:
      return scaled(
        diagonalCovariance[samples.fourPointIndex(indices[0], indices[1], indices[2], indices[3])])
    case .diagonalCrossCorrelation:
      let p = samples.pairIndex(indices[0], indices[1])
      let q = samples.pairIndex(indices[2], indices[3])
      return scaled(diagonalCrossCorrelation[p * samples.pairCount + q])
    case .offDiagonalCovariance:
      return scaled(
        offDiagonalCovariance[layout.quadIndex(indices[0], indices[1], indices[2], indices[3])])
    case .offDiagonalCrossCorrelation:
      return scaled(
        offDiagonalCrossCorrelation[
          layout.quadIndex(indices[0], indices[1], indices[2], indices[3])])
    }
  }
}
