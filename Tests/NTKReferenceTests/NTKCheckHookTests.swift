import Algebra
import Derivation
import Evaluation
import Foundation
import Numerics
import Rational
import Sampling
import Testing

/// The hook `derive check` uses for the NTK: statistics recognised by structure
/// (``NTKEstimators``), rows with the check's own verdict (``CrossValidation/ntkRows``) against
/// the reference theory on real networks, and a negative control that fails.
@Suite struct NTKCheckHookTests {
  static func term(_ blocks: [[Int]], _ statistic: String, _ arguments: [Int], order: Int)
    -> CumulantTerm
  {
    CumulantTerm(
      coefficient: .one, neuronBlocks: blocks, statistic: statistic, arguments: arguments,
      order: order)
  }

  /// The structures of FORMULAS.md §12 map to their estimators; anything else is not an NTK
  /// statistic. Catches a role read off the wrong δ-structure or argument order.
  @Test func rolesByStructure() {
    typealias E = NTKEstimators
    #expect(E.role(neuronSlots: [2], term: Self.term([[0, 1]], "T", [0, 1], order: 0)) == .mean)
    #expect(
      E.role(neuronSlots: [2], term: Self.term([[0, 1]], "T1", [0, 1], order: 1))
        == .meanCorrection)
    let pairs = Self.term([[0, 1], [2, 3]], "X", [0, 1, 2, 3], order: 1)
    let crossed = Self.term([[0, 2], [1, 3]], "Y", [0, 1, 2, 3], order: 1)
    let swapped = Self.term([[0, 3], [1, 2]], "Y", [0, 1, 3, 2], order: 1)
    #expect(E.role(neuronSlots: [2, 2], term: pairs) == .statistic(.diagonalCovariance))
    #expect(E.role(neuronSlots: [2, 2], term: crossed) == .statistic(.offDiagonalCovariance))
    #expect(E.role(neuronSlots: [2, 2], term: swapped) == .statistic(.offDiagonalCovariance))
    #expect(E.role(neuronSlots: [2, 1, 1], term: pairs) == .statistic(.diagonalCrossCorrelation))
    #expect(
      E.role(neuronSlots: [2, 1, 1], term: crossed) == .statistic(.offDiagonalCrossCorrelation))
    #expect(
      E.role(neuronSlots: [2, 1, 1], term: swapped) == .statistic(.offDiagonalCrossCorrelation))
    // Not NTK statistics: the preactivation's own, a scaled term, a δ-structure with the
    // arguments in the wrong order, the wrong order in 1/n.
    #expect(E.role(neuronSlots: [1, 1], term: Self.term([[0, 1]], "K", [0, 1], order: 0)) == nil)
    var scaled = pairs
    scaled.coefficient = Rational(2)
    #expect(E.role(neuronSlots: [2, 2], term: scaled) == nil)
    #expect(
      E.role(
        neuronSlots: [2, 2], term: Self.term([[0, 3], [1, 2]], "Y", [0, 1, 2, 3], order: 1))
        == nil)
    #expect(
      E.role(
        neuronSlots: [2, 2], term: Self.term(pairs.neuronBlocks, "X", [0, 1, 2, 3], order: 2))
        == nil)
  }

  static let names: [(String, NTKEstimators.Role, Int, TensorSymmetry)] = [
    ("Theta", .mean, 2, .symmetric), ("Theta1", .meanCorrection, 2, .symmetric),
    ("A", .statistic(.diagonalCovariance), 4, .pairOfPairs),
    ("B", .statistic(.offDiagonalCovariance), 4, .none),
    ("D", .statistic(.diagonalCrossCorrelation), 4, .none),
    ("F", .statistic(.offDiagonalCrossCorrelation), 4, .none),
  ]

  /// The reference's numbers as the engine's ``RecursionValues`` (one per layer).
  static func theory(_ layers: [NTKReference.Layer]) -> [RecursionValues] {
    layers.map { layer in
      let s = layer.sampleCount
      var tensors: [String: SampleTensor] = [:]
      for (name, _, rank, _) in names {
        let count = rank == 2 ? s * s : s * s * s * s
        let values = (0..<count).map { offset -> Double in
          let digits = (0..<rank).reversed().map { k in offset / Int(pow(Double(s), Double(k))) % s
          }
          return layer.value(of: name, key: digits.map(String.init).joined()) ?? .nan
        }
        tensors[name] = SampleTensor(rank: rank, sampleCount: s, values: values)
      }
      return RecursionValues(
        layer: layer.layer, sampleCount: s, names: names.map(\.0), tensors: tensors)
    }
  }

  /// The engine's model end to end: `Derivations/mlp-ntk.model`'s NTK statistics are found by
  /// structure, its learning rates lowered for the sampler, and the engine's own evaluated
  /// recursions pass the check's rows on the quick tanh run (same networks as the reference
  /// test); with A removed from the theory (the check's negative control) an A row fails.
  /// `MonteCarloEstimators(model)` alone still refuses the NTK statistics (the CLI's behaviour
  /// until `derive check` is wired).
  @Test func engineTheoryPassesOnRealNetworks() throws {
    let text = try String(contentsOfFile: NTKReferenceEvalTests.ntkModel, encoding: .utf8)
    let model = try ModelCompiler.compile(text, file: "mlp-ntk.model")
    let derivation = try DerivationPipeline(model).run()
    let estimators = NTKEstimators(model: model)
    #expect(estimators.mean?.name == "Theta" && estimators.meanCorrection?.name == "Theta1")
    #expect(estimators.diagonalCovariance?.name == "A")
    #expect(estimators.offDiagonalCovariance?.name == "B")
    #expect(estimators.diagonalCrossCorrelation?.name == "D")
    #expect(estimators.offDiagonalCrossCorrelation?.name == "F")
    #expect(throws: EvaluationError.self) { try MonteCarloEstimators(model) }
    let covered = try MonteCarloEstimators(model, ntk: estimators)
    #expect(covered.correction?.name == "G1" && covered.vertex?.name == "V")
    let shape = NTKScanComparison.quickShape
    let base = NumericParameters(
      couplings: ["C_b": 0.2, "C_W": 1.5, "lambda_b": 0.4, "lambda_W": 0.9],
      widths: shape.map { $0 * 4 }, inputs: NTKScanComparison.inputs, activation: .tanh)
    let lowering = NetworkLowering(model: model, derivation: derivation)
    #expect(try lowering.ntkLearningRates(base) == NTKScanComparison.rates)
    let check = CrossValidation(model: model, derivation: derivation)
    let statistics = try NTKScanComparison.quickRun.get()
    func rows(removing removed: String?) throws -> [CrossValidation.Row] {
      var evaluator = RecursionEvaluator(model: model, derivation: derivation)
      evaluator.removed = removed
      let theory = try (0...2).map { step in
        var p = base
        p.widths = CrossValidation.widths(base, step: step)
        return try evaluator.evaluate(p)
      }
      return try check.ntkRows(
        base, estimators: estimators, statistics: statistics, theory: theory,
        options: CrossValidation.Options(
          networks: 3000, seed: 2026, scanSteps: 2, negativeControl: removed))
    }
    let real = try rows(removing: nil)
    #expect(real.count == 3 + 2 * (3 + 3 + 6 + 16 + 9 + 16))
    for row in real where !row.passed {
      Issue.record("\(row.quantity)\(row.indices) layer \(row.layer): limit z \(row.limitZ)")
    }
    let control = try rows(removing: "A")
    #expect(control.contains { !$0.passed && $0.quantity == "A" })
  }

  /// The check's rows on the quick tanh run: all pass against the reference; with A's
  /// cross-correlation terms dropped (the negative control) some A row fails.
  @Test func checkRowsPassAndTheNegativeControlFails() throws {
    let text = try #require(BuiltinModels.text(named: "mlp"))
    let model = try ModelCompiler.compile(text, file: "mlp")
    let check = CrossValidation(model: model, derivation: try DerivationPipeline(model).run())
    let statistics = try NTKScanComparison.quickRun.get()
    let shape = NTKScanComparison.quickShape
    let base = NumericParameters(
      couplings: [:], widths: shape.map { $0 * 4 }, inputs: NTKScanComparison.inputs,
      activation: .tanh)
    let options = CrossValidation.Options(networks: 3000, seed: 2026, scanSteps: 2)
    let estimators = NTKEstimators(
      Self.names.map { name, role, rank, symmetry in
        (
          Statistic(name: name, rank: rank, symmetry: symmetry, order: name == "Theta" ? 0 : 1),
          role
        )
      })
    #expect(estimators.statistics.count == 6)
    func rows(_ omission: NTKReference.Omission?) throws -> [CrossValidation.Row] {
      let layers = Self.theory(NTKScanComparison.reference(.tanh, shape: shape, omitting: omission))
      return try check.ntkRows(
        base, estimators: estimators, statistics: statistics,
        theory: Array(repeating: layers, count: 3), options: options)
    }
    let real = try rows(nil)
    #expect(real.count == 3 + 2 * (3 + 3 + 6 + 16 + 9 + 16))
    for row in real where !row.passed {
      Issue.record("\(row.quantity)\(row.indices) layer \(row.layer): limit z \(row.limitZ)")
    }
    let control = try rows(.aCrossCorrelation)
    #expect(control.contains { !$0.passed && $0.quantity == "A" && $0.layer == 3 })
    #expect(control.filter { !$0.passed }.allSatisfy { $0.quantity == "A" })
  }
}
