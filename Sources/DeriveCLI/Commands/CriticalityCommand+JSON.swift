import Evaluation
import JSON

extension CriticalityCommand {
  /// `derive criticality --format json`: one line,
  /// `{"critical":[{"couplings":{NAME:…},"K":…,"chi_parallel":…,"chi_perp":…,"class":"…"}]}`,
  /// couplings keyed by the model's own names (bias variance first), `"K": null` for a line,
  /// numbers in the shortest form that reads back to the same double.
  static func json(_ report: CriticalitySearch.Report) -> String {
    let points = report.points.map { p -> JSONValue in
      .object([
        ("couplings", .object(p.couplings.map { ($0.name, .double($0.value)) })),
        ("K", p.kernel.map { .double($0) } ?? .null),
        ("chi_parallel", .double(p.chiParallel)),
        ("chi_perp", .double(p.chiPerpendicular)),
        ("class", .string(p.classLabel)),
      ])
    }
    return JSONValue.object([("critical", .array(points))]).serialized() + "\n"
  }
}
