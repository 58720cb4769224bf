import Algebra
import Rational
import Rendering

/// Expressions of the book, built with the Algebra API, shared by the rendering tests.
enum Fixtures {
  /// The book's notation with G1 tagged as the order-1 correction G^{\{1\}}, as `derive` sets
  /// it for a model declaring a statistic G1.
  static let notation = Notation.book.taggingOrders(of: ["K", "G1", "V"])
  static let K = TensorHead("K", layer: .ell, symmetry: .symmetric)
  static let V = TensorHead("V", layer: .ell, symmetry: .pairOfPairs)
  static let G1 = TensorHead("G1", layer: .ell, symmetry: .symmetric)
  static let z = TensorHead("z", layer: .ell)
  static let sigma = FunctionHead("σ")

  static let cW = Symbol.parameter("C_W")
  static let cB = Symbol.parameter("C_b")
  static let nEll = Symbol.width(.ell)
  static let nPrev = Symbol.width(.relative(-1))

  static let a1 = Index.sample("alpha1")
  static let a2 = Index.sample("alpha2")
  static let a3 = Index.sample("alpha3")
  static let a4 = Index.sample("alpha4")
  static let b1 = Index.sample("b1")
  static let b2 = Index.sample("b2")
  static let b3 = Index.sample("b3")
  static let b4 = Index.sample("b4")
  static let i1 = Index.neuron("i1", layer: .relative(1))
  static let i2 = Index.neuron("i2", layer: .relative(1))
  static let i3 = Index.neuron("i3", layer: .relative(1))
  static let i4 = Index.neuron("i4", layer: .relative(1))

  static func rational(_ p: Int, _ q: Int) -> Rational { Rational(p) / Rational(q) }

  /// σ^{(k)}(z_α) inside an average (single-neuron variable with one sample index).
  static func σ(_ a: Index, derivative: Int = 0) -> Factor {
    .function(FunctionApplication(sigma, derivative: derivative, Tensor(z, [a])))
  }

  /// ⟨∂_{d…} Π σ(z_x)⟩_{K^{(ℓ)}}.
  static func average(_ derivatives: [Index], _ integrand: [Factor]) -> Expression {
    .average(GaussianAverage(metric: K, derivatives: derivatives, integrand: integrand))
  }

  static func sym(_ s: Symbol, _ power: Int = 1) -> Expression { .symbol(s, power: power) }

  /// (C_W²/4)(n_ℓ/n_{ℓ−1}) Σ_β V_{(β₁β₂)(β₃β₄)} ⟨∂β₁∂β₂(σ_{α₁}σ_{α₂})⟩⟨∂β₃∂β₄(σ_{α₃}σ_{α₄})⟩.
  static var vPropagationTerm: Expression {
    let product =
      sym(cW, 2) * sym(nEll) * sym(nPrev, -1) * .tensor(V, [b1, b2, b3, b4])
      * average([b1, b2], [σ(a1), σ(a2)]) * average([b3, b4], [σ(a3), σ(a4)])
    return product.summed(over: [b1, b2, b3, b4]).scaled(by: rational(1, 4)).canonicalized()
  }

  /// The full V recursion right-hand side (FORMULAS.md §6).
  static var vRecursion: Expression {
    let noise =
      sym(cW, 2) * average([], [σ(a1), σ(a2), σ(a3), σ(a4)])
      - sym(cW, 2) * average([], [σ(a1), σ(a2)]) * average([], [σ(a3), σ(a4)])
    return (noise + vPropagationTerm).canonicalized()
  }

  /// V^{(ℓ+1)}_{(α₁α₂)(α₃α₄)}.
  static var vNext: Expression {
    .tensor(TensorHead("V", layer: .relative(1), symmetry: .pairOfPairs), [a1, a2, a3, a4])
  }

  /// The G¹ recursion right-hand side (FORMULAS.md §6), ratio multiplying both terms.
  static var g1Recursion: Expression {
    let metric =
      (.tensor(G1, [b1, b2]) * average([b1, b2], [σ(a1), σ(a2)])).summed(over: [b1, b2])
      .scaled(by: rational(1, 2))
    let vertex =
      (.tensor(V, [b1, b2, b3, b4]) * average([b1, b2, b3, b4], [σ(a1), σ(a2)]))
      .summed(over: [b1, b2, b3, b4]).scaled(by: rational(1, 8))
    return
      (sym(nEll) * sym(nPrev, -1) * sym(cW) * metric
      + sym(nEll) * sym(nPrev, -1) * sym(cW) * vertex).canonicalized()
  }

  /// The connected four-point function of z^{(ℓ+1)}: (1/n_ℓ)[δδV + δδV + δδV].
  static var fourPoint: Expression {
    let vNext = TensorHead("V", layer: .relative(1), symmetry: .pairOfPairs)
    let s =
      Expression.delta(i1, i2) * .delta(i3, i4) * .tensor(vNext, [a1, a2, a3, a4])
      + Expression.delta(i1, i3) * .delta(i2, i4) * .tensor(vNext, [a1, a3, a2, a4])
      + Expression.delta(i1, i4) * .delta(i2, i3) * .tensor(vNext, [a1, a4, a2, a3])
    return (sym(nEll, -1) * s).canonicalized()
  }

  /// C_W² Σ_{j≠k} σ(z_{j;α₁})σ(z_{j;α₂})σ(z_{k;α₃})σ(z_{k;α₄}) / n_ℓ²: the distinct-neuron part of
  /// the product of two stochastic metrics.
  static var distinctNeuronSum: Expression {
    let j = Index.neuron("j", layer: .ell)
    let k = Index.neuron("k", layer: .ell)
    func f(_ n: Index, _ a: Index) -> Expression {
      .function(sigma, of: Tensor(z, [n, a]))
    }
    let product = sym(cW, 2) * sym(nEll, -2) * f(j, a1) * f(j, a2) * f(k, a3) * f(k, a4)
    return product.summed(over: [j, k], distinct: true).canonicalized()
  }

  /// Negative and fractional coefficients: −3/4 C_b + (2/3) C_W ⟨σ'σ'⟩/n_{ℓ−1} − ⟨σ σ⟩ + 5 C_W².
  static var signedCoefficients: Expression {
    Expression.symbol(cB).scaled(by: rational(-3, 4))
      + (sym(cW) * sym(nPrev, -1) * average([], [σ(a1, derivative: 1), σ(a2, derivative: 1)]))
      .scaled(by: rational(2, 3))
      - average([], [σ(a1), σ(a2)])
      + sym(cW, 2).scaled(by: Rational(5))
  }
}
