import ArgumentParser
import Evaluation
import Foundation
import Numerics
import Quadrature

/// The network description shared by `derive eval` and `derive check`.
struct NetworkOptions: ParsableArguments {
  @Argument(help: "Model file or built-in model name (default: mlp).")
  var model: String?

  @Option(
    help:
      "Activation: linear, relu, leaky_relu:SLOPE, tanh, erf, erf:SCALE, gelu, swish, sin, softplus."
  )
  var activation: String

  @Option(name: .customLong("cb"), help: "Bias variance C_b (0…1e100).")
  var cb: Double?

  @Option(name: .customLong("cw"), help: "Weight variance C_W (0…1e100).")
  var cw: Double?

  @Option(
    name: .customLong("set"),
    help: "Value of another coupling of the model: NAME=VALUE (repeatable).")
  var couplings: [String] = []

  @Option(
    name: .customLong("function"),
    help: ArgumentHelp(
      "The activation of one function of the model: NAME=ACTIVATION (repeatable), e.g. tau=relu for a model declaring 'function tau'. Functions not named take --activation; a model applying several functions must name all but one.",
      valueName: "NAME=ACTIVATION"))
  var functions: [String] = []

  @Option(help: "Width of every hidden layer, 1…1048576 (with --depth).")
  var width: Int?

  @Option(help: "Number of layers, 1…10000 (with --width).")
  var depth: Int?

  @Option(help: "Comma-separated widths n1,n2,… of the layers (instead of --width/--depth).")
  var widths: String?

  @Option(
    name: .customLong("input"), parsing: .unconditionalSingleValue,
    help: "One input vector, comma-separated (repeat for several inputs).")
  var inputs: [String] = []

  static let maximumWidth = 1 << 20
  static let maximumDepth = 10_000
  /// The largest |value| of a coupling or an input component: 10¹⁰⁰, so that every product
  /// of two of them (and sums of up to 2²⁰ such) is a finite Double. The kernel K that results
  /// must also stay within the quadrature's range, variances up to 10¹⁶
  /// (`GaussianExpectation.maximumVariance`), checked layer by layer before each layer's work.
  static let maximumMagnitude = 1e100

  /// Validated numeric parameters.
  func parameters() throws -> NumericParameters {
    let act: Activation
    do {
      act = try Activation.parse(activation)
    } catch {
      throw CommandFailure.usage("error: --activation: \(error)")
    }
    var values: [String: Double] = [:]
    if let cb { values["C_b"] = cb }
    if let cw { values["C_W"] = cw }
    for c in couplings {
      let parts = c.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, !parts[0].isEmpty, let v = Double(parts[1]), v.isFinite else {
        throw CommandFailure.usage(
          "error: --set expects NAME=VALUE with a finite number, got '\(c)'")
      }
      values[parts[0]] = v
    }
    for (name, v) in values.sorted(by: { $0.key < $1.key })
    where !v.isFinite || v < 0 || v > Self.maximumMagnitude {
      throw CommandFailure.usage(
        "error: the coupling \(name) must be a number between 0 and \(Self.maximumMagnitude) (got \(v))"
      )
    }
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
    guard xs.count <= 8 else {
      throw CommandFailure.usage("error: at most 8 inputs are supported (got \(xs.count))")
    }
    guard Set(xs.map(\.count)).count == 1 else {
      throw CommandFailure.usage("error: all inputs need the same number of components")
    }
    // The cost of one evaluation of the recursions, estimated before any work from the measured
    // cost of a layer with S inputs (below).
    let seconds = Double(layerWidths.count - 1) * Self.secondsPerLayer(inputs: xs.count)
    guard seconds <= Self.maximumEvaluationSeconds else {
      throw CommandFailure.usage(
        "error: \(xs.count) inputs at depth \(layerWidths.count) is too large to evaluate (about \(Int(seconds)) s estimated; the limit is \(Int(Self.maximumEvaluationSeconds)) s): use fewer inputs or layers"
      )
    }
    var bound: [String: Activation] = [:]
    for f in functions {
      let parts = f.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, !parts[0].isEmpty, bound[parts[0]] == nil else {
        throw CommandFailure.usage(
          "error: --function expects NAME=ACTIVATION, each name once, got '\(f)'")
      }
      do {
        bound[parts[0]] = try Activation.parse(parts[1])
      } catch {
        throw CommandFailure.usage("error: --function \(parts[0]): \(error)")
      }
    }
    return NumericParameters(
      couplings: values, widths: layerWidths, inputs: xs, activation: act,
      functionActivations: bound)
  }

  /// Upper bounds on the seconds one layer of the recursions takes with S inputs (S = 1…8),
  /// measured in release builds on the slowest activations (erf, ReLU; 2-core machine, about
  /// twice the quiet figures): the four-point recursion's Gaussian averages are 1- and 2-D for
  /// S ≤ 2, 3-D from S = 3 and 4-D from S = 4.
  static let layerSeconds: [Double] = [0.002, 0.004, 0.1, 1, 3.2, 6.6, 10, 14]

  static func secondsPerLayer(inputs s: Int) -> Double {
    layerSeconds[min(max(s, 1), layerSeconds.count) - 1]
  }

  /// The longest evaluation accepted (estimated, before it starts): 5 minutes. A check
  /// evaluates the theory once per width of its scan.
  static let maximumEvaluationSeconds = 300.0
}
