import Foundation
import Numerics
import Sampling

/// Monte-Carlo sampler benchmarks at the design's reference point: n = 256, L = 10, ReLU
/// (C_W = 2, C_b = 0), 2 inputs, one thread. Each case times a fixed number of networks (in its
/// name; networks/s per core = count / median). The numpy peers (`numpy_sampler.py --method
/// gram | direct`, single-threaded) run in the same process tree; their printed networks/s is
/// converted to seconds for the same number of networks, so the printed ratio is a per-core
/// throughput ratio.
func samplerBenchmarks() -> [BenchmarkCase] {
  let spec = NetworkSpecification.multilayerPerceptron(
    inputs: [[1.0, 0.0], [0.3, 0.8]], widths: Array(repeating: 256, count: 10), activation: .relu,
    biasVariance: 0, weightVariance: 2)
  guard let conditional = try? ConditionalSampler(spec), let weights = try? WeightsSampler(spec)
  else { preconditionFailure("benchmark specification is valid") }
  // The general sampler on the same MLP, and on stacked weights U W σ(z) (U: n × n, 1/n).
  var stacked = NetworkProgram(spec)
  for l in 1..<stacked.layers.count {
    stacked.layers[l].extents.append(256)
    stacked.layers[l].families.append(
      ParameterFamily(name: "t2", shape: [256, 256], standardDeviation: (1.0 / 256).squareRoot()))
    stacked.layers[l].terms[1].factors[0].labels = [3, 2]
    stacked.layers[l].terms[1].factors.insert(ProgramFactor(.parameter(2), labels: [0, 3]), at: 0)
  }
  guard let general = try? GeneralWeightsSampler(NetworkProgram(spec)),
    let generalStacked = try? GeneralWeightsSampler(stacked)
  else { preconditionFailure("benchmark programs are valid") }
  let conditionalNetworks = 4096
  let weightsNetworks = 128
  var checksum = 0.0
  let normals = UnsafeMutablePointer<Double>.allocate(capacity: 1 << 20)
  return [
    BenchmarkCase(group: "sampler", name: "ziggurat normals ×2^20", repeats: 9) {
      var generator = Xoshiro256PlusPlus(seed: 1)
      generator.fillStandardNormals(normals, count: 1 << 20)
      checksum += normals[12345]
    },
    BenchmarkCase(
      group: "sampler",
      name: "conditional n=256 L=10 relu S=2 ×\(conditionalNetworks) networks, 1 thread",
      body: {
        let statistics = conditional.statistics(
          seed: 1, networks: 0..<conditionalNetworks, threads: 1)
        checksum += statistics.layers[9].preactivation.mean[1]
      },
      peers: [
        Peer(
          name: "numpy",
          measure: {
            numpyPeerSeconds(
              method: "gram", arguments: ["--S", "100000"], networks: conditionalNetworks)
          })
      ]),
    BenchmarkCase(
      group: "sampler", name: "weights n=256 L=10 relu S=2 ×\(weightsNetworks) networks, 1 thread",
      repeats: 5,
      body: {
        let statistics = weights.statistics(seed: 1, networks: 0..<weightsNetworks, threads: 1)
        checksum += statistics.layers[9].preactivation.mean[1]
      },
      peers: [
        Peer(
          name: "numpy",
          measure: {
            numpyPeerSeconds(
              method: "direct", arguments: ["--S", "1024", "--n", "256", "--L", "10"],
              networks: weightsNetworks)
          })
      ]),
    BenchmarkCase(
      group: "sampler",
      name: "general weights n=256 L=10 relu S=2 ×\(weightsNetworks) networks, 1 thread",
      repeats: 5,
      body: {
        let statistics = general.statistics(seed: 1, networks: 0..<weightsNetworks, threads: 1)
        checksum += statistics.layers[9].preactivation.mean[1]
      }),
    BenchmarkCase(
      group: "sampler",
      name:
        "general weights stacked U W σ n=256 L=10 relu S=2 ×\(weightsNetworks) networks, 1 thread",
      repeats: 5,
      body: {
        let statistics = generalStacked.statistics(
          seed: 1, networks: 0..<weightsNetworks, threads: 1)
        checksum += statistics.layers[9].preactivation.mean[1]
      }),
  ] + residualSamplerBenchmarks() + ntkSamplerBenchmarks()
}

/// Runs `numpy_sampler.py --method METHOD ARGS` and returns the seconds it would take for
/// `networks` networks at its printed rate, or nil when python3, numpy or the script is missing.
private func numpyPeerSeconds(method: String, arguments: [String], networks: Int) -> Double? {
  guard let script = anchorsDirectory()?.appendingPathComponent("numpy_sampler.py") else {
    return nil
  }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["python3", script.path, "--method", method] + arguments
  let output = Pipe()
  process.standardOutput = output
  process.standardError = FileHandle.nullDevice
  do { try process.run() } catch { return nil }
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0, let text = String(data: data, encoding: .utf8) else {
    return nil
  }
  // First line: "gram: 7.95 s, 12578.3 nets/s".
  for line in text.split(separator: "\n") where line.hasSuffix("nets/s") {
    let fields = line.split(separator: " ")
    if fields.count >= 2, let rate = Double(fields[fields.count - 2]), rate > 0 {
      return Double(networks) / rate
    }
  }
  return nil
}

/// `../shared/anchors` beside the package root (the CI clone has `shared/` beside it), else
/// `/work/shared/anchors`.
private func anchorsDirectory() -> URL? {
  let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  let candidates = [
    packageRoot.deletingLastPathComponent().appendingPathComponent("shared/anchors"),
    URL(fileURLWithPath: "/work/shared/anchors"),
  ]
  return candidates.first {
    FileManager.default.fileExists(atPath: $0.appendingPathComponent("numpy_sampler.py").path)
  }
}
