import Algebra
import GaussianCalculus
import Rational
import Testing

/// The two rules of FORMULAS.md §5 must come out of the general cumulant (Edgeworth) expansion
/// of ``NearlyGaussianLayer`` with composite (neuron, sample) indices, for statistics built as
/// the pipeline builds them (ModelCompiler.statistics): metric K, correction G¹/n (rank 2, one
/// block) and V/n (rank 4, the three pairings of blocks), 1/n ≡ 1/n_{ℓ−1}.
///
/// - one neuron: E[O] = ⟨O⟩_K + (1/n)[½ΣG¹⟨∂∂O⟩ + ⅛ΣV⟨∂⁴O⟩];
/// - two neurons j ≠ k: Cov(f(z_j), g(z_k)) = (1/n) ¼ΣV⟨∂∂f⟩⟨∂∂g⟩;
/// - three neurons: the pairwise covariances add up.
///
/// The expected sides are built here from ``GaussianAverage`` atoms. Catches wrong exponential
/// weights (1/r!, multiplicities), missing or duplicated assignments of blocks to neurons,
/// derivatives sent to the wrong neuron, and products of corrections kept beyond order 1.
@Suite struct NearlyGaussianLayerTests {
  typealias F = Fixtures
  static let suppression = Symbol.width(.relative(-1))
  static let a1 = Index.sample("a1"), a2 = Index.sample("a2"), a3 = Index.sample("a3")

  /// The statistics as the pipeline builds them.
  static var layer: NearlyGaussianLayer {
    let slots = (0..<4).map { Index.sample("s\($0)") }
    let inverse = Expression.symbol(suppression, power: -1)
    var components = [
      CumulantComponent(
        neuronBlocks: [[0, 1]], sampleSlots: Array(slots[0..<2]),
        coefficient: inverse * .tensor(F.G1, [slots[0], slots[1]]))
    ]
    for blocks in [[[0, 1], [2, 3]], [[0, 2], [1, 3]], [[0, 3], [1, 2]]] {
      let order = blocks.flatMap { $0 }.map { slots[$0] }
      components.append(
        CumulantComponent(
          neuronBlocks: blocks, sampleSlots: slots, coefficient: inverse * .tensor(F.V, order)))
    }
    return NearlyGaussianLayer(variable: F.z, metric: F.K, components: components)
  }

  /// σ(z_{j;a}) in a term and σ(z_a) inside a single-neuron average.
  static func f(_ j: Index, _ a: Index) -> Expression { F.sigmaOf(j, a) }
  static func atomFactor(_ a: Index, derivative: Int = 0) -> Factor {
    .function(FunctionApplication(F.sigma, derivative: derivative, Tensor(F.z, [a])))
  }

  /// ⟨∂_{β…} Π integrand⟩_K with the β's summed against `coefficient` (a function of the β's).
  static func average(_ integrand: [Factor], derivatives: [Index]) -> Expression {
    .average(GaussianAverage(metric: F.K, derivatives: derivatives, integrand: integrand))
  }

  static let betas = (1...4).map { Index.sample("b\($0)") }

  /// The one-neuron rule for O = Π integrand.
  static func oneNeuronRule(_ integrand: [Factor]) -> Expression {
    let b = betas
    let inverse = Expression.symbol(suppression, power: -1)
    let g1 =
      (Expression(Rational(1, 2)) * .tensor(F.G1, [b[0], b[1]])
      * average(integrand, derivatives: [b[0], b[1]]))
      .summed(over: [b[0], b[1]])
    let v = (Expression(Rational(1, 8)) * .tensor(F.V, b) * average(integrand, derivatives: b))
      .summed(over: b)
    return average(integrand, derivatives: []) + inverse * (g1 + v)
  }

  /// (1/n) ¼ ΣV_{(β₁β₂)(β₃β₄)} ⟨∂_{β₁}∂_{β₂} f⟩⟨∂_{β₃}∂_{β₄} g⟩.
  static func covarianceRule(_ f: [Factor], _ g: [Factor]) -> Expression {
    let b = betas
    return
      (Expression(Rational(1, 4)) * .symbol(suppression, power: -1) * .tensor(F.V, b)
      * average(f, derivatives: [b[0], b[1]]) * average(g, derivatives: [b[2], b[3]])).summed(
        over: b)
  }

  @Test func oneNeuronRuleForAProductOfTwoActivations() throws {
    let j = F.neuron("j")
    let O = Self.f(j, Self.a1) * Self.f(j, Self.a2)
    let result = try Self.layer.expectation(of: O, toOrder: 1).canonicalized()
    let expected = Self.oneNeuronRule([Self.atomFactor(Self.a1), Self.atomFactor(Self.a2)])
      .canonicalized()
    #expect(result == expected)
  }

  @Test func oneNeuronRuleForAPreactivationPower() throws {
    // O = z_{j;a}² σ'(z_{j;a}): the variable itself and a derivative of σ in one integrand.
    let j = F.neuron("j")
    let O =
      Expression.tensor(F.z, [j, Self.a1]) * .tensor(F.z, [j, Self.a1])
      * .function(F.sigma, derivative: 1, of: Tensor(F.z, [j, Self.a1]))
    let integrand: [Factor] = [
      .tensor(Tensor(F.z, [Self.a1])), .tensor(Tensor(F.z, [Self.a1])),
      Self.atomFactor(Self.a1, derivative: 1),
    ]
    let result = try Self.layer.expectation(of: O, toOrder: 1).canonicalized()
    #expect(result == Self.oneNeuronRule(integrand).canonicalized())
  }

  /// At order 0 only the Gaussian atom remains. Catches corrections kept beyond the requested
  /// order.
  @Test func orderZeroIsTheGaussianAverage() throws {
    let j = F.neuron("j")
    let result = try Self.layer.expectation(of: Self.f(j, Self.a1) * Self.f(j, Self.a2), toOrder: 0)
    #expect(
      result.canonicalized()
        == Self.average([Self.atomFactor(Self.a1), Self.atomFactor(Self.a2)], derivatives: [])
        .canonicalized())
  }

  /// Σ_{j≠k} f(z_j) g(z_k): E minus the product of the one-neuron rules is the covariance rule
  /// (up to 1/n², which the product of two corrections contributes).
  @Test func twoNeuronCovariance() throws {
    let j = F.neuron("j"), k = F.neuron("k")
    let fj: [Factor] = [Self.atomFactor(Self.a1), Self.atomFactor(Self.a2)]
    let gk: [Factor] = [Self.atomFactor(Self.a3, derivative: 1)]
    let product =
      (Self.f(j, Self.a1) * Self.f(j, Self.a2)
      * .function(F.sigma, derivative: 1, of: Tensor(F.z, [k, Self.a3]))).summed(
        over: [j, k], distinct: true)
    let result = try Self.layer.expectation(of: product, toOrder: 1)
    let independent = (Self.oneNeuronRule(fj) * Self.oneNeuronRule(gk)).summed(
      over: [j, k], distinct: true)
    let covariance = Self.covarianceRule(fj, gk).summed(over: [j, k], distinct: true)
    // Orders: the two neuron sums count −2, so 1/n corrections are order −1.
    let difference = (result - independent).canonicalized().truncated(toOrder: -1)
    #expect(difference == covariance.canonicalized())
    #expect(!difference.isZero)
  }

  /// The covariance of two neurons needs the distinctness constraint: without it the layer
  /// refuses (neuron sums must be split first). Catches silently treating possibly equal neurons
  /// as independent.
  @Test func neuronsMustBeConstrainedDistinct() {
    let j = F.neuron("j"), k = F.neuron("k")
    let product = (Self.f(j, Self.a1) * Self.f(k, Self.a2)).summed(over: [j, k])
    #expect(throws: NearlyGaussianLayer.NeuronsNotDistinct.self) {
      try Self.layer.expectation(of: product, toOrder: 1)
    }
  }

  /// Three distinct neurons: E[f g h] = E[f]E[g]E[h] + Cov(f,g)⟨h⟩ + Cov(f,h)⟨g⟩ + Cov(g,h)⟨f⟩
  /// at order 1/n.
  @Test func threeNeuronsPairwiseCovariancesAdd() throws {
    let j = F.neuron("j"), k = F.neuron("k"), m = F.neuron("m")
    let f: [Factor] = [Self.atomFactor(Self.a1)]
    let g: [Factor] = [Self.atomFactor(Self.a2)]
    let h: [Factor] = [Self.atomFactor(Self.a3), Self.atomFactor(Self.a3)]
    let product =
      (Self.f(j, Self.a1) * Self.f(k, Self.a2) * Self.f(m, Self.a3) * Self.f(m, Self.a3))
      .summed(over: [j, k, m], distinct: true)
    let result = try Self.layer.expectation(of: product, toOrder: 1)
    let gauss = { (x: [Factor]) in Self.average(x, derivatives: []) }
    let expected =
      (Self.oneNeuronRule(f) * Self.oneNeuronRule(g) * Self.oneNeuronRule(h)
      + Self.covarianceRule(f, g) * gauss(h) + Self.covarianceRule(f, h) * gauss(g)
      + Self.covarianceRule(g, h) * gauss(f)).summed(over: [j, k, m], distinct: true)
    // Three neuron sums: order 1/n is −2.
    let lhs = result.canonicalized().truncated(toOrder: -2)
    #expect(lhs == expected.canonicalized().truncated(toOrder: -2))
    #expect(lhs.terms.contains { $0.monomial.inverseWidthOrder == -2 })
  }
}
