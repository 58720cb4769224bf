import Algebra
import Derivation
import Rational
import Testing

/// FORMULAS.md §12 at criticality: for a scale-invariant σ = a·min(z,0) + b·max(z,0) at one input,
/// C_b = 0, C_W = 1/A₂ and equal widths, the derived Θ and F recursions (specialised by the same
/// machinery as χ∥, χ⊥) iterated exactly from the derived first layer give
///   Θ^{(ℓ)} = ℓ(λ_b + λ_W A₂ K★)   and   F^{(ℓ)}/(K★Θ^{(ℓ)}) = (A₄/A₂²)(ℓ − 1)/2,
/// with A₂ = (a² + b²)/2 and A₄ = (a⁴ + b⁴)/2.
@Suite struct TangentKernelCriticalityTests {
  let b = BookNotation()
  static let statistics: Set<String> = ["K", "G1", "V", "Theta", "Theta1", "A", "B", "D", "F"]

  func scalar(_ name: String, _ symmetry: TensorSymmetry = .symmetric) -> Symbol {
    SingleInput.scalar(TensorHead(name, layer: .ell, symmetry: symmetry))
  }

  /// Catches: a Θ recursion that is not linear at criticality (a wrong C_W⟨σ′σ′⟩ factor), an F
  /// source term with the wrong ⟨σ′σ′σσ⟩, or an F propagation factor other than χ⊥² = 1.
  @Test(arguments: [
    ("relu", Rational(0), Rational(1)), ("leaky_relu:0.1", Rational(1, 10), Rational(1)),
  ])
  func linearGrowthAtCriticality(name: String, a: Rational, bSlope: Rational) throws {
    let r = try BookNotation.derive("mlp-ntk.model")
    let single = SingleInput(statistics: Self.statistics)
    let act = try ActivationSpecialization.parse(name)
    let a2 = (a * a + bSlope * bSlope) / Rational(2)
    let a4 = (a * a * a * a + bSlope * bSlope * bSlope * bSlope) / Rational(2)
    let critical: [(Symbol, Expression)] = [
      (.parameter("C_b"), .zero), (.parameter("C_W"), Expression(Rational.one / a2)),
      (.width(.ell), .one), (.width(.relative(-1)), .one),
    ]
    func specialised(_ name: String) throws -> Expression {
      var e = try act.applySingleInput(
        single.apply(try #require(r.recursion(name))), function: b.sigma)
      for (s, v) in critical { e = e.substituting(s, by: v) }
      return e.canonicalized()
    }
    let (thetaStep, fStep) = (try specialised("Theta"), try specialised("F"))
    let (theta, f) = (scalar("Theta"), scalar("F", .none))
    let K: Expression = .symbol(scalar("K"))
    let lb: Expression = .symbol(.parameter("lambda_b"))
    let lW: Expression = .symbol(.parameter("lambda_W"))
    // The first layer at the fixed point: (1/n₀)Σx² = A₂K★, so Θ⁽¹⁾ = λ_b + λ_W A₂ K★, F⁽¹⁾ = 0.
    let perLayer = lb + a2 * lW * K
    var (thetaL, fL) = (perLayer, Expression.zero)
    for l in 1...6 {
      #expect(thetaL.isEquivalent(to: Rational(l) * perLayer), "Θ at layer \(l)")
      let ratio = a4 / (a2 * a2) * Rational(l - 1, 2)
      #expect(fL.isEquivalent(to: ratio * K * thetaL), "F/(KΘ) at layer \(l)")
      let nextTheta = thetaStep.substituting(theta, by: thetaL).canonicalized()
      let nextF = fStep.substituting(theta, by: thetaL).substituting(f, by: fL).canonicalized()
      (thetaL, fL) = (nextTheta, nextF)
    }
  }
}
