import Foundation

/// Leaf interpolants shared between the expectations of one batch — e.g. the averages of one
/// layer, computed in parallel.
///
/// A ``GaussianExpectation`` run that replaces its innermost level by an interpolant
/// (`LeafInterpolant`, three or more Cholesky levels) builds it from the leaf coordinate's
/// factors, that coordinate's row of the Cholesky factor (its offsets' coefficients and its own
/// spread) and the options — nothing else. Averages of one sub-block of a kernel share those:
/// ⟨σ_a² σ_b σ_c⟩ and ⟨σ_a σ_b² σ_c⟩ (a < b < c) both end on σ_c with the same row. With a
/// cache, the second reuses the first's interpolant: the very object it would build, so every
/// result is bit for bit what it is without the cache, whichever thread builds first.
///
/// Thread-safe. Entries live as long as the cache: make one per batch, not one per program.
public final class LeafInterpolantCache: @unchecked Sendable {
  /// Everything a leaf interpolant is built from.
  struct Key: Hashable {
    var options: GaussianExpectation.Options
    var rank: Int
    var factors: [GaussianFactor.Function]
    /// The leaf coordinate's row of L, bit for bit.
    var row: [UInt64]
  }

  private let lock = NSLock()
  private var entries: [Key: SharedLeafInterpolant] = [:]
  private var hitCount = 0

  /// An empty cache.
  public init() {}

  /// The interpolants stored.
  public var count: Int { lock.withLock { entries.count } }

  /// The lookups served from the cache.
  public var hits: Int { lock.withLock { hitCount } }

  /// The interpolant stored under `key`, or the one `build` makes (stored unless another
  /// thread stored one first, which is then returned: both are the same function of the key).
  /// Nil when `build` gives up (nothing is stored).
  func interpolant(_ key: Key, build: () -> LeafInterpolant?) -> SharedLeafInterpolant? {
    if let known = lock.withLock({ entries[key] }) {
      lock.withLock { hitCount += 1 }
      return known
    }
    guard let built = build() else { return nil }
    let fresh = SharedLeafInterpolant(built)
    return lock.withLock {
      if let known = entries[key] { return known }
      entries[key] = fresh
      return fresh
    }
  }
}

/// A ``LeafInterpolant`` owned by reference: its buffers are freed when the last run or cache
/// holding it lets it go.
final class SharedLeafInterpolant: @unchecked Sendable {
  let interpolant: LeafInterpolant

  init(_ interpolant: LeafInterpolant) { self.interpolant = interpolant }

  deinit { interpolant.deallocate() }
}
