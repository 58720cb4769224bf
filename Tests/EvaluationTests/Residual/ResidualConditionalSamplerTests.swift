import Derivation
import Evaluation
import Foundation
import Numerics
import Sampling
import Testing

/// The conditional sampler on residual networks (Derivations/residual.model): given layer ℓ,
/// z′_i = ξ z_i + u_i with u_i ~ N(0, Ĝ) independent over i, Ĝ derived from the branch
/// `b[i] + W[i,j] σ(z[j;a])`. The skip is the conditional mean; the compiler accepts exactly a
/// scalar times the output neuron's own incoming preactivation and refuses every other term
/// without a Gaussian parameter.
@Suite struct ResidualConditionalSamplerTests {
  static let inputs: [[Double]] = [[1, 0.5, -0.3], [0.2, -0.9, 0.8]]

  static func parameters(
    _ activation: Activation, width: Int, depth: Int, xi: Double = 0.9,
    inputs: [[Double]] = inputs
  ) -> NumericParameters {
    let (cb, cw) = activation == .relu ? (0.1, 0.4) : (0.1, 0.5)
    return NumericParameters(
      couplings: ["C_b": cb, "C_W": cw, "xi": xi], widths: Array(repeating: width, count: depth),
      inputs: inputs, activation: activation)
  }

  static func conditional(_ model: Model, _ p: NumericParameters) throws -> any NetworkSampler {
    try NetworkLowering(model: model, derivation: nil).sampler(.conditional, p)
  }

  static func weights(_ model: Model, _ p: NumericParameters) throws -> any NetworkSampler {
    try NetworkLowering(model: model, derivation: nil).sampler(.weights, p)
  }

  static func combinedZ(_ a: Estimate, _ b: Estimate) -> Double {
    (a.value - b.value)
      / (a.standardError * a.standardError + b.standardError * b.standardError)
      .squareRoot()
  }

  /// The decision: exact, the skip named as the conditional mean in the report line, `auto`
  /// picks the conditional sampler; the lowered law has ξ as the skip of every hidden layer
  /// (none on layer 1) and the MLP's Ĝ (C_b + C_W/n Σ σσ). Catches a skip dropped from the law,
  /// given to layer 1, or counted in Ĝ.
  @Test func decisionAcceptsTheSkipAsTheConditionalMean() throws {
    let model = try ResidualSamplerTests.model()
    let exact = NetworkLowering.conditionalSamplerIsExact(model)
    #expect(exact.exact, "\(exact.reason)")
    #expect(exact.reason.contains("except the skip xi z[i;a]"), "\(exact.reason)")
    let p = Self.parameters(.tanh, width: 6, depth: 3)
    let lowering = NetworkLowering(model: model, derivation: nil)
    let decision = try lowering.samplerDecision(.auto, p)
    #expect(decision.kind == .conditional)
    #expect(decision.conditionalMean == "xi z[i;a]")
    #expect(
      decision.summary.hasPrefix("sampler: conditional (each layer drawn from N(xi z[i;a], Ĝ)"))
    #expect(decision.summary.contains("the skip is the conditional mean, part of the law"))
    let laws = try lowering.conditionalCovariances(p)
    #expect(laws.map(\.skip) == [0, 0.9, 0.9])
    for law in laws.dropFirst() {
      #expect(abs(law.constant - 0.1) < 1e-15)
      #expect(
        law.terms == [
          ConditionalCovarianceTerm(
            coefficient: 0.5, left: .activation(.tanh), right: .activation(.tanh))
        ])
    }
  }

  /// The conditional sampler against the weights sampler (real networks, every weight drawn) on
  /// the same residual model: widths 4 and 8, depth 4, two inputs, 8 000 networks each
  /// (independent seeds). Per layer and sample pair: E[z z] (the conditional sampler's plain and
  /// Ĝ-based estimators against the weights sampler's), hence n·(E[z z] − K) to n times the
  /// same error, and the distinct-neuron four-point function V/n. Bound: 4.5 combined standard
  /// errors. Catches a wrong coefficient (ξ² for ξ moves K₂ by (ξ² − ξ⁴)K₁), a skip read from
  /// another sample or from a stale buffer, and a metric block without the carried c²·a term.
  /// (A skip read from another neuron of the same layer is not a bug in law: it relabels the
  /// neurons.)
  @Test(arguments: [Activation.tanh, .relu])
  func agreesWithRealNetworks(activation: Activation) throws {
    let model = try ResidualSamplerTests.model()
    for width in [4, 8] {
      let p = Self.parameters(activation, width: width, depth: 4)
      let c = try Self.conditional(model, p).statistics(seed: 71, networks: 0..<8_000, threads: 2)
        .estimates()
      let w = try Self.weights(model, p).statistics(seed: 72, networks: 0..<8_000, threads: 2)
        .estimates()
      for (x, y) in zip(c, w) {
        for p in 0..<x.kernel.count {
          let z = Self.combinedZ(x.kernel[p], y.kernel[p])
          #expect(
            abs(z) <= 4.5,
            "n=\(width) layer \(x.layer) E[zz][\(p)]: \(x.kernel[p]) vs \(y.kernel[p])")
          let zm = Self.combinedZ(x.metricMean[p], y.kernel[p])
          #expect(
            abs(zm) <= 4.5,
            "n=\(width) layer \(x.layer) mean(Ĝ+ξ²a)[\(p)]: \(x.metricMean[p]) vs \(y.kernel[p])")
        }
        for q in 0..<x.fourPoint.count {
          let z = Self.combinedZ(x.fourPoint[q], y.fourPoint[q])
          #expect(
            abs(z) <= 4.5,
            "n=\(width) layer \(x.layer) V/n[\(q)]: \(x.fourPoint[q]) vs \(y.fourPoint[q])")
        }
      }
    }
  }

  /// Layer 2 is exact at any width (layer 1 is exactly Gaussian): the conditional sampler at
  /// n = 4 (40 000 networks, fixed seed) against the independent reference of the two-time
  /// closure (ResidualReference): E[z z] = K₂ and n·Cov(z_i z_i, z_j z_j) = V₂, within 4.5
  /// standard errors. Catches the skip scaled wrongly (K₂ = ξ² K₁ + …) or V₂'s ξ² C_W
  /// Cov(zz, σσ) term lost (it needs the neuron's own z carried with its own σ).
  @Test(arguments: [Activation.tanh, .relu])
  func layerTwoMatchesTheReference(activation: Activation) throws {
    let model = try ResidualSamplerTests.model()
    let p = Self.parameters(activation, width: 4, depth: 2)
    let sampler = try Self.conditional(model, p)
    let layer = sampler.statistics(seed: 13, networks: 0..<40_000, threads: 2).estimates()[1]
    let relu = activation == .relu
    let reference = ResidualReference(
      sigma: relu ? { Swift.max($0, 0) } : { Foundation.tanh($0) }, splitAtZero: relu,
      cb: 0.1, cw: relu ? 0.4 : 0.5, xi: 0.9, inputs: Self.inputs, depth: 2,
      quadrature: NestedGaussQuadrature(order: 8)
    ).run()[1]
    ResidualSamplerTests.expectLayerTwoAgrees(
      layer, reference, layout: sampler.layout, width: 4, metricMean: true)
  }

  /// ξ = 0: the residual model's conditional law is the MLP's (the branch's Ĝ equals the Ĝ the
  /// pipeline derives for mlp.model, the skip is 0), so the same seed gives bitwise the same
  /// networks and statistics — on the fused two-sample path and the generic three-sample path.
  /// Catches a skip that perturbs the draws or the rounding when it vanishes.
  @Test func zeroSkipIsTheMLPBitwise() throws {
    let residual = try ResidualSamplerTests.model()
    let text = try #require(BuiltinModels.text(named: "mlp"))
    let mlp = try ModelCompiler.compile(text, file: "mlp")
    let mlpLowering = NetworkLowering(model: mlp, derivation: try DerivationPipeline(mlp).run())
    let threeInputs = Self.inputs + [[0.4, 0.1, -0.7]]
    for inputs in [Self.inputs, threeInputs] {
      for activation in [Activation.tanh, .relu] {
        let p = Self.parameters(activation, width: 5, depth: 4, xi: 0, inputs: inputs)
        let lowering = NetworkLowering(model: residual, derivation: nil)
        #expect(try lowering.conditionalCovariances(p) == mlpLowering.conditionalCovariances(p))
        let a = try lowering.sampler(.conditional, p)
        let b = try mlpLowering.sampler(.conditional, p)
        #expect(
          a.statistics(seed: 9, networks: 0..<300, threads: 1)
            == b.statistics(seed: 9, networks: 0..<300, threads: 1))
        #expect(a.preactivations(seed: 9, network: 17) == b.preactivations(seed: 9, network: 17))
      }
    }
  }

  /// The skip's statistics are bitwise independent of the thread count and of sharding at chunk
  /// boundaries, like the MLP's.
  @Test func deterministicAcrossThreadsAndShards() throws {
    let p = Self.parameters(.tanh, width: 6, depth: 4)
    let sampler = try Self.conditional(try ResidualSamplerTests.model(), p)
    let one = sampler.statistics(seed: 4, networks: 0..<256, threads: 1)
    #expect(one == sampler.statistics(seed: 4, networks: 0..<256, threads: 2))
    var merged = sampler.statistics(seed: 4, networks: 128..<256, threads: 2)
    merged.merge(sampler.statistics(seed: 4, networks: 0..<128, threads: 1))
    #expect(merged == one)
  }

  /// Terms without a Gaussian parameter that are not a scalar times the output neuron's own
  /// preactivation are refused, each with its reason, and `--sampler conditional` is refused at
  /// the map's line: a function of the own preactivation, a product z z, the incoming variable
  /// at a summed index, the own preactivation multiplying a weight, and a constant in the first
  /// layer (there is no incoming layer to carry). Catches a decision that would draw any of them
  /// from N(c z, Ĝ) (their conditional law is not that).
  @Test(arguments: [
    ("xi sigma(z[i;a]) + b[i] + W[i,j] sigma(z[j;a])", "is a function of a preactivation"),
    ("xi z[i;a] z[i;a] + b[i] + W[i,j] sigma(z[j;a])", "is a product of 2 factors"),
    (
      "xi z[j;a] + b[i] + W[i,j] sigma(z[j;a])",
      "reads the incoming preactivation at a summed index"
    ),
    ("z[i;a] W[i,j] sigma(z[j;a]) + b[i]", "by a function of the neuron's own preactivation"),
  ])
  func badSkipFormsAreRefused(map: String, reason: String) throws {
    let model = try ResidualSamplerTests.variant(map)
    let decision = NetworkLowering.conditionalSamplerIsExact(model)
    #expect(!decision.exact)
    #expect(decision.reason.contains(reason), "\(decision.reason)")
    let p = Self.parameters(.tanh, width: 4, depth: 3)
    let lowering = NetworkLowering(model: model, derivation: nil)
    #expect(try lowering.samplerDecision(.auto, p).kind == .weights)
    do {
      _ = try lowering.samplerDecision(.conditional, p)
      Issue.record("--sampler conditional was accepted for \(map)")
    } catch let e as EvaluationError {
      #expect(e.location?.line == 37, "\(e)")
      #expect(e.message.contains(reason), "\(e.message)")
    }
  }

  @Test func firstLayerCarriesNothing() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../../Derivations/residual.model")
    let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(
      of: "first z[i;a] = b[i] + W[i,j] x[j;a]", with: "first z[i;a] = xi + b[i] + W[i,j] x[j;a]")
    let model = try ModelCompiler.compile(text, file: "first.model")
    let decision = NetworkLowering.conditionalSamplerIsExact(model)
    #expect(!decision.exact)
    #expect(
      decision.reason.contains("of the first layer has no Gaussian parameter"), "\(decision.reason)"
    )
  }

  /// A skip between hidden layers of different widths is refused by both samplers with the
  /// same message, before any sampling (the CLI's exit status 2).
  @Test func unequalWidthsAreRefusedForBothSamplers() throws {
    var p = Self.parameters(.tanh, width: 6, depth: 3)
    p.widths = [6, 7, 7]
    let lowering = NetworkLowering(model: try ResidualSamplerTests.model(), derivation: nil)
    for choice in SamplerChoice.allCases {
      do {
        _ = try lowering.samplerDecision(choice, p)
        Issue.record("\(choice) accepted unequal widths")
      } catch let e as EvaluationError {
        #expect(
          e.message.contains(
            "from layer 1 (width 6) to layer 2 (width 7): a skip connection needs equal widths"),
          "\(e.message)")
        #expect(e.location?.line == 37)
      }
    }
    for kind in SamplerKind.allCases {
      #expect(throws: EvaluationError.self) { _ = try lowering.sampler(kind, p) }
    }
  }
}
