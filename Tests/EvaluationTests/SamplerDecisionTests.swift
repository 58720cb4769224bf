import Derivation
import Evaluation
import Numerics
import Sampling
import Testing

/// The compiler's decision between the conditional and the weights sampler, and the lowering of
/// maps beyond the MLP to a ``NetworkProgram``.
@Suite struct SamplerDecisionTests {
  static func model(map: String, families: String = "", indices: String = "") throws -> Model {
    let text = """
      model m
      index i\(indices) : neuron l+1
      index j : neuron l
      index a : sample
      coupling C_b C_W
      function sigma
      gaussian b[i] : C_b
      gaussian W[i,j] : C_W / n(j)
      \(families)
      input x[j;a]
      incoming z[j;a] : nearly-gaussian metric K, correction G1, vertex V, per n[l-1]
      map z[i;a] = \(map)
      first z[i;a] = b[i] + W[i,j] x[j;a]
      derive K G1 V to order 1
      """
    return try ModelCompiler.compile(text, file: "m.model")
  }

  /// Exact: one Gaussian family per term, indexed by the output neuron (MLP, scaled, powers of
  /// σ, two weight families, bias-free). Not exact: stacked weights, a random gain, a weight
  /// family of degree two. Catches a decision that lets the conditional sampler referee a model
  /// whose conditional law is not the derived Gaussian.
  @Test func exactnessFollowsTheTerms() throws {
    let exact = [
      try Self.model(map: "b[i] + W[i,j] sigma(z[j;a])"),
      try Self.model(map: "b[i] + 2 W[i,j] sigma(z[j;a])"),
      try Self.model(map: "W[i,j] sigma(z[j;a]) sigma(z[j;a])"),
      try Self.model(
        map: "W[i,j] sigma(z[j;a]) + V2[i,j] z[j;a]", families: "gaussian V2[i,j] : 1 / n(j)"),
    ]
    for m in exact {
      let decision = NetworkLowering.conditionalSamplerIsExact(m)
      #expect(decision.exact, "\(decision.reason)")
    }
    let stacked = try Self.model(
      map: "b[i] + U[i,k] W[k,j] sigma(z[j;a])", families: "gaussian U[i,k] : 1 / n(k)",
      indices: ", k")
    let gain = try Self.model(
      map: "b[i] + W[i,j] g[j] sigma(z[j;a])", families: "gaussian g[j] : 1")
    for m in [stacked, gain] {
      let decision = NetworkLowering.conditionalSamplerIsExact(m)
      #expect(!decision.exact)
      #expect(decision.reason.contains("product of 2 Gaussian families"), "\(decision.reason)")
    }
  }

  /// The lowered stacked program: families sorted by name (U, W, b) with the variances of the
  /// file evaluated at the layer, the shared weight drawn once, and the decision `auto` →
  /// weights with `conditional` refused.
  @Test func stackedWeightsLowerToOneProgramPerLayer() throws {
    let m = try Self.model(
      map: "b[i] + U[i,k] W[k,j] sigma(z[j;a])", families: "gaussian U[i,k] : 1 / n(k)",
      indices: ", k")
    let lowering = NetworkLowering(model: m, derivation: try DerivationPipeline(m).run())
    let p = NumericParameters(
      couplings: ["C_b": 0.1, "C_W": 2], widths: [4, 6], inputs: [[1, 0.5, 0], [0, 1, 2]],
      activation: .tanh)
    let program = try lowering.program(p)
    let hidden = program.layers[1]
    #expect(hidden.families.map(\.name) == ["U", "W", "b"])
    #expect(hidden.families.map(\.shape) == [[6, 6], [6, 4], [6]])
    let sd = hidden.families.map(\.standardDeviation)
    #expect(abs(sd[0] - (1.0 / 6).squareRoot()) < 1e-15)
    #expect(abs(sd[1] - (2.0 / 4).squareRoot()) < 1e-15)
    #expect(abs(sd[2] - 0.1.squareRoot()) < 1e-15)
    #expect(hidden.terms.count == 2)
    #expect(program.layers[0].families.map(\.shape) == [[4, 3], [4]])
    #expect(try lowering.samplerDecision(.auto, p).kind == .weights)
    #expect(throws: EvaluationError.self) { try lowering.samplerDecision(.conditional, p) }
    _ = try GeneralWeightsSampler(program)
  }
}
