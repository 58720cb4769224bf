import ArgumentParser
import Derivation
import Evaluation
import Foundation
import JSON

/// `derive asymptotics`: the large-depth power laws of K, G¹ and V/K² at a critical point.
struct AsymptoticsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "asymptotics",
    abstract: "Derive the large-depth power laws X(ℓ) ≈ c ℓ^p of K, G1 and V/K^2 at criticality.",
    discussion: """
      From the recursions the engine derives from MODEL, at one input and equal widths. \
      Scale-invariant activations at their critical line: K keeps its first-layer value, \
      V/K^2 = A (ℓ − 1) exactly (A from the closed-form averages). The K*=0 class (tanh, sin, \
      erf at C_b = 0, C_W = 1/σ'(0)²): the recursions are expanded about K = 0 in σ's Taylor \
      coefficients and the power-law ansatz is solved; K's next term, a relative \
      correction c₁ log ℓ / ℓ, is printed too. Other couplings (not critical, or an isolated \
      K* > 0) are refused.

      JSON: {"K":{"power":p,"coefficient":c},"G1":{…},"V/K^2":{…}}, keyed by the model's \
      statistic names; coefficient null where it depends on the first layer.

      Examples:
        derive asymptotics --activation tanh --cb 0 --cw 1
        derive asymptotics mlp --activation relu --cb 0 --cw 2 --format json
      """)

  @Argument(help: "Model file or built-in model name (default: mlp).")
  var model: String?

  @Option(
    help: ArgumentHelp(
      "The activation of the model's function (as for derive criticality).",
      valueName: "ACTIVATION"))
  var activation: String

  @Option(name: .customLong("cb"), help: "The model's bias variance (found by its role).")
  var cb: Double?

  @Option(name: .customLong("cw"), help: "The model's weight variance (found by its role).")
  var cw: Double?

  @Option(
    name: .customLong("set"),
    help: ArgumentHelp(
      "Value of a coupling by the name the model declares (repeatable).", valueName: "NAME=VALUE"))
  var couplings: [String] = []

  @Option(help: "Output format: text or json.")
  var format: Format = .text

  enum Format: String, ExpressibleByArgument { case text, json }

  func execute(into out: inout CommandOutput) throws {
    let (model, _) = try ModelLoading.load(self.model)
    let values = try couplingValues(model)
    let report: LargeDepthAsymptotics.Report
    do {
      let derivation = try DerivationPipeline(model).run()
      report = try LargeDepthAsymptotics(model: model, result: derivation)
        .run(activation: activation, couplings: values)
    } catch let e as DerivationError {
      throw CommandFailure.usage(e.description)
    } catch let e as SpecializationError {
      throw CommandFailure.usage(e.description)
    } catch let e as EvaluationError {
      throw CommandFailure.usage(e.description)
    }
    out.write(
      format == .json
        ? Self.json(report)
        : Self.text(report, model: model, activation: activation, couplings: values))
  }

  /// The couplings by name: `--cb`, `--cw` by role, `--set` by name.
  func couplingValues(_ model: Model) throws -> [String: Double] {
    let roles = CouplingRoles(model)
    var values: [String: Double] = [:]
    func set(_ name: String, _ value: Double) throws {
      guard value.isFinite, value >= 0 else {
        throw CommandFailure.usage(
          "error: the coupling \(name) must be a finite non-negative number (got \(value))")
      }
      guard values.updateValue(value, forKey: name) == nil else {
        throw CommandFailure.usage("error: the coupling \(name) is given twice")
      }
    }
    if let cb {
      guard let b = roles.biasVariance else {
        throw CommandFailure.usage(
          NetworkOptions.missingRole("--cb", "bias variance", model))
      }
      try set(b.name, cb)
    }
    if let cw {
      guard let w = roles.weightVariance else {
        throw CommandFailure.usage(
          NetworkOptions.missingRole("--cw", "weight variance", model))
      }
      try set(w.name, cw)
    }
    for c in couplings {
      let parts = c.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, model.couplings.contains(parts[0]), let v = Double(parts[1]) else {
        throw CommandFailure.usage(
          "error: --set expects NAME=VALUE with NAME a coupling of the model (\(NetworkOptions.listing(model))), got '\(c)'"
        )
      }
      try set(parts[0], v)
    }
    for name in model.couplings where values[name] == nil {
      throw CommandFailure.usage(
        "error: no value for the coupling \(name) (give --cb, --cw or --set \(name)=VALUE)")
    }
    return values
  }

  /// One line per law, `KEY ≈ c ℓ^p`, with exact fractions where the number is one.
  static func text(
    _ report: LargeDepthAsymptotics.Report, model: Model, activation: String,
    couplings: [String: Double]
  ) -> String {
    let given = model.couplings.compactMap { name in
      couplings[name].map { "\(name) = \(EvalCommand.number($0))" }
    }
    var lines = [
      "model: \(model.name)",
      "activation: \(activation)" + (given.isEmpty ? "" : ", " + given.joined(separator: ", ")),
      "class: \(report.criticalClass) (leading large-depth behaviour X(ℓ) ≈ c ℓ^p, one input, equal widths)",
      "",
    ]
    let width = report.laws.map(\.key.count).max() ?? 0
    for (key, law) in report.laws {
      let name = key.padding(toLength: width, withPad: " ", startingAt: 0)
      let c = law.coefficient.map(LargeDepthAsymptotics.display) ?? "c"
      var line = "  \(name) ≈ \(c) ℓ^\(law.power)"
      if let remark = law.remark { line += "    (\(remark))" }
      if key == report.laws.first?.key, let c1 = report.metricLogCorrection {
        let sign = c1 < 0 ? "-" : "+"
        line +=
          "    (next: × [1 \(sign) \(LargeDepthAsymptotics.display(abs(c1))) log ℓ / ℓ + O(1/ℓ)])"
      }
      lines.append(line)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// `{"K":{"power":p,"coefficient":c},…}` in the report's order; `null` for a coefficient
  /// that depends on the first layer.
  static func json(_ report: LargeDepthAsymptotics.Report) -> String {
    let members = report.laws.map { key, law -> (String, JSONValue) in
      (
        key,
        .object([
          ("power", .int(law.power)),
          ("coefficient", law.coefficient.map { .double($0) } ?? .null),
        ])
      )
    }
    return JSONValue.object(members).serialized() + "\n"
  }
}
