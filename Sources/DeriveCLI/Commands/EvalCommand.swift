import ArgumentParser
import Derivation
import Evaluation
import Foundation

/// `derive eval`: iterate the derived recursions numerically.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate the derived K, G1, V recursions layer by layer for given numbers.",
    discussion: """
      The expressions evaluated are the ones the engine derives from MODEL (not re-typed \
      formulas); Gaussian averages are computed by quadrature in the derivative-free Hermite form.

      Examples:
        derive eval --activation tanh --cb 0 --cw 1 --width 100 --depth 5 --input 1,0 --input 0,1
        derive eval Derivations/mlp.model --activation relu --cb 0 --cw 2 --widths 64,64,128 \\
            --input 0.5,1 --input 1,-1 --format json
      """)

  @OptionGroup var network: NetworkOptions

  @Option(help: "Output format: text or json.")
  var format: EvalFormat = .text

  enum EvalFormat: String, ExpressibleByArgument { case text, json }

  func execute(into out: inout CommandOutput) throws {
    let (model, _) = try ModelLoading.load(network.model)
    let parameters = try network.parameters(for: model)
    let derivation: DerivationResult
    do {
      derivation = try DerivationPipeline(model).run()
    } catch let e as DerivationError {
      throw CommandFailure.usage(e.description)
    }
    let layers: [RecursionValues]
    do {
      layers = try RecursionEvaluator(model: model, derivation: derivation).evaluate(parameters)
    } catch let e as EvaluationError {
      throw CommandFailure.usage(e.description)
    }
    out.write(format == .json ? Self.json(layers, model: model) : Self.text(layers, model: model))
  }

  static func number(_ x: Double) -> String {
    x == 0 ? "0" : String(format: "%.15g", x)
  }

  /// Whether the model derives its correction (G¹) and its vertex (V): only derived statistics
  /// are printed.
  static func derived(_ model: Model) -> (correction: Bool, vertex: Bool) {
    (
      model.names.correction.map(model.targets.contains) ?? false,
      model.names.vertex.map(model.targets.contains) ?? false
    )
  }

  static func json(_ layers: [RecursionValues], model: Model) -> String {
    let shown = derived(model)
    var parts: [String] = []
    for l in layers {
      let s = l.sampleCount
      let k =
        "[" + l.K.map { "[" + $0.map(number).joined(separator: ",") + "]" }.joined(separator: ",")
        + "]"
      let g =
        "[" + l.G1.map { "[" + $0.map(number).joined(separator: ",") + "]" }.joined(separator: ",")
        + "]"
      var v: [String] = []
      for a in 0..<s {
        for b in 0..<s {
          for c in 0..<s {
            for d in 0..<s {
              v.append("\"\(a)\(b)\(c)\(d)\":\(number(l.v(a, b, c, d)))")
            }
          }
        }
      }
      parts.append(
        "{\"layer\":\(l.layer),\"K\":\(k)"
          + (shown.correction ? ",\"G1\":\(g)" : "")
          + (shown.vertex ? ",\"V\":{\(v.joined(separator: ","))}" : "") + "}")
    }
    return "{\"layers\":[" + parts.joined(separator: ",") + "]}\n"
  }

  static func text(_ layers: [RecursionValues], model: Model) -> String {
    let shown = derived(model)
    var lines = ["model: \(model.name)"]
    for l in layers {
      lines.append("")
      lines.append("layer \(l.layer)")
      let s = l.sampleCount
      for a in 0..<s {
        for b in a..<s {
          lines.append(
            "  K[\(a)\(b)] = \(number(l.K[a][b]))"
              + (shown.correction ? "    G1[\(a)\(b)] = \(number(l.G1[a][b]))" : ""))
        }
      }
      for a in 0..<s where shown.vertex {
        for b in a..<s {
          for c in a..<s {
            for d in c..<s where (a, b) <= (c, d) {
              lines.append("  V[(\(a)\(b))(\(c)\(d))] = \(number(l.v(a, b, c, d)))")
            }
          }
        }
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
