import Rational
import Testing

@Suite("BigInteger")
struct BigIntegerTests {
  @Test("arithmetic agrees with Int where Int does not overflow")
  func agreesWithInt() throws {
    var random = SplitMix64(seed: 31)
    for _ in 0..<2_000 {
      let a = random.int(in: -1_000_000_000...1_000_000_000)
      let b = random.int(in: -1_000_000_000...1_000_000_000)
      let (x, y) = (BigInteger(a), BigInteger(b))
      #expect((x + y).intValue == a + b)
      #expect((x - y).intValue == a - b)
      #expect((x * y).intValue == a * b)
      #expect((-x).intValue == -a)
      #expect((x < y) == (a < b))
      #expect(x.sign == a.signum())
      #expect(x.magnitude.intValue == Swift.abs(a))
      if b != 0 {
        let (q, r) = x.quotientAndRemainder(dividingBy: y)
        #expect(q.intValue == a / b)
        #expect(r.intValue == a % b)
        #expect((x / y).intValue == a / b)
        #expect((x % y).intValue == a % b)
        let thrown = try x.dividing(by: y)
        #expect(thrown.quotient == q && thrown.remainder == r)
      }
    }
  }

  @Test("division by zero throws through dividing(by:)")
  func divisionByZero() {
    #expect(throws: RationalError.divisionByZero) { try BigInteger(5).dividing(by: 0) }
    #expect(throws: RationalError.divisionByZero) { try Rational(3, 4).dividing(by: .zero) }
    #expect(throws: RationalError.divisionByZero) {
      try Rational(numerator: 1, denominator: 0)
    }
    #expect(throws: RationalError.divisionByZero) { try Rational.zero.raised(to: -2) }
  }

  @Test("Int conversions at the edges")
  func intEdges() {
    #expect(BigInteger(Int.max).intValue == Int.max)
    #expect(BigInteger(Int.min).intValue == Int.min)
    #expect((BigInteger(Int.max) + 1).intValue == nil)
    #expect((BigInteger(Int.min) - 1).intValue == nil)
    #expect(Int(exactly: BigInteger(Int.min)) == Int.min)
    #expect(Int(exactly: BigInteger(Int.max) + 1) == nil)
    #expect(BigInteger(UInt.max) == BigInteger(Int.max) * 2 + 1)
    #expect(BigInteger(UInt.max).description == String(UInt.max))
    #expect(BigInteger(exactly: UInt64(1) << 63) == BigInteger(Int.max) + 1)
    #expect(BigInteger(Int8(-128)) == -128)
    #expect(Rational(exactly: UInt.max) == Rational(BigInteger(UInt.max)))
  }

  @Test("power, print and parse round trips")
  func powerRoundTrip() throws {
    for base in [-7, -2, 2, 3, 10, 12345] {
      for exponent: UInt in [0, 1, 5, 31, 64, 100, 333] {
        let value = BigInteger(base).power(exponent)
        #expect(try BigInteger.parse(value.description) == value)
        #expect(BigInteger(value.description) == value)
        var product = BigInteger(1)
        for _ in 0..<exponent { product *= BigInteger(base) }
        #expect(product == value)
      }
    }
    #expect(BigInteger(10).power(50).description == "1" + String(repeating: "0", count: 50))
    #expect(BigInteger(10).power(50).decimalDigitCount == 51)
    #expect(BigInteger(-2).power(3) == -8)
    #expect(BigInteger(0).power(0) == 1)
  }

  @Test("parsing accepts signs and leading zeros")
  func parsing() throws {
    #expect(try BigInteger.parse("+42") == 42)
    #expect(try BigInteger.parse("-0042") == -42)
    #expect(try BigInteger.parse("-0") == 0)
    let long = "-" + String(repeating: "9", count: 90)
    #expect(try BigInteger.parse(long) == -(BigInteger(10).power(90) - 1))
    #expect(try BigInteger.parse(long).description == long)
  }

  @Test(
    "malformed integers throw",
    arguments: ["", "+", "-", "--1", "1 2", " 1", "1/2", "0x10", "٣", "1e5"])
  func malformed(text: String) {
    #expect(throws: RationalError.malformed(text)) { try BigInteger.parse(text) }
    #expect(BigInteger(text) == nil)
  }

  @Test("gcd, hashing and copy-on-write")
  func gcdHashCopyOnWrite() {
    let a = BigInteger(2).power(100) * 15
    let b = BigInteger(2).power(90) * 35
    #expect(BigInteger.gcd(a, b) == BigInteger(2).power(90) * 5)
    #expect(BigInteger.gcd(-a, 0) == a)
    #expect((a / 15).hashValue == BigInteger(2).power(100).hashValue)
    // The sign is hashed; an accidental collision here has probability 2^-64.
    #expect(BigInteger(-5).hashValue != BigInteger(5).hashValue)
    let original = a
    var copy = original
    copy += 1
    copy *= 3
    copy -= original
    #expect(original == BigInteger(2).power(100) * 15)
    #expect(copy == (a + 1) * 3 - a)
  }
}
