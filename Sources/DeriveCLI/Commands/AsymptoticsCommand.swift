import ArgumentParser
import Derivation
import Evaluation
import Foundation
import JSON
import Numerics

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
      correction c₁ log ℓ / ℓ, is printed too.

      Everywhere else (an isolated critical point K* > 0 such as GELU's or SWISH's, or \
      couplings off criticality) the laws are fitted numerically, with a stated error: the \
      derived recursions are iterated from --input to --depth N, the local power \
      log₂(X(2a)/X(a)) on the windows [N/8,N/4], [N/4,N/2], [N/2,N] is extrapolated by \
      Richardson's rule (removing the O(1/ℓ) correction), and the error is the larger of the \
      extrapolation's size and its change between windows. A power within its error of a \
      multiple of 1/2 is taken to be exact and the coefficient extrapolated the same way. A \
      metric tending to a limit is reported as K → K∞ with its approach K−K∞ when that is a \
      power law. Growth faster than any power is refused.

      JSON: {"K":{"power":p,"coefficient":c},"G1":{…},"V/K^2":{…}}, keyed by the model's \
      statistic names; coefficient null where it depends on the first layer. A numeric fit \
      adds "power_error" and "coefficient_error" to each law (and a key "K-K∞" for the \
      approach to a limit).

      Examples:
        derive asymptotics --activation tanh --cb 0 --cw 1
        derive asymptotics mlp --activation relu --cb 0 --cw 2 --format json
        derive asymptotics --activation gelu --cb 0.172922390756189 --cw 1.98305825743748 \\
            --input 2 --depth 4096
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

  @Option(help: "The input the numeric fit starts from, comma-separated (default: 1).")
  var input: String = "1"

  @Option(help: "The depth N of the numeric fit: a multiple of 8 in 64…100000 (default: 4096).")
  var depth: Int = 4096

  @Option(help: "Output format: text or json.")
  var format: Format = .text

  enum Format: String, ExpressibleByArgument { case text, json }

  func execute(into out: inout CommandOutput) throws {
    let (model, _) = try ModelLoading.load(self.model)
    let values = try couplingValues(model)
    guard
      (try? ActivationSpecialization.parse(activation)) != nil
        || (try? Activation.parse(activation)) != nil
    else {
      throw CommandFailure.usage(
        "error: --activation: unknown activation '\(activation)' (linear, relu, leaky_relu:SLOPE, abs, tanh, erf, erf:SCALE, gelu, swish, sin, softplus)"
      )
    }
    let derivation: DerivationResult
    let asymptotics: LargeDepthAsymptotics
    do {
      derivation = try DerivationPipeline(model).run()
      asymptotics = try LargeDepthAsymptotics(model: model, result: derivation)
    } catch let e as DerivationError {
      throw CommandFailure.usage(e.description)
    } catch let e as SpecializationError {
      throw CommandFailure.usage(e.description)
    } catch let e as EvaluationError {
      throw CommandFailure.usage(e.description)
    }
    do {
      let report = try asymptotics.run(activation: activation, couplings: values)
      out.write(
        format == .json
          ? Self.json(report)
          : Self.text(report, model: model, activation: activation, couplings: values))
    } catch let reason as EvaluationError {
      let numeric = try self.numeric(model, derivation, values)
      out.write(
        format == .json
          ? Self.json(numeric)
          : Self.text(
            numeric, model: model, activation: activation, couplings: values,
            reason: reason.message))
    } catch let e as SpecializationError {
      throw CommandFailure.usage(e.description)
    }
  }

  /// The numeric fit (``NumericLargeDepthAsymptotics``) from `--input` to `--depth`.
  func numeric(_ model: Model, _ derivation: DerivationResult, _ values: [String: Double]) throws
    -> NumericLargeDepthAsymptotics.Report
  {
    guard depth >= 64, depth <= 100_000, depth % 8 == 0 else {
      throw CommandFailure.usage(
        "error: --depth must be a multiple of 8 in 64…100000 (got \(depth))")
    }
    let x = input.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard !x.isEmpty, x.allSatisfy({ $0?.isFinite ?? false }) else {
      throw CommandFailure.usage("error: --input expects comma-separated numbers, got '\(input)'")
    }
    let numeric: Activation
    if let a = try? Activation.parse(activation) {
      numeric = a
    } else if let exact = try? ActivationSpecialization.parse(activation) {
      numeric = ContinuumCommand.numeric(exact)
    } else {
      throw CommandFailure.usage("error: --activation: unknown activation '\(activation)'")
    }
    do {
      return try NumericLargeDepthAsymptotics(model: model, derivation: derivation).run(
        activation: numeric, couplings: values, input: x.compactMap { $0 }, depth: depth)
    } catch let e as EvaluationError {
      throw CommandFailure.usage(e.description)
    }
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

  /// The first lines of both reports: the model, the activation and the couplings given.
  static func header(model: Model, activation: String, couplings: [String: Double]) -> [String] {
    let given = model.couplings.compactMap { name in
      couplings[name].map { "\(name) = \(EvalCommand.number($0))" }
    }
    return [
      "model: \(model.name)",
      "activation: \(activation)" + (given.isEmpty ? "" : ", " + given.joined(separator: ", ")),
    ]
  }

  /// One line per law, `KEY ≈ c ℓ^p`, with exact fractions where the number is one.
  static func text(
    _ report: LargeDepthAsymptotics.Report, model: Model, activation: String,
    couplings: [String: Double]
  ) -> String {
    var lines =
      header(model: model, activation: activation, couplings: couplings) + [
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

  /// The numeric fit: one line per law with its error, and how it was obtained.
  static func text(
    _ report: NumericLargeDepthAsymptotics.Report, model: Model, activation: String,
    couplings: [String: Double], reason: String
  ) -> String {
    var lines =
      header(model: model, activation: activation, couplings: couplings) + [
        "class: numeric fit (no derived power law here: \(reason))",
        "  the derived recursions iterated to depth N = \(report.depth) (one input, equal widths); powers from the windows [N/8,N/4], [N/4,N/2], [N/2,N] extrapolated by Richardson's rule; ± is the larger of the extrapolation and its change between windows. The laws describe ℓ ≤ N: a crossover beyond N (an isolated K* > 0 is approached like 1/ℓ only once |K'' (K - K*)| ℓ ≫ 1) is not seen",
        "",
      ]
    let width = report.laws.map(\.key.count).max() ?? 0
    let metric = model.state?.metric.name
    for (key, fit) in report.laws {
      let name = key.padding(toLength: width, withPad: " ", startingAt: 0)
      if key == metric, fit.powerIsExact, fit.power == 0 {
        lines.append(
          "  \(name) → \(significant(fit.coefficient)) ± \(error(fit.coefficientError))    (a limit, power 0 ± \(error(fit.powerError)))"
        )
        continue
      }
      let power =
        fit.powerIsExact
        ? "\(LargeDepthAsymptotics.display(fit.power))" : significant(fit.power)
      let exactNote = fit.powerIsExact ? ", identified with \(power)" : ""
      lines.append(
        "  \(name) ≈ \(significant(fit.coefficient)) ℓ^\(power)    (power ± \(error(fit.powerError))\(exactNote); coefficient ± \(error(fit.coefficientError)))"
      )
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func significant(_ x: Double) -> String { String(format: "%.6g", x) }
  static func error(_ x: Double) -> String { String(format: "%.1e", x) }

  /// The numeric laws with their errors.
  static func json(_ report: NumericLargeDepthAsymptotics.Report) -> String {
    let members = report.laws.map { key, fit -> (String, JSONValue) in
      (
        key,
        .object([
          ("power", .double(fit.power)),
          ("coefficient", .double(fit.coefficient)),
          ("power_error", .double(fit.powerError)),
          ("coefficient_error", .double(fit.coefficientError)),
        ])
      )
    }
    return JSONValue.object(members).serialized() + "\n"
  }
}
