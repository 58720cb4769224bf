import Rational

/// An independent reference for small fractions: plain `Int` arithmetic with Euclid's gcd, no
/// overflow checks (tests keep values far from overflow).
struct IntFraction: Equatable {
  let numerator: Int
  let denominator: Int

  init(_ numerator: Int, _ denominator: Int) {
    precondition(denominator != 0)
    var a = Swift.abs(numerator)
    var b = Swift.abs(denominator)
    while b != 0 { (a, b) = (b, a % b) }
    let sign = denominator < 0 ? -1 : 1
    self.numerator = sign * numerator / a
    self.denominator = sign * denominator / a
  }

  init(_ value: Rational) {
    guard let n = value.numerator.intValue, let d = value.denominator.intValue else {
      preconditionFailure("reference fractions hold word-size values only")
    }
    self.init(n, d)
  }

  static func + (l: IntFraction, r: IntFraction) -> IntFraction {
    IntFraction(
      l.numerator * r.denominator + r.numerator * l.denominator, l.denominator * r.denominator)
  }
  static func - (l: IntFraction, r: IntFraction) -> IntFraction {
    IntFraction(
      l.numerator * r.denominator - r.numerator * l.denominator, l.denominator * r.denominator)
  }
  static func * (l: IntFraction, r: IntFraction) -> IntFraction {
    IntFraction(l.numerator * r.numerator, l.denominator * r.denominator)
  }
  static func / (l: IntFraction, r: IntFraction) -> IntFraction {
    IntFraction(l.numerator * r.denominator, l.denominator * r.numerator)
  }

  var rational: Rational { Rational(numerator, denominator) }
}

/// An independent reference for fractions of any size: `BigInteger` numerator and denominator,
/// cross-multiplied and reduced with `BigInteger.gcd` and truncated division (never through
/// `Rational`'s own arithmetic or its word fast path).
struct BigFraction: Equatable {
  let numerator: BigInteger
  let denominator: BigInteger

  init(_ numerator: BigInteger, _ denominator: BigInteger) {
    precondition(!denominator.isZero)
    let g = BigInteger.gcd(numerator, denominator)
    let sign: BigInteger = denominator.sign < 0 ? -1 : 1
    self.numerator = sign * (numerator / g)
    self.denominator = sign * (denominator / g)
  }

  init(_ value: Rational) {
    self.init(value.numerator, value.denominator)
  }

  static func + (l: BigFraction, r: BigFraction) -> BigFraction {
    BigFraction(
      l.numerator * r.denominator + r.numerator * l.denominator, l.denominator * r.denominator)
  }
  static func - (l: BigFraction, r: BigFraction) -> BigFraction {
    BigFraction(
      l.numerator * r.denominator - r.numerator * l.denominator, l.denominator * r.denominator)
  }
  static func * (l: BigFraction, r: BigFraction) -> BigFraction {
    BigFraction(l.numerator * r.numerator, l.denominator * r.denominator)
  }
  static func / (l: BigFraction, r: BigFraction) -> BigFraction {
    BigFraction(l.numerator * r.denominator, l.denominator * r.numerator)
  }

  /// Whether `value` has exactly this numerator and denominator.
  func matches(_ value: Rational) -> Bool {
    value.numerator == numerator && value.denominator == denominator
  }
}
