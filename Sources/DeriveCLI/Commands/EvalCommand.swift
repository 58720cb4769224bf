import Algebra
import ArgumentParser
import Derivation
import Evaluation
import Foundation
import JSON

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

      Finite width: each layer also gets what its statistics predict at the width n that \
      normalises them (n_{l-1}; the input dimension n0 at layer 1), written in the model's own \
      names: the two-point function of one neuron (for the MLP K+G1/n), the connected \
      four-point function of two distinct neurons (V/n), and the expansion parameter \
      V/(nK^2), the largest over the inputs a of V[(aa)(aa)]/(n K[aa]^2). The O(1/n^2) terms \
      the truncation drops are about V/(nK^2) times the 1/n terms it keeps, so from the first \
      layer where V/(nK^2) exceeds 0.1 the 1/n truncation is no longer reliable: the text \
      output ends with a warning, JSON and CSV flag those layers (and the warning goes to \
      standard error).

      Examples:
        derive eval --activation tanh --cb 0 --cw 1 --width 100 --depth 5 --input 1,0 --input 0,1
        derive eval Derivations/mlp.model --activation relu --cb 0 --cw 2 --widths 64,64,128 \\
            --input 0.5,1 --input 1,-1 --format json
        derive eval --activation relu --cb 0 --cw 2 --width 16 --depth 40 --input 1 --format csv
      """)

  @OptionGroup var network: NetworkOptions

  @Option(
    help:
      "Output format: text, json or csv (one row per layer and entry: layer,n,quantity,a1,a2,a3,a4,value,unreliable)."
  )
  var format: EvalFormat = .text

  enum EvalFormat: String, ExpressibleByArgument { case text, json, csv }

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
    let finite = FiniteWidth(model: model, layers: layers, parameters: parameters)
    switch format {
    case .text:
      out.write(Self.text(layers, model: model, finiteWidth: finite, susceptibilities: chi))
    case .json:
      out.write(Self.json(layers, model: model, finiteWidth: finite, susceptibilities: chi))
    case .csv:
      out.write(Self.csv(layers, model: model, finiteWidth: finite))
    }
    if format != .text, let warning = finite?.warning {
      out.error(warning)
    }
  }

  /// `x` to 15 significant digits (`%.15g`), `0` for ±0: the digits of the JSON output.
  static func number(_ x: Double) -> String {
    if x == 0 { return "0" }
    return JSONNumber(x, format: .significantDigits(15))?.text ?? String(format: "%.15g", x)
  }

  /// Each layer's derived statistics, each distinct entry once under the statistic's symmetry:
  /// consecutive rank-2 statistics side by side (`K[01] = …    G1[01] = …`), a pair-of-pairs
  /// statistic as `V[(01)(23)]`; then the layer's finite-width predictions (``FiniteWidth``) and
  /// the susceptibilities of the step to the next layer, and at the end the warning when the
  /// truncation is no longer reliable.
  static func text(
    _ layers: [RecursionValues], model: Model, finiteWidth: FiniteWidth?,
    susceptibilities: [LayerSusceptibilities] = []
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
    for (k, l) in layers.enumerated() {
      lines.append("")
      lines.append("layer \(l.layer)")
      for group in groups {
        let tensors = group.map { l.values(of: $0.name) }
        for entry in distinctEntries(group[0], sampleCount: l.sampleCount) {
          var line = "  "
          for (k, s) in group.enumerated() {
            if k > 0 { line += "    " }
            line += label(s, entry)
            line += " = "
            line += number(tensors[k][indices: entry])
          }
          lines.append(line)
        }
      }
      if let finiteWidth {
        lines += finiteWidth.textLines(layer: k)
      }
      lines += susceptibilityLines(susceptibilities.first { $0.layer == l.layer })
    }
    if let warning = finiteWidth?.warning {
      lines.append("")
      lines.append(warning)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The entries of a statistic that its symmetry does not relate, in lexicographic order.
  static func distinctEntries(_ s: Statistic, sampleCount n: Int) -> [[Int]] {
    distinctEntries(rank: s.rank, symmetry: s.symmetry, sampleCount: n)
  }

  /// The entries of a tensor of `rank` sample indices that `symmetry` does not relate, in
  /// lexicographic order.
  static func distinctEntries(rank: Int, symmetry: TensorSymmetry, sampleCount n: Int) -> [[Int]] {
    // Every entry in lexicographic order (the order of flat offsets), kept when it is the
    // least of its class; only the kept ones are allocated.
    func isDistinct(_ e: [Int]) -> Bool {
      switch symmetry {
      case .none: return true
      case .symmetric: return zip(e, e.dropFirst()).allSatisfy { $0 <= $1 }
      case .pairOfPairs:
        return e[0] <= e[1] && e[2] <= e[3] && e[0] <= e[2] && (e[0], e[1]) <= (e[2], e[3])
      case .pairExchange:
        // No image of e under the exchanges precedes it.
        return pairExchanges.allSatisfy { image in
          for k in 0..<4 where e[image[k]] != e[k] { return e[image[k]] > e[k] }
          return true
        }
      case .separatePairs: return e[0] <= e[1] && e[2] <= e[3]
      }
    }
    var entries: [[Int]] = []
    var e = [Int](repeating: 0, count: rank)
    func visit(_ k: Int) {
      if k == rank {
        if isDistinct(e) { entries.append(e) }
        return
      }
      for v in 0..<n {
        e[k] = v
        visit(k + 1)
      }
    }
    visit(0)
    return entries
  }

  /// The images of an entry e under the exchanges of a `.pairExchange` tensor, (01)(23) →
  /// (23)(01), (10)(32) and (32)(10): image k of e is e at these positions.
  static let pairExchanges = [[2, 3, 0, 1], [1, 0, 3, 2], [3, 2, 1, 0]]

  /// `K[01]`, `V[(01)(23)]`.
  static func label(_ s: Statistic, _ entry: [Int]) -> String {
    label(s.name, symmetry: s.symmetry, entry)
  }

  /// `K[01]`, `V[(01)(23)]` (and `(K+G1/n)[01]` for the head `(K+G1/n)`).
  static func label(_ head: String, symmetry: TensorSymmetry, _ entry: [Int]) -> String {
    if symmetry == .pairOfPairs { return "\(head)[\(SampleTensor.pairText(entry))]" }
    return "\(head)[\(SampleTensor.indexText(entry))]"
  }
}
