import Numerics
import Sampling

/// The NTK sampler against the samplers without the NTK on the same small MLP (the check's
/// reference point for the NTK: n = 32, L = 4, tanh, C_b = 0.2, C_W = 1.5, λ_b = 0.4, λ_W = 0.9,
/// 2 inputs), one thread; networks/s per core = count / median. The NTK costs `O(n³)` per layer
/// against the preactivations' `O(n²)`.
func ntkSamplerBenchmarks() -> [BenchmarkCase] {
  let spec = NetworkSpecification.multilayerPerceptron(
    inputs: [[1, 0.5, -0.3], [0.2, -0.9, 0.8]], widths: [32, 32, 32, 32], activation: .tanh,
    biasVariance: 0.2, weightVariance: 1.5)
  guard let ntk = try? NTKSampler(spec, learningRates: NTKLearningRates(bias: 0.4, weights: 0.9)),
    let weights = try? WeightsSampler(spec),
    let general = try? GeneralWeightsSampler(NetworkProgram(spec))
  else { preconditionFailure("benchmark specification is valid") }
  let networks = 2048
  var checksum = 0.0
  return [
    BenchmarkCase(
      group: "sampler", name: "NTK n=32 L=4 tanh S=2 ×\(networks) networks, 1 thread", repeats: 5
    ) {
      let statistics = ntk.ntkStatistics(seed: 1, networks: 0..<networks, threads: 1)
      checksum += statistics.layers[3].moments.mean[0]
    },
    BenchmarkCase(
      group: "sampler", name: "weights (no NTK) n=32 L=4 tanh S=2 ×\(networks) networks, 1 thread",
      repeats: 5
    ) {
      let statistics = weights.statistics(seed: 1, networks: 0..<networks, threads: 1)
      checksum += statistics.layers[3].preactivation.mean[1]
    },
    BenchmarkCase(
      group: "sampler",
      name: "general weights (no NTK) n=32 L=4 tanh S=2 ×\(networks) networks, 1 thread",
      repeats: 5
    ) {
      let statistics = general.statistics(seed: 1, networks: 0..<networks, threads: 1)
      checksum += statistics.layers[3].preactivation.mean[1]
    },
  ]
}
