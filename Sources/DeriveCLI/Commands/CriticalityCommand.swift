import ArgumentParser
import Derivation
import Evaluation
import Foundation

/// `derive criticality`: the critical points and lines of a model's single-input kernel map.
struct CriticalityCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "criticality",
    abstract: "Find the critical initialisations: a fixed point K* = K'(K*) with χ∥ = χ⊥ = 1.",
    discussion: """
      Works on the recursion the engine derives from MODEL at one input: the kernel map \
      K' = F(K) and its susceptibilities χ∥ = ∂K'/∂K and χ⊥ (derivatives of the derived \
      recursion). The couplings solved for are the model's bias and weight variances, found \
      from the map's structure and printed under the model's names (C_b, C_W in the MLP).

      Classes:
        scale-invariant   linear, relu, leaky_relu:SLOPE, abs: an exact critical line \
      (closed-form averages), every K* a fixed point.
        K*=0              activations analytic at 0 (tanh, sin, erf, …): the exact point from \
      the expansion of K', χ∥, χ⊥ about K = 0 in σ's Taylor coefficients (C_W = 1/σ'(0)² for \
      the MLP when σ(0) = 0); 'unstable' when K flows away from 0 (GELU, SWISH).
        K*>0              every activation: roots of χ∥ − 1 along the curve where K' = K and \
      χ⊥ = 1, on a logarithmic grid K in [1e-6, 1e4] (25 points per decade), refined by \
      Brent's method to 1e-12 relative; each with how K flows about it.

      JSON: {"critical":[{"couplings":{"C_b":…,"C_W":…},"K":… (null for a line),\
      "chi_parallel":…,"chi_perp":…,"class":"…"}]}.

      Examples:
        derive criticality --activation gelu
        derive criticality mlp --activation tanh --format json
        derive criticality Derivations/mlp.model --activation leaky_relu:0.1
      """)

  @Argument(help: "Model file or built-in model name (default: mlp).")
  var model: String?

  @Option(
    help: ArgumentHelp(
      "The activation of the model's function: linear, relu, leaky_relu:SLOPE, abs, tanh, erf, erf:SCALE, gelu, swish, sin, softplus.",
      valueName: "ACTIVATION"))
  var activation: String

  @Option(help: "Output format: text or json.")
  var format: CriticalityFormat = .text

  enum CriticalityFormat: String, ExpressibleByArgument { case text, json }

  func execute(into out: inout CommandOutput) throws {
    let (model, _) = try ModelLoading.load(self.model)
    let report: CriticalitySearch.Report
    do {
      let kernel = try SingleInputKernel.derive(model)
      report = try CriticalitySearch(kernel: kernel).run(activation: activation)
    } catch let e as DerivationError {
      throw CommandFailure.usage(e.description)
    } catch let e as SpecializationError {
      throw CommandFailure.usage(
        e.description.replacingOccurrences(
          of: "error: ", with: "error: no criticality for the model \(model.name): ",
          options: .anchored))
    } catch let e as EvaluationError {
      throw CommandFailure.usage(e.description)
    }
    out.write(format == .json ? Self.json(report) : Self.text(report, model: model))
  }

  /// Each point with its class, couplings, K★, χ values and the flow about it; then the notes.
  /// The metric is written by the model's name for it (K in the MLP); the class labels are
  /// the book's.
  static func text(_ report: CriticalitySearch.Report, model: Model) -> String {
    let m = model.state?.metric.name ?? "K"
    var lines = [
      "model: \(model.name)",
      "activation: \(report.activation)",
      "critical points (a fixed point \(m)* = \(m)'(\(m)*) of the single-input kernel map with χ∥ = χ⊥ = 1):",
    ]
    if report.points.isEmpty { lines.append("  none found") }
    for (k, p) in report.points.enumerated() {
      lines.append("")
      lines.append("  [\(k + 1)] class \(p.classLabel)")
      let couplings = p.couplings.map { "\($0.name) = \($0.exact ?? EvalCommand.number($0.value))" }
      let kernel = p.kernel.map { "\(m)* = \(EvalCommand.number($0))" } ?? "any \(m)* (a line)"
      lines.append("      " + (couplings + [kernel]).joined(separator: ", "))
      lines.append(
        "      χ∥ = \(EvalCommand.number(p.chiParallel)), χ⊥ = \(EvalCommand.number(p.chiPerpendicular))"
          + (p.kernel == nil ? " at every \(m)" : ""))
      lines += flow(p, metric: m).map { "      " + $0 }
    }
    if !report.notes.isEmpty {
      lines.append("")
      lines.append("notes:")
      lines += report.notes.map { "  " + $0 }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// How the metric m flows about the point: the expansion m′ − m ≈ a (m − m★)² + b (m − m★)³
  /// (χ∥ = 1 there, so the quadratic term decides near m★; for m★ > 0 the cubic term takes
  /// over beyond |m − m★| ≈ |a/b|).
  static func flow(_ p: CriticalPoint, metric m: String) -> [String] {
    guard let k = p.kernel, let a = p.curvature else { return [] }
    let g = { (x: Double) in String(format: "%.3g", x) }
    if k == 0 {
      let way =
        a < 0
        ? "\(m) decays to 0 (a power law in depth)"
        : a > 0 ? "\(m) grows away from 0" : "marginal"
      return ["\(m)' - \(m) ≈ \(g(a)) \(m)^2 + …: \(way)"]
    }
    let d = "(\(m) - \(m)*)"
    var expansion = "\(m)' - \(m) ≈ \(g(a)) \(d)^2"
    if let b = p.cubic { expansion += " \(b < 0 ? "-" : "+") \(g(abs(b))) \(d)^3" }
    var local: String
    switch p.stability {
    case .attracting: local = "\(m) flows to \(m)* from both sides"
    case .repelling: local = "\(m) flows away from \(m)* on both sides"
    case .attractsFromBelow: local = "\(m) rises to \(m)* from below and leaves it above"
    case .attractsFromAbove: local = "\(m) falls to \(m)* from above and leaves it below"
    case .marginal: local = "marginal at this order"
    }
    if let b = p.cubic, b != 0, a != 0 {
      local +=
        " within |\(m) - \(m)*| ≈ \(g(abs(a / b))); farther out the cubic term "
        + (b < 0
          ? "pulls \(m) towards \(m)* from both sides" : "pushes \(m) away on both sides")
    }
    return [expansion, local]
  }
}
