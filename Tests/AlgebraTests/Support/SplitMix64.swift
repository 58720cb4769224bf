/// A seeded SplitMix64 generator for reproducible random tests (no global state).
///
/// The helpers below derive integers, choices and shuffles from `next()` with fixed algorithms,
/// so a seed produces the same cases with every toolchain (unlike `Int.random(in:using:)`, whose
/// algorithm the standard library may change).
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }

  /// A uniform integer in `0..<n` (n > 0), by rejection.
  mutating func below(_ n: Int) -> Int {
    precondition(n > 0)
    let bound = UInt64(n)
    let limit = UInt64.max - UInt64.max % bound
    while true {
      let x = next()
      if x < limit { return Int(x % bound) }
    }
  }

  /// A uniform integer in the closed range.
  mutating func int(_ range: ClosedRange<Int>) -> Int {
    range.lowerBound + below(range.upperBound - range.lowerBound + 1)
  }

  /// True with probability `p`.
  mutating func chance(_ p: Double) -> Bool {
    Double(next() >> 11) * 0x1p-53 < p
  }

  mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

  mutating func shuffled<T>(_ items: [T]) -> [T] {
    var a = items
    if a.count < 2 { return a }
    for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, below(i + 1)) }
    return a
  }
}
