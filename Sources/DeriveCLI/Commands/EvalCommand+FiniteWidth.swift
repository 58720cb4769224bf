import Algebra
import Derivation
import Evaluation
import Foundation

extension EvalCommand {
  /// The finite-width part of `derive eval`'s output: each layer's ``FiniteWidthPrediction``,
  /// labelled in the model's names, and the warning from the first layer where the expansion
  /// parameter exceeds ``FiniteWidthPrediction/reliabilityThreshold``.
  struct FiniteWidth {
    var predictor: FiniteWidthPredictor
    /// One per evaluated layer, in order.
    var predictions: [FiniteWidthPrediction]
    /// The depth.
    var depth: Int

    /// Nil for a model that declares no statistics.
    init?(model: Model, layers: [RecursionValues], parameters: NumericParameters) {
      guard let predictor = FiniteWidthPredictor(model) else { return nil }
      self.predictor = predictor
      predictions = layers.map { l in
        // Layer ℓ's statistics are normalised by n_{ℓ−1}, layer 1's by the input dimension.
        predictor.predict(l, width: parameters.width(ofLayer: l.layer - 1) ?? 1)
      }
      depth = parameters.depth
    }

    /// The two-point function's label, when it differs from the metric (the model declares a
    /// finite-width term of it): `K+G1/n`.
    var twoPointLabel: String? {
      predictor.twoPointTerms.contains { $0.order > 0 } ? predictor.twoPointLabel : nil
    }

    var fourPointLabel: String? {
      predictor.fourPointTerms.isEmpty ? nil : predictor.fourPointLabel
    }

    var expansionParameterLabel: String { predictor.expansionParameterLabel }

    /// The first layer past the threshold (nil if none is).
    var firstUnreliableLayer: Int? { FiniteWidthPrediction.firstUnreliableLayer(predictions) }

    /// Whether the truncation is unreliable at `layer` (it is from the first layer past the
    /// threshold on: the recursion carries the error forward).
    func isUnreliable(layer: Int) -> Bool {
      firstUnreliableLayer.map { layer >= $0 } ?? false
    }

    /// `n1 = 16`, or `n0 = 2 (the input dimension)` at layer 1.
    func widthText(_ p: FiniteWidthPrediction) -> String {
      "n\(p.layer - 1) = \(p.width)" + (p.layer == 1 ? " (the input dimension)" : "")
    }

    /// ℓ/n_{ℓ−1} at a layer, as `2/16 = 0.125`.
    func depthToWidth(_ p: FiniteWidthPrediction) -> String {
      "\(p.layer)/\(p.width) = \(short(Double(p.layer) / Double(p.width)))"
    }

    /// A number in a sentence: 4 significant digits.
    func short(_ x: Double) -> String { String(format: "%.4g", x) }

    /// The lines of layer `index` (0-based) in the text output.
    func textLines(layer index: Int) -> [String] {
      let p = predictions[index]
      var lines = ["  at width \(widthText(p)):"]
      if let name = twoPointLabel, let t = p.twoPoint {
        let head = "(\(name))"
        for e in distinctEntries(rank: 2, symmetry: .symmetric, sampleCount: t.sampleCount) {
          lines.append(
            "    " + label(head, symmetry: .symmetric, e) + " = " + number(t[indices: e]))
        }
      }
      if let name = fourPointLabel, let t = p.fourPoint {
        let head = "(\(name))"
        for e in distinctEntries(rank: 4, symmetry: .pairOfPairs, sampleCount: t.sampleCount) {
          lines.append(
            "    " + label(head, symmetry: .pairOfPairs, e) + " = " + number(t[indices: e]))
        }
      }
      if let epsilon = p.expansionParameter {
        let beyond =
          epsilon > FiniteWidthPrediction.reliabilityThreshold
          ? "  (above \(number(FiniteWidthPrediction.reliabilityThreshold)))" : ""
        lines.append("    \(expansionParameterLabel) = \(number(epsilon))\(beyond)")
      }
      return lines
    }

    /// The warning, when some layer is past the threshold: where it is crossed, with the
    /// depth/width ratio there, and the largest value reached.
    var warning: String? {
      guard let first = firstUnreliableLayer,
        let crossing = predictions.first(where: { $0.layer == first }),
        let epsilon = crossing.expansionParameter
      else { return nil }
      let name = expansionParameterLabel
      let threshold = number(FiniteWidthPrediction.reliabilityThreshold)
      var text =
        "warning: the 1/n truncation is no longer reliable from layer \(first) on: \(name) = \(short(epsilon)) there exceeds \(threshold) (depth/width \(depthToWidth(crossing)))"
      if let largest = predictions.max(by: {
        ($0.expansionParameter ?? 0) < ($1.expansionParameter ?? 0)
      }), largest.layer != first, let value = largest.expansionParameter {
        text +=
          ", and reaches \(short(value)) at layer \(largest.layer) (depth/width \(depthToWidth(largest)))"
      }
      return text
        + ". The O(1/n^2) terms the truncation drops are about \(name) times the 1/n terms it keeps: use wider layers, or fewer."
    }
  }
}
