import Foundation
import Rational
import Testing

/// Creating and dropping millions of temporaries must not grow the process: every GMP box is
/// cleared and freed when its last value goes away.
@Suite("Rational memory", .serialized)
struct RationalMemoryTests {
  /// Resident set size in bytes, from /proc/self/statm (second field, in pages).
  static func residentBytes() -> Int? {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else {
      return nil
    }
    let fields = statm.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
  }

  /// Rounds of temporaries: per round seven GMP boxes (four rationals from sums, products and
  /// quotients, three BigIntegers), plus a print and parse every 64th round. Returns a checksum so
  /// nothing is optimised away.
  static func churn(_ values: [Rational], rounds: Int) -> Int {
    var checksum = 0
    for i in 0..<rounds {
      let a = values[i & 63]
      let b = values[(i + 1) & 63]
      let c = (a + b) * a
      var d = c - b
      d /= a
      checksum &+= d.sign &+ (a.numerator * b.denominator + BigInteger(i)).sign
      if i & 63 == 0 { checksum &+= Rational(d.description)?.sign ?? 0 }
    }
    return checksum
  }

  /// Bound on resident growth over the measured loop. A leaked rational box costs at least
  /// 130 bytes (Swift object, `mpq` struct and two limb arrays), so leaking even one of the seven
  /// temporaries per round would add over 50 MB in 400 000 rounds; leaking them all, over 300 MB.
  /// Allocator noise stays far below the bound. Concurrently running tests (in the same process)
  /// can grow it by more in one window, so the growth is measured over three consecutive
  /// windows and the smallest is compared: a leak grows every window.
  static let growthBound = 24 << 20

  @Test("millions of GMP temporaries leave resident memory flat")
  func noGrowth() throws {
    var random = SplitMix64(seed: 51)
    // 22-digit parts: just beyond a machine word, so every operation goes through GMP.
    let values = (0..<64).map { _ in random.largeRational(digits: 22) }
    // Warm up the allocator so its arenas are at steady size before measuring.
    _ = Self.churn(values, rounds: 20_000)
    var growths: [Int] = []
    var checksum = 0
    for _ in 0..<3 {
      let before = try #require(Self.residentBytes())
      checksum &+= Self.churn(values, rounds: 400_000)
      let after = try #require(Self.residentBytes())
      growths.append(after - before)
    }
    #expect(checksum != 0)
    let least = try #require(growths.min())
    #expect(least < Self.growthBound, "grew \(growths.map { $0 >> 20 }) MB in the three windows")
  }
}
