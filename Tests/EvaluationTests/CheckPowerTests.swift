import Derivation
import Evaluation
import Foundation
import Numerics
import Sampling
import Testing

/// The referee can fail: one sampled ReLU scan (fixed seed, widths 8, 16, 32, depth 3, 40,000
/// networks per width) passes against the derived theory and fails against the same theory
/// with G¹ or V removed (the negative controls), and every row states what it could detect.
/// Tolerance: the check's own (|limit z| ≤ 4 and χ² p ≥ 6.3·10⁻⁵). With this seed the G¹[01]
/// row of layer 3 sits at z ≈ 0 against the theory and z ≈ −5.9 without G¹.
@Suite struct CheckPowerTests {
  static let setUp: (CrossValidation, NumericParameters, [SamplingStatistics], Int)? = {
    guard let text = BuiltinModels.text(named: "mlp"),
      let model = try? ModelCompiler.compile(text, file: "mlp"),
      let derivation = try? DerivationPipeline(model).run()
    else { return nil }
    let p = NumericParameters(
      couplings: ["C_b": 0, "C_W": 2], widths: [8, 8, 8], inputs: [[1, 0.5], [-0.5, 1]],
      activation: .relu)
    let check = CrossValidation(model: model, derivation: derivation)
    let networks = 40_000
    let options = CrossValidation.Options(networks: networks, seed: 1, scanSteps: 2, threads: 2)
    guard let statistics = try? check.sample(p, options: options, networks: 0..<networks)
    else { return nil }
    return (check, p, statistics, networks)
  }()

  func report(negativeControl: String?) throws -> CrossValidation.Report {
    let (check, p, statistics, networks) = try #require(Self.setUp)
    return try check.compare(
      p, statistics: statistics,
      options: .init(
        networks: networks, seed: 1, scanSteps: 2, threads: 2, negativeControl: negativeControl))
  }

  /// Catches a referee that cannot fail: without G¹ the layer-3 G¹[01] row (theory −0.357)
  /// must be flagged, while the real theory passes.
  @Test func negativeControlOfG1Fails() throws {
    let real = try report(negativeControl: nil)
    #expect(
      real.passed, "\(real.rows.filter { !$0.passed }.map { ($0.quantity, $0.layer, $0.limitZ) })")
    let control = try report(negativeControl: "G1")
    #expect(!control.passed)
    #expect(control.negativeControl == "G1")
    let g1 = try #require(
      control.rows.first { $0.quantity == "G1" && $0.layer == 3 && $0.indices == [0, 1] })
    #expect(!g1.passed)
    #expect(g1.limitZ < -4)
    // Only rows that depend on G1 change: V is compared exactly as before.
    let vRows = control.rows.filter { $0.quantity == "V" }
    #expect(vRows.allSatisfy { $0.passed })
  }

  /// Without V every V row compares against zero: each row whose |V| is twice what the run
  /// detects (flagged with near certainty; at once the detectable size, 95 %) fails.
  @Test func negativeControlOfVFails() throws {
    let real = try report(negativeControl: nil)
    let control = try report(negativeControl: "V")
    #expect(!control.passed)
    let resolved = real.rows.filter {
      $0.quantity == "V" && abs($0.points.last?.theory ?? 0) > 2 * $0.detectable
    }
    #expect(resolved.count >= 10)
    for r in resolved {
      let c = try #require(
        control.rows.first { $0.quantity == "V" && $0.layer == r.layer && $0.indices == r.indices })
      #expect(!c.passed, "V\(r.indices) at layer \(r.layer)")
    }
  }

  /// A name that is not a finite-width statistic of the model is refused (K cannot be removed).
  @Test func negativeControlOfTheMetricIsRefused() throws {
    #expect(throws: EvaluationError.self) { _ = try self.report(negativeControl: "K") }
  }

  /// Every row carries `detectable` = (4 + 1.645)·σ_a and the fit's χ²; the run resolves
  /// G¹[01] at layer 3.
  @Test func rowsStateTheirPower() throws {
    let real = try report(negativeControl: nil)
    for r in real.rows {
      #expect(abs(r.detectable - 5.645 * r.limitResidual.standardError) <= 1e-12 * r.detectable)
      #expect(r.degreesOfFreedom == 1)
      #expect(r.fitProbability > 0 && r.fitProbability <= 1)
    }
    let g1 = try #require(
      real.rows.first { $0.quantity == "G1" && $0.layer == 3 && $0.indices == [0, 1] })
    #expect(g1.resolved)
    #expect(real.rows.filter { $0.quantity == "V" && $0.layer >= 2 }.count == 12)
  }

  /// The scan's widths use independent streams: network 0's first-layer preactivations at
  /// widths 8 and 16 would coincide in their first 8 neurons with one seed.
  @Test func widthStepsUseDifferentSeeds() {
    let seeds = (0..<9).map { CrossValidation.stepSeed(1, step: $0) }
    #expect(Set(seeds).count == 9)
    #expect(CrossValidation.stepSeed(1, step: 0) != CrossValidation.stepSeed(2, step: 0))
  }
}
