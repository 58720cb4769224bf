import ArgumentParser
import Derivation
import Evaluation
import Foundation
import Numerics
import Quadrature

/// The network description shared by `derive eval` and `derive check`.
struct NetworkOptions: ParsableArguments {
  @Argument(help: "Model file or built-in model name (default: mlp).")
  var model: String?

  @Option(
    help: ArgumentHelp(
      "Activation of every function the model's maps apply: linear, relu, leaky_relu:SLOPE, tanh, erf, erf:SCALE, gelu, swish, sin, softplus; or one per function, NAME=ACTIVATION,… (e.g. sigma=tanh,tau=relu). Required when the maps apply a function, refused when they apply none.",
      valueName: "ACTIVATION"))
  var activation: String?

  // Numbers are read unconditionally, so that a negative value after a space (`--cw -1`) is
  // taken as the value and refused with the real reason, not as a missing one.
  @Option(
    name: .customLong("cb"), parsing: .unconditional,
    help:
      "The model's bias variance (0…1e100): the coupling that is the variance of the bias, the Gaussian family the map adds independently of the incoming layer. Refused for a model without one."
  )
  var cb: Double?

  @Option(
    name: .customLong("cw"), parsing: .unconditional,
    help:
      "The model's weight variance (0…1e100): the coupling C of the weights multiplying the incoming layer, with variance C / n(j) (fan-in). Refused for a model without one."
  )
  var cw: Double?

  @Option(
    name: .customLong("set"),
    help: ArgumentHelp(
      "Value of a coupling by the name the model declares (repeatable); other names are refused.",
      valueName: "NAME=VALUE"))
  var couplings: [String] = []

  @Option(
    name: .customLong("function"),
    help: ArgumentHelp(
      "The activation of one function of the model: NAME=ACTIVATION (repeatable), e.g. tau=relu for a model declaring 'function tau'. Functions not named take --activation; a model applying several functions must name all but one. The same as --activation NAME=ACTIVATION.",
      valueName: "NAME=ACTIVATION"))
  var functions: [String] = []

  @Option(parsing: .unconditional, help: "Width of every hidden layer, 1…1048576 (with --depth).")
  var width: Int?

  @Option(parsing: .unconditional, help: "Number of layers, 1…10000 (with --width).")
  var depth: Int?

  @Option(
    parsing: .unconditional,
    help: "Comma-separated widths n1,n2,… of the layers (instead of --width/--depth).")
  var widths: String?

  @Option(
    name: .customLong("input"), parsing: .unconditionalSingleValue,
    help: "One input vector, comma-separated (repeat for several inputs).")
  var inputs: [String] = []

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Accuracy of every Gaussian average relative to its integrand's scale, 1e-12 (default) … 1e-4. A coarser tolerance (e.g. 1e-8) uses fewer quadrature nodes: faster with many inputs.",
      valueName: "X"))
  var tolerance: Double?

  /// The most inputs `eval` and `check` accept: the four-point statistic's Gaussian averages
  /// grow as inputs⁴ (24 inputs: 10,626 four-dimensional ones per layer; 30 s of CPU and 300 MB for tanh
  /// at depth 10). Within
  /// it, the estimated time (``secondsPerLayer(inputs:activations:)``) refuses what would take
  /// more than ``maximumEvaluationSeconds``.
  static let maximumInputs = 24
  static let maximumWidth = 1 << 20
  static let maximumDepth = 10_000
  /// The largest |value| of a coupling or an input component: 10¹⁰⁰, so that every product
  /// of two of them (and sums of up to 2²⁰ such) is a finite Double. The kernel K that results
  /// must also stay within the quadrature's range, variances up to 10¹⁶
  /// (`GaussianExpectation.maximumVariance`), checked layer by layer before each layer's work.
  static let maximumMagnitude = 1e100

  /// Validated numeric parameters for `model`: `--cb` and `--cw` set the couplings that are
  /// its bias and weight variances (``CouplingRoles``), `--set` any coupling it declares, and
  /// `--activation` the functions its maps apply.
  func parameters(for model: Model) throws -> NumericParameters {
    let functionNames = RecursionEvaluator.functionNames(model)
    let (act, named) = try activations(forFunctions: functionNames, of: model)
    let values = try couplingValues(for: model)
    let layerWidths: [Int]
    if let widths {
      if width != nil || depth != nil {
        throw CommandFailure.usage("error: give either --widths or --width with --depth")
      }
      var list: [Int] = []
      for w in widths.split(separator: ",", omittingEmptySubsequences: false) {
        guard let n = Int(w.trimmingCharacters(in: .whitespaces)) else {
          throw CommandFailure.usage("error: --widths: '\(w)' is not an integer")
        }
        list.append(n)
      }
      layerWidths = list
    } else {
      guard let width, let depth else {
        throw CommandFailure.usage("error: give --width N --depth L, or --widths n1,n2,…")
      }
      guard depth >= 1, depth <= Self.maximumDepth else {
        throw CommandFailure.usage(
          "error: --depth must be between 1 and \(Self.maximumDepth) (got \(depth))")
      }
      layerWidths = Array(repeating: width, count: depth)
    }
    guard !layerWidths.isEmpty, layerWidths.count <= Self.maximumDepth else {
      throw CommandFailure.usage("error: between 1 and \(Self.maximumDepth) layers are needed")
    }
    for n in layerWidths where n < 1 || n > Self.maximumWidth {
      throw CommandFailure.usage(
        "error: widths must be between 1 and \(Self.maximumWidth) (got \(n))")
    }
    guard !inputs.isEmpty else {
      throw CommandFailure.usage("error: give at least one --input v1,v2,…")
    }
    var xs: [[Double]] = []
    for s in inputs {
      var x: [Double] = []
      for c in s.split(separator: ",", omittingEmptySubsequences: false) {
        guard let v = Double(c.trimmingCharacters(in: .whitespaces)), v.isFinite else {
          throw CommandFailure.usage("error: --input: '\(c)' is not a finite number")
        }
        guard abs(v) <= Self.maximumMagnitude else {
          throw CommandFailure.usage(
            "error: --input: \(v) is out of range (components must be within ±\(Self.maximumMagnitude))"
          )
        }
        x.append(v)
      }
      xs.append(x)
    }
    guard xs.count <= Self.maximumInputs else {
      throw CommandFailure.usage(
        "error: at most \(Self.maximumInputs) inputs are supported (got \(xs.count)): the four-point statistic needs Gaussian averages over every quadruple of inputs"
      )
    }
    let accuracy = tolerance ?? NumericParameters.defaultTolerance
    guard accuracy.isFinite, accuracy >= NumericParameters.finestTolerance,
      accuracy <= NumericParameters.coarsestTolerance
    else {
      throw CommandFailure.usage(
        "error: --tolerance must be between \(NumericParameters.finestTolerance) and \(NumericParameters.coarsestTolerance) (got \(accuracy))"
      )
    }
    guard Set(xs.map(\.count)).count == 1 else {
      throw CommandFailure.usage("error: all inputs need the same number of components")
    }
    var bound = named
    var boundByFunction: Set<String> = []
    for f in functions {
      let parts = f.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, !parts[0].isEmpty, boundByFunction.insert(parts[0]).inserted else {
        throw CommandFailure.usage(
          "error: --function expects NAME=ACTIVATION, each name once, got '\(f)'")
      }
      if named[parts[0]] != nil {
        throw CommandFailure.usage(
          "error: the activation of \(parts[0]) is given twice (--activation and --function)")
      }
      do {
        bound[parts[0]] = try Activation.parse(parts[1])
      } catch {
        throw CommandFailure.usage("error: --function \(parts[0]): \(error)")
      }
    }
    if act == nil, let unbound = functionNames.first(where: { bound[$0] == nil }) {
      let applied = functionNames.joined(separator: ", ")
      throw CommandFailure.usage(
        activation == nil
          ? "error: missing --activation: the maps apply \(applied) (give --activation ACTIVATION, or NAME=ACTIVATION for each function)"
          : "error: --activation: no activation for \(unbound) (the maps apply \(applied); give NAME=ACTIVATION for each)"
      )
    }
    // The cost of one evaluation of the recursions, estimated before any work from the measured
    // cost of a layer with S inputs and these activations (below).
    let used = functionNames.compactMap { bound[$0] ?? act }
    let seconds =
      Double(layerWidths.count - 1) * Self.secondsPerLayer(inputs: xs.count, activations: used)
    guard seconds <= Self.maximumEvaluationSeconds else {
      throw CommandFailure.usage(
        "error: \(xs.count) inputs at depth \(layerWidths.count) is too large to evaluate (about \(Int(seconds)) s estimated; the limit is \(Int(Self.maximumEvaluationSeconds)) s): use fewer inputs or layers"
      )
    }
    // Without a default every function the maps apply has its own activation (or they apply
    // none), so the default is applied nowhere: the identity stands in.
    return NumericParameters(
      couplings: values, widths: layerWidths, inputs: xs, activation: act ?? .linear,
      functionActivations: bound, tolerance: accuracy)
  }

  /// Whether `--activation` names the activation of each function (`NAME=ACTIVATION,…`)
  /// rather than one for all of them.
  var activationIsPerFunction: Bool { activation?.contains("=") ?? false }

  /// The activation every function takes unless bound by name, as given (nil when
  /// `--activation` is absent or per function).
  var defaultActivation: String? { activationIsPerFunction ? nil : activation }

  /// `--activation` read against the functions the model's maps apply: the default activation
  /// and the activations bound by name. Refused: an activation for a model whose maps apply no
  /// function, and a name that is not one of its functions.
  func activations(forFunctions functionNames: [String], of model: Model) throws -> (
    Activation?, [String: Activation]
  ) {
    guard let activation else { return (nil, [:]) }
    if functionNames.isEmpty {
      throw CommandFailure.usage(
        "error: --activation: the maps of the model \(model.name) apply no function, so there is no activation to choose (omit --activation)"
      )
    }
    guard activationIsPerFunction else {
      do {
        return (try Activation.parse(activation), [:])
      } catch {
        throw CommandFailure.usage("error: --activation: \(error)")
      }
    }
    // NAME=ACTIVATION pairs, comma-separated; an activation has no ',' or '=' of its own (its
    // parameter follows a ':', as in leaky_relu:0.1).
    var named: [String: Activation] = [:]
    for pair in activation.split(separator: ",", omittingEmptySubsequences: false) {
      let parts = pair.split(separator: "=", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard parts.count == 2, !parts[0].isEmpty, named[parts[0]] == nil else {
        throw CommandFailure.usage(
          "error: --activation expects one ACTIVATION or NAME=ACTIVATION pairs separated by commas, each name once, got '\(activation)'"
        )
      }
      guard functionNames.contains(parts[0]) else {
        throw CommandFailure.usage(
          "error: --activation \(parts[0])=…: the maps apply no function '\(parts[0])' (they apply \(functionNames.joined(separator: ", ")))"
        )
      }
      do {
        named[parts[0]] = try Activation.parse(parts[1])
      } catch {
        throw CommandFailure.usage("error: --activation \(parts[0]): \(error)")
      }
    }
    return (nil, named)
  }

  /// The couplings' values by name, each in 0…``maximumMagnitude``. Refused: `--cb` or `--cw`
  /// for a model without that role, `--set` of a name the model does not declare, and a
  /// coupling given twice.
  func couplingValues(for model: Model) throws -> [String: Double] {
    let roles = CouplingRoles(model)
    var values: [String: Double] = [:]
    var givenBy: [String: String] = [:]
    func set(_ name: String, _ value: Double, by option: String) throws {
      if let previous = givenBy[name] {
        throw CommandFailure.usage(
          "error: the coupling \(name) is given twice (\(previous) and \(option))")
      }
      givenBy[name] = option
      values[name] = value
    }
    if let cb {
      guard let b = roles.biasVariance else {
        throw CommandFailure.usage(
          Self.missingRole(
            "--cb",
            "bias variance (one coupling that is the variance of the bias, a Gaussian family the map adds independently of the incoming layer)",
            model))
      }
      try set(b.name, cb, by: "--cb")
    }
    if let cw {
      guard let w = roles.weightVariance else {
        throw CommandFailure.usage(
          Self.missingRole(
            "--cw",
            "weight variance (one coupling C with variance C / n(j) for the weights multiplying the incoming layer)",
            model))
      }
      try set(w.name, cw, by: "--cw")
    }
    for c in couplings {
      let parts = c.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, !parts[0].isEmpty, let v = Double(parts[1]), v.isFinite else {
        throw CommandFailure.usage(
          "error: --set expects NAME=VALUE with a finite number, got '\(c)'")
      }
      guard model.couplings.contains(parts[0]) else {
        let suggestion = Self.closest(to: parts[0], among: model.couplings).map {
          "; did you mean '\($0)'?"
        }
        throw CommandFailure.usage(
          "error: --set \(c): '\(parts[0])' is not a coupling of the model \(model.name) (\(Self.listing(model)))"
            + (suggestion ?? ""))
      }
      try set(parts[0], v, by: "--set \(c)")
    }
    for (name, v) in values.sorted(by: { $0.key < $1.key })
    where !v.isFinite || v < 0 || v > Self.maximumMagnitude {
      throw CommandFailure.usage(
        "error: the coupling \(name) must be a number between 0 and \(Self.maximumMagnitude) (got \(v))"
      )
    }
    return values
  }

  /// The refusal of `--cb` or `--cw` for a model without the coupling it stands for.
  static func missingRole(_ option: String, _ role: String, _ model: Model) -> String {
    "error: \(option): the model \(model.name) has no \(role); \(listing(model))"
      + (model.couplings.isEmpty ? "" : ", set with --set NAME=VALUE")
  }

  /// The model's couplings, for messages.
  static func listing(_ model: Model) -> String {
    model.couplings.isEmpty
      ? "it declares no couplings"
      : "its couplings: \(model.couplings.joined(separator: ", "))"
  }

  /// The candidate `name` was most likely meant as: equal but for case, or at most two edits
  /// away (and fewer than its length). Ties go to the first in `candidates`.
  static func closest(to name: String, among candidates: [String]) -> String? {
    if let same = candidates.first(where: { $0.lowercased() == name.lowercased() }) {
      return same
    }
    let scored = candidates.map { ($0, EditDistance.between(name, $0)) }
      .filter { $0.1 <= 2 && $0.1 < name.count }
    return scored.min { $0.1 < $1.1 }?.0
  }

  /// An upper bound on the seconds one layer of the recursions takes with S inputs: the
  /// four-point recursion's Gaussian averages are 4-D for every set of four distinct inputs
  /// (C(S,4) of them), 3-D for three (3·C(S,3)), and cheap below. The costs per average are
  /// measured in release builds on the slowest activations (GELU, ReLU; 2-core machine, about
  /// twice the quiet figures; session 8, 24 inputs, the first layer, the most expensive: GELU
  /// 4.9 ms of CPU per 4-D average, ReLU about 4 ms) and scaled by
  /// ``costFactor(of:)`` of the costliest activation in use.
  static func secondsPerLayer(inputs s: Int, activations: [Activation]) -> Double {
    func choose(_ n: Int, _ k: Int) -> Double {
      guard n >= k else { return 0 }
      return (0..<k).reduce(1.0) { $0 * Double(n - $1) / Double($1 + 1) }
    }
    let factor = activations.map(costFactor(of:)).max() ?? 1
    return 0.002 + 0.003 * Double(s * s)
      + factor * (0.003 * 3 * choose(s, 3) + 0.01 * choose(s, 4))
  }

  /// The cost of an activation's Gaussian averages relative to the slowest: 0.2 for the smooth
  /// odd ones without oscillation (tanh, erf, linear: their products fold by parity and take the
  /// uniform rule; measured 0.55 ms of CPU per 4-D average for tanh at 24 inputs, 1.1 ms for erf
  /// at 16), 1 for every other (GELU, swish, softplus: no parity; ReLU, leaky ReLU: kinks; sin:
  /// nodes growing with the variance).
  static func costFactor(of activation: Activation) -> Double {
    switch activation {
    case .tanh, .erf, .linear: return 0.2
    default: return 1
    }
  }

  /// The longest evaluation accepted (estimated, before it starts): 5 minutes. A check
  /// evaluates the theory once per width of its scan.
  static let maximumEvaluationSeconds = 300.0
}
