import Algebra
import Rational
import Testing

/// ``TermCollector`` encodes the documented ``Monomial`` order as integer keys; it must collect
/// and order exactly like ``Expression/collectingLikeTerms()`` (which sorts with `<`). Catches a
/// key field out of the order `<` compares (order in 1/n, width degree, factor count, factors,
/// scalars, sums, constraints), list keys that order a prefix after its extensions, and lost or
/// doubled coefficients.
@Suite struct TermCollectorTests {
  @Test func collectsInMonomialOrder() {
    var gen = RandomExpressions(seed: 0x7E4)
    var rng = SplitMix64(seed: 0x7E5)
    for _ in 0..<40 {
      var terms: [Term] = []
      for _ in 0..<rng.int(1...60) {
        let t = Expression(gen.term()).canonicalized().terms
        terms += t
        // Repeats with other coefficients, some cancelling.
        if let first = t.first, rng.chance(0.3) {
          terms.append(Term(rng.chance(0.5) ? -first.coefficient : Rational(2), first.monomial))
        }
      }
      terms = rng.shuffled(terms)
      var collector = TermCollector()
      for t in terms {
        let m = t.monomial
        if m.summed.isEmpty && m.distinct.isEmpty && rng.chance(0.5) {
          collector.add(
            t.coefficient, scalarList: collector.scalarListID(m.scalars),
            factorIDs: rng.shuffled(m.factors.map { collector.factorID($0) }))
        } else {
          collector.add(t.coefficient, m)
        }
      }
      #expect(collector.expression() == Expression(terms).collectingLikeTerms())
    }
  }
}
