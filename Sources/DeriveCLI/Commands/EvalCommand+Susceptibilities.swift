import Evaluation
import JSON

extension EvalCommand {
  /// The text lines of one layer's susceptibilities, one line per input a:
  /// `  chi_parallel[a] = …    chi_perp[a] = …` (`n/a` where the value could not be evaluated);
  /// none for a model without a kernel map.
  static func susceptibilityLines(_ chi: LayerSusceptibilities?) -> [String] {
    guard let chi else { return [] }
    func text(_ x: Double?) -> String { x.map(number) ?? "n/a" }
    return zip(chi.parallel, chi.perpendicular).enumerated().map { a, pair in
      "  chi_parallel[\(a)] = \(text(pair.0))    chi_perp[\(a)] = \(text(pair.1))"
    }
  }

  /// The JSON members of one layer's susceptibilities, after its statistics:
  /// `"chi_parallel": [χ∥ of input 0, …]`, `"chi_perp": […]` (`null` where the value could not
  /// be evaluated); none for a model without a kernel map.
  static func susceptibilityMembers(_ chi: LayerSusceptibilities?) -> [(String, JSONValue)] {
    guard let chi else { return [] }
    func values(_ xs: [Double?]) -> JSONValue {
      .array(xs.map { x in x.map { .double($0 == 0 ? 0 : $0, .significantDigits(15)) } ?? .null })
    }
    return [("chi_parallel", values(chi.parallel)), ("chi_perp", values(chi.perpendicular))]
  }
}
