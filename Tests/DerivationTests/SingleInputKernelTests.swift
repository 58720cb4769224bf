import Algebra
import Derivation
import Rational
import Testing

/// The single-input kernel map a criticality search works on: derived K′, χ_∥, χ_⊥, their
/// affine forms in the bias and weight variances, and the closed-form line.
@Suite struct SingleInputKernelTests {
  let b = BookNotation()
  var alpha: Index { .sample("alpha") }

  func sigma(_ derivative: Int = 0) -> Factor { b.sigmaOf(alpha, derivative: derivative) }
  func avg(_ fs: [Factor], derivatives: Int = 0) -> Expression {
    .average(
      GaussianAverage(
        metric: b.K, derivatives: Array(repeating: alpha, count: derivatives), integrand: fs))
  }

  /// The kernel map from the metric-only derivation, or (`full`) from every target.
  func mlpKernel(_ file: String = "mlp.model", full: Bool = false) throws -> SingleInputKernel {
    let model = try BookNotation.loadModel(file)
    guard full else { return try SingleInputKernel.derive(model) }
    return try SingleInputKernel(model: model, result: try DerivationPipeline(model).run())
  }

  /// K′ = 1·C_b + C_W⟨σσ⟩, χ_∥ = C_W·½⟨(σσ)″⟩, χ_⊥ = C_W⟨σ′σ′⟩: every part of the affine forms
  /// against the book (FORMULAS.md §7). Catches: a coupling left inside a coefficient, the bias
  /// and weight parts swapped, a constant where there is none.
  @Test func affineFormsOfTheMLP() throws {
    let kernel = try mlpKernel()
    #expect(kernel.functions == [b.sigma])
    let forms = try kernel.affineForms()
    #expect(forms.kernel.couplings == [.parameter("C_b"), .parameter("C_W")])
    #expect(forms.kernel.constant.isZero)
    #expect(forms.kernel.coefficients[0].isEquivalent(to: 1))
    #expect(forms.kernel.coefficients[1].isEquivalent(to: avg([sigma(), sigma()])))
    #expect(forms.parallel.constant.isZero && forms.parallel.coefficients[0].isZero)
    #expect(
      forms.parallel.coefficients[1].isEquivalent(
        to: Rational(1, 2) * avg([sigma(), sigma()], derivatives: 2)))
    #expect(forms.perpendicular.coefficients[1].isEquivalent(to: avg([sigma(1), sigma(1)])))
  }

  /// The V recursion is quadratic in C_W: no affine form, and the refusal names the term.
  @Test func quadraticTermsAreRefused() throws {
    let v = SingleInput(statistics: ["K", "G1", "V"]).apply(
      try #require(try BookNotation.derive("mlp.model").recursion("V")))
    #expect(throws: CouplingAffineForm.Failure.nonlinear("C_W^2")) {
      try CouplingAffineForm(
        v, in: [.parameter("C_b"), .parameter("C_W")], modelCouplings: ["C_b", "C_W"])
    }
    #expect(throws: CouplingAffineForm.Failure.otherCoupling("C_b")) {
      try CouplingAffineForm(b.Cb + b.CW, in: [.parameter("C_W")], modelCouplings: ["C_b", "C_W"])
    }
  }

  /// σ = linear at one input: K′ = C_b + C_W K with the scalar K (not the tensor K_{αα} the
  /// polynomial moments produce), so the closed-form line C_b = 0, C_W = 1 exists. Catches the
  /// specialisation that left K_{αα} and reported "no closed-form criticality" for linear.
  @Test func linearActivationHasItsLine() throws {
    let exact = try mlpKernel().specialized(to: .linear)
    #expect(exact.kernel.isEquivalent(to: b.Cb + b.CW * .symbol(exact.metricSymbol)))
    let crit = try #require(exact.criticality)
    #expect(
      crit.conditions == [
        .init(coupling: .parameter("C_b"), value: 0), .init(coupling: .parameter("C_W"), value: 1),
      ])
  }

  /// Deriving the metric alone (``SingleInputKernel/derive(_:)``) gives the same kernel map as
  /// the full derivation, for the MLP and the bias-free MLP. Catches: a restricted derivation
  /// that changes the kernel recursion it keeps.
  @Test(arguments: ["mlp.model", "mlp-no-bias.model"])
  func metricOnlyDerivationAgrees(file: String) throws {
    let full = try mlpKernel(file, full: true)
    let fast = try mlpKernel(file)
    #expect(fast.kernel.isEquivalent(to: full.kernel))
    #expect(fast.parallel.isEquivalent(to: full.parallel))
    #expect(fast.perpendicular.isEquivalent(to: full.perpendicular))
  }

  /// A model without a function has a kernel map but no activation to choose.
  @Test func deepLinearHasNoFunction() throws {
    let kernel = try mlpKernel("deep-linear.model")
    #expect(kernel.functions.isEmpty)
    #expect(throws: SpecializationError.self) { try kernel.onlyFunction() }
  }
}
