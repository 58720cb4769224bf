import Derivation
import Evaluation
import JSON

extension EvalCommand {
  /// `derive eval --format json`: one line,
  /// `{"layers": [{"layer": 1, "K": [[…]], "G1": [[…]], "V": {"0000": …, …}}, …]}`, G1 and V
  /// only where the model derives them, V keyed by its four sample indices `abcd` in
  /// lexicographic order. Numbers as in the text output (15 significant digits, zero as `0`).
  static func json(_ layers: [RecursionValues], model: Model) -> String {
    let shown = derived(model)
    func number(_ x: Double) -> JSONValue { .double(x == 0 ? 0 : x, .significantDigits(15)) }
    func matrix(_ m: [[Double]]) -> JSONValue { .array(m.map { .array($0.map(number)) }) }
    let values = layers.map { l -> JSONValue in
      var members: [(String, JSONValue)] = [("layer", .int(l.layer)), ("K", matrix(l.K))]
      if shown.correction { members.append(("G1", matrix(l.G1))) }
      if shown.vertex {
        let s = l.sampleCount
        var v: [(String, JSONValue)] = []
        for a in 0..<s {
          for b in 0..<s {
            for c in 0..<s {
              for d in 0..<s { v.append(("\(a)\(b)\(c)\(d)", number(l.v(a, b, c, d)))) }
            }
          }
        }
        members.append(("V", .object(v)))
      }
      return .object(members)
    }
    return JSONValue.object([("layers", .array(values))]).serialized() + "\n"
  }
}
