import Algebra
import Rational
import Testing

/// Algebraic laws of Expression arithmetic, modulo canonicalisation, on seeded random
/// expressions; and the product's renaming-apart semantics checked by exact value.
@Suite struct ExpressionLawTests {
  typealias V = Vocabulary

  static func generator(seed: UInt64) -> RandomExpressions {
    var gen = RandomExpressions(seed: seed)
    gen.maxDummies = 3
    gen.maxFactors = 3
    return gen
  }

  // Catches: term order leaking into the canonical form (a + b vs b + a), or like terms not being
  // merged across the two operands.
  @Test func additionIsCommutativeAndAssociative() {
    var gen = Self.generator(seed: 61)
    for _ in 0..<40 {
      let (a, b, c) = (gen.sum(), gen.sum(), gen.sum())
      #expect((a + b).canonicalized() == (b + a).canonicalized())
      #expect(((a + b) + c).canonicalized() == (a + (b + c)).canonicalized())
      #expect((a - a).canonicalized().isZero)
      #expect((a + .zero).canonicalized() == a.canonicalized())
    }
  }

  // Catches: products whose canonical form depends on operand order (dummies renamed apart
  // differently), or on the grouping of three factors.
  @Test func multiplicationIsCommutativeAndAssociative() {
    var gen = Self.generator(seed: 62)
    for trial in 0..<30 {
      let (a, b, c) = (gen.sum(maxTerms: 2), gen.sum(maxTerms: 2), gen.sum(maxTerms: 2))
      #expect((a * b).canonicalized() == (b * a).canonicalized(), "trial \(trial)")
      #expect(((a * b) * c).canonicalized() == (a * (b * c)).canonicalized(), "trial \(trial)")
      #expect((a * .one).canonicalized() == a.canonicalized())
      #expect((a * .zero).isZero)
    }
  }

  // Catches: expansion of a parenthesised sum that differs from distributing by hand.
  @Test func multiplicationDistributesOverAddition() {
    var gen = Self.generator(seed: 63)
    for trial in 0..<30 {
      let (a, b, c) = (gen.sum(maxTerms: 2), gen.sum(maxTerms: 2), gen.sum(maxTerms: 2))
      #expect((a * (b + c)).canonicalized() == (a * b + a * c).canonicalized(), "trial \(trial)")
      #expect(((a + b) * c).canonicalized() == (a * c + b * c).canonicalized(), "trial \(trial)")
      #expect(
        (Rational(3, 2) * (a + b)).canonicalized()
          == (Rational(3, 2) * a + Rational(3, 2) * b).canonicalized())
      #expect(a.power(2).canonicalized() == (a * a).canonicalized())
    }
  }

  // Catches: a product that captures a free index of one operand with a dummy of the other (or
  // the reverse), so that value(a·b) ≠ value(a)·value(b).
  @Test func productValueIsProductOfValues() throws {
    var gen = Self.generator(seed: 64)
    var rng = SplitMix64(seed: 164)
    let ev = V.evaluator(seed: 64, width: 2, lowerWidth: 2, samples: 2)
    for trial in 0..<20 {
      let (a, b) = (gen.expression(depth: 1), gen.expression(depth: 1))
      let p = a * b
      let free = Array(Set(a.freeIndices + b.freeIndices)).sorted()
      let all = V.assignments(free, ev)
      for _ in 0..<3 {
        let assignment = rng.pick(all)
        let x = try ev.value(of: a, free: assignment) * ev.value(of: b, free: assignment)
        #expect(try ev.value(of: p, free: assignment) == x, "trial \(trial)")
        #expect(try ev.value(of: p.canonicalized(), free: assignment) == x, "trial \(trial)")
      }
    }
  }

  // Catches: canonicalisation that is not a homomorphism for +: canonicalising the parts first
  // must not change the result.
  @Test func canonicalizationCommutesWithAddition() {
    var gen = Self.generator(seed: 65)
    for _ in 0..<40 {
      let (a, b) = (gen.expression(depth: 1), gen.expression(depth: 1))
      #expect((a + b).canonicalized() == (a.canonicalized() + b.canonicalized()).canonicalized())
    }
  }
}
