import Derivation
import Evaluation
import Foundation
import Numerics
import Testing

/// What the engine derives from Derivations/residual.model (a path layer: the self-feedback
/// atoms R) and `derive eval` evaluates, against the independent two-time implementation in
/// ResidualReference.swift (its own quadrature, Derivations/residual-closure.md §1–4), and
/// against the limits the issue names: ξ = 0 is the MLP, linear σ is the Gaussian closure, the
/// negative control (R removed) is the reference's (K, G1, V) Gaussian closure.
@Suite struct ResidualEngineTests {
  static let inputs2: [[Double]] = [[1, 0.5, -0.3], [0.2, -0.9, 0.8]]

  static func model(_ name: String = "residual") throws -> Model {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../../Derivations/\(name).model")
    return try ModelCompiler.compile(
      try String(contentsOf: url, encoding: .utf8), file: "\(name).model")
  }

  static func engine(
    _ model: Model, activation: Activation, couplings: [String: Double], inputs: [[Double]],
    depth: Int, tolerance: Double? = nil, withoutFeedback: Bool = false
  ) throws -> [RecursionValues] {
    var evaluator = RecursionEvaluator(
      model: model, derivation: try DerivationPipeline(model).run())
    evaluator.removesFeedback = withoutFeedback
    var p = NumericParameters(
      couplings: couplings, widths: Array(repeating: 10, count: depth), inputs: inputs,
      activation: activation)
    if let tolerance { p.tolerance = tolerance }
    return try evaluator.evaluate(p)
  }

  /// The largest difference of K (absolute), G1 and V (relative to max(1, |value|)) over every
  /// layer and entry.
  static func worst(_ engine: [RecursionValues], _ reference: [ResidualReference.Layer])
    -> (k: Double, g1: Double, v: Double)
  {
    var out = (k: 0.0, g1: 0.0, v: 0.0)
    for (y, x) in zip(engine, reference) {
      let (k, g, v) = (y.values(of: "K"), y.values(of: "G1"), y.values(of: "V"))
      let d = x.k.count
      for a in 0..<d {
        for b in 0..<d {
          out.k = max(out.k, abs(x.k[a][b] - k[a, b]))
          out.g1 = max(out.g1, abs(x.g1[a][b] - g[a, b]) / max(1, abs(g[a, b])))
          for c in 0..<d {
            for e in 0..<d {
              let r = x.v[((a * d + b) * d + c) * d + e]
              out.v = max(out.v, abs(r - v[a, b, c, e]) / max(1, abs(v[a, b, c, e])))
            }
          }
        }
      }
    }
    return out
  }

  /// The settings: tanh (C_b 0.1, C_W 0.5, ξ 0.9) and relu (C_b 0.1, C_W 0.4, ξ 0.8),
  /// each with one input to layer 5 — the self-feedback sums over up to three earlier layers,
  /// through the responses M^{(ℓ,s)}, products of the Jacobians J — and with two inputs to
  /// layer 3, where the atoms' pairs (γ, δ) and the two-layer averages of four coordinates first
  /// enter (relu: kinks, every derivative in Hermite form over the two layers' joint
  /// covariance). Catches a wrong self-feedback atom, response, lag power or neuron-sum split
  /// anywhere in the derivation or in its evaluation (the self-feedback itself is checked to
  /// move the numbers by ≥ 1e-4, far above the tolerances).
  @Test(arguments: ["tanh-1", "tanh-2", "relu-1", "relu-2"])
  func engineAgreesWithTheIndependentReference(_ run: String) throws {
    let relu = run.hasPrefix("relu")
    let inputs = run.hasSuffix("2") ? Self.inputs2 : [Self.inputs2[0]]
    let depth = run.hasSuffix("2") ? 3 : 5
    let (cb, cw, xi) = relu ? (0.1, 0.4, 0.8) : (0.1, 0.5, 0.9)
    let engine = try Self.engine(
      try Self.model(), activation: relu ? .relu : .tanh,
      couplings: ["C_b": cb, "C_W": cw, "xi": xi], inputs: inputs, depth: depth,
      tolerance: 1e-9)
    let reference = ResidualReference(
      sigma: relu ? { max($0, 0) } : { Foundation.tanh($0) }, splitAtZero: relu, cb: cb, cw: cw,
      xi: xi, inputs: inputs, depth: depth,
      quadrature: NestedGaussQuadrature(order: inputs.count == 1 ? 8 : 4)
    ).run()
    let w = Self.worst(engine, reference)
    // One input: the reference's 8 nodes per panel resolve 1e-10 (measured: K 2e-13, G1 1e-10,
    // V 1e-11). Two inputs: its four-dimensional two-layer averages get 4 nodes per panel (8
    // would take minutes in a debug build), good to a few 1e-7 (measured: K 6e-7, V 1.8e-6).
    let tolerance = inputs.count == 1 ? (k: 1e-10, rest: 1e-8) : (k: 5e-6, rest: 5e-6)
    #expect(
      w.k <= tolerance.k && w.g1 <= tolerance.rest && w.v <= tolerance.rest, "\(run): \(w)")
    // The self-feedback is not negligible here: the Gaussian closure is off by ≫ 2e-6.
    let closure = try Self.engine(
      try Self.model(), activation: relu ? .relu : .tanh,
      couplings: ["C_b": cb, "C_W": cw, "xi": xi], inputs: inputs, depth: depth,
      tolerance: 1e-9, withoutFeedback: true)
    let off = Self.worst(closure, reference)
    #expect(max(off.g1, off.v) >= 1e-4, "\(run): the closure is \(off) from the reference")
  }

  /// The negative control is the (K, G1, V) Gaussian closure: with every R atom zero the engine
  /// must equal the reference's `gaussianClosure()` (layer ℓ described by its own K, G1, V, the
  /// MLP rules for its averages). Catches an R atom the control leaves in, or a path layer whose
  /// feedback-free part is not the nearly-Gaussian layer.
  @Test func feedbackRemovedIsTheGaussianClosure() throws {
    let engine = try Self.engine(
      try Self.model(), activation: .tanh, couplings: ["C_b": 0.1, "C_W": 0.5, "xi": 0.9],
      inputs: Self.inputs2, depth: 4, tolerance: 1e-9, withoutFeedback: true)
    let closure = ResidualReference(
      sigma: { Foundation.tanh($0) }, splitAtZero: false, cb: 0.1, cw: 0.5, xi: 0.9,
      inputs: Self.inputs2, depth: 4, quadrature: NestedGaussQuadrature(order: 8)
    ).gaussianClosure()
    let w = Self.worst(engine, closure)
    #expect(w.k <= 1e-10 && w.g1 <= 2e-6 && w.v <= 2e-6, "\(w)")
  }

  /// ξ = 0: the residual model is the MLP, and its derivation must give mlp.model's numbers at
  /// every layer (the self-feedback vanishes: a neuron's layers are independent at leading
  /// order). Catches a skip power that survives at ξ = 0 or a feedback term without its lag.
  /// Two inputs to layer 3 (tanh) and one input to layer 5 (relu).
  @Test(arguments: [Activation.tanh, .relu])
  func xiZeroIsTheMLP(_ activation: Activation) throws {
    let couplings = ["C_b": 0.1, "C_W": 1.5, "xi": 0.0]
    let inputs = activation == .tanh ? Self.inputs2 : [Self.inputs2[0]]
    let depth = activation == .tanh ? 3 : 5
    let path = try Self.engine(
      try Self.model(), activation: activation, couplings: couplings, inputs: inputs,
      depth: depth)
    let mlp = try Self.engine(
      try Self.model("mlp"), activation: activation, couplings: couplings, inputs: inputs,
      depth: depth)
    for (x, y) in zip(path, mlp) {
      for name in ["K", "G1", "V"] {
        let (a, b) = (x.values(of: name).values, y.values(of: name).values)
        let gap = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(gap <= 1e-10, "layer \(x.layer) \(name): \(gap)")
      }
    }
  }

  /// Linear σ: a residual layer keeps the four-point structure δδV + perms exactly, so the
  /// Gaussian closure is exact and the self-feedback terms must cancel; both equal the
  /// reference (exact Gauss–Hermite for these polynomial averages).
  @Test func linearActivationNeedsNoFeedback() throws {
    let couplings = ["C_b": 0.1, "C_W": 0.5, "xi": 0.9]
    let with = try Self.engine(
      try Self.model(), activation: .linear, couplings: couplings, inputs: Self.inputs2, depth: 5)
    let without = try Self.engine(
      try Self.model(), activation: .linear, couplings: couplings, inputs: Self.inputs2, depth: 5,
      withoutFeedback: true)
    let reference = ResidualReference(
      sigma: { $0 }, splitAtZero: false, cb: 0.1, cw: 0.5, xi: 0.9, inputs: Self.inputs2,
      depth: 5, quadrature: NestedGaussQuadrature(hermite: 6)
    ).run()
    let a = Self.worst(with, reference)
    let b = Self.worst(without, reference)
    #expect(a.k <= 1e-10 && a.g1 <= 1e-9 && a.v <= 1e-9, "with R: \(a)")
    #expect(b.k <= 1e-10 && b.g1 <= 1e-9 && b.v <= 1e-9, "without R: \(b)")
  }
}
