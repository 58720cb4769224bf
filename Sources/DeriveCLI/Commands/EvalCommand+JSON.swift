import Derivation
import Evaluation
import JSON

extension EvalCommand {
  /// `derive eval --format json`: one line, `{"layers": [{"layer": 1, …}, …]}` with each
  /// layer's derived statistics in declared order: a rank-2 statistic as a matrix
  /// (`"K": [[…]]`), any other as an object keyed by its sample indices (`"V": {"0110": …}`),
  /// every entry; after them the layer's susceptibilities, `"chi_parallel": […]` and
  /// `"chi_perp": […]`, one per input (``susceptibilityMembers(_:)``). Numbers as in the text
  /// output (15 significant digits, zero as `0`).
  static func json(
    _ layers: [RecursionValues], model: Model, susceptibilities: [LayerSusceptibilities] = []
  ) -> String {
    func number(_ x: Double) -> JSONValue { .double(x == 0 ? 0 : x, .significantDigits(15)) }
    let values = layers.map { l -> JSONValue in
      var members: [(String, JSONValue)] = [("layer", .int(l.layer))]
      for name in l.names {
        let t = l.values(of: name)
        if t.rank == 2 {
          let n = t.sampleCount
          members.append(
            (name, .array((0..<n).map { a in .array((0..<n).map { number(t[a, $0]) }) })))
        } else {
          let entries = t.values.indices.map { k in
            (t.indices(at: k).map(String.init).joined(), number(t.values[k]))
          }
          members.append((name, .object(entries)))
        }
      }
      members += susceptibilityMembers(susceptibilities.first { $0.layer == l.layer })
      return .object(members)
    }
    return JSONValue.object([("layers", .array(values))]).serialized() + "\n"
  }
}
