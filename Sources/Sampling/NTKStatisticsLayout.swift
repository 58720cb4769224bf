/// The order of the per-network NTK statistics of one layer (the ``NTKLayerStatistics`` vector)
/// for `S` samples, `P = S(S+1)/2` pairs in ``SampleIndexLayout`` order and `Q = P(P+1)/2` pairs
/// of pairs:
///
/// | block | length | per network (layer ℓ, fan-in `m = n_{ℓ−1}`, see ``NTKSampler``) |
/// |---|---|---|
/// | ``meanOffset`` | `P` | `H̄_p`, the conditional mean of the NTK diagonal |
/// | ``metricOffset`` | `P` | `Ĝ_p`, the stochastic metric |
/// | ``meanProductOffset`` | `Q` | `H̄_p H̄_q` (pairs of pairs) |
/// | ``crossProductOffset`` | `P²` | `H̄_p Ĝ_q`, index `p·P + q` |
/// | ``offDiagonalOffset`` | `S⁴` | `β_{α₁α₂α₃α₄}`, conditional mean of `Ĥ_{ik;α₁α₂} Ĥ_{ik;α₃α₄}`, `i ≠ k` |
/// | ``offDiagonalCrossOffset`` | `S⁴` | `φ_{α₁α₂α₃α₄}`, conditional mean of `Ĥ_{ik;α₁α₂} z_{i;α₃} z_{k;α₄}`, `i ≠ k` |
/// | ``directMeanOffset`` | `P` | `(1/n_ℓ) Σ_i Ĥ_{ii;p}`, the drawn NTK's diagonal |
///
/// Four-index blocks are indexed `((α₁·S + α₂)·S + α₃)·S + α₄` (``quadIndex(_:_:_:_:)``), in
/// FORMULAS.md §12's order: `α₁α₂` are the NTK's samples; in `B` and `F` the pair `(α₁, α₃)`
/// sits on one neuron and `(α₂, α₄)` on the other.
public struct NTKStatisticsLayout: Hashable, Sendable {
  /// The largest sample count the NTK statistics support (the vector grows like `S⁴`; the
  /// co-moments kept, ``CoMomentPattern/ntk(_:)``, grow like it).
  public static let maximumSampleCount = 4

  public let samples: SampleIndexLayout

  public init(samples: SampleIndexLayout) { self.samples = samples }

  var s: Int { samples.sampleCount }
  var pairCount: Int { samples.pairCount }

  public var meanOffset: Int { 0 }
  public var metricOffset: Int { pairCount }
  public var meanProductOffset: Int { 2 * pairCount }
  public var crossProductOffset: Int { meanProductOffset + samples.fourPointCount }
  public var offDiagonalOffset: Int { crossProductOffset + pairCount * pairCount }
  public var offDiagonalCrossOffset: Int { offDiagonalOffset + quadCount }
  public var directMeanOffset: Int { offDiagonalCrossOffset + quadCount }
  /// The length of one layer's vector.
  public var dimension: Int { directMeanOffset + pairCount }

  /// `S⁴`.
  public var quadCount: Int { s * s * s * s }

  /// The position of `(α₁, α₂, α₃, α₄)` in a four-index block.
  public func quadIndex(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Int {
    ((a * s + b) * s + c) * s + d
  }
}
