import Foundation
import Numerics
import Testing

@testable import Sampling

/// The NTK sampler: each network's NTK against the Jacobian definition, its preactivations
/// against the weights sampler, and the determinism / merge contract of its statistics.
@Suite struct NTKSamplerTests {
  static let rates = NTKLearningRates(bias: 0.4, weights: 0.9)

  static func mlp(_ widths: [Int], _ activation: Activation = .tanh) -> NetworkSpecification {
    .multilayerPerceptron(
      inputs: [[1, 0.5, -0.3], [0.2, -0.9, 0.8]], widths: widths, activation: activation,
      biasVariance: 0.2, weightVariance: 1.5)
  }

  /// The NTK by its definition, `Σ_θ λ_θ ∂z^(L)/∂θ ∂z^(L)/∂θ`, with the parameters redrawn here in
  /// the documented order: per layer a bias vector then the weight rows. Jacobians
  /// `J^(L,ℓ) = ∂z^(L)/∂z^(ℓ)` are multiplied out explicitly (no forward recursion), and layer ℓ's
  /// parameters contribute `J_α J_βᵀ (λ_b + λ_W f_α·f_β / n_{ℓ−1})`.
  static func jacobianNTK(
    _ spec: NetworkSpecification, activation: Activation, seed: UInt64, network: Int
  ) -> [[[[Double]]]] {
    var generator = Xoshiro256PlusPlus(seed: seed, stream: UInt64(network))
    let s = spec.sampleCount
    var sources: [[[Double]]] = [spec.inputs]  // f^(ℓ−1)_{α}[j] feeding layer ℓ
    var slopes: [[[Double]]] = []  // σ'(z^(ℓ))_{α}[j]
    var weights: [[[Double]]] = []
    for (layer, n) in spec.widths.enumerated() {
      let m = layer == 0 ? spec.inputDimension : spec.widths[layer - 1]
      func normals(_ count: Int) -> [Double] {
        var values = [Double](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { buffer in
          if let base = buffer.baseAddress { generator.fillStandardNormals(base, count: count) }
        }
        return values
      }
      let b = normals(n)
      let flat = normals(n * m)
      var w = (0..<n).map { Array(flat[($0 * m)..<($0 * m + m)]) }
      let scale = (1.5 / Double(m)).squareRoot()
      w = w.map { $0.map { $0 * scale } }
      weights.append(w)
      let f = sources[layer]
      var z = [[Double]](repeating: [Double](repeating: 0, count: n), count: s)
      for a in 0..<s {
        for i in 0..<n {
          var sum = 0.2.squareRoot() * b[i]
          for j in 0..<m { sum += w[i][j] * f[a][j] }
          z[a][i] = sum
        }
      }
      sources.append(z.map { $0.map { activation.value($0) } })
      slopes.append(z.map { $0.map { activation.derivative($0, order: 1) } })
    }
    var result: [[[[Double]]]] = []
    for top in spec.widths.indices {
      let n = spec.widths[top]
      // J[α] = ∂z^(top)/∂z^(ℓ) for ℓ = top, top−1, …
      var jacobian = (0..<s).map { _ in
        (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
      }
      var ntk = [[[Double]]](
        repeating: [[Double]](repeating: [Double](repeating: 0, count: n * n), count: s),
        count: s)
      for layer in stride(from: top, through: 0, by: -1) {
        let m = layer == 0 ? spec.inputDimension : spec.widths[layer - 1]
        let f = sources[layer]
        let width = spec.widths[layer]
        for a in 0..<s {
          for c in 0..<s {
            var dot = 0.0
            for j in 0..<m { dot += f[a][j] * f[c][j] }
            let rate = rates.bias + rates.weights * dot / Double(m)
            for i in 0..<n {
              for k in 0..<n {
                var sum = 0.0
                for j in 0..<width { sum += jacobian[a][i][j] * jacobian[c][k][j] }
                ntk[a][c][i * n + k] += rate * sum
              }
            }
          }
        }
        guard layer > 0 else { break }
        // J ← J · W^(layer) · diag(σ'(z^(layer−1))).
        let w = weights[layer]
        var next = [[[Double]]](
          repeating: [[Double]](repeating: [Double](repeating: 0, count: m), count: n), count: s)
        for a in 0..<s {
          for i in 0..<n {
            for j in 0..<m {
              var sum = 0.0
              for k in 0..<width { sum += jacobian[a][i][k] * w[k][j] }
              next[a][i][j] = sum * slopes[layer - 1][a][j]
            }
          }
        }
        jacobian = next
      }
      result.append(ntk)
    }
    return result
  }

  /// Catches: a wrong forward recursion (missing σ', wrong fan-in scaling of λ_W, a transposed
  /// off-diagonal sample block, the bias rate counted per layer wrongly).
  @Test func ntkEqualsTheJacobianDefinition() throws {
    let spec = Self.mlp([5, 4, 6])
    let sampler = try NTKSampler(spec, learningRates: Self.rates)
    for network in [0, 3] {
      let forward = sampler.tangentKernels(seed: 11, network: network)
      let reference = Self.jacobianNTK(spec, activation: .tanh, seed: 11, network: network)
      var largest = 0.0
      for layer in 0..<3 {
        for a in 0..<2 {
          for b in 0..<2 {
            for (x, y) in zip(forward[layer][a][b], reference[layer][a][b]) {
              largest = max(largest, abs(x - y))
            }
          }
        }
      }
      #expect(largest < 1e-12, "largest difference \(largest)")
    }
  }

  /// Same seed, same networks as the general weights sampler, the referee `derive check` runs
  /// (only the summation order differs).
  @Test func preactivationsAreTheGeneralWeightsSamplers() throws {
    let spec = Self.mlp([6, 7, 5], .relu)
    let ntk = try NTKSampler(spec, learningRates: Self.rates)
    let weights = try GeneralWeightsSampler(NetworkProgram(spec))
    let a = ntk.preactivations(seed: 4, network: 9)
    let b = weights.preactivations(seed: 4, network: 9)
    for (x, y) in zip(a, b) {
      for (u, v) in zip(x.values, y.values) { #expect(abs(u - v) < 1e-12) }
    }
  }

  /// Bitwise independent of threads; two shards merge into the whole run (up to rounding, bit
  /// for bit when they are runs of whole chunks); JSON round trip;
  /// the conditional mean H̄ and the drawn NTK's diagonal estimate the same E[Ĥ_ii].
  @Test func statisticsAreDeterministicAndMerge() throws {
    let sampler = try NTKSampler(Self.mlp([6, 6, 6]), learningRates: Self.rates)
    let one = sampler.ntkStatistics(seed: 2, networks: 0..<200, threads: 1)
    let two = sampler.ntkStatistics(seed: 2, networks: 0..<200, threads: 2)
    #expect(one == two)
    var merged = sampler.ntkStatistics(seed: 2, networks: 0..<70, threads: 1)
    merged.merge(sampler.ntkStatistics(seed: 2, networks: 70..<200, threads: 1))
    #expect(merged.networkCount == 200)
    for (x, y) in zip(merged.layers, one.layers) {
      for (u, v) in zip(x.moments.mean, y.moments.mean) {
        #expect(abs(u - v) <= 1e-12 * max(1, abs(v)))
      }
    }
    // Runs of whole chunks merge bit for bit, in any order.
    var aligned = sampler.ntkStatistics(seed: 2, networks: 128..<200, threads: 1)
    aligned.merge(sampler.ntkStatistics(seed: 2, networks: 64..<128, threads: 1))
    aligned.merge(sampler.ntkStatistics(seed: 2, networks: 0..<64, threads: 2))
    #expect(aligned == one)
    let encoded = try JSONEncoder().encode(one)
    #expect(try JSONDecoder().decode(NTKSamplingStatistics.self, from: encoded) == one)
    for estimate in one.estimates() {
      for (h, d) in zip(estimate.mean, estimate.directMean) {
        let se = (h.standardError * h.standardError + d.standardError * d.standardError)
          .squareRoot()
        #expect(abs(h.value - d.value) <= 4 * max(se, 1e-12))
      }
    }
    // Layer 1 is deterministic: H̄ is Θ^(1) = λ_b + λ_W x·x/n0, the fluctuations vanish.
    let first = one.estimates()[0]
    #expect(abs(first.mean[0].value - (0.4 + 0.9 * (1 + 0.25 + 0.09) / 3)) < 1e-14)
    #expect(first.offDiagonalCovariance.allSatisfy { $0.value == 0 })
    #expect(first.diagonalCovariance.allSatisfy { abs($0.value) < 1e-20 })
  }

  @Test func refusesWhatItCannotSample() {
    let five = NetworkSpecification.multilayerPerceptron(
      inputs: (0..<5).map { [Double($0), 1] }, widths: [4, 4], activation: .tanh,
      biasVariance: 0, weightVariance: 1)
    #expect(throws: NetworkSpecificationError.self) {
      try NTKSampler(five, learningRates: Self.rates)
    }
    var twoWeights = Self.mlp([4, 4])
    twoWeights.layers[1].terms.append(.weights(variance: 1, source: .preactivation))
    #expect(throws: NetworkSpecificationError.self) {
      try NTKSampler(twoWeights, learningRates: Self.rates)
    }
  }
}
