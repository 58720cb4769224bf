import Foundation
import Numerics
import Testing

@testable import Sampling

/// Monte-Carlo tests of the two samplers at fixed seeds. Statistical comparisons use a bound of
/// a few combined standard errors (stated per test); with fixed seeds they are deterministic, and
/// a wrong fan-in, Cholesky, bias or draw order moves the compared quantities by many standard
/// errors at these sizes.
@Suite struct SamplingSamplerTests {
  static let twoInputs: [[Double]] = [[1, 0], [0.3, 0.8]]

  static func mlp(_ activation: Activation, widths: [Int], cb: Double = 0.1, cw: Double = 2)
    -> NetworkSpecification
  {
    .multilayerPerceptron(
      inputs: twoInputs, widths: widths, activation: activation, biasVariance: cb,
      weightVariance: cw)
  }

  /// `|a − b| ≤ bound · √(σ_a² + σ_b²)` for every component.
  static func expectAgreement(
    _ a: [Estimate], _ b: [Estimate], bound: Double, _ what: String
  ) {
    for (x, y) in zip(a, b) {
      let combined = (x.standardError * x.standardError + y.standardError * y.standardError)
        .squareRoot()
      #expect(abs(x.value - y.value) <= bound * combined + 1e-12, "\(what): \(x) vs \(y)")
    }
  }

  /// The weights sampler (oracle) and the conditional sampler agree on K, V/n, E[Ĝ] and
  /// Cov(Ĝ) in every layer of small relu and tanh MLPs: each difference within 4.5 combined
  /// standard errors (≈ 100 comparisons; a 4.5σ false alarm has probability ≈ 7e-4 overall, and
  /// the seeds are fixed). Also: layer-2 metric exact at any width for relu (arc-cosine kernel,
  /// FORMULAS.md §4, §9) and V^(2)/n_1 for the single-sample component.
  @Test(arguments: [Activation.relu, Activation.tanh])
  func samplersAgreeOnSmallMLP(activation: Activation) throws {
    let spec = Self.mlp(activation, widths: [8, 8, 8])
    let weights = try WeightsSampler(spec).statistics(seed: 11, networks: 0..<2500).estimates()
    let conditional = try ConditionalSampler(spec).statistics(seed: 12, networks: 0..<8000)
      .estimates()
    for (w, c) in zip(weights, conditional) {
      Self.expectAgreement(w.kernel, c.kernel, bound: 4.5, "K layer \(w.layer)")
      Self.expectAgreement(w.fourPoint, c.fourPoint, bound: 4.5, "V/n layer \(w.layer)")
      Self.expectAgreement(w.metricMean, c.metricMean, bound: 4.5, "E[G] layer \(w.layer)")
      Self.expectAgreement(
        w.metricCovariance, c.metricCovariance, bound: 4.5, "Cov G layer \(w.layer)")
    }
    // Layer 1 is exactly Gaussian: G^(1) = C_b + C_W x·x/n0, V^(1) = 0.
    let g1 = [0.1 + 1.0, 0.1 + 0.3, 0.1 + (0.09 + 0.64)]
    for (p, value) in g1.enumerated() {
      #expect(abs(conditional[0].metricMean[p].value - value) < 1e-14)
      #expect(abs(conditional[0].kernel[p].zScore(against: value)) < 4.5)
      #expect(abs(weights[0].kernel[p].zScore(against: value)) < 4.5)
    }
    for v in conditional[0].fourPoint { #expect(abs(v.zScore(against: 0)) < 4.5) }
    guard activation == .relu else { return }
    // Layer 2 (exact at any n1): G^(2) = C_b + C_W ⟨relu relu⟩_{G^(1)}.
    func arcCosine(_ k11: Double, _ k22: Double, _ k12: Double) -> Double {
      let theta = acos(k12 / (k11 * k22).squareRoot())
      return (k11 * k22).squareRoot() / (2 * .pi) * (sin(theta) + (.pi - theta) * cos(theta))
    }
    let g2 = [
      0.1 + 2 * g1[0] / 2, 0.1 + 2 * arcCosine(g1[0], g1[2], g1[1]), 0.1 + 2 * g1[2] / 2,
    ]
    for (p, value) in g2.enumerated() {
      #expect(abs(conditional[1].metricMean[p].zScore(against: value)) < 4.5)
      #expect(abs(weights[1].metricMean[p].zScore(against: value)) < 4.5)
    }
    // V^(2)_{(00)(00)} / n1 = C_W² (⟨relu⁴⟩ − ⟨relu²⟩²)/n1 = 4 · (3/2 − 1/4) K² / 8.
    let v2 = 4 * 1.25 * g1[0] * g1[0] / 8
    #expect(abs(conditional[1].fourPoint[0].zScore(against: v2)) < 4.5)
    #expect(abs(conditional[1].metricCovariance[0].zScore(against: v2)) < 4.5)
  }

  /// Deep linear network, no biases, one input (FORMULAS.md §8, exact at any width):
  /// `E[z²] = C_W^ℓ G2^(0)`, `E[z_i² z_k²] = G4 = Π_{ℓ'<ℓ}(1 + 2/n_ℓ') (G2)²` for `i ≠ k`, and
  /// `E[z⁴] = 3 G4`. Both samplers, each estimate within 5 standard errors.
  @Test func deepLinearNetworkMoments() throws {
    let x = [1.0, 0.5, -0.2]
    let g0 = (1 + 0.25 + 0.04) / 3
    let cw = 1.2
    let widths = [6, 5, 4]
    let spec = NetworkSpecification(
      inputs: [x], widths: widths,
      layers: [LayerSpecification(terms: [.weights(variance: cw, source: .inputs)])]
        + Array(
          repeating: LayerSpecification(terms: [.weights(variance: cw, source: .preactivation)]),
          count: 2))
    let samplers: [any NetworkSampler] = [try WeightsSampler(spec), try ConditionalSampler(spec)]
    for sampler in samplers {
      let estimates = sampler.statistics(seed: 3, networks: 0..<6000).estimates()
      var product = 1.0
      for (layer, estimate) in estimates.enumerated() {
        let g2 = pow(cw, Double(layer + 1)) * g0
        let g4 = product * g2 * g2
        #expect(abs(estimate.kernel[0].zScore(against: g2)) < 5, "G2 layer \(layer + 1)")
        #expect(
          abs(estimate.fourPoint[0].zScore(against: g4 - g2 * g2)) < 5, "G4 layer \(layer + 1)")
        #expect(
          abs(estimate.metricCovariance[0].zScore(against: g4 - g2 * g2)) < 5 || layer == 0,
          "Cov G layer \(layer + 1)")
        product *= 1 + 2 / Double(widths[layer])
      }
    }
    // Single-neuron fourth moment at the last layer from the preactivations themselves.
    let conditional = try ConditionalSampler(spec)
    var sum = 0.0
    var sumSquares = 0.0
    let networks = 1500
    for network in 0..<networks {
      let z = conditional.preactivations(seed: 4, network: network)[2]
      var m4 = 0.0
      for i in 0..<z.width { m4 += pow(z[neuron: i, sample: 0], 4) }
      m4 /= Double(z.width)
      sum += m4
      sumSquares += m4 * m4
    }
    let mean = sum / Double(networks)
    let standardError = ((sumSquares / Double(networks) - mean * mean) / Double(networks))
      .squareRoot()
    let g2 = pow(cw, 3) * g0
    let g4 = (1 + 2.0 / 6) * (1 + 2.0 / 5) * g2 * g2
    #expect(abs(mean - 3 * g4) < 5 * standardError)
  }

  /// The fused two-sample kernel and the generic conditional path consume the same draws, so
  /// they agree network by network up to the rounding of re-ordered sums (1e-12 relative).
  @Test(arguments: [Activation.relu, .leakyRelu(slope: 0.2), .tanh, .linear])
  func fusedKernelMatchesGenericPath(activation: Activation) throws {
    let spec = Self.mlp(activation, widths: [7, 6, 6], cw: 1.3)
    Self.expectFusedMatchesGeneric(try ConditionalSampler(spec))
  }

  /// The sampler with its fused two-sample kernel and on the generic path: one network and the
  /// statistics of 200 agree to 1e-12 relative.
  static func expectFusedMatchesGeneric(_ fused: ConditionalSampler) {
    var generic = fused
    generic.usesFusedKernel = false
    for (a, b) in zip(
      fused.preactivations(seed: 5, network: 3), generic.preactivations(seed: 5, network: 3))
    {
      for (x, y) in zip(a.values, b.values) { #expect(abs(x - y) <= 1e-12 * max(abs(y), 1)) }
    }
    let x = fused.statistics(seed: 5, networks: 0..<200, threads: 1)
    let y = generic.statistics(seed: 5, networks: 0..<200, threads: 1)
    for (u, v) in zip(x.layers, y.layers) {
      for (p, q) in zip(u.preactivation.mean + u.metric.mean, v.preactivation.mean + v.metric.mean)
      {
        #expect(abs(p - q) <= 1e-12 * max(abs(q), 1))
      }
    }
  }

  /// Three samples (generic paths of both samplers): the kernels agree within 4.5 combined
  /// standard errors and layer 1 matches C_b + C_W x·x/n0.
  @Test func threeSamplesAgree() throws {
    let spec = NetworkSpecification.multilayerPerceptron(
      inputs: [[1, 0], [0.3, 0.8], [-0.5, 0.4]], widths: [5, 5], activation: .relu,
      biasVariance: 0.1, weightVariance: 2)
    let weights = try WeightsSampler(spec).statistics(seed: 21, networks: 0..<1500).estimates()
    let conditional = try ConditionalSampler(spec).statistics(seed: 22, networks: 0..<1500)
      .estimates()
    for (w, c) in zip(weights, conditional) {
      Self.expectAgreement(w.kernel, c.kernel, bound: 4.5, "K layer \(w.layer), S = 3")
      Self.expectAgreement(w.fourPoint, c.fourPoint, bound: 4.5, "V/n layer \(w.layer), S = 3")
    }
    let layout = SampleIndexLayout(sampleCount: 3)
    #expect(abs(conditional[0].metricMean[layout.pairIndex(1, 2)].value - (0.1 + 0.17)) < 1e-14)
  }

  /// Bitwise identical statistics on 1 and 2 threads, over several chunks, a partial chunk and
  /// more than one wave of chunks.
  @Test func statisticsIndependentOfThreadCount() throws {
    let spec = Self.mlp(.tanh, widths: [4, 3])
    let samplers: [any NetworkSampler] = [try WeightsSampler(spec), try ConditionalSampler(spec)]
    for sampler in samplers {
      let one = sampler.statistics(seed: 77, networks: 5..<1205, threads: 1)
      let two = sampler.statistics(seed: 77, networks: 5..<1205, threads: 2)
      let three = sampler.statistics(seed: 77, networks: 5..<1205, threads: 3)
      #expect(one == two)
      #expect(one == three)
      #expect(one.networkCount == 1200)
    }
  }

  /// Runs of whole chunks merge into the single run bit for bit, in any order and any split
  /// (the blocks are reduced over one tree); a range split inside a chunk still merges to the
  /// single run up to the rounding of the re-associated merge (1e-12 relative).
  @Test func mergeOfWholeChunkRunsEqualsWholeBitwise() throws {
    let sampler = try ConditionalSampler(Self.mlp(.relu, widths: [6, 6]))
    // 900 networks: 15 chunks (the last of 4 networks), blocks of 8 + 4 + 2 + 1 chunks.
    let whole = sampler.statistics(seed: 9, networks: 0..<900, threads: 1)
    #expect(whole.blocks.map(\.level) == [3, 2, 1, 0])
    #expect(whole.blocks.map(\.upper) == [512, 768, 896, 900])
    for cuts in [[320], [64, 192, 704], [128, 256, 384, 512, 640, 768, 896], [832]] {
      let bounds = [0] + cuts + [900]
      var pieces = zip(bounds, bounds.dropFirst()).map {
        sampler.statistics(seed: 9, networks: $0..<$1, threads: 2)
      }
      pieces.reverse()
      var merged = pieces[0]
      for piece in pieces.dropFirst() { merged.merge(piece) }
      #expect(merged == whole, "cuts \(cuts)")
    }
    var unaligned = sampler.statistics(seed: 9, networks: 0..<333, threads: 1)
    unaligned.merge(sampler.statistics(seed: 9, networks: 333..<900, threads: 1))
    #expect(unaligned.networkCount == whole.networkCount)
    for (a, b) in zip(unaligned.layers, whole.layers) {
      for (x, y) in [(a.preactivation, b.preactivation), (a.metric, b.metric)] {
        for (u, v) in zip(x.mean, y.mean) { #expect(abs(u - v) <= 1e-12 * max(abs(v), 1e-300)) }
        // Co-moments are compared on the scale N·x̄²: those of the deterministic layer-1 metric
        // are rounding noise (1e-29) around 0.
        let scale = Double(y.count) * (y.mean.map { $0 * $0 }.max() ?? 0)
        for (u, v) in zip(x.comoment, y.comoment) {
          #expect(abs(u - v) <= 1e-12 * max(abs(v), scale))
        }
      }
    }
  }

  /// Statistics survive a JSON round trip bit for bit (shards written to files merge exactly as
  /// in memory).
  @Test func statisticsRoundTripThroughJSON() throws {
    let sampler = try ConditionalSampler(Self.mlp(.tanh, widths: [4, 4]))
    let statistics = sampler.statistics(seed: 8, networks: 0..<100, threads: 1)
    let data = try JSONEncoder().encode(statistics)
    let decoded = try JSONDecoder().decode(SamplingStatistics.self, from: data)
    #expect(decoded == statistics)
    #expect(decoded.estimates() == statistics.estimates())
  }

  /// A network's preactivations depend only on (seed, index): the statistics of the one-network
  /// range agree with A/n computed from its preactivations.
  @Test func networkDependsOnlyOnSeedAndIndex() throws {
    let spec = Self.mlp(.relu, widths: [5, 5])
    let samplers: [any NetworkSampler] = [try WeightsSampler(spec), try ConditionalSampler(spec)]
    for sampler in samplers {
      let z = sampler.preactivations(seed: 1, network: 37)
      #expect(z == sampler.preactivations(seed: 1, network: 37))
      #expect(z != sampler.preactivations(seed: 1, network: 38))
      let statistics = sampler.statistics(seed: 1, networks: 37..<38, threads: 1)
      for (layer, values) in z.enumerated() {
        var a01 = 0.0
        for i in 0..<values.width {
          a01 += values[neuron: i, sample: 0] * values[neuron: i, sample: 1]
        }
        let recorded = statistics.layers[layer].preactivation.mean[1]
        #expect(abs(recorded - a01 / Double(values.width)) < 1e-13)
      }
    }
  }

  /// Equal inputs make Ĝ singular in every layer: the conditional sampler must give identical
  /// (finite) sample vectors, not NaN.
  @Test func equalInputsGiveEqualPreactivations() throws {
    let spec = NetworkSpecification.multilayerPerceptron(
      inputs: [[1, 0.5], [1, 0.5]], widths: [6, 6, 6], activation: .tanh, biasVariance: 0.1,
      weightVariance: 1.5)
    for layer in try ConditionalSampler(spec).preactivations(seed: 2, network: 0) {
      for i in 0..<layer.width {
        let a = layer[neuron: i, sample: 0]
        let b = layer[neuron: i, sample: 1]
        #expect(a.isFinite && abs(a - b) <= 1e-12 * max(abs(a), 1))
      }
    }
  }

  @Test func invalidSpecificationsAreRejected() {
    #expect(throws: NetworkSpecificationError.firstLayerReadsPreviousLayer) {
      try WeightsSampler(
        NetworkSpecification(
          inputs: [[1]], widths: [4],
          layers: [LayerSpecification(terms: [.weights(variance: 1, source: .preactivation)])]))
    }
    #expect(throws: NetworkSpecificationError.mismatchedCovarianceSides(layer: 1)) {
      try ConditionalSampler(
        inputs: Self.twoInputs, widths: [4, 4],
        covariances: [
          ConditionalCovariance(
            constant: 0, terms: [.init(coefficient: 1, left: .inputs, right: .inputs)]),
          ConditionalCovariance(
            constant: 0, terms: [.init(coefficient: 1, left: .inputs, right: .preactivation)]),
        ])
    }
    #expect(throws: NetworkSpecificationError.widthTooSmallForEstimators(layer: 1, width: 1)) {
      try ConditionalSampler(Self.mlp(.relu, widths: [4, 1]))
    }
    #expect(
      throws: NetworkSpecificationError.inputDimensionMismatch(sample: 1, expected: 2, found: 1)
    ) {
      try ConditionalSampler(
        NetworkSpecification.multilayerPerceptron(
          inputs: [[1, 2], [3]], widths: [4], activation: .relu, biasVariance: 0,
          weightVariance: 1))
    }
  }

  /// The refusals reach the user as `cannot sample this network: \(error)`: sentences that
  /// count layers and inputs from 1, not raw cases such as
  /// `widthTooSmallForEstimators(layer: 0, width: 1)`.
  @Test func specificationErrorsReadAsSentences() {
    #expect(
      "\(NetworkSpecificationError.widthTooSmallForEstimators(layer: 0, width: 1))"
        == "layer 1 has width 1, but every width must be at least 2: the four-point function is estimated from pairs of distinct neurons of a layer"
    )
    #expect(
      "\(NetworkSpecificationError.inputDimensionMismatch(sample: 1, expected: 2, found: 1))"
        == "input 2 has 1 component but input 1 has 2: all inputs need the same number")
    #expect(
      "\(NetworkSpecificationError.nonPositiveWidth(layer: 2, width: 0))"
        == "layer 3 has width 0: every width must be at least 1")
  }
}
