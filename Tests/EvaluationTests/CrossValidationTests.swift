import Algebra
import Derivation
import Evaluation
import Numerics
import Testing

/// The cross-validation detects a wrong theory for the right reason. With strongly unequal
/// widths the width ratio n_ℓ/n_{ℓ−1} in the V recursion matters; a derivation whose V recursion
/// has the ratio removed (n_ℓ → n_{ℓ−1}) must fail the check, while the true derivation passes.
/// Fixed seed; tolerance as documented in CrossValidation (|limit z| ≤ 4).
@Suite struct CrossValidationTests {
  func setUp() throws -> (Model, DerivationResult, NumericParameters) {
    let model = try ModelCompiler.compile(BuiltinModels.text(named: "mlp") ?? "", file: "mlp")
    let derivation = try DerivationPipeline(model).run()
    let p = NumericParameters(
      couplings: ["C_b": 0.1, "C_W": 1.5], widths: [8, 64, 8, 64], inputs: [[1, 0.5]],
      activation: .tanh)
    return (model, derivation, p)
  }

  @Test func trueTheoryPasses() throws {
    let (model, derivation, p) = try setUp()
    let report = try CrossValidation(model: model, derivation: derivation)
      .run(p, options: .init(networks: 30000, seed: 11, scanSteps: 2, threads: 2))
    #expect(
      report.passed,
      "\(report.rows.filter { !$0.passed }.map { ($0.quantity, $0.layer, $0.limitZ) })")
  }

  @Test func theoryWithoutWidthRatioFails() throws {
    let (model, correct, p) = try setUp()
    var derivation = correct
    derivation.recursions = derivation.recursions.map { r in
      guard r.quantity == "V" else { return r }
      var wrong = r
      wrong.rhs = r.rhs.substituting(.width(.ell), by: .symbol(.width(.relative(-1))))
        .canonicalized()
      return wrong
    }
    #expect(
      !derivation.recursions.contains {
        $0.quantity == "V" && $0.rhs.terms.contains { $0.monomial.exponent(of: .width(.ell)) != 0 }
      })
    let report = try CrossValidation(model: model, derivation: derivation)
      .run(p, options: .init(networks: 30000, seed: 11, scanSteps: 2, threads: 2))
    #expect(!report.passed)
    #expect(report.rows.contains { $0.quantity == "V" && !$0.passed })
  }
}
