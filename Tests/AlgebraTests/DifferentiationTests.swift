import Algebra
import Rational
import Testing

/// Differentiation by a component z_{k;β}, checked symbolically on closed forms and exactly on
/// random polynomials: with σ and τ modelled as quadratic polynomials (so σ^{(m)} is the m-th
/// derivative of the same polynomial), an expression is a polynomial in the value t of the
/// component z_{k;β}; its exact derivative at the table's value is read off the Lagrange
/// interpolant through deg+1 exact evaluations — no finite differences.
@Suite struct DifferentiationTests {
  typealias V = Vocabulary

  /// p(x) = c₀ + c₁x + c₂x² for σ and τ.
  static func coefficients(_ head: FunctionHead) -> [Rational] {
    head == V.sigma
      ? [Rational(1, 2), Rational(1), Rational(-3, 2)]
      : [Rational(-1), Rational(1, 3), Rational(1)]
  }

  /// A seeded table whose function values are p^{(m)}(value of the argument).
  static func polynomialTable(_ seed: UInt64) -> ExactValueTable {
    var t = ExactValueTable.seeded(seed)
    t.function = { key, x in
      let c = coefficients(key.head)
      switch key.derivative {
      case 0: return c[0] + c[1] * x + c[2] * x * x
      case 1: return c[1] + Rational(2) * c[2] * x
      case 2: return Rational(2) * c[2]
      default: return .zero
      }
    }
    return t
  }

  /// An upper bound on the degree in any one z component (z → 1, σ^{(m)}(z) → 2 − m).
  static func degree(_ e: Expression) -> Int {
    e.terms.map { t in
      t.monomial.factors.reduce(0) { d, f in
        switch f {
        case .tensor(let x) where x.head == V.z: return d + 1
        case .function(let g) where g.argument.head == V.z: return d + max(0, 2 - g.derivative)
        case .parenthesized(let inner): return d + degree(inner)
        default: return d
        }
      }
    }.max() ?? 0
  }

  /// P'(x₀) for the polynomial through (nodes[i], values[i]) (x₀ not a node).
  static func interpolatedDerivative(at x0: Rational, nodes: [Rational], values: [Rational])
    -> Rational
  {
    var total = Rational.zero
    for i in nodes.indices {
      var weight = Rational.zero
      for m in nodes.indices where m != i {
        var term = Rational.one / (nodes[i] - nodes[m])
        for l in nodes.indices where l != i && l != m {
          term = term * (x0 - nodes[l]) / (nodes[i] - nodes[l])
        }
        weight = weight + term
      }
      total = total + values[i] * weight
    }
    return total
  }

  // Catches: a missing product-rule term, a factor of 2 lost for z², or the δ's of the chain rule
  // pointing at the wrong slots.
  @Test func derivativeOfSquareIsTwiceComponent() {
    let (j, k, a, b) = (V.j("j"), V.j("k"), V.s("a"), V.s("b"))
    let e = (Expression.tensor(V.z, [j, a]) * .tensor(V.z, [j, a])).summed(over: [j, a])
    let d = e.differentiated(by: Tensor(V.z, [k, b])).contractingDeltas().canonicalized()
    #expect(d == Rational(2) * Expression.tensor(V.z, [k, b]).canonicalized())
  }

  // Catches: the chain rule not raising the derivative order or not producing δ_{jk}δ_{αβ}.
  @Test func chainRuleThroughActivation() {
    let (j, k, a, b) = (V.j("j"), V.j("k"), V.s("a"), V.s("b"))
    let e = Expression.function(V.sigma, derivative: 1, of: Tensor(V.z, [j, a]))
    let d = e.differentiated(by: Tensor(V.z, [k, b]))
    let expected =
      Expression.function(V.sigma, derivative: 2, of: Tensor(V.z, [j, a])) * .delta(j, k)
      * .delta(a, b)
    #expect(d.isEquivalent(to: expected))
  }

  // Catches: differentiating tensors of other heads, Gaussian averages (constants) or functions
  // of other variables.
  @Test func constantsHaveZeroDerivative() {
    let (k, a, b) = (V.j("k"), V.s("a"), V.s("b"))
    let e =
      Expression.tensor(V.K, [a, b])
      * .average(GaussianAverage(metric: V.K, integrand: [V.sigmaU(a)]))
      * .function(V.sigma, of: Tensor(V.u, [a]))
    #expect(e.differentiated(by: Tensor(V.z, [k, b])).canonicalized().isZero)
  }

  // Catches: any deviation from the exact derivative on random polynomial expressions —
  // including dummies named like the variable's indices (which must be renamed apart, not
  // captured), repeated components, parenthesised sums and distinctness constraints — before and
  // after δ contraction and canonicalisation.
  @Test func randomPolynomialsHaveExactDerivatives() throws {
    var gen = RandomExpressions(seed: 51)
    gen.maxDummies = 3
    gen.maxFactors = 3
    var rng = SplitMix64(seed: 151)
    let widths = (width: 2, samples: 2)
    var nonZero = 0
    for trial in 0..<50 {
      let e = gen.expression(depth: 1)
      // Variable indices: fresh names or names the generator uses for dummies.
      let kIndex = V.j(rng.pick(["k0", "p", "q", "x"]))
      let bIndex = V.s(rng.pick(["b0", "p", "r", "s"]))
      let variable = Tensor(V.z, [kIndex, bIndex])
      let d = e.differentiated(by: variable)
      let seed = UInt64(500 + trial)
      let table = Self.polynomialTable(seed)
      let base = ExactEvaluator(
        widths: [.ell: widths.width, V.lower: 2], samples: widths.samples,
        symbols: [V.CW: Rational(3, 2), V.Cb: Rational(-2, 3)], valueTable: table)
      let free = Array(Set(e.freeIndices + [kIndex, bIndex])).sorted()
      let all = V.assignments(free, base)
      for _ in 0..<2 {
        let assignment = rng.pick(all)
        let component = [assignment[kIndex] ?? 0, assignment[bIndex] ?? 0]
        let t0 = table.tensor(V.z, component)
        let degree = Self.degree(e)
        let nodes = (-4...6).map { Rational($0) }.filter { $0 != t0 }.prefix(degree + 1)
        let values = try nodes.map { t -> Rational in
          var ev = base
          ev.valueTable.tensor = { h, i in h == V.z && i == component ? t : table.tensor(h, i) }
          return try ev.value(of: e, free: assignment)
        }
        let expected = Self.interpolatedDerivative(at: t0, nodes: Array(nodes), values: values)
        if !expected.isZero { nonZero += 1 }
        for (name, candidate) in [
          ("differentiated", d), ("contracted", d.contractingDeltas()),
          ("canonical", d.contractingDeltas().canonicalized()),
        ] {
          do {
            let got = try base.value(of: candidate, free: assignment)
            #expect(
              got == expected,
              "\(name), trial \(trial), ∂/∂\(Dump.indices([kIndex, bIndex]))\n  \(Dump.expression(e))\n  → \(Dump.expression(candidate))"
            )
          } catch {
            Issue.record(
              "\(name), trial \(trial): \(error)\n  \(Dump.expression(e))\n  → \(Dump.expression(candidate))"
            )
          }
        }
      }
    }
    #expect(nonZero > 20)
  }
}
