import Foundation
import Numerics
import Sampling

/// The comparison of the reference theory (``NTKReference``) with the ``NTKSampler`` on a width
/// scan, shared by the tests and usable outside them (no `Testing`): the scan is sampled, every
/// quantity's residual is extrapolated to infinite width by weighted least squares, and its
/// z-score is reported.
enum NTKScanComparison {
  static let rates = NTKLearningRates(bias: 0.4, weights: 0.9)
  static let inputs: [[Double]] = [[1, 0.5, -0.3], [0.2, -0.9, 0.8]]

  /// One compared quantity across the width scan.
  struct Comparison {
    var name: String
    var layer: Int
    var key: String
    var theory: Double
    /// The fitted residual at infinite width and its z-score.
    var limit: Double
    var z: Double
  }

  /// Weighted least squares of r(m) = a + b·m^{−order}; returns (a, σ_a).
  static func extrapolate(_ points: [(m: Double, residual: Double, se: Double)], order: Double)
    -> (Double, Double)
  {
    var sw = 0.0
    var sx = 0.0
    var sxx = 0.0
    var sr = 0.0
    var sxr = 0.0
    for p in points {
      let w = 1 / max(p.se * p.se, 1e-300)
      let x = pow(p.m, -order)
      sw += w
      sx += w * x
      sxx += w * x * x
      sr += w * p.residual
      sxr += w * x * p.residual
    }
    let det = sw * sxx - sx * sx
    return ((sxx * sr - sx * sxr) / det, (sxx / det).squareRoot())
  }

  /// Theory (the reference at the scan's width ratios) against the sampler's estimates at each
  /// width of the scan, for layers ≥ 2: Θ + Θ¹/m (residual O(m⁻²)), Θ¹ = m(E − Θ), A, B, D, F,
  /// and K + G¹/m, V from the same networks (residuals O(m⁻¹)).
  static func compare(
    reference: [NTKReference.Layer], scans: [(ntk: [NTKLayerEstimates], base: [LayerEstimates])]
  ) -> [Comparison] {
    var out: [Comparison] = []
    let s = reference[0].sampleCount
    let samples = SampleIndexLayout(sampleCount: s)
    func add(
      _ name: String, _ layer: Int, _ key: String, _ theory: Double, order: Double,
      _ estimate: (Int) -> (m: Double, value: Double, se: Double)
    ) {
      let points = scans.indices.map { k -> (m: Double, residual: Double, se: Double) in
        let e = estimate(k)
        return (e.m, e.value - theory, e.se)
      }
      let (a, se) = extrapolate(points, order: order)
      out.append(
        Comparison(name: name, layer: layer, key: key, theory: theory, limit: a, z: a / se))
    }
    for index in 1..<reference.count {
      let ref = reference[index]
      let layer = index + 1
      for (a, b) in samples.pairs {
        let key = "\(a)\(b)"
        let theta = ref.theta[a][b]
        let theta1 = ref.theta1[a][b]
        add("Theta+Theta1/n", layer, key, theta, order: 2) { k in
          let e = scans[k].ntk[index]
          let m = Double(e.fanIn)
          let x = e.estimate(.mean, [a, b])
          return (m, x.value - theta1 / m, x.standardError)
        }
        add("Theta1", layer, key, theta1, order: 1) { k in
          let e = scans[k].ntk[index]
          let m = Double(e.fanIn)
          let x = e.estimate(.mean, [a, b])
          return (m, m * (x.value - theta), m * x.standardError)
        }
        add("K+G1/n", layer, key, ref.K[a][b], order: 2) { k in
          let m = Double(scans[k].ntk[index].fanIn)
          let x = scans[k].base[index].metricMean[samples.pairIndex(a, b)]
          return (m, x.value - ref.G1[a][b] / m, x.standardError)
        }
        add("G1", layer, key, ref.G1[a][b], order: 1) { k in
          let m = Double(scans[k].ntk[index].fanIn)
          let x = scans[k].base[index].metricMean[samples.pairIndex(a, b)]
          return (m, m * (x.value - ref.K[a][b]), m * x.standardError)
        }
      }
      let all = (0..<s).flatMap { a in
        (0..<s).flatMap { b in (0..<s).flatMap { c in (0..<s).map { d in [a, b, c, d] } } }
      }
      for i in all {
        let key = i.map(String.init).joined()
        let q = ref.quad(i[0], i[1], i[2], i[3])
        let statistics: [(String, NTKStatistic, Double)] = [
          ("A", .diagonalCovariance, ref.A[q]), ("B", .offDiagonalCovariance, ref.B[q]),
          ("D", .diagonalCrossCorrelation, ref.D[q]), ("F", .offDiagonalCrossCorrelation, ref.F[q]),
        ]
        for (name, statistic, theory) in statistics {
          add(name, layer, key, theory, order: 1) { k in
            let e = scans[k].ntk[index]
            let x = e.estimate(statistic, i)
            return (Double(e.fanIn), x.value, x.standardError)
          }
        }
        add("V", layer, key, ref.V[q], order: 1) { k in
          let m = Double(scans[k].ntk[index].fanIn)
          let x = scans[k].base[index].metricCovariance[
            samples.fourPointIndex(i[0], i[1], i[2], i[3])]
          return (m, m * x.value, m * x.standardError)
        }
      }
    }
    return out
  }

  /// Samples the scan: widths `shape · n` for each `n`, independent seeds per width.
  static func sample(
    activation: Activation, shape: [Int], scan: [Int], networks: Int, seed: UInt64
  ) throws -> [NTKSamplingStatistics] {
    try scan.enumerated().map { step, n in
      let spec = NetworkSpecification.multilayerPerceptron(
        inputs: inputs, widths: shape.map { $0 * n }, activation: activation, biasVariance: 0.2,
        weightVariance: 1.5)
      let sampler = try NTKSampler(spec, learningRates: rates)
      return sampler.ntkStatistics(
        seed: seed &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15, networks: 0..<networks)
    }
  }

  static func estimates(_ statistics: [NTKSamplingStatistics]) -> [(
    ntk: [NTKLayerEstimates], base: [LayerEstimates]
  )] {
    statistics.map { ($0.estimates(), $0.base.estimates()) }
  }

  /// The quick run shared by the tests: tanh, widths (n, 2n, n) for n = 4, 8, 16, 3000 networks
  /// per width, seed 2026 (about 15 s in debug).
  static let quickShape = [1, 2, 1]
  static let quickRun: Result<[NTKSamplingStatistics], any Error> = Result {
    try sample(activation: .tanh, shape: quickShape, scan: [4, 8, 16], networks: 3000, seed: 2026)
  }

  static func reference(
    _ activation: NTKReference.ActivationFunction, shape: [Int],
    omitting: NTKReference.Omission? = nil
  ) -> [NTKReference.Layer] {
    NTKReference.evaluate(
      NTKReference.Parameters(
        activation: activation, cb: 0.2, cw: 1.5, lambdaB: 0.4, lambdaW: 0.9,
        widths: shape.map { $0 * 16 }, inputs: inputs),
      omitting: omitting)
  }
}
