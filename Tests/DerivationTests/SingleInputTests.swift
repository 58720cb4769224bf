import Algebra
import Derivation
import GaussianCalculus
import Rational
import Testing

/// FORMULAS.md §7: single input, susceptibilities, criticality — from the derived recursions.
@Suite struct SingleInputTests {
  let b = BookNotation()
  var single: SingleInput { SingleInput(statistics: ["K", "G1", "V"]) }
  let alpha = Index.sample("alpha")
  var K: Expression { .symbol(SingleInput.scalar(b.K)) }
  var V: Expression { .symbol(SingleInput.scalar(b.V)) }

  func sigma(_ derivative: Int = 0) -> Factor { b.sigmaOf(alpha, derivative: derivative) }
  func avg(_ fs: [Factor], derivatives: Int = 0) -> Expression {
    .average(
      GaussianAverage(
        metric: b.K, derivatives: Array(repeating: alpha, count: derivatives), integrand: fs))
  }

  /// χ_∥ = C_W d⟨σ²⟩/dK = (C_W/2)⟨(σ²)''⟩ and χ_⊥ = C_W⟨σ'σ'⟩, derived by differentiating the
  /// derived kernel recursion. Catches: wrong metric-derivative factor (½), δ_{α₁α₂} kept at
  /// distinct samples (which would add σσ'' terms to χ_⊥).
  @Test func susceptibilities() throws {
    let r = try BookNotation.derive("mlp.model")
    let kernel = try #require(r.recursion("K"))
    let chi = Susceptibilities(
      kernel: kernel, metric: b.K, samples: (b.alpha[0], b.alpha[1]), singleInput: single)
    #expect(
      chi.parallel.isEquivalent(
        to: Rational(1, 2) * b.CW * avg([sigma(), sigma()], derivatives: 2)))
    #expect(chi.perpendicular.isEquivalent(to: b.CW * avg([sigma(1), sigma(1)])))
  }

  /// V′ = C_W²[⟨σ⁴⟩ − ⟨σ²⟩²] + (n_ℓ/n_{ℓ−1}) χ_∥² V at one input, with χ_∥ = (C_W/2)⟨(σ²)''⟩.
  @Test func vertexRecursion() throws {
    let r = try BookNotation.derive("mlp.model")
    let v = single.apply(try #require(r.recursion("V")))
    let chi = Rational(1, 2) * b.CW * avg([sigma(), sigma()], derivatives: 2)
    let expected =
      b.CW.power(2)
      * (avg([sigma(), sigma(), sigma(), sigma()]) - avg([sigma(), sigma()]).power(2))
      + b.ratio * chi.power(2) * V
    #expect(v.isEquivalent(to: expected))
    let k = single.apply(try #require(r.recursion("K")))
    #expect(k.isEquivalent(to: b.Cb + b.CW * avg([sigma(), sigma()])))
  }

  /// Closed forms for the scale-invariant family σ = a·min(z,0) + b·max(z,0) at one input:
  /// ⟨σ²⟩ = (a²+b²)K/2, ⟨σ⁴⟩ = 3(a⁴+b⁴)K²/2, ⟨(σ²)''⟩ = a²+b², so
  /// K′ = C_b + C_W (a²+b²)K/2 and V′ = C_W²[3(a⁴+b⁴)/2 − (a²+b²)²/4]K² + r C_W²(a²+b²)²V/4.
  /// Checked for relu, leaky relu (slope 1/10) and |z|. Catches: wrong Hermite polynomials,
  /// wrong half-line moments, slopes applied to the wrong side.
  @Test(arguments: [
    ("relu", Rational(0), Rational(1)), ("leaky_relu:0.1", Rational(1, 10), Rational(1)),
    ("abs", Rational(-1), Rational(1)),
  ])
  func scaleInvariantClosedForms(name: String, a: Rational, bSlope: Rational) throws {
    let r = try BookNotation.derive("mlp.model")
    let act = try ActivationSpecialization.parse(name)
    let s2 = (a * a + bSlope * bSlope)
    let s4 = a * a * a * a + bSlope * bSlope * bSlope * bSlope
    let k = try act.applySingleInput(
      single.apply(try #require(r.recursion("K"))), function: b.sigma)
    #expect(k.isEquivalent(to: b.Cb + (s2 / Rational(2)) * b.CW * K))
    let v = try act.applySingleInput(
      single.apply(try #require(r.recursion("V"))), function: b.sigma)
    let expected =
      (Rational(3, 2) * s4 - s2 * s2 / Rational(4)) * b.CW.power(2) * K.power(2)
      + (s2 * s2 / Rational(4)) * b.ratio * b.CW.power(2) * V
    #expect(v.isEquivalent(to: expected))
    let chi = Susceptibilities(
      kernel: try #require(r.recursion("K")), metric: b.K, samples: (b.alpha[0], b.alpha[1]),
      singleInput: single)
    let par = try act.applySingleInput(chi.parallel, function: b.sigma)
    let perp = try act.applySingleInput(chi.perpendicular, function: b.sigma)
    #expect(par.isEquivalent(to: (s2 / Rational(2)) * b.CW))
    #expect(perp.isEquivalent(to: (s2 / Rational(2)) * b.CW))
    let (cb, cw) = (Symbol.parameter("C_b"), Symbol.parameter("C_W"))
    let crit = try #require(
      Criticality(
        kernel: k, parallel: par, perpendicular: perp, metric: SingleInput.scalar(b.K),
        roles: CouplingRoles(biasVariance: cb, weightVariance: cw)))
    #expect(
      crit.conditions == [
        .init(coupling: cb, value: .zero), .init(coupling: cw, value: Rational(2) / s2),
      ])
  }

  /// The linear activation is exact for several inputs: K′ = C_b + C_W K, V′ = C_W²(K₁₃K₂₄ +
  /// K₁₄K₂₃) + r C_W² V — the deep-linear model's results, reached through --activation linear.
  @Test func linearActivationMatchesDeepLinearModel() throws {
    let mlp = try BookNotation.derive("mlp.model")
    let deep = try BookNotation.derive("deep-linear.model")
    let act = ActivationSpecialization.linear
    let v = act.applyLinear(try #require(mlp.recursion("V")), function: b.sigma)
    #expect(v.isEquivalent(to: try #require(deep.recursion("V"))))
    let g1 = act.applyLinear(try #require(mlp.recursion("G1")), function: b.sigma)
    #expect(g1.isEquivalent(to: try #require(deep.recursion("G1"))))
  }
}
