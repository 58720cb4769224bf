import Foundation
import Numerics
import Testing

@testable import Sampling

/// The general weights sampler (the oracle for any model): it evaluates the program literally
/// (exact against a hand-written evaluation of the draws), agrees in law with the two MLP
/// samplers, plans contractions without n³ intermediates, and is independent of thread count.
@Suite struct GeneralWeightsSamplerTests {
  static let twoInputs: [[Double]] = [[1, 0], [0.3, 0.8]]

  /// `b[i] + W[i,j] x[j;a]` (layer 0) or `b[i] + W[i,j] σ(z[j;a])`: labels i = 0, a = 1, j = 2;
  /// families sorted by name as the lowering does ("W" < "b").
  static func mlpLayer(
    width n: Int, fanIn: Int, samples s: Int, source: ProgramOperand, cb: Double, cw: Double
  ) -> LayerProgram {
    LayerProgram(
      extents: [n, s, fanIn], outputNeuron: 0, outputSample: 1,
      families: [
        ParameterFamily(
          name: "W", shape: [n, fanIn], standardDeviation: (cw / Double(fanIn)).squareRoot()),
        ParameterFamily(name: "b", shape: [n], standardDeviation: cb.squareRoot()),
      ],
      terms: [
        ProgramTerm(scale: 1, factors: [ProgramFactor(.parameter(1), labels: [0])]),
        ProgramTerm(
          scale: 1,
          factors: [
            ProgramFactor(.parameter(0), labels: [0, 2]), ProgramFactor(source, labels: [2, 1]),
          ]),
      ])
  }

  static func mlp(_ activation: Activation, widths: [Int], cb: Double = 0.1, cw: Double = 2)
    -> NetworkProgram
  {
    let n0 = twoInputs[0].count
    var layers = [
      mlpLayer(
        width: widths[0], fanIn: n0, samples: 2, source: .data(.inputs), cb: cb, cw: cw)
    ]
    for l in 1..<widths.count {
      layers.append(
        mlpLayer(
          width: widths[l], fanIn: widths[l - 1], samples: 2,
          source: .function(activation, derivative: 0, of: .preactivation), cb: cb, cw: cw))
    }
    return NetworkProgram(inputs: twoInputs, widths: widths, layers: layers)
  }

  /// `|a − b| ≤ bound · √(σ_a² + σ_b²)` for every component.
  static func expectAgreement(_ a: [Estimate], _ b: [Estimate], bound: Double, _ what: String) {
    for (x, y) in zip(a, b) {
      let combined = (x.standardError * x.standardError + y.standardError * y.standardError)
        .squareRoot()
      #expect(abs(x.value - y.value) <= bound * combined + 1e-12, "\(what): \(x) vs \(y)")
    }
  }

  /// On the MLP the general sampler draws the same law as ``WeightsSampler`` and
  /// ``ConditionalSampler``: K and V/n in every layer within 4.5 combined standard errors
  /// (widths 8, 2500 networks against 2500 and 8000, fixed seeds; ≈ 54 comparisons). Its metric
  /// block is the empirical kernel, so its metric mean equals its kernel exactly. Catches a
  /// standard deviation folded in twice or not at all, a wrong fan-in, a transposed operand or
  /// families drawn into each other's storage.
  @Test(arguments: [Activation.relu, Activation.tanh])
  func agreesWithTheMLPSamplers(activation: Activation) throws {
    let widths = [8, 8, 8]
    let general = try GeneralWeightsSampler(Self.mlp(activation, widths: widths))
      .statistics(seed: 21, networks: 0..<2500).estimates()
    let spec = NetworkSpecification.multilayerPerceptron(
      inputs: Self.twoInputs, widths: widths, activation: activation, biasVariance: 0.1,
      weightVariance: 2)
    let weights = try WeightsSampler(spec).statistics(seed: 11, networks: 0..<2500).estimates()
    let conditional = try ConditionalSampler(spec).statistics(seed: 12, networks: 0..<8000)
      .estimates()
    for (g, (w, c)) in zip(general, zip(weights, conditional)) {
      Self.expectAgreement(g.kernel, w.kernel, bound: 4.5, "K vs weights, layer \(g.layer)")
      Self.expectAgreement(g.kernel, c.kernel, bound: 4.5, "K vs conditional, layer \(g.layer)")
      Self.expectAgreement(g.fourPoint, w.fourPoint, bound: 4.5, "V/n vs weights, \(g.layer)")
      Self.expectAgreement(g.fourPoint, c.fourPoint, bound: 4.5, "V/n vs conditional, \(g.layer)")
      for (m, k) in zip(g.metricMean, g.kernel) { #expect(m == k) }
    }
  }

  /// A tiny stacked-weights network evaluated by hand from the same draws equals the sampler's
  /// preactivations exactly (bitwise): layer 1 `b + W x`, layer 2 `b + U W relu(z)`, widths 3,
  /// n0 = 2, two samples. The hand evaluation follows the documented draw order (families
  /// sorted by name, one fill each) and multiplies the standard deviations into the term scale
  /// as the sampler does; with fan-ins ≤ 3 every dot product is a plain left-to-right sum, so
  /// the two computations are the same floating-point operations. Catches any wrong index
  /// wiring, draw order, contraction or scale.
  @Test func stackedWeightsEqualAHandWrittenEvaluation() throws {
    let n = 3
    let n0 = 2
    let s = 2
    let (cb, cw) = (0.3, 1.7)
    let first = Self.mlpLayer(
      width: n, fanIn: n0, samples: s, source: .data(.inputs), cb: cb, cw: cw)
    // Labels: i = 0, a = 1, k = 2 (layer 2's width), j = 3 (layer 1's width).
    let sdW = (cw / Double(n)).squareRoot()
    let sdU = (1 / Double(n)).squareRoot()
    let sdB = cb.squareRoot()
    let second = LayerProgram(
      extents: [n, s, n, n], outputNeuron: 0, outputSample: 1,
      families: [
        ParameterFamily(name: "U", shape: [n, n], standardDeviation: sdU),
        ParameterFamily(name: "W", shape: [n, n], standardDeviation: sdW),
        ParameterFamily(name: "b", shape: [n], standardDeviation: sdB),
      ],
      terms: [
        ProgramTerm(scale: 1, factors: [ProgramFactor(.parameter(2), labels: [0])]),
        ProgramTerm(
          scale: 1,
          factors: [
            ProgramFactor(.parameter(0), labels: [0, 2]),
            ProgramFactor(.parameter(1), labels: [2, 3]),
            ProgramFactor(.function(.relu, derivative: 0, of: .preactivation), labels: [3, 1]),
          ]),
      ])
    let inputs: [[Double]] = [[1, 0.5], [-0.5, 1]]
    let sampler = try GeneralWeightsSampler(
      NetworkProgram(inputs: inputs, widths: [n, n], layers: [first, second]))
    let (seed, network) = (UInt64(5), 7)
    let sampled = sampler.preactivations(seed: seed, network: network)

    var generator = Xoshiro256PlusPlus(seed: seed, stream: UInt64(network))
    func draw(_ count: Int) -> [Double] {
      var values = [Double](repeating: 0, count: count)
      values.withUnsafeMutableBufferPointer {
        guard let base = $0.baseAddress else { return }
        generator.fillStandardNormals(base, count: count)
      }
      return values
    }
    // Layer 1: families W (n × n0), b (n).
    let w1 = draw(n * n0)
    let b1 = draw(n)
    var z1 = [[Double]](repeating: [Double](repeating: 0, count: n), count: s)
    for a in 0..<s {
      for i in 0..<n {
        var dot = 0.0
        for j in 0..<n0 { dot += w1[i * n0 + j] * inputs[a][j] }
        var z = 0.0
        z += sdB * b1[i]
        z += (cw / Double(n0)).squareRoot() * dot
        z1[a][i] = z
      }
    }
    // Layer 2: families U, W, b; (W relu) first, then U (the planned order).
    let u = draw(n * n)
    let w2 = draw(n * n)
    let b2 = draw(n)
    var wSigma = [[Double]](repeating: [Double](repeating: 0, count: s), count: n)
    for k in 0..<n {
      for a in 0..<s {
        var dot = 0.0
        for j in 0..<n { dot += w2[k * n + j] * max(z1[a][j], 0) }
        wSigma[k][a] = dot
      }
    }
    var z2 = [[Double]](repeating: [Double](repeating: 0, count: n), count: s)
    for a in 0..<s {
      for i in 0..<n {
        var dot = 0.0
        for k in 0..<n { dot += u[i * n + k] * wSigma[k][a] }
        var z = 0.0
        z += sdB * b2[i]
        z += (sdU * sdW) * dot
        z2[a][i] = z
      }
    }
    #expect(sampled.count == 2)
    for a in 0..<s {
      for i in 0..<n {
        #expect(sampled[0][neuron: i, sample: a] == z1[a][i])
        #expect(sampled[1][neuron: i, sample: a] == z2[a][i])
      }
    }
  }

  /// The planner never forms an n³ intermediate when a better order exists: the MLP's weight
  /// term costs n·n_prev·S multiply–adds, the stacked `U[i,k] W[k,j] σ(z[j;a])` costs
  /// 2·n²·S (`W σ` first), not n³ (`U W` first), and the gain `W[i,j] g[j] σ(z[j;a])` n·S + n²·S.
  @Test func contractionOrderAvoidsCubicWork() throws {
    let (n, s) = (64, 2)
    let mlp = try GeneralWeightsSampler(Self.mlp(.tanh, widths: [n, n]))
    #expect(mlp.multiplyAdds(layer: 1) == n * n * s)
    let sigma = ProgramFactor(.function(.tanh, derivative: 0, of: .preactivation), labels: [3, 1])
    let stacked = LayerProgram(
      extents: [n, s, n, n], outputNeuron: 0, outputSample: 1,
      families: [
        ParameterFamily(name: "U", shape: [n, n], standardDeviation: 1),
        ParameterFamily(name: "W", shape: [n, n], standardDeviation: 1),
      ],
      terms: [
        ProgramTerm(
          scale: 1,
          factors: [
            ProgramFactor(.parameter(0), labels: [0, 2]),
            ProgramFactor(.parameter(1), labels: [2, 3]), sigma,
          ])
      ])
    let gain = LayerProgram(
      extents: [n, s, n, n], outputNeuron: 0, outputSample: 1,
      families: [
        ParameterFamily(name: "W", shape: [n, n], standardDeviation: 1),
        ParameterFamily(name: "g", shape: [n], standardDeviation: 1),
      ],
      terms: [
        ProgramTerm(
          scale: 1,
          factors: [
            ProgramFactor(.parameter(0), labels: [0, 3]),
            ProgramFactor(.parameter(1), labels: [3]), sigma,
          ])
      ])
    var program = Self.mlp(.tanh, widths: [n, n])
    program.layers[1] = stacked
    #expect(try GeneralWeightsSampler(program).multiplyAdds(layer: 1) == 2 * n * n * s)
    program.layers[1] = gain
    #expect(try GeneralWeightsSampler(program).multiplyAdds(layer: 1) == n * s + n * n * s)
  }

  /// Statistics are bitwise the same on 1 and 2 threads (chunks merge in order).
  @Test func statisticsDoNotDependOnThreads() throws {
    let sampler = try GeneralWeightsSampler(Self.mlp(.tanh, widths: [5, 6]))
    let one = sampler.statistics(seed: 3, networks: 10..<300, threads: 1)
    let two = sampler.statistics(seed: 3, networks: 10..<300, threads: 2)
    #expect(one == two)
  }

  /// Shapes that do not fit are refused: a family used with another shape, a data factor on the
  /// wrong extents, a previous-layer factor in the first layer.
  @Test func invalidProgramsAreRefused() {
    var program = Self.mlp(.tanh, widths: [4, 4])
    program.layers[1].families[0].shape = [4, 5]
    #expect(throws: NetworkSpecificationError.self) { try GeneralWeightsSampler(program) }
    program = Self.mlp(.tanh, widths: [4, 4])
    program.layers[0].terms[1].factors[1] = ProgramFactor(.data(.preactivation), labels: [2, 1])
    #expect(throws: NetworkSpecificationError.firstLayerReadsPreviousLayer) {
      try GeneralWeightsSampler(program)
    }
  }
}
