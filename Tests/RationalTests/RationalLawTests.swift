import Rational
import Testing

/// Field laws on seeded random values, and agreement with independent reference arithmetic.
@Suite("Rational arithmetic laws")
struct RationalLawTests {
  /// Mixed samples: small coefficients, values at the machine-word boundary, and ~40-digit values.
  static func samples(seed: UInt64, count: Int) -> [Rational] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { i in
      switch i % 4 {
      case 0, 1: return random.smallRational()
      case 2: return random.boundaryRational()
      default: return random.largeRational(digits: random.int(in: 15...40))
      }
    }
  }

  @Test("small values agree with Int reference arithmetic")
  func smallAgreesWithIntReference() {
    var random = SplitMix64(seed: 1)
    for _ in 0..<5_000 {
      let x = random.smallRational(numerators: 1_000, denominators: 100)
      let y = random.smallRational(numerators: 1_000, denominators: 100)
      let (rx, ry) = (IntFraction(x), IntFraction(y))
      #expect(IntFraction(x + y) == rx + ry)
      #expect(IntFraction(x - y) == rx - ry)
      #expect(IntFraction(x * y) == rx * ry)
      if !y.isZero { #expect(IntFraction(x / y) == rx / ry) }
      #expect((x < y) == (rx.numerator * ry.denominator < ry.numerator * rx.denominator))
    }
  }

  @Test("boundary and large values agree with BigInteger reference arithmetic")
  func agreesWithBigReference() {
    let values = Self.samples(seed: 2, count: 200)
    for (x, y) in zip(values, values.reversed()) {
      let (rx, ry) = (BigFraction(x), BigFraction(y))
      #expect((rx + ry).matches(x + y), "\(x) + \(y)")
      #expect((rx - ry).matches(x - y), "\(x) - \(y)")
      #expect((rx * ry).matches(x * y), "\(x) * \(y)")
      if !y.isZero { #expect((rx / ry).matches(x / y), "\(x) / \(y)") }
      for result in [x + y, x - y, x * y] { #expect(result.isCanonical) }
    }
  }

  @Test("commutativity, associativity, distributivity")
  func ringLaws() {
    let values = Self.samples(seed: 3, count: 120)
    for i in 0..<values.count - 2 {
      let (a, b, c) = (values[i], values[i + 1], values[i + 2])
      #expect(a + b == b + a)
      #expect(a * b == b * a)
      #expect((a + b) + c == a + (b + c))
      #expect((a * b) * c == a * (b * c))
      #expect(a * (b + c) == a * b + a * c)
      #expect((a - b) * c == a * c - b * c)
    }
  }

  @Test("identities and inverses")
  func inverses() {
    for a in Self.samples(seed: 4, count: 200) {
      #expect(a + .zero == a)
      #expect(a * .one == a)
      #expect(a * .zero == .zero)
      #expect(a + (-a) == .zero)
      #expect(a - a == .zero)
      #expect(-(-a) == a)
      #expect((a + (-a)).isZero)
      if !a.isZero {
        #expect(a * a.reciprocal == .one)
        #expect((a * a.reciprocal).isOne)
        #expect(a / a == .one)
        #expect(a.reciprocal.reciprocal == a)
        #expect(a.reciprocal.isCanonical)
      }
    }
  }

  @Test("division undoes multiplication")
  func divisionUndoesMultiplication() {
    let values = Self.samples(seed: 5, count: 200)
    for (a, b) in zip(values, values.dropFirst()) where !b.isZero {
      #expect((a / b) * b == a)
      #expect((a * b) / b == a)
      #expect(a - b + b == a)
    }
  }

  @Test("compound assignment matches the operators")
  func compoundAssignment() {
    let values = Self.samples(seed: 6, count: 100)
    for (a, b) in zip(values, values.dropFirst()) {
      var x = a
      x += b
      #expect(x == a + b)
      x -= b
      #expect(x == a)
      x *= b
      #expect(x == a * b)
      if !b.isZero {
        x /= b
        #expect(x == a)
      }
    }
  }

  @Test("compound assignment never writes through a shared GMP box")
  func copyOnWrite() {
    var random = SplitMix64(seed: 7)
    let original = random.largeRational(digits: 60)
    let snapshot = original.description
    var copy = original
    copy += original
    copy *= original
    copy -= 1
    #expect(original.description == snapshot)
    #expect(copy == original * 2 * original - 1)

    var unique = random.largeRational(digits: 60)
    let expected = unique + unique
    unique += unique  // the operand is the same box as the target
    #expect(unique == expected)
  }

  @Test("overflowing word arithmetic moves to GMP and back")
  func wordBoundary() throws {
    let max = Rational(Int.max)
    let beyond = max + 1
    #expect(beyond.numerator == BigInteger(Int.max) + 1)
    #expect(beyond.isCanonical)
    #expect(beyond - 1 == max)
    #expect((beyond - 1).hashValue == max.hashValue)
    #expect(Rational(Int.min).numerator == BigInteger(Int.min))
    #expect(-Rational(Int.min) == beyond)
    #expect(Rational(Int.min) + 1 == -max)
    #expect(Rational(1, Int.min) == -beyond.reciprocal)
    #expect(Rational(Int.min, Int.min) == .one)
    #expect(Rational(Int.min, 2) == Rational(Int.min / 2))
    let square = max * max
    #expect(square.numerator == BigInteger(Int.max) * BigInteger(Int.max))
    #expect(square / max == max)
    #expect(Rational(1, Int.max) * Rational(1, Int.max) * max == Rational(1, Int.max))
  }

  @Test("power matches repeated multiplication", arguments: -6...6)
  func power(exponent: Int) throws {
    var random = SplitMix64(seed: UInt64(100 + exponent))
    for _ in 0..<50 {
      let base = random.smallRational(numerators: 30, denominators: 30)
      guard !(base.isZero && exponent < 0) else {
        #expect(throws: RationalError.divisionByZero) { try base.raised(to: exponent) }
        continue
      }
      var expected = Rational.one
      for _ in 0..<Swift.abs(exponent) { expected *= base }
      if exponent < 0 { expected = expected.reciprocal }
      #expect(base.power(exponent) == expected)
      #expect(try base.raised(to: exponent) == expected)
    }
  }

  @Test("powers beyond a machine word")
  func largePowers() {
    let threeHalves = Rational(3, 2)
    let p = threeHalves.power(50)
    #expect(p.numerator == BigInteger(3).power(50))
    #expect(p.denominator == BigInteger(2).power(50))
    #expect(threeHalves.power(-50) == p.reciprocal)
    #expect(Rational(-2).power(63) == -Rational(BigInteger(2).power(63)))
    #expect(Rational(-2).power(63).isCanonical)
    #expect(Rational(-1).power(Int.max) == -1)
    #expect(Rational(0).power(0) == 1)
    #expect(Rational(7, 5).power(0) == 1)
  }

  @Test("magnitude, sign and predicates")
  func predicates() {
    for a in Self.samples(seed: 8, count: 200) {
      #expect(a.magnitude == (a.sign < 0 ? -a : a))
      #expect(abs(a) == a.magnitude)
      #expect(a.sign == (a < .zero ? -1 : (a == .zero ? 0 : 1)))
      #expect(a.denominator.sign == 1)
      #expect(a.isInteger == (a.denominator == 1))
      #expect(a.isCanonical)
    }
    #expect(Rational(4, 2).isInteger)
    #expect(!Rational(4, 3).isInteger)
    #expect(Rational(-6, -6).isOne)
    #expect(Rational(0, -6).isZero)
    #expect(Rational(0, -6).denominator == 1)
  }

  @Test("values are safe to share across tasks")
  func concurrentSharing() async {
    var random = SplitMix64(seed: 9)
    let shared = (0..<16).map { _ in random.largeRational(digits: 50) }
    let expected = shared.reduce(Rational.zero) { $0 + $1 * $1 }
    let results = await withTaskGroup(of: Rational.self) { group in
      for _ in 0..<8 {
        group.addTask { shared.reduce(Rational.zero) { $0 + $1 * $1 } }
      }
      var all: [Rational] = []
      for await result in group { all.append(result) }
      return all
    }
    #expect(results.allSatisfy { $0 == expected })
  }
}
