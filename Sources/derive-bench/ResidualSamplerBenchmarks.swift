import Derivation
import Evaluation
import Foundation
import Numerics
import Sampling

/// The residual MLP (Derivations/residual.model, `xi z[i;a] + b[i] + W[i,j] σ(z[j;a])`) drawn by
/// both samplers the compiler lowers it to: the conditional sampler (z′ = ξ z + N(0, Ĝ)) and the
/// general weights sampler (every weight drawn). n = 10, L = 5, tanh (C_b = 0.1, C_W = 0.5,
/// ξ = 0.9), 2 inputs, one thread; networks/s = count / median. A third case draws the same
/// model at ξ = 0 (the MLP's conditional path: what the skip costs). No case when the model file is
/// not beside the package (an installed binary).
func residualSamplerBenchmarks() -> [BenchmarkCase] {
  let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Derivations/residual.model")
  guard let text = try? String(contentsOf: file, encoding: .utf8),
    let model = try? ModelCompiler.compile(text, file: "residual.model")
  else { return [] }
  let p = NumericParameters(
    couplings: ["C_b": 0.1, "C_W": 0.5, "xi": 0.9], widths: Array(repeating: 10, count: 5),
    inputs: [[1, 0.5, -0.3], [0.2, -0.9, 0.8]], activation: .tanh)
  let lowering = NetworkLowering(model: model, derivation: nil)
  var mlp = p
  mlp.couplings["xi"] = 0
  guard let conditional = try? lowering.sampler(.conditional, p),
    let weights = try? lowering.sampler(.weights, p),
    let withoutSkip = try? lowering.sampler(.conditional, mlp)
  else { preconditionFailure("the residual model lowers to both samplers") }
  let conditionalNetworks = 1 << 16
  let weightsNetworks = 1 << 14
  var checksum = 0.0
  return [
    BenchmarkCase(
      group: "sampler",
      name: "residual conditional n=10 L=5 tanh S=2 ×\(conditionalNetworks) networks, 1 thread",
      repeats: 9,
      body: {
        let statistics = conditional.statistics(
          seed: 1, networks: 0..<conditionalNetworks, threads: 1)
        checksum += statistics.layers[4].preactivation.mean[1]
      }),
    BenchmarkCase(
      group: "sampler",
      name:
        "residual conditional at ξ = 0 (the MLP's path) n=10 L=5 tanh S=2 ×\(conditionalNetworks) networks, 1 thread",
      repeats: 9,
      body: {
        let statistics = withoutSkip.statistics(
          seed: 1, networks: 0..<conditionalNetworks, threads: 1)
        checksum += statistics.layers[4].preactivation.mean[1]
      }),
    BenchmarkCase(
      group: "sampler",
      name: "residual weights n=10 L=5 tanh S=2 ×\(weightsNetworks) networks, 1 thread",
      repeats: 9,
      body: {
        let statistics = weights.statistics(seed: 1, networks: 0..<weightsNetworks, threads: 1)
        checksum += statistics.layers[4].preactivation.mean[1]
      }),
  ]
}
