import Derivation
import Evaluation
import Foundation
import Testing

/// What a layer's statistics predict at finite width, read off the declared cumulants
/// (`FiniteWidthPredictor`), on hand-made values where every number is known.
@Suite struct FiniteWidthPredictionTests {
  static func model(_ name: String) throws -> Model {
    try ModelCompiler.compile(BuiltinModels.text(named: name) ?? "", file: name)
  }

  /// The mean-centred model's two-point cumulant δ(K + G1/n) + R/n, with the MLP's
  /// four-point one (Derivations/mean-centred.model, a statistic no code knows).
  static let meanCentred = """
    model mean-centred
    index i, k : neuron l+1
    index j : neuron l
    index a : sample
    coupling C_W
    function sigma
    gaussian W[i,j] : C_W / n(j)
    input x[j;a]
    incoming z[j;a] : nearly-gaussian, per n[l-1]
    statistic K[a1,a2] : symmetric
    statistic G1[a1,a2] : symmetric
    statistic R[a1,a2] : symmetric
    statistic V[a1,a2,a3,a4] : pairs
    cumulant z[j1;a1] z[j2;a2] = delta[j1,j2] (K[a1,a2] + G1[a1,a2] / n) + R[a1,a2] / n
    cumulant z[j1;a1] z[j2;a2] z[j3;a3] z[j4;a4] = \\
        ( delta[j1,j2] delta[j3,j4] V[a1,a2,a3,a4] \\
        + delta[j1,j3] delta[j2,j4] V[a1,a3,a2,a4] \\
        + delta[j1,j4] delta[j2,j3] V[a1,a4,a2,a3] ) / n
    map z[i;a] = W[i,j] sigma(z[j;a]) - W[k,j] sigma(z[j;a]) / n(k)
    first z[i;a] = W[i,j] x[j;a]
    derive K G1 R V to order 1

    """

  /// Two inputs: K = [[2, 1], [1, 4]], G1 = [[−4, 2], [2, 8]], R = [[1, 1], [1, 1]], and
  /// V_{abcd} = 1000a + 100b + 10c + d + 1, so that every index permutation is visible.
  static func values(_ names: [String]) -> RecursionValues {
    var tensors: [String: SampleTensor] = [
      "K": SampleTensor(rank: 2, sampleCount: 2, values: [2, 1, 1, 4]),
      "G1": SampleTensor(rank: 2, sampleCount: 2, values: [-4, 2, 2, 8]),
      "R": SampleTensor(rank: 2, sampleCount: 2, values: [1, 1, 1, 1]),
    ]
    var v = SampleTensor.zero(rank: 4, sampleCount: 2)
    for k in v.values.indices {
      v.values[k] = Double(v.indices(at: k).reduce(0) { $0 * 10 + $1 } + 1)
    }
    tensors["V"] = v
    return RecursionValues(
      layer: 3, sampleCount: 2, names: names, tensors: tensors.filter { names.contains($0.key) })
  }

  /// MLP: E[z_i z_i] = K + G1/n, E_c[z_i z_i z_j z_j] = V/n (the δ₁₂δ₃₄ term only, V's own
  /// index order), ε = max_a V[(aa)(aa)]/(n K[aa]²) = max(1/(4·4), 1112/(4·16)).
  @Test func mlpPredictionsAreMetricPlusCorrectionAndVertexOverN() throws {
    let predictor = try #require(FiniteWidthPredictor(Self.model("mlp")))
    #expect(predictor.twoPointLabel == "K+G1/n")
    #expect(predictor.fourPointLabel == "V/n")
    #expect(predictor.expansionParameterLabel == "V/(nK^2)")
    let p = predictor.predict(Self.values(["K", "G1", "V"]), width: 4)
    #expect(p.layer == 3 && p.width == 4)
    let expected: [Double] = [1, 1.5, 1.5, 6]  // K + G1/4
    #expect(p.twoPoint?.values == expected)
    let four = try #require(p.fourPoint)
    #expect(four[0, 1, 1, 0] == Double(0110 + 1) / 4)
    #expect(four[1, 0, 0, 1] == Double(1001 + 1) / 4)
    #expect(four[1, 1, 1, 1] == Double(1111 + 1) / 4)
    #expect(p.expansionParameter == 1112.0 / 4 / 16)
  }

  /// A term without δ holds for the same neuron too: the mean-centred model's one-neuron
  /// two-point function is K + G1/n + R/n (its four-point one is the MLP's).
  @Test func aTermWithoutDeltaEntersTheOneNeuronFunction() throws {
    let model = try ModelCompiler.compile(Self.meanCentred, file: "mean-centred.model")
    let predictor = try #require(FiniteWidthPredictor(model))
    #expect(predictor.twoPointLabel == "K+G1/n+R/n")
    #expect(predictor.fourPointLabel == "V/n")
    let p = predictor.predict(Self.values(["K", "G1", "R", "V"]), width: 2)
    let expected: [Double] = [0.5, 2.5, 2.5, 8.5]  // K + G1/2 + R/2
    #expect(p.twoPoint?.values == expected)
  }

  /// The threshold decides from which layer on the truncation is flagged: the first layer
  /// whose ε exceeds it (a later layer below it is still flagged by the caller's rule).
  @Test func firstUnreliableLayerIsTheFirstPastTheThreshold() {
    func at(_ layer: Int, _ epsilon: Double?) -> FiniteWidthPrediction {
      FiniteWidthPrediction(
        layer: layer, width: 16, twoPoint: nil, fourPoint: nil, expansionParameter: epsilon)
    }
    let t = FiniteWidthPrediction.reliabilityThreshold
    #expect(t == 0.1)
    #expect(FiniteWidthPrediction.firstUnreliableLayer([at(1, 0), at(2, t), at(3, nil)]) == nil)
    #expect(
      FiniteWidthPrediction.firstUnreliableLayer([at(1, 0), at(2, 0.05), at(3, 0.2), at(4, 0.01)])
        == 3)
  }

  /// A metric entry of 0 (an input that is always 0) is left out of ε rather than dividing
  /// by zero; an entry far below the four-point function gives a finite ε (no `inf` printed).
  @Test func expansionParameterSkipsZeroVarianceAndStaysFinite() throws {
    let predictor = try #require(FiniteWidthPredictor(Self.model("mlp")))
    var values = Self.values(["K", "G1", "V"])
    values.tensors["K"] = SampleTensor(rank: 2, sampleCount: 2, values: [0, 0, 0, 4])
    #expect(predictor.predict(values, width: 4).expansionParameter == 1112.0 / 4 / 16)
    values.tensors["K"] = SampleTensor(rank: 2, sampleCount: 2, values: [1e-300, 0, 0, 4])
    let epsilon = try #require(predictor.predict(values, width: 4).expansionParameter)
    #expect(epsilon.isFinite && epsilon > 1e300)
  }
}
