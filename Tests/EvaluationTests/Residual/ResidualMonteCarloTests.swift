import Derivation
import Evaluation
import Foundation
import Numerics
import Sampling
import Testing

/// The heavy run behind the table of Derivations/residual-closure.md: real residual networks
/// (Derivations/residual.model, lowered to the weights sampler) on a width scan, K, G1 and V
/// extrapolated to infinite width, against the two-time reference and against the (K, G1, V)
/// Gaussian closure. Runs only with RESIDUAL_MC=1 (minutes in release mode:
/// `RESIDUAL_MC=1 swift test -c release -Xswiftc -enable-testing --filter ResidualMonteCarlo`);
/// RESIDUAL_MC_NETWORKS sets the networks per width (default 2 000 000), RESIDUAL_MC_ONLY one
/// activation (tanh or relu), RESIDUAL_MC_OUT a file prefix for the markdown tables.
/// RESIDUAL_MC_SAMPLER=conditional draws the networks with the conditional sampler instead
/// (z′ = ξ z + N(0, Ĝ), the skip as its conditional mean) and estimates E[z z] — hence G1 — by
/// its lower-variance conditional second moment Ĝ + ξ² A/n (``LayerEstimates/metricMean``).
///
/// Expectations: the two-time theory within 4 standard errors everywhere (layers 2–5); the
/// Gaussian closure rejected (some |z| ≥ 5) for ReLU, where it is off by 10–20 % from layer 3
/// on. For tanh the closure is off by only 1–2 % of V and ~15 % of a small G1, which these
/// widths resolve only with ≳ 10⁷ networks per width; there its worst |z| is reported.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["RESIDUAL_MC"] == "1"))
struct ResidualMonteCarloTests {
  struct Case: Sendable, CustomStringConvertible {
    var activation: Activation
    var name: String
    var cb: Double
    var cw: Double
    var xi: Double
    var description: String { "\(name) C_b=\(cb) C_W=\(cw) ξ=\(xi)" }
  }

  static let cases = [
    Case(activation: .tanh, name: "tanh", cb: 0.1, cw: 0.5, xi: 0.9),
    Case(activation: .relu, name: "relu", cb: 0.1, cw: 0.4, xi: 0.8),
  ]
  static let inputs: [[Double]] = [[1, 0.5, -0.3], [0.2, -0.9, 0.8]]
  static let widths = [8, 12, 16, 24, 32]
  static let depth = 5

  /// Weighted least squares of y(n) = a + b/n + c/n²; returns a and its standard error.
  static func extrapolate(_ points: [(n: Double, y: Double, se: Double)]) -> (Double, Double) {
    var m = [[Double]](repeating: [0, 0, 0], count: 3)
    var r = [0.0, 0, 0]
    for p in points {
      let x = [1, 1 / p.n, 1 / (p.n * p.n)]
      let w = 1 / (p.se * p.se)
      for i in 0..<3 {
        r[i] += w * x[i] * p.y
        for j in 0..<3 { m[i][j] += w * x[i] * x[j] }
      }
    }
    let inverse = ResidualReference.inverse(m)
    let a = (0..<3).map { inverse[0][$0] * r[$0] }.reduce(0, +)
    return (a, inverse[0][0].squareRoot())
  }

  @Test(arguments: cases)
  func referenceAgreesWithRealNetworks(_ c: Case) throws {
    let environment = ProcessInfo.processInfo.environment
    let networks = Int(environment["RESIDUAL_MC_NETWORKS"] ?? "") ?? 2_000_000
    if let only = environment["RESIDUAL_MC_ONLY"], only != c.name { return }
    let conditional = environment["RESIDUAL_MC_SAMPLER"] == "conditional"
    let model = try ResidualSamplerTests.model()
    let isRelu = c.name == "relu"
    let reference = ResidualReference(
      sigma: isRelu ? { max($0, 0) } : { Foundation.tanh($0) }, splitAtZero: isRelu, cb: c.cb,
      cw: c.cw, xi: c.xi, inputs: Self.inputs, depth: Self.depth,
      quadrature: NestedGaussQuadrature(order: 6))
    let (theory, closure) = (reference.run(), reference.gaussianClosure())
    var perWidth: [(n: Double, estimates: [LayerEstimates])] = []
    for (k, n) in Self.widths.enumerated() {
      let p = NumericParameters(
        couplings: ["C_b": c.cb, "C_W": c.cw, "xi": c.xi],
        widths: Array(repeating: n, count: Self.depth), inputs: Self.inputs,
        activation: c.activation)
      let lowering = NetworkLowering(model: model, derivation: nil)
      let sampler = try lowering.sampler(conditional ? .conditional : .weights, p)
      let stats = sampler.statistics(seed: 2026 + UInt64(k), networks: 0..<networks, threads: nil)
      perWidth.append((Double(n), stats.estimates()))
    }
    let layout = SampleIndexLayout(sampleCount: 2)
    var lines = [
      "| \(c.name) | layer | entry | two-time theory | Gaussian closure | MC (n → ∞) | z theory | z closure |",
      "|---|---|---|---|---|---|---|---|",
    ]
    var worstTheory = 0.0
    var worstClosure = 0.0
    func row(_ layer: Int, _ entry: String, _ t: Double, _ g: Double, _ mc: (Double, Double)) {
      let (zt, zg) = ((mc.0 - t) / mc.1, (mc.0 - g) / mc.1)
      if layer >= 2 { worstTheory = max(worstTheory, abs(zt)) }
      worstClosure = max(worstClosure, abs(zg))
      lines.append(
        "| | \(layer) | \(entry) | \(String(format: "%.5f", t)) | \(String(format: "%.5f", g)) | \(String(format: "%.5f ± %.5f", mc.0, mc.1)) | \(String(format: "%.1f", zt)) | \(String(format: "%.1f", zg)) |"
      )
    }
    for l in 1..<Self.depth {
      for (p, (a, b)) in layout.pairs.enumerated() {
        let k = theory[l].k[a][b]
        let mc = Self.extrapolate(
          perWidth.map { w in
            let e = conditional ? w.estimates[l].metricMean[p] : w.estimates[l].kernel[p]
            return (w.n, w.n * (e.value - k), w.n * e.standardError)
          })
        row(l + 1, "G1[\(a)\(b)]", theory[l].g1[a][b], closure[l].g1[a][b], mc)
      }
      for (index, (p, q)) in layout.pairPairs.enumerated() {
        let ((a, b), (g, d)) = (layout.pairs[p], layout.pairs[q])
        let slot = ((a * 2 + b) * 2 + g) * 2 + d
        let mc = Self.extrapolate(
          perWidth.map { w in
            let e = w.estimates[l].fourPoint[index]
            return (w.n, w.n * e.value, w.n * e.standardError)
          })
        row(l + 1, "V[\(a)\(b)\(g)\(d)]", theory[l].v[slot], closure[l].v[slot], mc)
      }
    }
    let table = lines.joined(separator: "\n")
    print(table)
    if let out = environment["RESIDUAL_MC_OUT"] {
      try (table + "\n").write(toFile: out + "-\(c.name).md", atomically: true, encoding: .utf8)
    }
    #expect(worstTheory <= 4, "\(c): worst |z| of the two-time theory \(worstTheory)")
    print("\(c): worst |z| two-time theory \(worstTheory), Gaussian closure \(worstClosure)")
    if c.name == "relu" {
      #expect(worstClosure >= 5, "\(c): the Gaussian closure is not rejected (\(worstClosure))")
    }
  }
}
