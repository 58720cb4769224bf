/// SplitMix64 (Steele, Lea, Flood 2014; Vigna's reference `splitmix64.c`): a 64-bit Weyl
/// sequence passed through a bijective mixer.
///
/// Used here only to expand seeds into xoshiro256++ states and to hash stream indices, as the
/// xoshiro authors recommend. Statistically fine but not meant as the sampling generator.
public struct SplitMix64: RandomNumberGenerator, Hashable, Sendable {
  /// The Weyl-sequence state; the next output mixes `state + 0x9E3779B97F4A7C15`.
  public var state: UInt64

  /// A generator whose first output is `mix(seed &+ 0x9E3779B97F4A7C15)`.
  public init(seed: UInt64) { state = seed }

  /// Advances the Weyl sequence by the golden gamma and returns the mixed value.
  @inlinable @inline(__always)
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return Self.mix(state)
  }

  /// The SplitMix64 finaliser (a bijection of `UInt64`; variant 13 of Stafford's mixers).
  @inlinable @inline(__always)
  public static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
