import Foundation
import Numerics
import Sampling
import Testing

/// The reference recursions (``NTKReference``) against closed forms and against real networks
/// (``NTKSampler``): the cross-check that both the hand-derived formulas and the sampler are
/// right, with a negative control.
@Suite struct NTKReferenceTests {
  /// §9: the arc-cosine kernel and ⟨σ'σ'⟩ = (π − θ)/2π for ReLU, by the polar rule.
  /// Catches: kink directions computed wrongly (the error would be ~1e-4, not 1e-13).
  @Test func reluClosedForms() {
    let k = [[1.3, -0.4], [-0.4, 0.7]]
    var g = NTKReference.Integrals(kernel: k, activation: .relu)
    let theta = acos(-0.4 / (1.3 * 0.7).squareRoot())
    let arcCosine =
      (1.3 * 0.7).squareRoot() / (2 * Double.pi) * (sin(theta) + (Double.pi - theta) * cos(theta))
    #expect(abs(g.mean([(0, 0), (1, 0)]) - arcCosine) < 1e-13)
    #expect(abs(g.mean([(0, 1), (1, 1)]) - (Double.pi - theta) / (2 * Double.pi)) < 1e-13)
    // ⟨relu⁴⟩ = ½·3·K² (one sample, the 1-d rule).
    #expect(abs(g.mean([(0, 0), (0, 0), (0, 0), (0, 0)]) - 1.5 * 1.3 * 1.3) < 1e-12)
    // Hermite form of a mixed derivative: ⟨∂₀∂₁(σ₀σ₁)⟩ = ⟨σ'₀σ'₁⟩.
    #expect(abs(g.second([(0, 0), (1, 0)])[0][1] - (Double.pi - theta) / (2 * Double.pi)) < 1e-12)
  }

  /// Hermite forms against direct derivatives for tanh (2-d and 1-d rules), and Stein.
  @Test func tanhHermiteForms() {
    let k = [[0.9, 0.35], [0.35, 1.6]]
    var g = NTKReference.Integrals(kernel: k, activation: .tanh)
    #expect(abs(g.second([(0, 0), (1, 0)])[0][1] - g.mean([(0, 1), (1, 1)])) < 1e-12)
    #expect(abs(g.first([(1, 0)])[1] - g.mean([(1, 1)])) < 1e-13)
    // ⟨∂₀(σ'₀σ₁)⟩ = ⟨σ''₀σ₁⟩ + ... is not available; ⟨∂₁(σ'₀σ₁)⟩ = ⟨σ'₀σ'₁⟩ is.
    #expect(abs(g.first([(0, 1), (1, 0)])[1] - g.mean([(0, 1), (1, 1)])) < 1e-12)
  }

  /// FORMULAS.md §12's closed forms at ReLU criticality (single input, C_b = 0, C_W = 2, equal
  /// widths): Θ^(ℓ) = ℓ(λ_b + λ_W A₂ K*) and F/(K* Θ) = (A₄/A₂²)(ℓ − 1)/2 = ℓ − 1 (A₂ = A₄ = ½).
  /// Catches a wrong F recursion (its Q factors or its r) or a wrong Θ recursion.
  @Test func reluCriticality() {
    let p = NTKReference.Parameters(
      activation: .relu, cb: 0, cw: 2, lambdaB: 0.3, lambdaW: 0.7, widths: [20, 20, 20, 20, 20],
      inputs: [[1, -0.5, 2]])
    let layers = NTKReference.evaluate(p)
    let kStar = 2 * (1 + 0.25 + 4) / 3.0
    for (index, layer) in layers.enumerated() {
      let l = Double(index + 1)
      #expect(abs(layer.K[0][0] - kStar) < 1e-12 * kStar)
      let theta = l * (0.3 + 0.7 * 0.5 * kStar)
      #expect(abs(layer.theta[0][0] - theta) < 1e-12 * theta)
      #expect(abs(layer.F[0] / (kStar * theta) - (l - 1)) < 1e-11)
    }
  }

  // MARK: - Against real networks

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

  /// Theory against real networks on a width scan `(n, 2n, n)` (so r = 2 in the step 2 → 3),
  /// two inputs: every quantity's residual, extrapolated to infinite width, must be within 4.5
  /// standard errors of zero; the negative control (A's recursion without its two
  /// cross-correlation terms `r (C_W/2) ⟨σ'σ'⟩ P_Ω D`, about 30 % of `A^(3)_{0001}`) must fail on
  /// A at layer 3 by more than 6 standard errors. Returns the largest |z| of both.
  static func crossCheck(
    _ activation: NTKReference.ActivationFunction, shape: [Int],
    statistics: [NTKSamplingStatistics]
  ) -> (agreement: Double, control: Double) {
    let scans = estimates(statistics)
    let rows = compare(reference: reference(activation, shape: shape), scans: scans)
    #expect(rows.count > 100)
    for row in rows where !(abs(row.z) <= 4.5) {
      Issue.record(
        "layer \(row.layer) \(row.name)[\(row.key)]: theory \(row.theory), residual \(row.limit), z \(row.z)"
      )
    }
    let control = compare(
      reference: reference(activation, shape: shape, omitting: .aCrossCorrelation), scans: scans)
    let controlWorst =
      control.filter { $0.name == "A" && $0.layer == 3 }.map { abs($0.z) }.max() ?? 0
    #expect(controlWorst > 6, "the negative control on A does not fail")
    return (rows.map { abs($0.z) }.max() ?? .nan, controlWorst)
  }

  /// tanh, n = 4, 8, 16, 3000 networks per width, seed 2026 (the quick mode: ~15 s in debug).
  /// Catches: any wrong term of Θ¹, A, B, D, F, G¹ or V (or of the sampler's estimators), a wrong
  /// width ratio, a wrong index order.
  @Test func tanhReferenceAgreesWithRealNetworks() throws {
    let (agreement, control) = Self.crossCheck(
      .tanh, shape: Self.quickShape, statistics: try Self.quickRun.get())
    print(
      "NTK reference vs real networks (tanh): largest |z| \(agreement); negative control \(control)"
    )
  }

  /// The heavy versions (`NTK_REFERENCE_HEAVY=1`): tanh and relu, n = 8, 16, 32, 20000 networks.
  @Test(.enabled(if: ProcessInfo.processInfo.environment["NTK_REFERENCE_HEAVY"] == "1"))
  func heavyReferenceAgreesWithRealNetworks() throws {
    for activation in [NTKReference.ActivationFunction.tanh, .relu] {
      let statistics = try Self.sample(
        activation: activation == .tanh ? .tanh : .relu, shape: Self.quickShape,
        scan: [8, 16, 32], networks: 20_000, seed: 7)
      let (agreement, control) = Self.crossCheck(
        activation, shape: Self.quickShape, statistics: statistics)
      print(
        "NTK reference vs real networks (\(activation), heavy): largest |z| \(agreement); negative control \(control)"
      )
    }
  }
}
