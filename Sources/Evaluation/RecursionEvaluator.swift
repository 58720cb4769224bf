import Algebra
import Derivation
import Foundation
import Quadrature

/// Iterates the *derived* recursions numerically: layer 1 from the derived initial conditions,
/// then layer ℓ+1 from layer ℓ through the derived recursions of every statistic the model
/// derives.
public struct RecursionEvaluator: Sendable {
  public var model: Model
  public var derivation: DerivationResult
  /// A statistic (the model's correction or vertex) set to zero at every layer after it is
  /// evaluated, so that it contributes nothing to the statistics after it: the theory of a
  /// negative control. Refused for the metric.
  public var removed: String?
  /// For a path layer: every self-feedback atom set to zero, so that the layer is described by
  /// its per-layer statistics alone — the (K, G¹, V) Gaussian closure, the theory of a negative
  /// control.
  public var removesFeedback = false

  /// The name a negative control gives the self-feedback of a path layer (`--negative-control
  /// R`): the atoms R[F] of its recursions, as they are printed.
  public static let feedbackControl = "R"

  /// Whether a negative control `name` removes the self-feedback of the model's path layer
  /// rather than a statistic.
  public static func controlRemovesFeedback(
    _ name: String?, model: Model, derivation: DerivationResult
  ) -> Bool {
    name == feedbackControl && derivation.path != nil
      && !model.statistics.contains { $0.name == feedbackControl }
  }

  /// Whether `removed` names the self-feedback of this model's path layer.
  var removedIsFeedback: Bool {
    Self.controlRemovesFeedback(removed, model: model, derivation: derivation)
  }

  public init(model: Model, derivation: DerivationResult) {
    self.model = model
    self.derivation = derivation
  }

  /// Every function of the model stands for one activation: `p.activation` by default, or its
  /// own (`functionActivations`). Refused: an activation for a name that is not a function of
  /// the maps, and a model with several functions of which more than one would take the
  /// default (one `--activation` silently applied to different functions).
  public static func checkActivations(_ model: Model, _ p: NumericParameters) throws {
    let functions = functionNames(model)
    for name in p.functionActivations.keys.sorted() where !functions.contains(name) {
      throw EvaluationError(
        "--function \(name)=…: the maps apply no function '\(name)' (they apply \(functions.isEmpty ? "none" : functions.joined(separator: ", ")))",
        at: model.location)
    }
    let defaulted = functions.filter { p.functionActivations[$0] == nil }
    if defaulted.count > 1 {
      throw EvaluationError(
        "the maps apply \(functions.count) different functions (\(functions.joined(separator: ", "))); give each but one its activation with --function NAME=ACTIVATION (e.g. --function \(defaulted[1])=relu), the remaining one takes --activation",
        at: model.location)
    }
  }

  /// The names of the functions the model's maps apply, sorted.
  public static func functionNames(_ model: Model) -> [String] {
    let maps = [model.map, model.first].compactMap { $0 }
    let names = maps.flatMap(\.rhs.nestedFactors).compactMap { f -> String? in
      if case .function(let g) = f { return g.head.name }
      return nil
    }
    return Set(names).sorted()
  }

  /// The statistics of every layer, 1…depth.
  public func evaluate(_ p: NumericParameters) throws -> [RecursionValues] {
    try evaluate(p, memo: GaussianAverageMemo())
  }

  /// The statistics of every layer for each of `parameters` (e.g. the widths of a scan), in
  /// order: the Gaussian averages, which depend on the kernel only, are computed once for all.
  public func evaluate(each parameters: [NumericParameters]) throws -> [[RecursionValues]] {
    let memo = GaussianAverageMemo()
    let shared = PathFeedback.Shared()
    return try parameters.map { try evaluate($0, memo: memo, feedback: shared) }
  }

  /// The quadrature time of a path layer's self-feedback, estimated before any work: every
  /// layer ℓ needs two-layer averages with each layer below it, about S⁴ per pair of layers
  /// (atoms × entries), measured at 2–3 ms each for tanh and 40–45 ms for relu, whose second
  /// derivatives take the Hermite form (release, loaded 2-core machine; relu, 4 inputs, depth 5:
  /// 105 s). Charged: 5 ms, and 50 ms for a kinked activation. The limit then allows, with 2 / 4
  /// inputs, depth 87 / 22 for tanh and 27 / 7 for relu.
  static func feedbackSeconds(depth: Int, inputs: Int, kinked: Bool) -> Double {
    let pairs = Double(depth) * Double(depth - 1) / 2
    return (kinked ? 0.05 : 0.005) * pairs * pow(Double(inputs), 4)
  }

  /// The longest self-feedback evaluation started (``feedbackSeconds(depth:inputs:kinked:)``).
  static let maximumFeedbackSeconds = 300.0

  /// The most inputs an evaluation accepts.
  public static let maximumInputs = 32

  func evaluate(
    _ p: NumericParameters, memo: GaussianAverageMemo,
    feedback shared: PathFeedback.Shared = PathFeedback.Shared()
  ) throws -> [RecursionValues] {
    let s = p.sampleCount
    guard s >= 1, s <= Self.maximumInputs else {
      throw EvaluationError("give between 1 and \(Self.maximumInputs) inputs (got \(s))")
    }
    guard p.tolerance.isFinite, p.tolerance >= NumericParameters.finestTolerance,
      p.tolerance <= NumericParameters.coarsestTolerance
    else {
      throw EvaluationError(
        "the tolerance must be between \(NumericParameters.finestTolerance) and \(NumericParameters.coarsestTolerance) (got \(p.tolerance))"
      )
    }
    guard p.inputDimension >= 1, p.inputs.allSatisfy({ $0.count == p.inputDimension }) else {
      throw EvaluationError("every input needs the same number (≥ 1) of components")
    }
    guard p.depth >= 1, p.widths.allSatisfy({ $0 >= 1 }) else {
      throw EvaluationError("widths must be positive and the depth at least 1")
    }
    guard p.inputs.allSatisfy({ $0.allSatisfy(\.isFinite) }),
      p.couplings.values.allSatisfy(\.isFinite)
    else {
      throw EvaluationError("inputs and couplings must be finite numbers")
    }
    guard !derivation.initialConditions.isEmpty else {
      throw EvaluationError(
        "the model has no 'first' statement: the numbers start from the first layer's initial conditions (add e.g. 'first z[i;a] = b[i] + W[i,j] x[j;a]')",
        at: model.location)
    }
    try Self.checkActivations(model, p)
    if p.depth > 1 && model.map == nil {
      throw EvaluationError(
        "the model has no 'map' statement, so only its first layer can be evaluated (--depth 1), not \(p.depth) layers",
        at: model.location)
    }
    guard let state = model.state else {
      throw EvaluationError("the model declares no statistics", at: model.location)
    }
    let statistics = model.derivedStatistics
    let metric = state.metric
    guard statistics.contains(metric) else {
      throw EvaluationError(
        "the model does not derive its metric '\(metric.name)', which every layer's Gaussian averages need",
        at: model.location)
    }

    /// The representative of every entry under each statistic's symmetry, by flat position.
    let canonical = Dictionary(
      uniqueKeysWithValues: statistics.map {
        (
          $0.name,
          SampleTensor.canonicalOffsets(rank: $0.rank, symmetry: $0.symmetry, sampleCount: s)
        )
      })

    /// Every entry of a derived statistic, from its equation (zero without one): each entry
    /// its symmetry does not relate to an earlier one is evaluated, and the others are copies
    /// of it, so that symmetric entries are bitwise equal.
    func tensorValues(
      _ rec: [Recursion], _ statistic: Statistic, evaluator: ExpressionEvaluator,
      compiled: inout [String: ExpressionEvaluator.CompiledExpression]
    ) throws -> SampleTensor {
      var tensor = SampleTensor.zero(rank: statistic.rank, sampleCount: s)
      guard let r = rec.first(where: { $0.quantity == statistic.name }) else { return tensor }
      let equation: ExpressionEvaluator.CompiledExpression
      if let known = compiled[statistic.name] {
        equation = known
      } else {
        equation = try evaluator.compile(r.rhs, free: r.freeIndices)
        compiled[statistic.name] = equation
      }
      let representative = canonical[statistic.name] ?? Array(tensor.values.indices)
      for k in tensor.values.indices {
        let c = representative[k]
        if c != k {
          tensor.values[k] = tensor.values[c]
          continue
        }
        tensor.values[k] = try evaluator.value(of: equation, free: tensor.indices(at: k))
      }
      return tensor
    }

    if let removed, !removedIsFeedback,
      !statistics.contains(where: { $0.name == removed && $0 != metric })
    {
      let known = statistics.filter { $0 != metric }.map(\.name).joined(separator: ", ")
      let feedback =
        derivation.path == nil
        ? "" : ", or the self-feedback \(Self.feedbackControl) of its path layer"
      throw EvaluationError(
        "a negative control removes one of the model's finite-width statistics (\(known))\(feedback), not '\(removed)'"
      )
    }

    /// The statistics of `layer` from a set of derived equations, the removed one zeroed;
    /// refused with the layer and the entry when one is not finite (an overflow of the
    /// recursion: output never shows inf or nan).
    func step(_ layer: Int, _ equations: [Recursion], _ evaluator: ExpressionEvaluator) throws
      -> RecursionValues
    {
      // A first pass finds the Gaussian averages the layer needs; they are computed together,
      // in parallel; the second pass evaluates the entries with all of them known.
      // The equations are compiled once; their averages' per-site caches serve both passes
      // and every entry.
      var compiled: [String: ExpressionEvaluator.CompiledExpression] = [:]
      evaluator.collecting = true
      for statistic in statistics {
        _ = try tensorValues(equations, statistic, evaluator: evaluator, compiled: &compiled)
      }
      evaluator.collecting = false
      evaluator.computePending()
      var tensors: [String: SampleTensor] = [:]
      for statistic in statistics {
        var t = try tensorValues(equations, statistic, evaluator: evaluator, compiled: &compiled)
        if let k = t.values.firstIndex(where: { !$0.isFinite }) {
          throw EvaluationError(
            "the recursion overflowed at layer \(layer): \(statistic.name)[\(t.indices(at: k).map(String.init).joined())] is \(t.values[k]), beyond the range of double precision (reduce the couplings, the inputs or the depth)"
          )
        }
        if statistic.name == removed && !removedIsFeedback {
          t = .zero(rank: t.rank, sampleCount: s)
        }
        tensors[statistic.name] = t
      }
      return RecursionValues(
        layer: layer, sampleCount: s, names: statistics.map(\.name), tensors: tensors)
    }

    let quadrature = GaussianExpectation(options: p.quadratureOptions)
    let withoutFeedback = removesFeedback || removedIsFeedback
    if withoutFeedback && derivation.path == nil {
      throw EvaluationError(
        "the self-feedback can only be removed from a path layer (a map with a skip term)",
        at: model.location)
    }
    let feedback = try derivation.path.map {
      try PathFeedback(
        closure: $0, parameters: p, quadrature: quadrature, disabled: withoutFeedback,
        shared: shared)
    }
    if feedback != nil, !withoutFeedback {
      let kinked = RecursionEvaluator.functionNames(model).contains {
        !p.activation(for: $0).kinks.isEmpty
      }
      let seconds = Self.feedbackSeconds(depth: p.depth, inputs: s, kinked: kinked)
      guard seconds <= Self.maximumFeedbackSeconds else {
        throw EvaluationError(
          "the self-feedback of a skip connection needs Gaussian averages over every pair of layers: \(s) inputs at depth \(p.depth) is about \(Int(seconds)) s of quadrature (the limit is \(Int(Self.maximumFeedbackSeconds)) s); use fewer inputs or layers",
          at: model.location)
      }
    }
    if feedback != nil, let n = p.widths.first, p.widths.contains(where: { $0 != n }) {
      throw EvaluationError(
        "a skip connection carries each neuron to the next layer, so every hidden layer needs the same width (got \(p.widths.map(String.init).joined(separator: ",")))",
        at: model.location)
    }
    // Layer 1. The `first` map was compiled with ℓ = 0.
    var layers = [
      try step(
        1, derivation.initialConditions,
        ExpressionEvaluator(
          parameters: p, layer: 0, tensors: [:], quadrature: quadrature, memo: memo))
    ]
    try feedback?.record(layer: 1, kernel: layers[0].values(of: metric.name).values, memo: memo)
    for l in stride(from: 1, to: p.depth, by: 1) {
      let current = layers[layers.count - 1]
      // The next layer integrates over N(0, K⁽ˡ⁾): refuse a kernel beyond the quadrature's range
      // here, with the layer, before any quadrature work.
      let k = current.values(of: metric.name)
      for a in 0..<s where !(k[a, a] <= GaussianExpectation.maximumVariance) {
        throw EvaluationError(
          "the kernel grew out of range at layer \(l): \(metric.name)[\(a)\(a)] = \(k[a, a]) exceeds \(GaussianExpectation.maximumVariance), the largest variance the Gaussian quadrature handles (reduce the couplings, the inputs or the depth)"
        )
      }
      var tensors: [ExpressionEvaluator.TensorKey: [Double]] = [:]
      for name in current.names {
        tensors[.init(name: name, layer: l)] = current.values(of: name).values
      }
      let evaluator = ExpressionEvaluator(
        parameters: p, layer: l, tensors: tensors, quadrature: quadrature, memo: memo)
      evaluator.feedback = feedback
      layers.append(try step(l + 1, derivation.recursions, evaluator))
      try feedback?.record(
        layer: l + 1, kernel: layers[l].values(of: metric.name).values, memo: memo)
    }
    return layers
  }
}
