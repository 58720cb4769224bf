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
      formulas); Gaussian averages are computed by quadrature in the derivative-free Hermite form. \
      After each layer's statistics come the susceptibilities of the step to the next layer, \
      chi_parallel[a] and chi_perp[a]: the derived single-input χ∥ and χ⊥ evaluated at each \
      input's own K[aa].

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
    let chi = LayerSusceptibilities.evaluate(
      model: model, derivation: derivation, layers: layers, parameters: parameters)
    out.write(
      format == .json
        ? Self.json(layers, model: model, susceptibilities: chi)
        : Self.text(layers, model: model, susceptibilities: chi))
  }

  static func number(_ x: Double) -> String {
    x == 0 ? "0" : String(format: "%.15g", x)
  }

  /// Each layer's derived statistics, each distinct entry once under the statistic's symmetry:
  /// consecutive rank-2 statistics side by side (`K[01] = …    G1[01] = …`), a pair-of-pairs
  /// statistic as `V[(01)(23)]`.
  static func text(
    _ layers: [RecursionValues], model: Model, susceptibilities: [LayerSusceptibilities] = []
  ) -> String {
    let statistics = model.derivedStatistics
    // Consecutive rank-2 statistics of one symmetry share lines.
    var groups: [[Statistic]] = []
    for s in statistics {
      if s.rank == 2, let last = groups.last?.last, last.rank == 2, last.symmetry == s.symmetry {
        groups[groups.count - 1].append(s)
      } else {
        groups.append([s])
      }
    }
    var lines = ["model: \(model.name)"]
    for l in layers {
      lines.append("")
      lines.append("layer \(l.layer)")
      for group in groups {
        for entry in distinctEntries(group[0], sampleCount: l.sampleCount) {
          lines.append(
            "  "
              + group.map { s in
                "\(label(s, entry)) = \(number(l.values(of: s.name)[indices: entry]))"
              }
              .joined(separator: "    "))
        }
      }
      lines += susceptibilityLines(susceptibilities.first { $0.layer == l.layer })
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The entries of a statistic that its symmetry does not relate, in lexicographic order.
  static func distinctEntries(_ s: Statistic, sampleCount n: Int) -> [[Int]] {
    let all = (0..<SampleTensor.entryCount(rank: s.rank, sampleCount: n)).map {
      SampleTensor.zero(rank: s.rank, sampleCount: n).indices(at: $0)
    }
    switch s.symmetry {
    case .none: return all
    case .symmetric: return all.filter { $0 == $0.sorted() }
    case .pairOfPairs:
      return all.filter { e in
        e[0] <= e[1] && e[2] <= e[3] && e[0] <= e[2] && (e[0], e[1]) <= (e[2], e[3])
      }
    }
  }

  /// `K[01]`, `V[(01)(23)]`.
  static func label(_ s: Statistic, _ entry: [Int]) -> String {
    let digits = entry.map(String.init)
    if s.symmetry == .pairOfPairs {
      return "\(s.name)[(\(digits[0])\(digits[1]))(\(digits[2])\(digits[3]))]"
    }
    return "\(s.name)[\(digits.joined())]"
  }
}
