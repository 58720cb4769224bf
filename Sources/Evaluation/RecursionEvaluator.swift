import Algebra
import Derivation
import Foundation
import Quadrature

/// Iterates the *derived* recursions numerically: layer 1 from the derived initial conditions,
/// then layer ℓ+1 from layer ℓ through the derived K, G¹, V recursions.
public struct RecursionEvaluator: Sendable {
  public var model: Model
  public var derivation: DerivationResult
  /// A statistic (the model's correction or vertex) set to zero at every layer after it is
  /// evaluated, so that it contributes nothing to the statistics after it: the theory of a
  /// negative control. Refused for the metric.
  public var removed: String?

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

  public func evaluate(_ p: NumericParameters) throws -> [RecursionValues] {
    let s = p.sampleCount
    guard s >= 1, s <= 8 else { throw EvaluationError("give between 1 and 8 inputs (got \(s))") }
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
    let names = model.names
    let a = (1...4).map { Index.sample("alpha\($0)") }

    func tensorValues(
      _ rec: [Recursion], quantity: String?, rank: Int, evaluator: ExpressionEvaluator
    ) throws -> [Double] {
      guard let quantity, let r = rec.first(where: { $0.quantity == quantity }) else {
        return Array(repeating: 0, count: Int(pow(Double(s), Double(rank))))
      }
      var out: [Double] = []
      var idx = Array(repeating: 0, count: rank)
      while true {
        var free: [Index: Int] = [:]
        for k in 0..<rank { free[a[k]] = idx[k] }
        out.append(try evaluator.value(of: r.rhs, free: free))
        var k = rank - 1
        while k >= 0 {
          idx[k] += 1
          if idx[k] < s { break }
          idx[k] = 0
          k -= 1
        }
        if k < 0 { break }
      }
      return out
    }

    /// The values of `layer`, refused with the layer and the entry when one is not finite (an
    /// overflow of the recursion: output never shows inf or nan).
    func statistics(_ layer: Int, _ k: [Double], _ g: [Double], _ v: [Double]) throws
      -> RecursionValues
    {
      for (name, values) in [("K", k), ("G1", g), ("V", v)] {
        guard let i = values.firstIndex(where: { !$0.isFinite }) else { continue }
        var digits: [Int] = []
        var rest = i
        for _ in 0..<(name == "V" ? 4 : 2) {
          digits.insert(rest % s, at: 0)
          rest /= s
        }
        throw EvaluationError(
          "the recursion overflowed at layer \(layer): \(name)[\(digits.map(String.init).joined())] is \(values[i]), beyond the range of double precision (reduce C_W, C_b, the inputs or the depth)"
        )
      }
      return RecursionValues(
        layer: layer, sampleCount: s, K: (0..<s).map { i in Array(k[(i * s)..<(i * s + s)]) },
        G1: (0..<s).map { i in Array(g[(i * s)..<(i * s + s)]) }, V: v)
    }

    /// K, G¹ and V of the next layer from a set of derived equations.
    func step(_ equations: [Recursion], _ evaluator: ExpressionEvaluator) throws -> (
      [Double], [Double], [Double]
    ) {
      (
        try tensorValues(equations, quantity: names.metric, rank: 2, evaluator: evaluator),
        try tensorValues(equations, quantity: names.correction, rank: 2, evaluator: evaluator),
        try tensorValues(equations, quantity: names.vertex, rank: 4, evaluator: evaluator)
      )
    }

    if let removed, ![names.correction, names.vertex].contains(removed) {
      let known = [names.correction, names.vertex].compactMap { $0 }.joined(separator: ", ")
      throw EvaluationError(
        "a negative control removes one of the model's finite-width statistics (\(known)), not '\(removed)'"
      )
    }
    /// The next layer's statistics with the removed one zeroed.
    func controlled(_ values: ([Double], [Double], [Double])) -> ([Double], [Double], [Double]) {
      var (k, g, v) = values
      if removed != nil, removed == names.correction { g = g.map { _ in 0 } }
      if removed != nil, removed == names.vertex { v = v.map { _ in 0 } }
      return (k, g, v)
    }

    let quadrature = GaussianExpectation()
    // Layer 1. The `first` map was compiled with ℓ = 0.
    var (k, g, v) = controlled(
      try step(
        derivation.initialConditions,
        ExpressionEvaluator(parameters: p, layer: 0, tensors: [:], quadrature: quadrature)))
    var layers = [try statistics(1, k, g, v)]
    for l in stride(from: 1, to: p.depth, by: 1) {
      // The next layer integrates over N(0, K⁽ˡ⁾): refuse a kernel beyond the quadrature's range
      // here, with the layer, before any quadrature work.
      for a in 0..<s where !(k[a * s + a] <= GaussianExpectation.maximumVariance) {
        throw EvaluationError(
          "the kernel grew out of range at layer \(l): K[\(a)\(a)] = \(k[a * s + a]) exceeds \(GaussianExpectation.maximumVariance), the largest variance the Gaussian quadrature handles (reduce C_W, C_b, the inputs or the depth)"
        )
      }
      var tensors: [ExpressionEvaluator.TensorKey: [Double]] = [
        .init(name: names.metric, layer: l): k
      ]
      if let c = names.correction { tensors[.init(name: c, layer: l)] = g }
      if let vv = names.vertex { tensors[.init(name: vv, layer: l)] = v }
      let (nk, ng, nv) = try step(
        derivation.recursions,
        ExpressionEvaluator(parameters: p, layer: l, tensors: tensors, quadrature: quadrature))
      (k, g, v) = controlled((nk, ng, nv))
      layers.append(try statistics(l + 1, k, g, v))
    }
    return layers
  }
}
