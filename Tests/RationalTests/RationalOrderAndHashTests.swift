import Rational
import Testing

/// `==`, hashing and ordering: consistent with each other and independent of how a value was built.
@Suite("Rational equality, hashing and order")
struct RationalOrderAndHashTests {
  @Test("equal values built differently are equal and hash equal")
  func equalValuesHashEqual() throws {
    let pairs: [(Rational, Rational)] = [
      (Rational(2, 4), Rational(1, 2)),
      (Rational(-3, -9), try Rational.parse("1/3")),
      (
        Rational(1, 2),
        try Rational(numerator: BigInteger(2).power(69), denominator: BigInteger(2).power(70))
      ),
      // Through GMP (the sum overflows a word) and back to the word form.
      ((Rational(Int.max) + Rational(Int.max)) / 2, Rational(Int.max)),
      (Rational(Int.max, 3) * 3 - Rational(Int.max) + Rational(1, 2), Rational(1, 2)),
      (try Rational.parse("36893488147419103232/18446744073709551616"), Rational(2)),
      (Rational(BigInteger(7)), Rational(7)),
      (Rational(BigInteger(2).power(100)) / Rational(BigInteger(2).power(100)), .one),
      (Rational(BigInteger(3).power(80)) - 1 + 1, Rational(BigInteger(3).power(80))),
    ]
    for (a, b) in pairs {
      #expect(a == b)
      #expect(a.hashValue == b.hashValue, "\(a)")
      #expect(a.isCanonical && b.isCanonical)
      #expect(Set([a, b]).count == 1)
    }
  }

  @Test("hash agrees with equality across random samples")
  func hashLaw() throws {
    let values = RationalLawTests.samples(seed: 21, count: 200)
    let rebuilt = try values.map { value in
      try Rational(numerator: value.numerator * 3, denominator: value.denominator * 3)
    }
    for (a, b) in zip(values, rebuilt) {
      #expect(a == b)
      #expect(a.hashValue == b.hashValue)
    }
    // Distinct values: the set keeps every distinct description.
    #expect(Set(values).count == Set(values.map(\.description)).count)
  }

  @Test("order is total, strict and agrees with the sign of the difference")
  func totalOrder() {
    let values = RationalLawTests.samples(seed: 22, count: 80)
    for a in values {
      #expect(!(a < a))
      for b in values {
        let relations = [a < b, a == b, b < a].filter { $0 }.count
        #expect(relations == 1)
        #expect((a < b) == ((b - a).sign > 0))
      }
    }
    let sorted = values.sorted()
    for (x, y) in zip(sorted, sorted.dropFirst()) { #expect(x <= y) }
  }

  @Test("order near the word boundary and between forms")
  func boundaryOrder() {
    let max = Rational(Int.max)
    #expect(max < max + 1)
    #expect(-(max + 1) < -max)
    #expect(Rational(Int.min) < Rational(Int.min + 1))
    #expect(Rational(Int.max - 1, Int.max) < Rational(Int.max, Int.max - 1))
    #expect(Rational(1, Int.max) > Rational(1, Int.max) / 2)
    #expect(Rational(1, Int.max) / 2 > 0)
    #expect(Rational(BigInteger(10).power(30)) > Rational(Int.max))
    #expect(Rational(-BigInteger(10).power(30)) < Rational(Int.min))
  }
}
