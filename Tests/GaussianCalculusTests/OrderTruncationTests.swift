import Algebra
import GaussianCalculus
import Rational
import Testing

/// ``Expression/truncated(toOrder:)`` with several width symbols: the order of a term is minus
/// the total width exponent minus the number of neuron sums; ratios n_ℓ/n_{ℓ−1} are O(1).
@Suite struct OrderTruncationTests {
  typealias F = Fixtures
  static let nPrev = Symbol.width(.relative(-1))
  static let n0 = Symbol.width(.absolute(0))
  let a = Index.sample("a")

  func term(_ powers: [(Symbol, Int)], coefficient: Int = 1) -> Expression {
    powers.reduce(Expression(Rational(coefficient))) { $0 * .symbol($1.0, power: $1.1) }
  }

  /// Catches widths of different layers not counted alike, ratios counted as orders, and neuron
  /// sums not counted as a power of n.
  @Test func ordersWithSeveralWidths() {
    let cases: [(Expression, Int)] = [
      (term([]), 0),
      (term([(F.n, -1)]), 1),
      (term([(Self.nPrev, -1)]), 1),
      (term([(F.n, 1), (Self.nPrev, -1)]), 0),
      (term([(F.n, 1), (Self.nPrev, -2)]), 1),
      (term([(F.n, -1), (F.nNext, -1)]), 2),
      (term([(F.nNext, 2), (F.n, -1), (Self.nPrev, -1)]), 0),
      (term([(Self.n0, -3), (F.cW, 2)]), 3),
      (term([(F.n, 2)]), -2),
    ]
    for (e, order) in cases {
      #expect(e.terms[0].monomial.inverseWidthOrder == order, "\(e)")
    }
    // (1/n₀) Σ_j x_j x_j is of order 0: the sum has n₀ terms.
    let j = Index.neuron("j", layer: .absolute(0))
    let g = (term([(Self.n0, -1)]) * .tensor(F.x, [j, a]) * .tensor(F.x, [j, a])).summed(over: [j])
    #expect(g.terms[0].monomial.inverseWidthOrder == 0)
  }

  /// Catches `truncated` and `part` disagreeing with the order (off by one, sign of exponents).
  @Test func truncationKeepsLowOrders() {
    let e =
      term([], coefficient: 3) + term([(F.n, 1), (Self.nPrev, -1)], coefficient: 5)
      + term([(F.n, -1)], coefficient: 7)
      + term([(Self.nPrev, -1), (F.nNext, -1)], coefficient: 11)
      + term([(F.n, 1), (Self.nPrev, -2)], coefficient: 13) + term([(Self.n0, -3)], coefficient: 17)
    let c = e.canonicalized()
    let order0 = term([], coefficient: 3) + term([(F.n, 1), (Self.nPrev, -1)], coefficient: 5)
    let order1 =
      term([(F.n, -1)], coefficient: 7) + term([(F.n, 1), (Self.nPrev, -2)], coefficient: 13)
    #expect(c.truncated(toOrder: 0) == order0.canonicalized())
    #expect(c.truncated(toOrder: 1) == (order0 + order1).canonicalized())
    #expect(c.part(ofOrder: 1) == order1.canonicalized())
    #expect(
      c.part(ofOrder: 2)
        == term([(Self.nPrev, -1), (F.nNext, -1)], coefficient: 11).canonicalized())
    #expect(c.truncated(toOrder: 3) == c)
    #expect(c.truncated(toOrder: -1).isZero)
  }
}
