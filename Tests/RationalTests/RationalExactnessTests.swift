import Rational
import Testing

/// Exact results on values far beyond a machine word, against independently computed references.
@Suite("Rational exactness on huge values")
struct RationalExactnessTests {
  @Test("100!/99! == 100")
  func factorialQuotient() {
    #expect(Rational.factorial(100) / Rational.factorial(99) == 100)
    #expect((Rational.factorial(100) / Rational.factorial(99)).isInteger)
  }

  @Test("factorial agrees with a product loop")
  func factorialByProduct() {
    var product = BigInteger(1)
    for k in 1...100 { product *= BigInteger(k) }
    #expect(BigInteger.factorial(100) == product)
    #expect(BigInteger.factorial(100).decimalDigitCount == 158)
    #expect(BigInteger.factorial(0) == 1)
  }

  @Test("(2^200+1)/(2^200+1) == 1")
  func hugeSelfQuotient() throws {
    let big = BigInteger(2).power(200) + 1
    let x = Rational(big)
    #expect(x / x == .one)
    #expect(try Rational(numerator: big, denominator: big) == .one)
    #expect(try Rational(numerator: big * 6, denominator: big * 4) == Rational(3, 2))
  }

  /// H(n) = Σ 1/k, computed over the common denominator lcm(1..n) with integer arithmetic only.
  static func harmonicByIntegers(_ n: Int) -> (numerator: BigInteger, denominator: BigInteger) {
    var lcm = BigInteger(1)
    for k in 1...n {
      let kBig = BigInteger(k)
      lcm = lcm * kBig / BigInteger.gcd(lcm, kBig)
    }
    var sum = BigInteger(0)
    for k in 1...n { sum += lcm / BigInteger(k) }
    let g = BigInteger.gcd(sum, lcm)
    return (sum / g, lcm / g)
  }

  @Test("harmonic number H(50) by rational summation")
  func harmonic50() throws {
    var h = Rational.zero
    for k in 1...50 { h += Rational(1, k) }
    let reference = Self.harmonicByIntegers(50)
    #expect(h.numerator == reference.numerator)
    #expect(h.denominator == reference.denominator)
    // Published value (OEIS A001008 and A002805, n = 50).
    #expect(h.numerator == (try BigInteger.parse("13943237577224054960759")))
    #expect(h.denominator == (try BigInteger.parse("3099044504245996706400")))
  }

  @Test(
    "harmonic numbers for other n match the integer method", arguments: [1, 2, 10, 23, 42, 100])
  func harmonic(n: Int) {
    let h = (1...n).reduce(Rational.zero) { $0 + Rational(1, $1) }
    let reference = Self.harmonicByIntegers(n)
    #expect(h.numerator == reference.numerator)
    #expect(h.denominator == reference.denominator)
  }

  @Test("telescoping sum of 1/(k(k+1)) is exactly 1 - 1/(n+1)")
  func telescoping() {
    let n = 300
    var sum = Rational.zero
    for k in 1...n { sum += Rational(1, k) - Rational(1, k + 1) }
    #expect(sum == 1 - Rational(1, n + 1))
  }
}
