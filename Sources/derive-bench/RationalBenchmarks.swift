import Rational
import Sampling

/// Exact-arithmetic benchmarks: add and multiply over arrays of small coefficients (the common
/// case in the algebra engine, served by the word fast path) and of ~300-digit fractions (GMP).
/// Each case's time is for the whole loop; divide by the count in its name for the cost per op.
func rationalBenchmarks() -> [BenchmarkCase] {
  // SplitMix64, so that the benchmark inputs are the same in every run.
  var random = SplitMix64(seed: 0x5EED_0001)
  // Coefficients like 3/4, -15/2, 7: numerators up to 1000, denominators up to 100.
  let small = (0..<1024).map { _ in
    Rational(Int(random.next() % 2001) - 1000, Int(random.next() % 100) + 1)
  }
  let large = (0..<256).map { _ -> Rational in
    let numerator = random.digits(300)
    let denominator = random.digits(300)
    // Two freshly drawn digit strings of 300 digits each: well-formed and nonzero.
    return (try? Rational.parse("\(numerator)/\(denominator)")) ?? .one
  }
  return [
    BenchmarkCase(group: "rational", name: "add small ×1e6") {
      applyPairwise(small, count: 1_000_000) { $0 + $1 }
    },
    BenchmarkCase(group: "rational", name: "mul small ×1e6") {
      applyPairwise(small, count: 1_000_000) { $0 * $1 }
    },
    BenchmarkCase(group: "rational", name: "add large (300 digits) ×1e4") {
      applyPairwise(large, count: 10_000) { $0 + $1 }
    },
    BenchmarkCase(group: "rational", name: "mul large (300 digits) ×1e4") {
      applyPairwise(large, count: 10_000) { $0 * $1 }
    },
  ]
}

/// Applies `op` to `count` neighbouring pairs of `values` (cycling; `values.count` must be a
/// power of two) and consumes the results so the optimiser cannot drop them.
@inline(__always)
private func applyPairwise(
  _ values: [Rational], count: Int, _ op: (Rational, Rational) -> Rational
) {
  let mask = values.count - 1
  precondition(values.count & mask == 0, "pairwise benchmark needs a power-of-two array")
  var checksum = 0
  values.withUnsafeBufferPointer { buffer in
    for i in 0..<count {
      checksum &+= op(buffer[i & mask], buffer[(i &+ 1) & mask]).sign
    }
  }
  precondition(checksum != .min)
}

extension SplitMix64 {
  /// A decimal string of exactly `count` digits without a leading zero.
  fileprivate mutating func digits(_ count: Int) -> String {
    var text = String(1 + next() % 9)
    for _ in 1..<count { text += String(next() % 10) }
    return text
  }
}
