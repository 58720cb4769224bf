import Derivation
import Evaluation
import JSON

extension EvalCommand {
  /// `derive eval --format json`: one line, `{"layers": [{"layer": 1, …}, …], "truncation": …}`
  /// with each layer's derived statistics in declared order: a rank-2 statistic as a matrix
  /// (`"K": [[…]]`), any other as an object keyed by its sample indices (`"V": {"0110": …}`),
  /// every entry. Numbers as in the text output (15 significant digits, zero as `0`).
  ///
  /// After the statistics, each layer has `"finiteWidth"`: the width `"n"` normalising it, the
  /// two-point function of one neuron under its label (`"K+G1/n": [[…]]`, when the model
  /// declares a finite-width term of it), the connected four-point function of two distinct
  /// neurons (`"V/n": {"0110": …}`), the expansion parameter (`"V/(nK^2)": …`) and
  /// `"truncationUnreliable"`, true from the first layer where the expansion parameter exceeds
  /// the threshold; then the layer's susceptibilities, `"chi_parallel": […]` and
  /// `"chi_perp": […]`, one per input (``susceptibilityMembers(_:)``). `"truncation"` (for a
  /// model with a four-point cumulant) states the expansion parameter's label, the threshold,
  /// that first layer and its depth/width ratio ℓ/n (null when no layer exceeds it).
  static func json(
    _ layers: [RecursionValues], model: Model, finiteWidth: FiniteWidth?,
    susceptibilities: [LayerSusceptibilities] = []
  ) -> String {
    func number(_ x: Double) -> JSONValue { .double(x == 0 ? 0 : x, .significantDigits(15)) }
    func tensor(_ t: SampleTensor) -> JSONValue {
      if t.rank == 2 {
        let n = t.sampleCount
        return .array((0..<n).map { a in .array((0..<n).map { number(t[a, $0]) }) })
      }
      // Every entry in flat order, its indices counted up (SampleTensor.advance).
      var members: [(String, JSONValue)] = []
      members.reserveCapacity(t.values.count)
      var entry = [Int](repeating: 0, count: t.rank)
      for value in t.values {
        members.append((SampleTensor.indexText(entry), number(value)))
        SampleTensor.advance(&entry, sampleCount: t.sampleCount)
      }
      return .object(members)
    }
    let values = layers.enumerated().map { index, l -> JSONValue in
      var members: [(String, JSONValue)] = [("layer", .int(l.layer))]
      for name in l.names {
        members.append((name, tensor(l.values(of: name))))
      }
      if let finiteWidth {
        let p = finiteWidth.predictions[index]
        var finite: [(String, JSONValue)] = [("n", .int(p.width))]
        if let name = finiteWidth.twoPointLabel, let t = p.twoPoint {
          finite.append((name, tensor(t)))
        }
        if let name = finiteWidth.fourPointLabel, let t = p.fourPoint {
          finite.append((name, tensor(t)))
        }
        if let epsilon = p.expansionParameter {
          finite.append((finiteWidth.expansionParameterLabel, number(epsilon)))
        }
        finite.append(("truncationUnreliable", .bool(finiteWidth.isUnreliable(layer: l.layer))))
        members.append(("finiteWidth", .object(finite)))
      }
      members += susceptibilityMembers(susceptibilities.first { $0.layer == l.layer })
      return .object(members)
    }
    var top: [(String, JSONValue)] = [("layers", .array(values))]
    if let finiteWidth, finiteWidth.fourPointLabel != nil {
      let first = finiteWidth.firstUnreliableLayer
      let crossing = finiteWidth.predictions.first { $0.layer == first }
      top.append(
        (
          "truncation",
          .object([
            ("expansionParameter", .string(finiteWidth.expansionParameterLabel)),
            ("threshold", number(FiniteWidthPrediction.reliabilityThreshold)),
            ("firstUnreliableLayer", first.map { .int($0) } ?? .null),
            (
              "depthToWidth",
              crossing.map { number(Double($0.layer) / Double($0.width)) } ?? .null
            ),
          ])
        ))
    }
    return JSONValue.object(top).serialized() + "\n"
  }
}
