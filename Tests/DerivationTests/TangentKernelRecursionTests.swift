import Algebra
import Derivation
import Rational
import Testing

/// The neural-tangent-kernel recursions derived from Derivations/mlp-ntk.model (the engine
/// differentiates the map; nothing NTK-specific is typed in) equal FORMULAS.md §11–12, built here
/// by hand, for a general σ, free sample indices and unequal widths (canonical difference zero).
@Suite struct TangentKernelRecursionTests {
  let b = BookNotation()
  var Theta: TensorHead { TensorHead("Theta", layer: .ell, symmetry: .symmetric) }
  var Theta1: TensorHead { TensorHead("Theta1", layer: .ell, symmetry: .symmetric) }
  var A: TensorHead { TensorHead("A", layer: .ell, symmetry: .pairOfPairs) }
  var B: TensorHead { TensorHead("B", layer: .ell, symmetry: .pairExchange) }
  var D: TensorHead { TensorHead("D", layer: .ell, symmetry: .separatePairs) }
  var F: TensorHead { TensorHead("F", layer: .ell) }
  var lb: Expression { .symbol(.parameter("lambda_b")) }
  var lW: Expression { .symbol(.parameter("lambda_W")) }

  /// The derivation of mlp-ntk.model, once for the suite's tests.
  static let derived = Result { try BookNotation.derive("mlp-ntk.model") }

  /// ⟨∂_{derivatives} Π σ(z_a) Π σ'(z_a')⟩_K.
  func average(
    _ sigma: [Index], prime: [Index] = [], derivatives: [Index] = [], metric: TensorHead? = nil
  ) -> Expression {
    .average(
      GaussianAverage(
        metric: metric ?? b.K, derivatives: derivatives,
        integrand: sigma.map { b.sigmaOf($0) } + prime.map { b.sigmaOf($0, derivative: 1) }))
  }

  func t(_ h: TensorHead, _ i: [Index]) -> Expression { .tensor(h, i) }

  /// Ω_{a1a2}(z) = λ_W σσ + C_W Θ σ'σ' under ⟨∂…⟩, i.e. ⟨∂ Ω⟩ as an expression.
  func omega(_ a1: Index, _ a2: Index, derivatives: [Index] = []) -> Expression {
    lW * average([a1, a2], derivatives: derivatives) + b.CW * t(Theta, [a1, a2])
      * average([], prime: [a1, a2], derivatives: derivatives)
  }

  /// Catches: a missing bias or weight learning-rate term, or the chain-rule term without its
  /// C_W or with the wrong σ′ samples (FORMULAS.md §11).
  @Test func meanKernel() throws {
    let r = try Self.derived.get()
    let a = b.alpha
    let expected =
      lb + lW * average([a[0], a[1]]) + b.CW * t(Theta, [a[0], a[1]])
      * average([], prime: [a[0], a[1]])
    #expect(try #require(r.recursion("Theta")).isEquivalent(to: expected))
  }

  /// Θ¹′ derived by hand: E[Ĥ′] = δ[λ_b + λ_W E[σσ] + C_W E[σ′σ′Ĥ_jj]] with
  /// E[σ′σ′Ĥ_jj] = E[σ′σ′](Θ + Θ¹/n) + Cov(σ′σ′, Ĥ_jj), and the covariance from the Ĥ–z–z
  /// cumulant of one neuron, (1/n)[D + F + F(β swapped)], contracted with ½⟨∂∂ σ′σ′⟩:
  ///   Θ¹′ = r[λ_W(½G¹⟨∂²σσ⟩ + ⅛V⟨∂⁴σσ⟩) + C_W Θ¹⟨σ′σ′⟩ + C_W Θ(½G¹⟨∂²σ′σ′⟩ + ⅛V⟨∂⁴σ′σ′⟩)
  ///           + C_W(½D + F)⟨∂²σ′σ′⟩].
  /// Catches: a missing mean shift, the D/F weights (½ and 1), a lost NLO metric term.
  @Test func meanKernelCorrection() throws {
    let r = try Self.derived.get()
    let (a, β) = (b.alpha, b.beta)
    let two = [β[0], β[1]]
    func nlo(_ f: ([Index]) -> Expression) -> Expression {
      Rational(1, 2) * (t(b.G1, two) * f(two)).summed(over: two) + Rational(1, 8)
        * (t(b.V, β) * f(β)).summed(over: β)
    }
    let sigmaSigma = { (d: [Index]) in self.average([a[0], a[1]], derivatives: d) }
    let primePrime = { (d: [Index]) in self.average([], prime: [a[0], a[1]], derivatives: d) }
    let expected =
      b.ratio
      * (lW * nlo(sigmaSigma) + b.CW * t(Theta1, [a[0], a[1]]) * primePrime([])
        + b.CW * t(Theta, [a[0], a[1]]) * nlo(primePrime)
        + b.CW
        * ((Rational(1, 2) * t(D, [a[0], a[1]] + two) + t(F, [a[0], a[1]] + two))
        * primePrime(two)).summed(over: two))
    #expect(try #require(r.recursion("Theta1")).isEquivalent(to: expected))
  }

  /// FORMULAS.md §12, B′. Catches: the wrong σ′ pairing in the propagated term (B's pairs
  /// (α1,α3), (α2,α4) sit on one neuron each) or a missing ½·2 from the two orders of the Ĥ–Ĥ
  /// cumulant.
  @Test func kernelVarianceB() throws {
    let r = try Self.derived.get()
    let a = b.alpha
    let expected =
      b.CW.power(2) * average([], prime: a) * t(Theta, [a[0], a[1]]) * t(Theta, [a[2], a[3]])
      + b.ratio * b.CW.power(2) * average([], prime: [a[0], a[2]])
      * average([], prime: [a[1], a[3]]) * t(B, a)
    #expect(try #require(r.recursion("B")).isEquivalent(to: expected))
  }

  /// FORMULAS.md §12, F′. Catches: Q_{σ′σ} with the wrong samples, or F's last two indices
  /// contracted in the wrong order.
  @Test func kernelPreactivationF() throws {
    let r = try Self.derived.get()
    let (a, β) = (b.alpha, b.beta)
    let expected =
      b.CW.power(2) * average([a[2], a[3]], prime: [a[0], a[1]]) * t(Theta, [a[0], a[1]])
      + b.ratio * b.CW.power(2)
      * (average([a[2]], prime: [a[0]], derivatives: [β[2]])
      * average([a[3]], prime: [a[1]], derivatives: [β[3]])
      * t(F, [a[0], a[1], β[2], β[3]])).summed(over: [β[2], β[3]])
    #expect(try #require(r.recursion("F")).isEquivalent(to: expected))
  }

  /// FORMULAS.md §12, D′. Catches: a missing disconnected subtraction, the ¼ of the V term or the
  /// ½ of the D term.
  @Test func kernelPreactivationD() throws {
    let r = try Self.derived.get()
    let (a, β) = (b.alpha, b.beta)
    let (p, q) = ([β[0], β[1]], [β[2], β[3]])
    let intrinsic =
      b.CW
      * (lW * average(a) + b.CW * t(Theta, [a[0], a[1]])
        * average([a[2], a[3]], prime: [a[0], a[1]])
        - omega(a[0], a[1]) * average([a[2], a[3]]))
    let propagated =
      b.ratio
      * (Rational(1, 4) * b.CW
        * (omega(a[0], a[1], derivatives: p) * t(b.V, p + q)
        * average([a[2], a[3]], derivatives: q)).summed(over: p + q)
        + Rational(1, 2) * b.CW.power(2) * average([], prime: [a[0], a[1]])
        * (t(D, [a[0], a[1]] + q) * average([a[2], a[3]], derivatives: q)).summed(over: q))
    #expect(try #require(r.recursion("D")).isEquivalent(to: intrinsic + propagated))
  }

  /// FORMULAS.md §12, A′. Catches: a wrong covariance of Ω, a D term attached to the wrong
  /// pair, the ¼ of the V term, or A propagated without both ⟨σ′σ′⟩.
  @Test func kernelVarianceA() throws {
    let r = try Self.derived.get()
    let (a, β) = (b.alpha, b.beta)
    let (p, q) = ([β[0], β[1]], [β[2], β[3]])
    let o12 = omega(a[0], a[1])
    let o34 = omega(a[2], a[3])
    // ⟨Ω₁₂Ω₃₄⟩ − ⟨Ω₁₂⟩⟨Ω₃₄⟩, expanded.
    let joint =
      lW.power(2) * average(a) + lW * b.CW * t(Theta, [a[2], a[3]])
      * average([a[0], a[1]], prime: [a[2], a[3]]) + lW * b.CW * t(Theta, [a[0], a[1]])
      * average([a[2], a[3]], prime: [a[0], a[1]]) + b.CW.power(2) * t(Theta, [a[0], a[1]])
      * t(Theta, [a[2], a[3]]) * average([], prime: a)
    let covariance = joint - o12 * o34
    let propagated =
      b.ratio
      * (Rational(1, 4)
        * (omega(a[0], a[1], derivatives: p) * t(b.V, p + q)
        * omega(a[2], a[3], derivatives: q)).summed(over: p + q)
        + Rational(1, 2) * b.CW * average([], prime: [a[2], a[3]])
        * (omega(a[0], a[1], derivatives: p) * t(D, [a[2], a[3]] + p)).summed(over: p)
        + Rational(1, 2) * b.CW * average([], prime: [a[0], a[1]])
        * (omega(a[2], a[3], derivatives: p) * t(D, [a[0], a[1]] + p)).summed(over: p)
        + b.CW.power(2) * average([], prime: [a[0], a[1]]) * average([], prime: [a[2], a[3]])
        * t(A, a))
    #expect(try #require(r.recursion("A")).isEquivalent(to: covariance + propagated))
  }

  /// The first layer (FORMULAS.md §11–12): Θ = λ_b + λ_W (1/n₀) Σ_j x x, all else zero.
  @Test func initialConditions() throws {
    let r = try Self.derived.get()
    let x = TensorHead("x")
    let j = Index.neuron("k", layer: .absolute(0))
    let expected =
      lb + lW * .symbol(.width(.absolute(0)), power: -1)
      * (Expression.tensor(x, [j, b.alpha[0]]) * .tensor(x, [j, b.alpha[1]])).summed(over: [j])
    #expect(try #require(r.initial("Theta")).isEquivalent(to: expected))
    for name in ["Theta1", "A", "B", "D", "F"] {
      #expect(try #require(r.initial(name)).isZero, "\(name) at layer 1")
    }
  }

  /// A changed map changes the kernel: with the activation scaled by a coupling c,
  /// z′ = b + c W σ(z), every σ carries c: Θ′ = λ_b + c²λ_W⟨σσ⟩ + c²C_W⟨σ′σ′⟩Θ and
  /// F′ = c⁴C_W²⟨σ′σ′σσ⟩Θ + r c⁴C_W² Q Q F. Catches an NTK built from a fixed MLP template.
  @Test func scaledActivationChangesTheKernel() throws {
    let text = try BookNotation.modelText("mlp-ntk.model")
      .replacingOccurrences(
        of: "coupling C_b C_W lambda_b lambda_W", with: "coupling C_b C_W lambda_b lambda_W c"
      )
      .replacingOccurrences(
        of: "map z[i;a] = b[i] + W[i,j] sigma(z[j;a])",
        with: "map z[i;a] = b[i] + W[i,j] c sigma(z[j;a])")
    let r = try DerivationPipeline(try ModelCompiler.compile(text, file: "scaled-ntk.model")).run()
    let (a, β) = (b.alpha, b.beta)
    let c: Expression = .symbol(.parameter("c"))
    let theta =
      lb + c.power(2) * lW * average([a[0], a[1]]) + c.power(2) * b.CW * t(Theta, [a[0], a[1]])
      * average([], prime: [a[0], a[1]])
    #expect(try #require(r.recursion("Theta")).isEquivalent(to: theta))
    let f =
      c.power(4) * b.CW.power(2) * average([a[2], a[3]], prime: [a[0], a[1]])
      * t(Theta, [a[0], a[1]]) + c.power(4) * b.ratio * b.CW.power(2)
      * (average([a[2]], prime: [a[0]], derivatives: [β[2]])
      * average([a[3]], prime: [a[1]], derivatives: [β[3]])
      * t(F, [a[0], a[1], β[2], β[3]])).summed(over: [β[2], β[3]])
    #expect(try #require(r.recursion("F")).isEquivalent(to: f))
  }

  /// A second weight family changes the kernel: z′ = b + W σ(z) + U σ(z) with U trained at its
  /// own rate λ_U/n and variance C_U/n adds λ_U⟨σσ⟩ and C_U⟨σ′σ′⟩Θ to Θ′.
  @Test func secondWeightFamilyChangesTheKernel() throws {
    let text = try BookNotation.modelText("mlp-ntk.model")
      .replacingOccurrences(
        of: "coupling C_b C_W lambda_b lambda_W",
        with: "coupling C_b C_W lambda_b lambda_W C_U lambda_U"
      )
      .replacingOccurrences(
        of: "input x[j;a]",
        with: "gaussian U[i,j] : C_U / n(j), learning-rate lambda_U / n(j)\ninput x[j;a]"
      )
      .replacingOccurrences(
        of: "map z[i;a] = b[i] + W[i,j] sigma(z[j;a])",
        with: "map z[i;a] = b[i] + W[i,j] sigma(z[j;a]) + U[i,j] sigma(z[j;a])")
    let r = try DerivationPipeline(try ModelCompiler.compile(text, file: "two-weights.model")).run()
    let a = b.alpha
    let CU: Expression = .symbol(.parameter("C_U"))
    let lU: Expression = .symbol(.parameter("lambda_U"))
    let theta =
      lb + (lW + lU) * average([a[0], a[1]]) + (b.CW + CU) * t(Theta, [a[0], a[1]])
      * average([], prime: [a[0], a[1]])
    #expect(try #require(r.recursion("Theta")).isEquivalent(to: theta))
  }
}

/// The deep linear network's kernel statistics (Derivations/deep-linear-ntk.model): σ(z) = z, so
/// every Gaussian average is a polynomial in K and the recursions are exact rational identities,
/// here against FORMULAS.md §12 with σ′ = 1 worked out by hand.
@Suite struct DeepLinearTangentKernelTests {
  let b = BookNotation()

  func t(_ name: String, _ symmetry: TensorSymmetry, _ i: [Index]) -> Expression {
    .tensor(TensorHead(name, layer: .ell, symmetry: symmetry), i)
  }

  /// Catches: a kernel average left unevaluated, or a wrong polynomial (K₁₃K₂₄ + K₁₄K₂₃ from
  /// ⟨z₁z₂z₃z₄⟩ − ⟨z₁z₂⟩⟨z₃z₄⟩), a missing V or D term of A′ and D′.
  @Test func exactPolynomialRecursions() throws {
    let r = try BookNotation.derive("deep-linear-ntk.model")
    let a = b.alpha
    let lW: Expression = .symbol(.parameter("lambda_W"))
    let K = { (p: Int, q: Int) in self.t("K", .symmetric, [a[p], a[q]]) }
    let theta = { (p: Int, q: Int) in self.t("Theta", .symmetric, [a[p], a[q]]) }
    let pairings = K(0, 2) * K(1, 3) + K(0, 3) * K(1, 2)
    let expected: [(String, Expression)] = [
      ("Theta", lW * K(0, 1) + b.CW * theta(0, 1)),
      (
        "Theta1",
        b.ratio
          * (lW * t("G1", .symmetric, [a[0], a[1]]) + b.CW * t("Theta1", .symmetric, [a[0], a[1]]))
      ),
      (
        "B",
        b.CW.power(2) * theta(0, 1) * theta(2, 3) + b.ratio * b.CW.power(2)
          * t("B", .pairExchange, a)
      ),
      (
        "F",
        b.CW.power(2) * K(2, 3) * theta(0, 1) + b.ratio * b.CW.power(2) * t("F", .none, a)
      ),
      (
        "D",
        b.CW * lW * pairings + b.ratio * b.CW
          * (b.CW * t("D", .separatePairs, a) + lW * t("V", .pairOfPairs, a))
      ),
      (
        "A",
        lW.power(2) * pairings + b.ratio
          * (b.CW.power(2) * t("A", .pairOfPairs, a) + b.CW * lW * t("D", .separatePairs, a)
            + b.CW * lW * t("D", .separatePairs, [a[2], a[3], a[0], a[1]]) + lW.power(2)
            * t("V", .pairOfPairs, a))
      ),
    ]
    for (name, e) in expected {
      #expect(try #require(r.recursion(name)).isEquivalent(to: e), "\(name)′")
    }
  }
}
