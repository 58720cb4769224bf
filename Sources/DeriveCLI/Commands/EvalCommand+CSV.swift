import Algebra
import Derivation
import Evaluation

extension EvalCommand {
  /// The header of `derive eval --format csv`.
  static let csvHeader = "layer,n,quantity,a1,a2,a3,a4,value,unreliable"

  /// `derive eval --format csv`: a tidy table for plotting, one row per layer, quantity and
  /// entry. Columns: the layer; `n`, the width normalising its statistics (n_{ℓ−1}, the input
  /// dimension at layer 1); the quantity — a derived statistic (`K`, `G1`, `V`, in declared
  /// order), the two-point function of one neuron (`K+G1/n`), the connected four-point function
  /// of two distinct neurons (`V/n`) or the expansion parameter (`V/(nK^2)`), in the model's
  /// names; its sample indices `a1…a4` (0-based inputs, empty beyond the quantity's rank; each
  /// entry once under the quantity's symmetry, as in the text output); the value (15
  /// significant digits); and `unreliable`, `true` from the first layer where the expansion
  /// parameter exceeds the threshold.
  static func csv(_ layers: [RecursionValues], model: Model, finiteWidth: FiniteWidth?) -> String {
    var rows = [csvHeader]
    let statistics = model.derivedStatistics
    for (index, l) in layers.enumerated() {
      let p = finiteWidth?.predictions[index]
      let n = p.map { String($0.width) } ?? ""
      let unreliable = finiteWidth?.isUnreliable(layer: l.layer) ?? false
      func row(_ quantity: String, _ entry: [Int], _ value: Double) {
        let indices = (0..<4).map { $0 < entry.count ? String(entry[$0]) : "" }
        rows.append(
          ([String(l.layer), n, csvField(quantity)] + indices + [number(value), "\(unreliable)"])
            .joined(separator: ","))
      }
      for s in statistics {
        let t = l.values(of: s.name)
        for e in distinctEntries(s, sampleCount: l.sampleCount) { row(s.name, e, t[indices: e]) }
      }
      guard let finiteWidth, let p else { continue }
      if let name = finiteWidth.twoPointLabel, let t = p.twoPoint {
        for e in distinctEntries(rank: 2, symmetry: .symmetric, sampleCount: t.sampleCount) {
          row(name, e, t[indices: e])
        }
      }
      if let name = finiteWidth.fourPointLabel, let t = p.fourPoint {
        for e in distinctEntries(rank: 4, symmetry: .pairOfPairs, sampleCount: t.sampleCount) {
          row(name, e, t[indices: e])
        }
      }
      if let epsilon = p.expansionParameter {
        row(finiteWidth.expansionParameterLabel, [], epsilon)
      }
    }
    return rows.joined(separator: "\n") + "\n"
  }

  /// A CSV field: quoted (with `"` doubled) when it holds a comma, a quote or a line break.
  static func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
