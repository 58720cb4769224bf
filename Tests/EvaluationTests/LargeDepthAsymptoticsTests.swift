import Derivation
import Evaluation
import Foundation
import Testing

/// Large-depth power laws derived from the MLP's recursions (FORMULAS.md §13), compared with
/// the derived recursions iterated layer by layer (`RecursionEvaluator`, one input, equal
/// widths): the ratio tends to 1 at the rate of the next term.
@Suite struct LargeDepthAsymptoticsTests {
  static func model() throws -> Model {
    try ModelCompiler.compile(BuiltinModels.text(named: "mlp") ?? "", file: "mlp")
  }

  /// The MLP's derivation, once for the suite.
  static let derived: (LargeDepthAsymptotics, DerivationResult)? = {
    guard let model = try? model(), let derivation = try? DerivationPipeline(model).run(),
      let asymptotics = try? LargeDepthAsymptotics(model: model, result: derivation)
    else { return nil }
    return (asymptotics, derivation)
  }()

  static func asymptotics() throws -> (LargeDepthAsymptotics, DerivationResult) {
    try #require(derived)
  }

  static func law(_ r: LargeDepthAsymptotics.Report, _ key: String) throws
    -> LargeDepthAsymptotics.PowerLaw
  {
    try #require(r.laws.first { $0.key == key }?.law)
  }

  /// tanh at C_b = 0, C_W = 1: K ≃ 1/(2ℓ)·[1 + (5/12) log ℓ/ℓ], G¹ ≃ −1/6, V/K² ≃ 2ℓ/3, from
  /// σ's Taylor coefficients (⟨tanh²⟩ = K − 2K² + 17K³/3 + …). Against 400 iterated layers:
  /// ℓK/(1/2) − 1 − (5/12) log ℓ/ℓ stays within 1/ℓ (the O(1/ℓ) term), and V/K², G¹ are
  /// within 2 log ℓ/ℓ of their laws, closer at every doubling of ℓ. Catches: a wrong
  /// coefficient of the ansatz (3 vs 5 in V/K², the factor 2 in G¹), a wrong sign of the log
  /// term.
  @Test func tanhPowerLaws() throws {
    let (asymptotics, derivation) = try Self.asymptotics()
    let r = try asymptotics.run(activation: "tanh", couplings: ["C_b": 0, "C_W": 1])
    #expect(r.criticalClass == "K*=0" && r.laws.map(\.key) == ["K", "G1", "V/K^2"])
    let (k, g, v) = (try Self.law(r, "K"), try Self.law(r, "G1"), try Self.law(r, "V/K^2"))
    #expect(k.power == -1 && g.power == 0 && v.power == 1)
    #expect(abs((k.coefficient ?? 0) - 0.5) <= 1e-12)
    #expect(abs((g.coefficient ?? 0) + 1.0 / 6) <= 1e-12)
    #expect(abs((v.coefficient ?? 0) - 2.0 / 3) <= 1e-12)
    let c1 = try #require(r.metricLogCorrection)
    #expect(abs(c1 - 5.0 / 12) <= 1e-12)

    let layers = try RecursionEvaluator(model: try Self.model(), derivation: derivation).evaluate(
      NumericParameters(
        couplings: ["C_b": 0, "C_W": 1], widths: Array(repeating: 100, count: 400),
        inputs: [[1]], activation: .tanh))
    var previous = (v: Double.infinity, g: Double.infinity)
    for l in [100, 200, 400] {
      let layer = layers[l - 1]
      let (kl, gl, vl) = (
        layer.values(of: "K")[0, 0], layer.values(of: "G1")[0, 0], layer.values(of: "V")[0, 0, 0, 0]
      )
      let logTerm = log(Double(l)) / Double(l)
      let rk = Double(l) * kl / 0.5
      #expect(abs(rk - 1 - c1 * logTerm) <= 1 / Double(l), "ℓ = \(l): ℓK/c = \(rk)")
      let rv = abs(vl / (kl * kl) / (2.0 / 3 * Double(l)) - 1)
      let rg = abs(gl / (-1.0 / 6) - 1)
      #expect(rv <= 2 * logTerm && rv < previous.v, "ℓ = \(l): V/K² off by \(rv)")
      #expect(rg <= 2 * logTerm && rg < previous.g, "ℓ = \(l): G1 off by \(rg)")
      previous = (rv, rg)
    }
  }

  /// sin at C_b = 0, C_W = 1: ⟨sin²⟩ = (1 − e^{−2K})/2 = K − K² + 2K³/3 − …, so K ≃ 1/ℓ with
  /// c₁ = −1/3, G¹ ≃ −1/3, and V/K² ≃ 2ℓ/3 as for every MLP in the class (s = 2).
  @Test func sinPowerLaws() throws {
    let r = try Self.asymptotics().0.run(activation: "sin", couplings: ["C_b": 0, "C_W": 1])
    #expect(abs((try Self.law(r, "K").coefficient ?? 0) - 1) <= 1e-12)
    #expect(abs((try Self.law(r, "G1").coefficient ?? 0) + 1.0 / 3) <= 1e-12)
    #expect(abs((try Self.law(r, "V/K^2").coefficient ?? 0) - 2.0 / 3) <= 1e-12)
    #expect(abs((r.metricLogCorrection ?? 0) + 1.0 / 3) <= 1e-12)
  }

  /// ReLU on its critical line: K constant (coefficient depends on the input), G¹ = 0, and
  /// V/K² = 5(ℓ − 1) exactly — against 50 iterated layers to 1e-10.
  @Test func reluExactLaw() throws {
    let (asymptotics, derivation) = try Self.asymptotics()
    let r = try asymptotics.run(activation: "relu", couplings: ["C_b": 0, "C_W": 2])
    #expect(r.criticalClass == "scale-invariant")
    #expect(
      try Self.law(r, "K")
        == .init(power: 0, coefficient: nil, remark: "K(ℓ) = K(1) at every layer"))
    #expect(try Self.law(r, "G1").coefficient == 0)
    let v = try Self.law(r, "V/K^2")
    #expect(v.power == 1 && v.coefficient == 5 && v.remark == "5 (ℓ - 1) exactly")
    let layers = try RecursionEvaluator(model: try Self.model(), derivation: derivation).evaluate(
      NumericParameters(
        couplings: ["C_b": 0, "C_W": 2], widths: Array(repeating: 64, count: 50),
        inputs: [[0.7, -1.1]], activation: .relu))
    for layer in layers {
      let k = layer.values(of: "K")[0, 0]
      let ratio = layer.values(of: "V")[0, 0, 0, 0] / (k * k)
      #expect(abs(ratio - 5 * Double(layer.layer - 1)) <= 1e-10 * max(1, ratio))
      #expect(abs(layer.values(of: "G1")[0, 0]) <= 1e-9 * k)
    }
  }

  /// Away from a critical point, or at an isolated K★ > 0, nothing is derived: refused.
  @Test(arguments: [
    ("tanh", 0.0, 1.2), ("relu", 0.0, 1.5), ("relu", 0.1, 2.0),
    ("gelu", 0.172922390756067, 1.98305825743755),
  ])
  func refusals(activation: String, cb: Double, cw: Double) throws {
    let asymptotics = try Self.asymptotics().0
    #expect(throws: EvaluationError.self) {
      try asymptotics.run(activation: activation, couplings: ["C_b": cb, "C_W": cw])
    }
  }

  /// Fractions are shown as such only when exact to 1e-12.
  @Test func display() {
    #expect(LargeDepthAsymptotics.display(2.0 / 3) == "2/3")
    #expect(LargeDepthAsymptotics.display(-5.0 / 12) == "-5/12")
    #expect(LargeDepthAsymptotics.display(0.785398163397448) == "0.785398163397448")
  }
}
