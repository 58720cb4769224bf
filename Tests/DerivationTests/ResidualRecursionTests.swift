import Algebra
import Derivation
import Rational
import Testing

/// The recursions the engine derives from Derivations/residual.model (a path layer), against
/// the path-layer rules applied by hand (Derivations/residual-closure.md §7): with z′ = ξz + u,
/// Ĝ = C_b + (1/n)Σ C_W σσ and φ = C_W σσ,
///   G¹′ = r[ξ²G¹ + D[φ]],  D[F] = ½⟨∂²F⟩G¹ + ⅛⟨∂⁴F⟩𝒱 + ½R[∂²F],  𝒱 = V − R[zz] − R[zz]ᵀ,
/// r = n_ℓ/n_{ℓ−1} (canonical difference zero), and the printed ingredients of R.
@Suite struct ResidualRecursionTests {
  let b = BookNotation()
  var xi: Expression { .symbol(.parameter("xi")) }

  static let derived = Result { try BookNotation.derive("residual.model") }

  /// R_{γδ}[∂_{derivatives} Π F]: the self-feedback atom of layer ℓ.
  func feedback(_ integrand: [Factor], pair: [Index], derivatives: [Index] = []) -> Expression {
    .average(
      GaussianAverage(
        metric: b.K, derivatives: derivatives, integrand: integrand, feedback: pair))
  }

  func zOf(_ a: Index) -> Factor { .tensor(Tensor(b.z, [a])) }

  /// Catches: the skip's ξ² on G¹, a lost self-feedback insertion (½R[∂²φ]), the wrong share of
  /// the vertex that is kernel fluctuation (𝒱 = V − 2R[zz] under the symmetric ∂⁴), or a wrong
  /// width ratio.
  @Test func correctionRecursionIsThePathRule() throws {
    let r = try Self.derived.get()
    let (a, β) = (b.alpha, b.beta)
    let phi = [b.sigmaOf(a[0]), b.sigmaOf(a[1])]
    let d2 = b.average([a[0], a[1]], derivatives: [β[0], β[1]])
    let d4 = b.average([a[0], a[1]], derivatives: Array(β[0..<4]))
    let g1 = Expression.tensor(b.G1, [β[0], β[1]])
    let v = Expression.tensor(b.V, Array(β[0..<4]))
    let zz = feedback([zOf(β[0]), zOf(β[1])], pair: [β[2], β[3]])
    let rule =
      Expression(Rational(1, 2)) * (g1 * d2).summed(over: [β[0], β[1]])
      + Expression(Rational(1, 8)) * (v * d4).summed(over: Array(β[0..<4]))
      - Expression(Rational(1, 4)) * (zz * d4).summed(over: Array(β[0..<4]))
      + Expression(Rational(1, 2))
      * feedback(phi, pair: [β[0], β[1]], derivatives: [β[0], β[1]]).summed(over: [β[0], β[1]])
    let expected = b.ratio * (xi * xi * .tensor(b.G1, [a[0], a[1]]) + b.CW * rule)
    #expect(try #require(r.recursion("G1")).isEquivalent(to: expected))
  }

  /// The leading-order kernel: K′ = C_b + ξ²K + C_W⟨σσ⟩, and the printed ingredients of R: the
  /// skip coefficient ξ, φ = C_W σσ and J = ∂K′/∂K = ξ²·½(δδ + δδ) + (C_W/2)⟨∂∂(σσ)⟩.
  @Test func kernelAndFeedbackIngredients() throws {
    let r = try Self.derived.get()
    let a = b.alpha
    let k = b.Cb + xi * xi * .tensor(b.K, [a[0], a[1]]) + b.CW * b.average([a[0], a[1]])
    #expect(try #require(r.recursion("K")).isEquivalent(to: k))
    let path = try #require(r.path)
    #expect(path.skip.isEquivalent(to: xi))
    let (p, q) = (path.integrandIndices[0], path.integrandIndices[1])
    let sigmaSigma =
      Expression.factor(.function(FunctionApplication(b.sigma, derivative: 0, Tensor(b.z, [p]))))
      * Expression.factor(
        .function(FunctionApplication(b.sigma, derivative: 0, Tensor(b.z, [q]))))
    #expect(path.integrand.isEquivalent(to: b.CW * sigmaSigma))
    let i = path.responseIndices
    let identity =
      Expression(Rational(1, 2))
      * (.delta(i[0], i[2]) * .delta(i[1], i[3]) + .delta(i[0], i[3]) * .delta(i[1], i[2]))
    let jacobian =
      xi * xi * identity
      + Expression(Rational(1, 2)) * b.CW
      * .average(
        GaussianAverage(
          metric: b.K, derivatives: [i[2], i[3]],
          integrand: [b.sigmaOf(i[0]), b.sigmaOf(i[1])]))
    #expect(path.response.isEquivalent(to: jacobian))
  }

  /// A change to the model changes the result: the residual branch scaled by eps scales every
  /// C_W and C_b by eps² and leaves ξ alone.
  @Test func branchScaleEntersAsItsSquare() throws {
    let r = try BookNotation.derive("residual-scaled.model")
    let a = b.alpha
    let eps2 = Expression.symbol(.parameter("eps"), power: 2)
    let k =
      eps2 * b.Cb + xi * xi * .tensor(b.K, [a[0], a[1]]) + eps2 * b.CW * b.average([a[0], a[1]])
    #expect(try #require(r.recursion("K")).isEquivalent(to: k))
  }
}
