import Derivation
import Foundation
import Rational

/// What a layer's statistics predict for a network of finite width: the numbers a Monte-Carlo
/// run measures, and the size of the 1/n correction that decides whether the truncation at order
/// 1/n can be trusted.
///
/// Everything is read off the model's declared cumulants (``LayerStatistics/ansatze``), never off
/// statistic names, at the width n that normalises the layer's finite-width statistics: n_{ℓ−1}
/// for layer ℓ, and the input dimension n₀ for layer 1 (as ``CrossValidation`` compares).
/// A cumulant term δ(blocks)·c·S/n^k contributes to a correlator of given neurons when its δ's
/// hold for them (a term without δ holds for all neurons):
/// - the **two-point function of one neuron**, E[z_{i;α}z_{i;β}]: every term of the two-point
///   cumulant — for the MLP the metric plus its correction, K + G1/n;
/// - the **connected four-point function of two distinct neurons** i ≠ j,
///   E_c[z_{i;α₁}z_{i;α₂}z_{j;α₃}z_{j;α₄}]: the terms of the four-point cumulant whose δ's hold
///   for j₁ = j₂ ≠ j₃ = j₄ — for the MLP the vertex alone, V/n (FORMULAS §10's estimator);
/// - the **expansion parameter** ε, the connected four-point function against the Gaussian part
///   on the diagonal, max over the inputs a of |E_c[z_{i;a}z_{i;a}z_{j;a}z_{j;a}]| / M[aa]² with
///   M the metric (inputs with M[aa] = 0, a neuron that is always 0, are skipped) — for the MLP
///   V[(aa)(aa)]/(n K[aa]²). Its square is the relative size of the O(1/n²) terms the
///   truncation drops, so ε is their size relative to the 1/n terms kept; a single-input ReLU
///   network at criticality has V/K² = 5(ℓ − 1), so ε ≈ 5ℓ/n grows with depth/width.
public struct FiniteWidthPrediction: Sendable, Equatable {
  public var layer: Int
  /// The width n normalising the layer's statistics (n_{ℓ−1}; n₀ at layer 1).
  public var width: Int
  /// E[z_{i;α}z_{i;β}] (rank 2); nil when a statistic it needs is not derived.
  public var twoPoint: SampleTensor?
  /// E_c[z_{i;α₁}z_{i;α₂}z_{j;α₃}z_{j;α₄}], i ≠ j (rank 4); nil without a four-point cumulant or
  /// when a statistic it needs is not derived.
  public var fourPoint: SampleTensor?
  /// ε (see the type's documentation); nil without ``fourPoint``.
  public var expansionParameter: Double?

  public init(
    layer: Int, width: Int, twoPoint: SampleTensor?, fourPoint: SampleTensor?,
    expansionParameter: Double?
  ) {
    self.layer = layer
    self.width = width
    self.twoPoint = twoPoint
    self.fourPoint = fourPoint
    self.expansionParameter = expansionParameter
  }

  /// The largest ε at which the 1/n truncation is taken as reliable: 0.1. ε² is the relative
  /// size of the neglected O(1/n²) terms, so at ε = 0.1 they are about 10 % of the 1/n terms
  /// kept (in the deep linear network, where every order is known, the 1/n truncation of the
  /// four-point function is off by ε/2 relative to its 1/n part): beyond it the finite-width
  /// numbers are not right to one significant digit. It is also where Monte-Carlo checks stop
  /// resolving the 1/n terms cleanly (FORMULAS §10: ℓ/n ≲ 0.05 for ReLU, ε ≈ 0.25).
  public static let reliabilityThreshold = 0.1

  /// The first layer whose ε exceeds ``reliabilityThreshold`` (the recursion carries its error
  /// to every later layer, so the truncation is unreliable from there on); nil if none does.
  public static func firstUnreliableLayer(_ predictions: [FiniteWidthPrediction]) -> Int? {
    predictions.first { ($0.expansionParameter ?? 0) > reliabilityThreshold }?.layer
  }
}

/// Computes ``FiniteWidthPrediction``s for a model: which cumulant terms enter each correlator,
/// and the labels that write them in the model's own names.
public struct FiniteWidthPredictor: Sendable {
  /// The metric (the Gaussian covariance).
  public var metric: Statistic
  /// The terms of E[z_{i;α}z_{i;β}]: the whole two-point cumulant.
  public var twoPointTerms: [CumulantTerm]
  /// The terms of E_c[z_{i;α₁}z_{i;α₂}z_{j;α₃}z_{j;α₄}], i ≠ j; empty without a four-point
  /// cumulant.
  public var fourPointTerms: [CumulantTerm]

  /// Nil for a model that declares no statistics.
  public init?(_ model: Model) {
    guard let state = model.state else { return nil }
    metric = state.metric
    func terms(rank: Int, neurons: [Int]) -> [CumulantTerm] {
      guard let ansatz = state.ansatze.first(where: { $0.rank == rank }) else { return [] }
      return ansatz.terms.filter { t in
        t.neuronBlocks.allSatisfy { block in block.allSatisfy { neurons[$0] == neurons[block[0]] } }
      }
    }
    twoPointTerms = terms(rank: 2, neurons: [0, 0])
    fourPointTerms = terms(rank: 4, neurons: [0, 0, 1, 1])
  }

  /// The predictions of one layer of evaluated statistics, at the width `n` normalising it.
  public func predict(_ values: RecursionValues, width n: Int) -> FiniteWidthPrediction {
    let twoPoint = evaluate(twoPointTerms, rank: 2, values, width: n)
    let fourPoint =
      fourPointTerms.isEmpty ? nil : evaluate(fourPointTerms, rank: 4, values, width: n)
    var epsilon: Double?
    if let fourPoint, let m = values[metric.name] {
      epsilon = 0
      for a in 0..<values.sampleCount where m[a, a] > 0 {
        // Divided twice, so that a tiny metric does not underflow to 0 when squared; a ratio
        // beyond the Double range is the largest finite one (far past the threshold either way).
        let ratio = abs(fourPoint[a, a, a, a]) / m[a, a] / m[a, a]
        epsilon = max(epsilon ?? 0, min(ratio, .greatestFiniteMagnitude))
      }
    }
    return FiniteWidthPrediction(
      layer: values.layer, width: n, twoPoint: twoPoint, fourPoint: fourPoint,
      expansionParameter: epsilon)
  }

  /// Σ_terms c·S[arguments]/n^k at every entry; nil if some S has no values.
  func evaluate(_ terms: [CumulantTerm], rank: Int, _ values: RecursionValues, width n: Int)
    -> SampleTensor?
  {
    var result = SampleTensor.zero(rank: rank, sampleCount: values.sampleCount)
    for t in terms {
      guard let s = values[t.statistic] else { return nil }
      let scale = t.coefficient.doubleValue / pow(Double(n), Double(t.order))
      var entry = [Int](repeating: 0, count: rank)
      for k in result.values.indices {
        // The flat position of S[arguments] (``SampleTensor/offset(_:)`` without an array).
        var offset = 0
        for argument in t.arguments { offset = offset * s.sampleCount + entry[argument] }
        result.values[k] += scale * s.values[offset]
        SampleTensor.advance(&entry, sampleCount: result.sampleCount)
      }
    }
    return result
  }

  /// `K+G1/n` for the two-point function of the MLP (the terms in declared order, each as
  /// `c*S/n^k` with the coefficient and power left out when 1).
  public var twoPointLabel: String { Self.label(twoPointTerms) }

  /// `V/n` for the four-point function of the MLP.
  public var fourPointLabel: String { Self.label(fourPointTerms) }

  /// `V/(nK^2)` for the MLP: ε written in the model's names.
  public var expansionParameterLabel: String {
    if fourPointTerms.count == 1, let t = fourPointTerms.first, t.coefficient == .one,
      t.order == 1
    {
      return "\(t.statistic)/(n\(metric.name)^2)"
    }
    return "(\(fourPointLabel))/\(metric.name)^2"
  }

  static func label(_ terms: [CumulantTerm]) -> String {
    var text = ""
    for t in terms {
      var term = t.statistic
      if t.order == 1 { term += "/n" } else if t.order > 1 { term += "/n^\(t.order)" }
      if t.coefficient == Rational(-1) {
        term = "-" + term
      } else if t.coefficient != .one {
        term = "\(t.coefficient)*" + term
      }
      text += text.isEmpty || term.hasPrefix("-") ? term : "+" + term
    }
    return text
  }
}
