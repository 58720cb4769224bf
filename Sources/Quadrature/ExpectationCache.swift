import Foundation

/// Work shared between the expectations of one batch — e.g. the averages of one layer,
/// computed in parallel: leaf interpolants, and the Hermite coefficients of one coordinate.
///
/// **Leaf interpolants.** A ``GaussianExpectation`` run that replaces its innermost level by an
/// interpolant (`LeafInterpolant`, three or more Cholesky levels) builds it from the leaf
/// coordinate's factors, that coordinate's row of the Cholesky factor (its offsets'
/// coefficients and its own spread) and the options — nothing else. Averages of one sub-block
/// of a kernel share those: ⟨σ_a² σ_b σ_c⟩ and ⟨σ_a σ_b² σ_c⟩ (a < b < c) both end on σ_c with
/// the same row. With a cache, the second reuses the first's interpolant: the very object it
/// would build, so those results are bit for bit what they are without the cache, whichever
/// thread builds first.
///
/// **Hermite coefficients.** Mehler's series for ⟨f(z₁) g(z₂)⟩ (`HermiteSeriesExpectation`)
/// needs the coefficients a_k = E[f(σx) h_k(x)] of each coordinate, integrated on a mesh and to
/// a number of terms set by the correlation ρ. With a cache, |ρ| is rounded up to a rung of
/// ``HermiteSeriesExpectation/correlationLadder`` and the coefficients are computed for that
/// rung — more terms and nodes than ρ needs, so the accuracy contract holds — and shared by
/// every pair with the same factors, variance and rung: a layer's ⟨σ_a σ_b⟩, ⟨σ''_a σ''_b⟩, …
/// then compute each coordinate's coefficients once per rung instead of once per pair. Those
/// values differ from the uncached ones within the series' tolerance, and depend only on the
/// pair, not on what else the batch holds.
///
/// Thread-safe. Entries live as long as the cache: make one per batch, not one per program.
public final class ExpectationCache: @unchecked Sendable {
  /// Everything a leaf interpolant is built from.
  struct Key: Hashable {
    var options: GaussianExpectation.Options
    var factors: [GaussianFactor.Function]
    /// The leaf coordinate's row of L, bit for bit (its length is the rank).
    var row: [UInt64]
  }

  /// Everything a coordinate's Hermite coefficients are computed from.
  struct HermiteKey: Hashable {
    var options: GaussianExpectation.Options
    var functions: [GaussianFactor.Function]
    var scale: UInt64
    /// The rung of ``HermiteSeriesExpectation/correlationLadder``.
    var rung: Int
  }

  private let lock = NSLock()
  private var entries: [Key: SharedLeafInterpolant] = [:]
  private var hermite: [HermiteKey: HermiteSeriesExpectation.Coefficients] = [:]
  private var hitCount = 0

  /// An empty cache.
  public init() {}

  /// The leaf interpolants stored.
  public var count: Int { lock.withLock { entries.count } }

  /// The leaf-interpolant lookups served from the cache.
  public var hits: Int { lock.withLock { hitCount } }

  /// The coordinates' Hermite coefficient sets stored.
  public var hermiteCount: Int { lock.withLock { hermite.count } }

  /// The Hermite coefficients stored under `key`, or those `compute` gives (stored; when two
  /// threads compute them at once both get the same values, the same function of the key).
  /// Nil when `compute` gives up (nothing is stored).
  func hermiteCoefficients(
    _ key: HermiteKey, compute: () -> HermiteSeriesExpectation.Coefficients?
  ) -> HermiteSeriesExpectation.Coefficients? {
    if let known = lock.withLock({ hermite[key] }) { return known }
    guard let computed = compute() else { return nil }
    lock.withLock { hermite[key] = computed }
    return computed
  }

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
