import Foundation
import Numerics
import Testing

@testable import Sampling

/// The conditional sampler with a skip (``ConditionalCovariance/skip``): z′_i = c z_i + L u_i.
@Suite struct ConditionalSkipTests {
  static func laws(_ activation: Activation, skip: Double, depth: Int) -> [ConditionalCovariance] {
    let first = ConditionalCovariance(
      constant: 0.1,
      terms: [ConditionalCovarianceTerm(coefficient: 0.5, left: .inputs, right: .inputs)])
    let hidden = ConditionalCovariance(
      constant: 0.1,
      terms: [
        ConditionalCovarianceTerm(
          coefficient: 0.5, left: .activation(activation), right: .activation(activation))
      ], skip: skip)
    return [first] + Array(repeating: hidden, count: depth - 1)
  }

  /// One network by hand: with the same generator stream, layer ℓ+1 minus c times layer ℓ is
  /// L u with L the Cholesky factor of Ĝ computed from layer ℓ (two samples, fused path; three
  /// samples, generic path). Catches the skip added to the wrong neuron or sample, added after
  /// the next Ĝ is formed, or read from an overwritten buffer.
  @Test(arguments: [2, 3])
  func layerIsSkipPlusInnovation(samples: Int) throws {
    let inputs = [[1.0, 0.5], [0.3, -0.8], [-0.4, 0.2]].prefix(samples).map { $0 }
    let widths = [5, 5, 5]
    let sampler = try ConditionalSampler(
      inputs: inputs, widths: widths, covariances: Self.laws(.tanh, skip: 0.7, depth: 3))
    let z = sampler.preactivations(seed: 3, network: 11)
    var generator = Xoshiro256PlusPlus(seed: 3, stream: 11)
    let s = samples
    var previous: [[Double]] = []  // [α][i]
    for layer in 0..<3 {
      var g = [[Double]](repeating: [Double](repeating: 0, count: s), count: s)
      for a in 0..<s {
        for b in 0..<s {
          if layer == 0 {
            g[a][b] = 0.1 + 0.5 * zip(inputs[a], inputs[b]).map { $0 * $1 }.reduce(0, +) / 2
          } else {
            g[a][b] =
              0.1 + 0.5
              * (0..<5).map { tanh(previous[a][$0]) * tanh(previous[b][$0]) }
              .reduce(0, +) / 5
          }
        }
      }
      var l = [[Double]](repeating: [Double](repeating: 0, count: s), count: s)
      for a in 0..<s {
        for b in 0...a {
          var v = g[a][b]
          for c in 0..<b { v -= l[a][c] * l[b][c] }
          l[a][b] = a == b ? v.squareRoot() : v / l[b][b]
        }
      }
      var u = [Double](repeating: 0, count: 5 * s)
      u.withUnsafeMutableBufferPointer { buffer in
        if let base = buffer.baseAddress { generator.fillStandardNormals(base, count: 5 * s) }
      }
      var current = [[Double]](repeating: [Double](repeating: 0, count: 5), count: s)
      for a in 0..<s {
        for i in 0..<5 {
          var v = 0.0
          for b in 0...a { v += l[a][b] * u[b * 5 + i] }
          current[a][i] = v + (layer == 0 ? 0 : 0.7 * previous[a][i])
          #expect(
            abs(z[layer][neuron: i, sample: a] - current[a][i]) <= 1e-12,
            "layer \(layer) z[\(i);\(a)]")
        }
      }
      previous = current
    }
  }

  /// The fused two-sample kernel and the generic path consume the same draws with the skip too:
  /// networks and statistics agree to 1e-12 relative.
  @Test(arguments: [Activation.relu, .tanh, .linear])
  func fusedKernelMatchesGenericPath(activation: Activation) throws {
    SamplingSamplerTests.expectFusedMatchesGeneric(
      try ConditionalSampler(
        inputs: [[1, 0.5, 0], [0.2, -0.9, 0.8]], widths: [7, 7, 7],
        covariances: Self.laws(activation, skip: 0.9, depth: 3)))
  }

  /// A skip needs equal consecutive widths and a previous layer; both are refused when built.
  @Test func shapeIsValidated() {
    let inputs: [[Double]] = [[1, 0.5], [0.2, -0.9]]
    #expect(
      throws: NetworkSpecificationError.skipWidthMismatch(layer: 1, previousWidth: 4, width: 5)
    ) {
      try ConditionalSampler(
        inputs: inputs, widths: [4, 5], covariances: Self.laws(.tanh, skip: 0.9, depth: 2))
    }
    var laws = Self.laws(.tanh, skip: 0.9, depth: 2)
    laws[0].skip = 0.5
    #expect(throws: NetworkSpecificationError.firstLayerCarriesPreactivation) {
      try ConditionalSampler(inputs: inputs, widths: [4, 4], covariances: laws)
    }
    #expect(
      NetworkSpecificationError.skipWidthMismatch(layer: 1, previousWidth: 4, width: 5).description
        == "layer 2 carries each neuron's own preactivation from layer 1 (width 4) to layer 2 (width 5): a skip connection needs equal widths"
    )
    // Different widths without a skip are fine.
    #expect(throws: Never.self) {
      try ConditionalSampler(
        inputs: inputs, widths: [4, 5], covariances: Self.laws(.tanh, skip: 0, depth: 2))
    }
  }
}
