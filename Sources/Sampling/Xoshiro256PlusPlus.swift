/// xoshiro256++ (Blackman & Vigna 2019, reference `xoshiro256plusplus.c`): the sampling
/// generator. 256 bits of state, period 2^256 − 1, passes BigCrush and PractRand.
///
/// A value type with no shared state: copy it to fork a stream, pass it `inout` to draw.
/// The sampler gives every network its own generator, ``init(seed:stream:)``, so that a
/// network's draws depend only on `(seed, network index)` and never on scheduling.
public struct Xoshiro256PlusPlus: RandomNumberGenerator, Hashable, Sendable {
  /// The four state words `s[0] … s[3]` of the reference implementation.
  public var state: (UInt64, UInt64, UInt64, UInt64)

  /// A generator with the given state words. The all-zero state is a fixed point and is
  /// rejected.
  public init(state: (UInt64, UInt64, UInt64, UInt64)) {
    precondition(
      state.0 | state.1 | state.2 | state.3 != 0, "xoshiro256++ state must not be all zero")
    self.state = state
  }

  /// Seeds the state with four consecutive outputs of ``SplitMix64`` started at `seed`, the
  /// seeding the xoshiro authors recommend. (SplitMix64 never outputs four zeros in a row.)
  public init(seed: UInt64) {
    var mixer = SplitMix64(seed: seed)
    state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
  }

  /// The generator of stream `stream` under `seed`: xoshiro seeded through SplitMix64 from
  /// `mix(seed) ⊕ mix(stream ⊕ 0xA076…)`.
  ///
  /// Both mixes are bijections, so for one seed distinct streams start from distinct SplitMix64
  /// states; those states are effectively random points of the 2^64-periodic Weyl sequence, so
  /// the four words of two streams overlap with probability ≈ 8/2^64. This is the per-network
  /// generator of the samplers: network `k` of a run with seed `s` uses `init(seed: s, stream: k)`.
  public init(seed: UInt64, stream: UInt64) {
    self.init(seed: SplitMix64.mix(seed) ^ SplitMix64.mix(stream ^ 0xA076_1D64_78BD_642F))
  }

  @inlinable @inline(__always)
  static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

  /// The next 64 random bits (identical to the reference `next()`).
  @inlinable @inline(__always)
  public mutating func next() -> UInt64 {
    let result = Self.rotateLeft(state.0 &+ state.3, 23) &+ state.0
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = Self.rotateLeft(state.3, 45)
    return result
  }

  /// A uniform double in [0, 1) with 53 random bits.
  @inlinable @inline(__always)
  public mutating func nextUniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// Advances the state by 2^128 steps (the reference `jump()`): 2^128 non-overlapping
  /// subsequences for parallel use.
  public mutating func jump() {
    let table: [UInt64] = [
      0x180E_C6D3_3CFD_0ABA, 0xD5A6_1266_F0C9_392C, 0xA958_2618_E03F_C9AA, 0x39AB_DC45_29B1_661C,
    ]
    var s0: UInt64 = 0
    var s1: UInt64 = 0
    var s2: UInt64 = 0
    var s3: UInt64 = 0
    for word in table {
      for bit in 0..<64 {
        if word & (1 << UInt64(bit)) != 0 {
          s0 ^= state.0
          s1 ^= state.1
          s2 ^= state.2
          s3 ^= state.3
        }
        _ = next()
      }
    }
    state = (s0, s1, s2, s3)
  }

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.state.0 == rhs.state.0 && lhs.state.1 == rhs.state.1 && lhs.state.2 == rhs.state.2
      && lhs.state.3 == rhs.state.3
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(state.0)
    hasher.combine(state.1)
    hasher.combine(state.2)
    hasher.combine(state.3)
  }
}
