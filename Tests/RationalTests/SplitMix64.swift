import Rational

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny seeded generator, so every random test draws the
/// same values in every run. Each test owns its generator; there is no shared state.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) {
    state = seed
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniformly drawn integer in `range`.
  mutating func int(in range: ClosedRange<Int>) -> Int {
    Int.random(in: range, using: &self)
  }

  /// A small fraction: numerator in ±`numerators`, denominator in 1...`denominators`.
  mutating func smallRational(numerators: Int = 50, denominators: Int = 12) -> Rational {
    Rational(int(in: -numerators...numerators), int(in: 1...denominators))
  }

  /// A fraction whose numerator and denominator have about `digits` decimal digits.
  mutating func largeRational(digits: Int) -> Rational {
    let numerator = (int(in: 0...1) == 0 ? "-" : "") + decimalDigits(digits)
    let denominator = decimalDigits(digits)
    return (try? Rational.parse(numerator + "/" + denominator)) ?? .one
  }

  /// A fraction near the edge of the machine-word fast path: numerator and denominator within
  /// a few thousand of ±2^62, ±2^63, or small, so sums and products overflow into GMP and
  /// cancellations come back.
  mutating func boundaryRational() -> Rational {
    let anchors = [1, 3, 1 << 31, 1 << 62, Int.max]
    func part() -> Int {
      let anchor = anchors[int(in: 0...(anchors.count - 1))]
      return anchor - int(in: 0...min(anchor - 1, 5000))
    }
    let sign = int(in: 0...1) == 0 ? -1 : 1
    return Rational(sign * part(), part())
  }

  /// A decimal string of exactly `count` digits without a leading zero.
  mutating func decimalDigits(_ count: Int) -> String {
    var text = String(int(in: 1...9))
    for _ in 1..<max(count, 1) { text += String(int(in: 0...9)) }
    return text
  }
}
