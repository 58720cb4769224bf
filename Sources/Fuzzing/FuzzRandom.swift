/// A small seeded generator (SplitMix64) for the fuzzer.
///
/// Every case owns its own stream, derived from the campaign seed and the case index, so a
/// case can be regenerated alone (`derive-fuzz --seed S --only K`) and the cases of a campaign
/// do not depend on how they are split over jobs.
public struct FuzzRandom: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// A stream for one case of a campaign.
  public init(seed: UInt64, case index: UInt64) {
    // Mix the two words so neighbouring seeds and indices give unrelated streams.
    var mixer = FuzzRandom(state: seed &* 0x9E37_79B9_7F4A_7C15 ^ 0xD1B5_4A32_D192_ED03)
    let a = mixer.next()
    state = a ^ (index &* 0xBF58_476D_1CE4_E5B9 &+ 0x94D0_49BB_1331_11EB)
  }

  private init(state: UInt64) { self.state = state }

  /// The next 64 random bits (SplitMix64).
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniformly chosen element of a non-empty array.
  public mutating func pick<T>(_ choices: [T]) -> T {
    choices[Int.random(in: 0..<choices.count, using: &self)]
  }

  /// True with probability `p`.
  public mutating func chance(_ p: Double) -> Bool {
    Double.random(in: 0..<1, using: &self) < p
  }

  /// An integer in `range`.
  public mutating func int(_ range: ClosedRange<Int>) -> Int {
    Int.random(in: range, using: &self)
  }
}
