import Algebra
import Derivation
import Evaluation
import Foundation
import Numerics
import Testing

/// The continuum limit t = ℓ/L of the shaped-ReLU network (Derivations/shaped-relu.model,
/// σ(z) = z + γ|z| with γ = γ̂/√L, Li–Nica–Roy 2022): the ODEs the engine derives from its
/// recursions, compared with the neural covariance SDE's drift, its linearisation and its Itô
/// correction computed independently here (closed-form arc-cosine kernel, finite differences);
/// and the discrete recursion's convergence to the ODE solution.
@Suite struct ContinuumLimitTests {
  static let modelURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Derivations/shaped-relu.model").standardizedFileURL

  static func model() throws -> Model {
    try ModelCompiler.compile(String(contentsOf: modelURL, encoding: .utf8), file: "shaped-relu")
  }

  /// The model, its derivation and its continuum limit with τ = abs and γ scaled, once.
  static let derived: (Model, DerivationResult, ContinuumLimit)? = {
    guard let model = try? model(), let derivation = try? DerivationPipeline(model).run(),
      let abs = try? ActivationSpecialization.parse("abs"),
      let limit = try? ContinuumLimit(
        model: model, result: derivation, activation: abs, shape: ["gamma"])
    else { return nil }
    return (model, derivation, limit)
  }()

  static func solver(gamma: Double, inputs: [[Double]]) throws -> ContinuumSolver {
    let (model, derivation, limit) = try #require(derived)
    return ContinuumSolver(
      limit: limit, model: model, derivation: derivation, shape: ["gamma": gamma],
      inputs: inputs, activation: .leakyRelu(slope: -1))
  }

  /// The weight variance is derived as 1 − γ̂²/L (the exact critical C_W = 1/(1 + γ²) to the
  /// order kept), every step is the identity plus O(1/L) with no L^{-3/2} term, and the three
  /// ODEs come out. Catches: a wrong series for C_W (its sign, a missing order), odd averages
  /// not dropped (the limit would be refused), a rescaling of V that leaves an ε^{-2} term.
  @Test func derivedScalingAndShape() throws {
    let (_, _, limit) = try #require(Self.derived)
    let weight = try #require(limit.scalings.first { $0.derived })
    #expect(weight.coupling.name == "C_W")
    let gamma = Algebra.Expression.symbol(.parameter("gamma"))
    let expected: [Algebra.Expression] = [.one, .zero, (gamma * gamma).scaled(by: -1), .zero]
    #expect(weight.series.count == expected.count)
    for (a, b) in zip(weight.series, expected) { #expect((a - b).canonicalized().isZero) }
    #expect(limit.equations.map(\.statistic.name) == ["K", "G1", "V"])
    #expect(limit.equations.map(\.depthPower) == [0, 1, 1])
    #expect(limit.convergesLikeInverseDepth)
    // dK/dt = γ̂² (⟨τ τ⟩_K − K): two terms.
    #expect(limit.equations[0].rhs.terms.count == 2)
  }

  /// Independent slopes s± = 1 + c±/√L, written (1 + β) z + γ|z|
  /// (Derivations/shaped-relu-asymmetric.model): the derived C_W is 1/((1 + β)² + γ²) to
  /// O(L^{-3/2}), the ODEs are those of the symmetric model (only γ, i.e. (c₊ − c₋)², enters
  /// the drift, as in LNR's ν), and the L^{-3/2} terms no longer vanish (convergence like
  /// 1/√L). Catches: a β left in the drift, a wrong C_W series at order 3, an ε³ term
  /// silently dropped.
  @Test func asymmetricSlopesGiveTheSameDrift() throws {
    let (_, _, symmetric) = try #require(Self.derived)
    let url = Self.modelURL.deletingLastPathComponent().appendingPathComponent(
      "shaped-relu-asymmetric.model")
    let model = try ModelCompiler.compile(
      String(contentsOf: url, encoding: .utf8), file: "shaped-relu-asymmetric")
    let limit = try ContinuumLimit(
      model: model, result: try DerivationPipeline(model).run(),
      activation: try ActivationSpecialization.parse("abs"), shape: ["beta", "gamma"])
    for (a, b) in zip(limit.equations, symmetric.equations) {
      #expect((a.rhs - b.rhs).canonicalized().isZero, "\(a.statistic.name)")
    }
    #expect(!limit.convergesLikeInverseDepth)
    let weight = try #require(limit.scalings.first { $0.derived })
    let beta = Algebra.Expression.symbol(.parameter("beta"))
    let gamma = Algebra.Expression.symbol(.parameter("gamma"))
    // 1/((1 + βε)² + γ²ε²) = 1 − 2βε + (3β² − γ²)ε² + (4βγ² − 4β³)ε³ + O(ε⁴).
    let expected: [Algebra.Expression] = [
      .one, beta.scaled(by: -2), (beta * beta).scaled(by: 3) - gamma * gamma,
      (beta * gamma * gamma).scaled(by: 4) - (beta * beta * beta).scaled(by: 4),
    ]
    #expect(weight.series.count == expected.count)
    for (a, b) in zip(weight.series, expected) { #expect((a - b).canonicalized().isZero) }
  }

  /// relu has no parity: ⟨z_α₁ relu(z_α₂)⟩ does not drop, the O(1/√L) part of the step stays
  /// and the limit is refused; an unscaled shape coupling and a scaled weight variance are
  /// refused by name.
  @Test func refusals() throws {
    let (model, derivation, _) = try #require(Self.derived)
    let relu = try ActivationSpecialization.parse("relu")
    let abs = try ActivationSpecialization.parse("abs")
    func message(_ activation: ActivationSpecialization, _ shape: [String]) -> String {
      do {
        _ = try ContinuumLimit(
          model: model, result: derivation, activation: activation, shape: shape)
        return ""
      } catch {
        return "\(error)"
      }
    }
    #expect(message(relu, ["gamma"]).contains("not O(1/L)"))
    #expect(message(abs, []).contains("nothing is scaled"))
    #expect(message(abs, ["C_W"]).contains("weight variance"))
    #expect(message(abs, ["gamma", "beta"]).contains("no coupling beta"))
  }

  /// The discrete recursion (`derive eval`'s numbers at depth L, couplings γ = γ̂/√L and the
  /// derived C_W, after L steps, V and G¹ divided by L) approaches the RK4 solution of the
  /// ODEs at t = 1 like 1/L: the least-squares power over L = 16 … 128 is −1 within 0.08 for
  /// K, G¹ and V (the O(1/L²) terms bias it: measured −0.999, −0.938, −0.953), and the last
  /// doubling's within 0.03 (−0.999, −0.974, −0.980). The ODE solution's own error (step
  /// doubling) is below 1e-8, under 1e-3 of the smallest difference. γ̂ = 0.5, inputs (1, 0)
  /// and (0.6, 0.8). L = 256 (in Derivations/continuum.md, from `derive continuum --compare`)
  /// would double the test's time: 2 inputs cost about 0.1 s per layer in a debug build.
  /// Catches: a wrong ODE coefficient (the difference would tend to a constant, power → 0),
  /// a rescaling of V or G¹ by the wrong power of L, an L^{-3/2} term (power −1/2).
  @Test func discreteRecursionConvergesLikeInverseDepth() throws {
    let solver = try Self.solver(gamma: 0.5, inputs: [[1, 0], [0.6, 0.8]])
    let solution = try solver.solve(until: 1, steps: 4)
    #expect(solution.errorEstimate < 1e-8)
    let depths = [16, 32, 64, 128]
    let differences = try depths.map {
      try solver.differences(solver.discrete(depth: $0), solution.state)
    }
    for (k, name) in ["K", "G1", "V"].enumerated() {
      let d = differences.map { $0[k].difference }
      #expect(differences.allSatisfy { $0[k].name == name })
      #expect(d.allSatisfy { $0 > 1e3 * solution.errorEstimate })
      let slope = ContinuumSolver.logLogSlope(depths.map(Double.init), d)
      let last = log2(d[d.count - 1] / d[d.count - 2])
      #expect(abs(slope + 1) <= 0.08, "\(name): fitted power \(slope)")
      #expect(abs(last + 1) <= 0.03, "\(name): last doubling \(last)")
    }
  }

  /// ReLU-shaping drift of the neural covariance SDE for s± = 1 ± γ̂/√L (c₊ − c₋ = 2γ̂):
  /// b(K)_{αβ} = ((c₊ − c₋)²/2π) [√(K_αα K_ββ − K_αβ²) − K_αβ arccos ρ_αβ].
  static func drift(_ k: [[Double]], gamma: Double) -> [[Double]] {
    let s = k.count
    return (0..<s).map { a in
      (0..<s).map { b in
        let d = (k[a][a] * k[b][b]).squareRoot()
        let rho = max(-1, min(1, k[a][b] / d))
        let root = max(0, k[a][a] * k[b][b] - k[a][b] * k[a][b]).squareRoot()
        return 4 * gamma * gamma / (2 * Double.pi) * (root - k[a][b] * acos(rho))
      }
    }
  }

  /// The derived right-hand sides at a state with two inputs equal: the drift of K is LNR's
  /// b(K); dv/dt is Σ(K) + J v + v Jᵀ, with Σ(K)_{(αβ)(γδ)} = K_αγ K_βδ + K_αδ K_βγ the SDE's
  /// diffusion covariance and J the linearisation of b (by central differences here); dg/dt is
  /// J g + ½ D²b : v, the Itô correction of the mean (second differences). Catches: any wrong
  /// factor in the derived drift (the 1/2π, the arccos), in the diffusion, a missing
  /// propagation term of V or G¹, a wrong 1/8 in G¹.
  @Test func rightHandSidesAreTheCovarianceSDE() throws {
    let gamma = 0.7
    let solver = try Self.solver(gamma: gamma, inputs: [[1, 0], [0.6, 0.8]])
    let k = [[0.9, 0.4], [0.4, 0.6]]
    let x = [[0.3, -0.2], [-0.2, 0.5]]
    let y = [[0.1, 0.4], [0.4, -0.3]]
    let g = [[0.2, -0.1], [-0.1, 0.4]]
    func flat2(_ m: [[Double]]) -> [Double] { m.flatMap { $0 } }
    // V_{(αβ)(γδ)} = X_αβ X_γδ + Y_αβ Y_γδ has the pair symmetry.
    var v = [Double](repeating: 0, count: 16)
    for a in 0..<2 {
      for b in 0..<2 {
        for c in 0..<2 {
          for d in 0..<2 {
            v[((a * 2 + b) * 2 + c) * 2 + d] = x[a][b] * x[c][d] + y[a][b] * y[c][d]
          }
        }
      }
    }
    let rates = try solver.derivative(["K": flat2(k), "G1": flat2(g), "V": v])

    func shifted(_ m: [[Double]], _ by: [[Double]], _ h: Double) -> [[Double]] {
      (0..<2).map { a in (0..<2).map { b in m[a][b] + h * by[a][b] } }
    }
    let h = 1e-4
    func jacobian(_ dir: [[Double]]) -> [[Double]] {
      let p = Self.drift(shifted(k, dir, h), gamma: gamma)
      let m = Self.drift(shifted(k, dir, -h), gamma: gamma)
      return (0..<2).map { a in (0..<2).map { b in (p[a][b] - m[a][b]) / (2 * h) } }
    }
    func second(_ dir: [[Double]]) -> [[Double]] {
      let p = Self.drift(shifted(k, dir, h), gamma: gamma)
      let z = Self.drift(k, gamma: gamma)
      let m = Self.drift(shifted(k, dir, -h), gamma: gamma)
      return (0..<2).map { a in (0..<2).map { b in (p[a][b] - 2 * z[a][b] + m[a][b]) / (h * h) } }
    }
    let b = Self.drift(k, gamma: gamma)
    let (jx, jy, jg) = (jacobian(x), jacobian(y), jacobian(g))
    let (sx, sy) = (second(x), second(y))
    let dK = try #require(rates["K"])
    let dG = try #require(rates["G1"])
    let dV = try #require(rates["V"])
    for a in 0..<2 {
      for c in 0..<2 {
        #expect(abs(dK[a * 2 + c] - b[a][c]) <= 1e-10)
        let expectedG = jg[a][c] + 0.5 * (sx[a][c] + sy[a][c])
        #expect(abs(dG[a * 2 + c] - expectedG) <= 1e-5, "G1[\(a)\(c)]")
      }
    }
    for i in 0..<16 {
      let (a, bb, c, d) = (i >> 3, (i >> 2) & 1, (i >> 1) & 1, i & 1)
      let sigma = k[a][c] * k[bb][d] + k[a][d] * k[bb][c]
      // J acting on each pair of V = X⊗X + Y⊗Y.
      let propagation =
        jx[a][bb] * x[c][d] + x[a][bb] * jx[c][d] + jy[a][bb] * y[c][d] + y[a][bb] * jy[c][d]
      #expect(abs(dV[i] - (sigma + propagation)) <= 1e-7, "V[\(a)\(bb)\(c)\(d)]")
    }
  }
}
