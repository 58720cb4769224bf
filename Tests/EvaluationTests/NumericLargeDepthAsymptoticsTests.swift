import Derivation
import Evaluation
import Foundation
import Numerics
import Testing

/// The numeric large-depth fit (windows, Richardson, error from window variation), tested
/// where the answer is known independently: at tanh's K★ = 0 critical point, where the laws
/// are derived symbolically (K ≃ 1/(2ℓ), G¹ → −1/6, V/K² ≃ 2ℓ/3; FORMULAS.md §13), and off
/// criticality, where K tends to the kernel map's fixed point.
@Suite struct NumericLargeDepthAsymptoticsTests {
  static let derived: (Model, DerivationResult)? = {
    guard
      let model = try? ModelCompiler.compile(BuiltinModels.text(named: "mlp") ?? "", file: "mlp"),
      let derivation = try? DerivationPipeline(model).run()
    else { return nil }
    return (model, derivation)
  }()

  static func fit(_ couplings: [String: Double], depth: Int, activation: Activation = .tanh) throws
    -> NumericLargeDepthAsymptotics.Report
  {
    let (model, derivation) = try #require(derived)
    return try NumericLargeDepthAsymptotics(model: model, derivation: derivation).run(
      activation: activation, couplings: couplings, input: [1], depth: depth)
  }

  /// At tanh's critical point the fitted powers are −1, 0, 1 (identified as exact) and every
  /// fitted coefficient is within its stated error of the derived one, the errors being
  /// small (< 0.02 relative). Catches: an error estimate that does not cover the log ℓ/ℓ
  /// correction of K, a wrong window or Richardson formula (the coefficients would be off by
  /// the O(1/ℓ) term), V/K² not divided by K².
  @Test func reproducesTheDerivedTanhLaws() throws {
    let r = try Self.fit(["C_b": 0, "C_W": 1], depth: 2048)
    #expect(r.laws.map(\.key) == ["K", "G1", "V/K^2"])
    let expected: [(power: Double, coefficient: Double)] = [(-1, 0.5), (0, -1.0 / 6), (1, 2.0 / 3)]
    for ((key, fit), e) in zip(r.laws, expected) {
      #expect(fit.powerIsExact && fit.power == e.power, "\(key): power \(fit.power)")
      #expect(abs(fit.coefficient - e.coefficient) <= fit.coefficientError, "\(key): \(fit)")
      #expect(fit.coefficientError <= 0.02 * abs(e.coefficient), "\(key): \(fit)")
    }
  }

  /// Off criticality (C_W = 1.2) K tends to a fixed point K∞ > 0 exponentially: reported as a
  /// limit that the kernel map leaves fixed (K∞ = 1.2 ⟨tanh²⟩ at K∞, checked by one more step
  /// of the recursion), with V/K² and G¹ tending to constants (power 0).
  @Test func offCriticalityLimits() throws {
    let r = try Self.fit(["C_b": 0, "C_W": 1.2], depth: 512)
    let k = try #require(r.laws.first { $0.key == "K" }?.fit)
    #expect(k.powerIsExact && k.power == 0 && k.coefficient > 0.05)
    let (model, derivation) = try #require(Self.derived)
    // One step of the derived recursion from an input whose first-layer K is K∞.
    let layers = try RecursionEvaluator(model: model, derivation: derivation).evaluate(
      NumericParameters(
        couplings: ["C_b": 0, "C_W": 1.2], widths: [100, 100],
        inputs: [[(k.coefficient / 1.2).squareRoot()]], activation: .tanh))
    #expect(abs(layers[1].values(of: "K")[0, 0] - k.coefficient) <= 1e-9)
    for key in ["G1", "V/K^2"] {
      let f = try #require(r.laws.first { $0.key == key }?.fit)
      #expect(f.powerIsExact && f.power == 0, "\(key)")
    }
  }

  /// ReLU above its critical line grows exponentially: refused, no power law.
  @Test func exponentialGrowthIsRefused() throws {
    #expect(throws: EvaluationError.self) {
      _ = try Self.fit(["C_b": 0, "C_W": 3], depth: 512, activation: .relu)
    }
  }
}
