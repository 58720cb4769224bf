import Algebra
import GaussianCalculus
import Rational
import Testing

/// Deep linear networks (σ(z) = z, no biases), exact at any width (FORMULAS.md §8), derived by
/// Wick contraction over every layer's weights at once:
///   z^{(L)}_i = Σ W^{(L)}_{i j_{L−1}} ⋯ W^{(1)}_{j_1 j_0} x_{j_0},
///   E[W^{(ℓ)}_{ij} W^{(ℓ)}_{kl}] = (C_W/n_{ℓ−1}) δ_{ik} δ_{jl}, widths n₀, n₁, n₂ distinct symbols,
/// inputs x_{j₀} a plain tensor. Then G₂^{(L)} = C_W^L (1/n₀) Σ_k x_k x_k,
///   E[z_{i₁}z_{i₂}z_{i₃}z_{i₄}] = (δδ + δδ + δδ) Π_{ℓ'=1}^{L−1}(1 + 2/n_{ℓ'}) (G₂^{(L)})²,
///   E[z_i^{2m}] = (2m−1)!! (G₂^{(L)})^m Π_{ℓ'=1}^{L−1} Π_{k=1}^{m−1}(1 + 2k/n_{ℓ'}).
/// Catches wrong widths in the traces (a δ trace of layer ℓ must give n_ℓ), families mixed up,
/// wrong merging across families, and wrong orbit multiplicities.
@Suite struct DeepLinearNetworkTests {
  static let x = TensorHead("x")
  static let cW = Fixtures.cW

  static func width(_ l: Int) -> Symbol { .width(.absolute(l)) }
  static func weight(_ l: Int) -> TensorHead { TensorHead("W", layer: .absolute(l)) }

  static func family(_ l: Int) -> GaussianFamily {
    let i = Index.neuron("p", layer: .absolute(l)), k = Index.neuron("q", layer: .absolute(l))
    let j = Index.neuron("r", layer: .absolute(l - 1)),
      m = Index.neuron("s", layer: .absolute(l - 1))
    return GaussianFamily(
      weight(l), first: [i, j], second: [k, m],
      covariance: .symbol(cW) * .symbol(width(l - 1), power: -1) * .delta(i, k) * .delta(j, m))
  }

  static func families(_ depth: Int) -> [GaussianFamily] { (1...depth).map(family) }

  /// z^{(L)}_i with the copy's own dummy names.
  static func preactivation(_ i: Index, depth: Int, copy: Int) -> Expression {
    var e = Expression.one
    var upper = i
    var summed: [Index] = []
    for l in stride(from: depth, through: 1, by: -1) {
      let lower = Index.neuron("j\(copy)_\(l - 1)", layer: .absolute(l - 1))
      summed.append(lower)
      e = e * .tensor(weight(l), [upper, lower])
      upper = lower
    }
    return (e * .tensor(x, [upper])).summed(over: summed)
  }

  /// G₂^{(L)} with its own dummy.
  static func g2(depth: Int, copy: Int) -> Expression {
    let k = Index.neuron("k\(copy)", layer: .absolute(0))
    return Expression.symbol(cW, power: depth) * .symbol(width(0), power: -1)
      * (Expression.tensor(x, [k]) * .tensor(x, [k])).summed(over: [k])
  }

  /// Π_{ℓ'=1}^{L−1} Π_{k=1}^{m−1} (1 + 2k/n_{ℓ'}).
  static func widthFactor(depth: Int, m: Int) -> Expression {
    var e = Expression.one
    for l in stride(from: 1, to: depth, by: 1) {
      for k in stride(from: 1, to: m, by: 1) {
        e = e * (Expression.one + Expression(Rational(2 * k)) * .symbol(width(l), power: -1))
      }
    }
    return e
  }

  /// E[z_{i₁} z_{i₂}] = δ_{i₁i₂} G₂^{(L)}: the C_W^L and the 1/n₀ with the input sum. Catches a
  /// trace of a hidden layer's δ left as n instead of cancelling its 1/n.
  @Test(arguments: [1, 2, 3]) func twoPointFunction(depth: Int) {
    let i1 = Index.neuron("i1", layer: .absolute(depth)),
      i2 = Index.neuron("i2", layer: .absolute(depth))
    let product =
      Self.preactivation(i1, depth: depth, copy: 1) * Self.preactivation(i2, depth: depth, copy: 2)
    let result = WickContraction(Self.families(depth)).expectation(of: product)
    #expect(result == (Expression.delta(i1, i2) * Self.g2(depth: depth, copy: 0)).canonicalized())
  }

  /// The three δ-structures with G₄ = Π(1 + 2/n_{ℓ'}) G₂². Catches the finite-width factor on
  /// the wrong layer or missing, and a δ-structure lost.
  @Test(arguments: [2, 3]) func fourPointFunction(depth: Int) {
    let i = (1...4).map { Index.neuron("i\($0)", layer: .absolute(depth)) }
    var product = Expression.one
    for (c, index) in i.enumerated() {
      product = product * Self.preactivation(index, depth: depth, copy: c)
    }
    let result = WickContraction(Self.families(depth)).expectation(of: product)
    let deltas =
      Expression.delta(i[0], i[1]) * .delta(i[2], i[3]) + Expression.delta(i[0], i[2])
      * .delta(i[1], i[3])
      + Expression.delta(i[0], i[3]) * .delta(i[1], i[2])
    let g4 =
      Self.widthFactor(depth: depth, m: 2) * Self.g2(depth: depth, copy: 0)
      * Self.g2(depth: depth, copy: 1)
    #expect(result == (deltas * g4).canonicalized())
  }

  /// E[z_i^{2m}] for one neuron, m ≤ 4, L = 2 and 3. Catches wrong orbit multiplicities (the
  /// (2m−1)!! and the 2k/n_{ℓ'} coefficients) in the symmetric case.
  @Test(arguments: [(2, 1), (2, 2), (2, 3), (2, 4), (3, 2), (3, 3), (3, 4)])
  func momentsOfOneNeuron(depth: Int, m: Int) {
    let i = Index.neuron("i", layer: .absolute(depth))
    var product = Expression.one
    for c in 0..<(2 * m) { product = product * Self.preactivation(i, depth: depth, copy: c) }
    let result = WickContraction(Self.families(depth)).expectation(of: product)
    var expected =
      Expression(Rational(IsserlisTests.doubleFactorial(2 * m - 1)))
      * Self.widthFactor(depth: depth, m: m)
    for c in 0..<m { expected = expected * Self.g2(depth: depth, copy: c) }
    #expect(result == expected.canonicalized())
  }

  /// Integrating family by family (top layer first) gives the same as all families at once.
  /// Catches families interfering (a pairing across families) and memo entries shared between
  /// different family sets.
  @Test func layerByLayerEqualsAllAtOnce() {
    let depth = 3
    let i = Index.neuron("i", layer: .absolute(depth))
    var product = Expression.one
    for c in 0..<4 { product = product * Self.preactivation(i, depth: depth, copy: c) }
    var stepwise = product
    for l in stride(from: depth, through: 1, by: -1) {
      stepwise = WickContraction([Self.family(l)]).expectation(of: stepwise)
    }
    #expect(stepwise == WickContraction(Self.families(depth)).expectation(of: product))
  }
}
