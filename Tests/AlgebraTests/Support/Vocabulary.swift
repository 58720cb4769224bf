import Algebra
import Rational

/// The heads, symbols and indices the algebra tests are written in.
enum Vocabulary {
  /// The metric: symmetric in its two sample indices.
  static let K = TensorHead("K", layer: .ell, symmetry: .symmetric)
  /// The four-point vertex: V_{(αβ)(γδ)}.
  static let V = TensorHead("V", layer: .ell, symmetry: .pairOfPairs)
  /// A sample–sample tensor without symmetry.
  static let A = TensorHead("A")
  static let B = TensorHead("B")
  /// Preactivations z_{j;α} (neuron of layer ℓ, sample).
  static let z = TensorHead("z", layer: .ell)
  /// Weights W_{jk} (neuron of layer ℓ, neuron of layer ℓ−1).
  static let W = TensorHead("W", layer: .ell)
  /// A single neuron's sample vector u_α, the variable inside Gaussian averages.
  static let u = TensorHead("u", layer: .ell)
  static let sigma = FunctionHead("σ")
  static let tau = FunctionHead("τ")

  static let lower = Layer.relative(-1)
  static let n = Symbol.width(.ell)
  static let nLower = Symbol.width(lower)
  static let CW = Symbol.parameter("C_W")
  static let Cb = Symbol.parameter("C_b")

  static func j(_ name: String) -> Index { .neuron(name, layer: .ell) }
  static func k(_ name: String) -> Index { .neuron(name, layer: lower) }
  static func s(_ name: String) -> Index { .sample(name) }

  static func sigmaOf(_ j: Index, _ a: Index, derivative: Int = 0, head: FunctionHead = sigma)
    -> Factor
  {
    .function(FunctionApplication(head, derivative: derivative, Tensor(z, [j, a])))
  }

  static func average(_ derivatives: [Index], _ integrand: [Factor]) -> Factor {
    .average(GaussianAverage(metric: K, derivatives: derivatives, integrand: integrand))
  }

  /// σ^{(m)}(u_α), an integrand factor.
  static func sigmaU(_ a: Index, derivative: Int = 0, head: FunctionHead = sigma) -> Factor {
    .function(FunctionApplication(head, derivative: derivative, Tensor(u, [a])))
  }

  static func term(
    _ c: Rational = .one, _ factors: [Factor], summed: [Index] = [], distinct: [[Index]] = [],
    scalars: [SymbolPower] = []
  ) -> Term {
    Term(c, Monomial(scalars: scalars, factors: factors, summed: summed, distinct: distinct))
  }

  /// An evaluator with small widths, seeded opaque values and fixed couplings.
  static func evaluator(
    seed: UInt64, width: Int = 2, lowerWidth: Int = 2, samples: Int = 2
  ) -> ExactEvaluator {
    ExactEvaluator(
      widths: [.ell: width, lower: lowerWidth], samples: samples,
      symbols: [CW: Rational(3, 2), Cb: Rational(-2, 3)], valueTable: .seeded(seed))
  }

  /// Every assignment of values to `indices` under `evaluator`'s ranges.
  static func assignments(_ indices: [Index], _ evaluator: ExactEvaluator) -> [[Index: Int]] {
    var out: [[Index: Int]] = [[:]]
    for i in indices {
      let n = (try? evaluator.range(of: i.space)) ?? 0
      out = out.flatMap { a in
        (0..<n).map { v in
          var b = a
          b[i] = v
          return b
        }
      }
    }
    return out
  }
}
