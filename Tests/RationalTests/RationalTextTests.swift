import Rational
import Testing

/// Parsing and printing: canonical output, round trips, and rejection of malformed text.
@Suite("Rational parsing and printing")
struct RationalTextTests {
  @Test(
    "accepted forms",
    arguments: [
      ("3", "3"), ("-7/12", "-7/12"), ("+4/6", "2/3"), ("0", "0"), ("-0", "0"), ("0/5", "0"),
      ("007/014", "1/2"), ("12/4", "3"), ("-9223372036854775808", "-9223372036854775808"),
      ("123456789012345678901234567890/10", "12345678901234567890123456789"),
      ("18446744073709551616/36893488147419103232", "1/2"),
    ])
  func accepted(text: String, printed: String) throws {
    let value = try Rational.parse(text)
    #expect(value.description == printed)
    #expect(value.isCanonical)
    #expect(Rational(text) == value)
  }

  @Test(
    "malformed text throws",
    arguments: [
      "abc", "1//2", "", "3/-", "--1", "+", "-", "/", "1/", "/2", " 5 ", "5 ", "1/+2", "1.5", "1e3",
      "0x10", "½", "٣", "1/2/3", "1_000", "10/-0",
    ])
  func malformed(text: String) {
    #expect(throws: RationalError.malformed(text)) { try Rational.parse(text) }
    #expect(Rational(text) == nil)
  }

  @Test(
    "a zero denominator throws divisionByZero",
    arguments: ["1/0", "-5/000", "0/0", "1/0000000000000000000000000"])
  func zeroDenominator(text: String) {
    #expect(throws: RationalError.divisionByZero) { try Rational.parse(text) }
    #expect(Rational(text) == nil)
  }

  @Test("description round-trips through parse for small, boundary and large values")
  func roundTrip() throws {
    for value in RationalLawTests.samples(seed: 11, count: 400) {
      #expect(try Rational.parse(value.description) == value)
    }
  }

  @Test("description shape")
  func descriptionShape() {
    #expect(Rational(6, -4).description == "-3/2")
    #expect(Rational(Int.min).description == String(Int.min))
    #expect((Rational(Int.max) + 1).description == "9223372036854775808")
    #expect((Rational(1, Int.max) / 2).description == "1/18446744073709551614")
    #expect(
      Rational(BigInteger(10).power(40)).description == "1" + String(repeating: "0", count: 40))
  }

  @Test("RationalError descriptions")
  func errorText() {
    #expect(RationalError.divisionByZero.description == "division by zero")
    #expect(RationalError.malformed("x").description == "malformed number: \"x\"")
  }
}
