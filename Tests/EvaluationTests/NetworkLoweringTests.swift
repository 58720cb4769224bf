import Derivation
import Evaluation
import Numerics
import Sampling
import Testing

/// The two lowerings of a model agree: the network read term by term from the layer maps (for
/// the weights sampler) implies exactly the conditional covariance Ĝ that the derivation
/// derives (for the conditional sampler), and the two samplers then agree statistically.
@Suite struct NetworkLoweringTests {
  func lowering(_ name: String) throws -> NetworkLowering {
    let model = try ModelCompiler.compile(BuiltinModels.text(named: name) ?? "", file: name)
    return NetworkLowering(model: model, derivation: try DerivationPipeline(model).run())
  }

  let parameters = NumericParameters(
    couplings: ["C_b": 0.2, "C_W": 1.7], widths: [6, 9, 5],
    inputs: [[1, 0.5, -1], [0.3, -0.2, 2]],
    activation: .tanh)

  /// Catches: a fan-in taken from the wrong layer, a variance not squared with a map's numeric
  /// prefactor, a bias dropped, or a derived Ĝ lowered with the wrong 1/n — any of which makes
  /// the two samplers draw different networks.
  @Test(arguments: ["mlp", "mlp-no-bias", "deep-linear"])
  func specificationImpliesTheDerivedConditionalCovariance(model: String) throws {
    let l = try lowering(model)
    let p =
      model == "deep-linear"
      ? {
        var q = parameters; q.activation = .linear; return q
      }() : parameters
    let implied = try l.specification(p).impliedConditionalCovariances
    let derived = try l.conditionalCovariances(p)
    #expect(implied.count == derived.count)
    for (a, b) in zip(implied, derived) {
      #expect(abs(a.constant - b.constant) <= 1e-12)
      #expect(a.terms.count == b.terms.count)
      for (s, t) in zip(a.terms, b.terms) {
        #expect(abs(s.coefficient - t.coefficient) <= 1e-12 * max(1, abs(t.coefficient)))
        #expect(s.left == t.left && s.right == t.right)
      }
    }
  }

  /// The weights sampler on the lowered network and the conditional sampler on the derived Ĝ
  /// estimate the same K and V/n (fixed seed; within 5 combined standard errors).
  @Test func samplersAgreeOnTheLoweredMLP() throws {
    let l = try lowering("mlp")
    let weights = try WeightsSampler(l.specification(parameters))
    let conditional = try ConditionalSampler(
      inputs: parameters.inputs, widths: parameters.widths,
      covariances: l.conditionalCovariances(parameters))
    let a = weights.statistics(seed: 5, networks: 0..<3000, threads: 2).estimates()
    let b = conditional.statistics(seed: 6, networks: 0..<3000, threads: 2).estimates()
    for (x, y) in zip(a, b) {
      for (e, f) in zip(x.kernel + x.fourPoint, y.kernel + y.fourPoint) {
        let se = (e.standardError * e.standardError + f.standardError * f.standardError)
          .squareRoot()
        #expect(abs(e.value - f.value) <= 5 * se + 1e-12, "layer \(x.layer)")
      }
    }
  }
}
