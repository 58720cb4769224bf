import Derivation
import Evaluation
import Foundation
import Numerics
import Quadrature
import Testing

/// Critical points of the MLP's derived single-input kernel map (FORMULAS.md §13), checked
/// against numbers the search never uses: direct Gaussian quadrature of ⟨σ²⟩, ⟨σ′²⟩ and ⟨σ²z²⟩
/// at the reported K★, and reference values computed independently with mpmath at 40 digits.
@Suite struct CriticalitySearchTests {
  static func search(_ model: String = "mlp") throws -> CriticalitySearch {
    let m = try ModelCompiler.compile(BuiltinModels.text(named: model) ?? "", file: model)
    return CriticalitySearch(kernel: try SingleInputKernel.derive(m))
  }

  /// K★ = C_b + C_W⟨σ²⟩, χ_⊥ = C_W⟨σ′²⟩ and χ_∥ = C_W/(2K²)⟨σ²(z² − K)⟩ at the point, each
  /// from one direct quadrature (the book's formulas, not the derived expressions).
  static func residuals(_ activation: Activation, cb: Double, cw: Double, k: Double) throws
    -> (fixedPoint: Double, parallel: Double, perpendicular: Double)
  {
    let q = GaussianExpectation()
    let c = try CovarianceMatrix(variance: k)
    let s = GaussianFactor.activation(activation, derivative: 0, coordinate: 0)
    let ds = GaussianFactor.activation(activation, derivative: 1, coordinate: 0)
    let s2 = try q.expectation(of: [s, s], covariance: c)
    let s2z2 = try q.expectation(of: [s, s, .power(2, coordinate: 0)], covariance: c)
    let ds2 = try q.expectation(of: [ds, ds], covariance: c)
    return (
      cb + cw * s2 - k, cw / (2 * k * k) * (s2z2 - k * s2) - 1, cw * ds2 - 1
    )
  }

  /// GELU and SWISH: one critical point K★ > 0 each, within 1e-8 of the mpmath references
  /// (GELU: C_b = 0.172922390756067, C_W = 1.98305825743755, K★ = (3 + √17)/2 =
  /// 3.56155281280883; SWISH: C_b = 0.555143170721530, C_W = 1.98800467826949, K★ =
  /// 14.3201736180258), with K★ = K′(K★) and χ_∥ = χ_⊥ = 1 to 1e-8 by direct quadrature; both
  /// also have the unstable K★ = 0 point C_b = 0, C_W = 1/σ′(0)² = 4. The flow about K★,
  /// K′ − K ≈ a δ² + b δ³, to 1 % of mpmath's derivatives (GELU a = −1.43626e-4,
  /// b = −2.15802e-4; SWISH a = 2.84979e-6, b = −1.07108e-5), so GELU attracts from above and
  /// SWISH from below. Catches: a wrong linear solve for (C_b, C_W), a χ_∥ with the wrong
  /// factor, a root not refined, a missed root, a stability read from noise.
  @Test(arguments: [
    (
      "gelu", Activation.gelu, [0.172922390756067, 1.98305825743755, 3.56155281280883],
      [-1.43626e-4, -2.15802e-4]
    ),
    (
      "swish", Activation.swish, [0.555143170721530, 1.98800467826949, 14.3201736180258],
      [2.84979e-6, -1.07108e-5]
    ),
  ])
  func smoothActivationsHaveAnIsolatedPoint(
    name: String, activation: Activation, reference: [Double], flow: [Double]
  ) throws {
    let (cb, cw, k) = (reference[0], reference[1], reference[2])
    let report = try Self.search().run(activation: name)
    #expect(report.points.count == 2)
    let zero = try #require(report.points.first)
    #expect(zero.kind == .zeroKernel && zero.stability == .repelling && zero.kernel == 0)
    #expect(zero.couplings.map(\.value) == [0, 4])
    let p = try #require(report.points.last)
    #expect(p.kind == .positiveKernel && p.couplings.map(\.name) == ["C_b", "C_W"])
    let (b, w, kStar) = (p.couplings[0].value, p.couplings[1].value, try #require(p.kernel))
    #expect(abs(b - cb) <= 1e-8 && abs(w - cw) <= 1e-8 && abs(kStar - k) <= 1e-8 * k)
    let r = try Self.residuals(activation, cb: b, cw: w, k: kStar)
    #expect(abs(r.fixedPoint) <= 1e-8 * kStar && abs(r.parallel) <= 1e-8)
    #expect(abs(r.perpendicular) <= 1e-8)
    #expect(abs(p.chiParallel - 1) <= 1e-10 && abs(p.chiPerpendicular - 1) <= 1e-10)
    let (a, cubic) = (try #require(p.curvature), try #require(p.cubic))
    #expect(abs(a - flow[0]) <= 0.01 * abs(flow[0]) && abs(cubic - flow[1]) <= 0.01 * abs(flow[1]))
    #expect(p.stability == (flow[0] < 0 ? .attractsFromAbove : .attractsFromBelow))
  }

  /// The K★ = 0 class: tanh and sin at exactly C_b = 0, C_W = 1 (σ′(0) = 1), erf at
  /// C_W = π/4 (σ′(0) = 2/√π), each attracting (K′ − K ≈ a K², a = −2, −1, −2 from σ‴(0)), and no
  /// K★ > 0 in the range. Catches: a K★ = 0 point derived with the wrong Taylor coefficients,
  /// or a spurious root near the small-K end of the grid.
  @Test(arguments: [("tanh", 1.0, -2.0), ("sin", 1.0, -1.0), ("erf", Double.pi / 4, -2.0)])
  func zeroKernelClass(name: String, cw: Double, curvature: Double) throws {
    let report = try Self.search().run(activation: name)
    #expect(report.points.count == 1)
    let p = try #require(report.points.first)
    #expect(p.kind == .zeroKernel && p.stability == .attracting && p.kernel == 0)
    #expect(p.couplings.map(\.name) == ["C_b", "C_W"] && p.couplings[0].value == 0)
    #expect(abs(p.couplings[1].value - cw) <= 1e-15)
    #expect(abs(p.chiParallel - 1) <= 1e-15 && abs(p.chiPerpendicular - 1) <= 1e-15)
    #expect(abs((p.curvature ?? 0) - curvature) <= 1e-12)
  }

  /// Softplus (σ(0) = log 2 ≠ 0) has no critical point: K★ = 0 would need C_b < 0, and χ_∥ − 1
  /// keeps its sign on [10⁻⁶, 10⁴]. The notes say why.
  @Test func softplusHasNone() throws {
    let report = try Self.search().run(activation: "softplus")
    #expect(report.points.isEmpty)
    #expect(report.notes.contains { $0.hasPrefix("K* = 0 is not critical for softplus") })
  }

  /// Scale-invariant activations: the exact line, χ = 1 from the closed forms.
  @Test(arguments: [("relu", "2"), ("leaky_relu:0.1", "200/101"), ("abs", "1"), ("linear", "1")])
  func scaleInvariantLine(name: String, cw: String) throws {
    let report = try Self.search().run(activation: name)
    let p = try #require(report.points.first)
    #expect(report.points.count == 1 && p.kind == .line && p.kernel == nil)
    #expect(p.couplings.map(\.name) == ["C_b", "C_W"])
    #expect(p.couplings.map(\.exact) == ["0", cw])
    #expect(p.chiParallel == 1 && p.chiPerpendicular == 1)
  }

  /// A bias-free model: the line and the K★ = 0 point need only C_W; no K★ > 0 is searched.
  @Test func biasFreeModel() throws {
    let tanh = try Self.search("mlp-no-bias").run(activation: "tanh")
    #expect(tanh.points.map { $0.couplings.map(\.name) } == [["C_W"]])
    #expect(tanh.points.first?.couplings.first?.value == 1)
    let relu = try Self.search("mlp-no-bias").run(activation: "relu")
    #expect(relu.points.first?.couplings.map(\.exact) == ["2"])
  }
}
