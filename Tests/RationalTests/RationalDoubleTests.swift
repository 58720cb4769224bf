import Rational
import Testing

/// `doubleValue` is correctly rounded (round half to even) on both the word and the GMP path.
@Suite("Rational to Double")
struct RationalDoubleTests {
  static func two(_ exponent: Int) -> Rational {
    Rational(2).power(exponent)
  }

  @Test("word path equals IEEE division of exact operands")
  func wordPath() {
    var random = SplitMix64(seed: 41)
    for _ in 0..<2_000 {
      let n = random.int(in: -(1 << 53)...(1 << 53))
      let d = random.int(in: 1...(1 << 53))
      #expect(Rational(n, d).doubleValue == Double(n) / Double(d))
    }
  }

  @Test("GMP path on power-of-two rescalings equals the rescaled IEEE quotient")
  func gmpPathByScaling() {
    // Multiplying by 2^k moves the value onto the GMP path while its correctly rounded double is
    // exactly the word-path result scaled by 2^k.
    var random = SplitMix64(seed: 42)
    for _ in 0..<500 {
      let n = random.int(in: -(1 << 53)...(1 << 53))
      let d = random.int(in: 1...(1 << 53))
      let k = random.int(in: 70...900)
      let expected = Double(n) / Double(d)
      #expect(
        (Rational(n, d) * Self.two(k)).doubleValue == expected
          * Double(sign: .plus, exponent: k, significand: 1))
      #expect(
        (Rational(n, d) * Self.two(-k)).doubleValue == expected
          * Double(sign: .plus, exponent: -k, significand: 1))
    }
  }

  @Test("ties round to even, beyond 2^53")
  func ties() {
    let p53 = Self.two(53)
    #expect((p53 + 1).doubleValue == 9_007_199_254_740_992)  // tie → even (down)
    #expect((p53 + 3).doubleValue == 9_007_199_254_740_996)  // tie → even (up)
    #expect((p53 + 1 + Rational(1, 1 << 40)).doubleValue == 9_007_199_254_740_994)  // above tie
    #expect((-(p53 + 1)).doubleValue == -9_007_199_254_740_992)
    #expect(Rational(Int.max).doubleValue == 9_223_372_036_854_775_808)
  }

  @Test("subnormals, underflow and overflow")
  func extremes() {
    #expect(Self.two(-1074).doubleValue == Double.leastNonzeroMagnitude)
    #expect(Self.two(-1075).doubleValue == 0)  // exact tie with 0 → even
    #expect((Self.two(-1075) * 3).doubleValue == 2 * Double.leastNonzeroMagnitude)  // 1.5 ulp → 2
    #expect((Self.two(-1075) + Self.two(-1200)).doubleValue == Double.leastNonzeroMagnitude)
    #expect(Self.two(-1022).doubleValue == Double.leastNormalMagnitude)
    #expect((Self.two(-1022) - Self.two(-1074)).doubleValue == Double.leastNormalMagnitude.nextDown)
    #expect(Self.two(-5000).doubleValue == 0)
    #expect((-Self.two(-5000)).doubleValue.sign == .minus)
    #expect(Self.two(1023).doubleValue == Double(sign: .plus, exponent: 1023, significand: 1))
    #expect(Self.two(1024).doubleValue == .infinity)
    #expect((-Self.two(5000)).doubleValue == -.infinity)
    // Halfway between the largest double and 2^1024 rounds to even, i.e. to infinity.
    #expect((Self.two(1024) - Self.two(970)).doubleValue == .infinity)
    #expect((Self.two(1024) - Self.two(970) - 1).doubleValue == .greatestFiniteMagnitude)
  }

  @Test("huge numerator and denominator")
  func hugeParts() throws {
    let third = try Rational(
      numerator: BigInteger(10).power(400), denominator: BigInteger(10).power(400) * 3)
    #expect(third.doubleValue == 1.0 / 3.0)
    let nearOne = Rational(BigInteger(10).power(400) + 1) / Rational(BigInteger(10).power(400))
    #expect(nearOne.doubleValue == 1.0)
    #expect(Rational.zero.doubleValue == 0)
  }
}
