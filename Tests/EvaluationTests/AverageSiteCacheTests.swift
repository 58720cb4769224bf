import Sampling
import Testing

@testable import Evaluation

/// The cache of an average site answers the same in its flat arrays as in its dictionary: the
/// same seeded sequence of requests, stores and look-ups, applied to a cache kept dense and to
/// one forced into the dictionary (limit 0), gets the same answers at every step, and a site
/// whose codes exceed the limit (32 samples, 4 slots: 2^20 codes) falls back to the dictionary.
/// A mis-indexed flat array, a lost store or a request state that survives a store would make
/// the two disagree.
@Suite struct AverageSiteCacheTests {
  /// Applies `steps` random operations on codes below `sampleCount^slots` (and a few beyond it)
  /// to `caches`, which must answer each identically; returns the number of known values seen.
  static func replay(
    _ caches: [AverageSiteCache], sampleCount: Int, slots: Int, steps: Int, seed: UInt64
  ) -> Int {
    var generator = Xoshiro256PlusPlus(seed: seed)
    var codes = 1
    for _ in 0..<slots { codes *= sampleCount }
    // A pool of codes, so that they recur; one in 50 lies beyond S^slots (a slot value ≥ S),
    // which no flat array holds.
    let pool = (0..<1000).map { k in
      k % 50 == 0
        ? codes + Int.random(in: 0..<100, using: &generator)
        : Int.random(in: 0..<codes, using: &generator)
    }
    var hits = 0
    for _ in 0..<steps {
      let code = pool[Int.random(in: 0..<pool.count, using: &generator)]
      switch Int.random(in: 0..<3, using: &generator) {
      case 0:
        let answers = caches.map { $0.request(code) }
        #expect(Set(answers).count == 1, "request(\(code)): \(answers)")
      case 1:
        let value = Double.random(in: -1...1, using: &generator)
        for cache in caches { cache.store(value, at: code) }
      default:
        let answers = caches.map { $0.value(at: code)?.bitPattern }
        #expect(Set(answers).count == 1, "value(at: \(code)): \(answers)")
        if answers[0] != nil { hits += 1 }
      }
    }
    return hits
  }

  @Test func flatArraysAnswerAsTheDictionary() {
    let dense = AverageSiteCache(sampleCount: 8, slots: 4)
    let sparse = AverageSiteCache(sampleCount: 8, slots: 4, limit: 0)
    #expect(dense.isDense && dense.denseCount == 4096)
    #expect(!sparse.isDense)
    let hits = Self.replay([dense, sparse], sampleCount: 8, slots: 4, steps: 20_000, seed: 16)
    #expect(hits > 1000)
  }

  @Test func aRequestedCodeIsRequestedOnceAndAStoredOneIsKnown() {
    for cache in [
      AverageSiteCache(sampleCount: 3, slots: 2),
      AverageSiteCache(sampleCount: 3, slots: 2, limit: 0),
    ] {
      #expect(cache.value(at: 5) == nil)
      #expect(cache.request(5))
      #expect(!cache.request(5))
      #expect(cache.value(at: 5) == nil)
      cache.store(0.25, at: 5)
      #expect(cache.value(at: 5) == 0.25)
      #expect(!cache.request(5))
      cache.store(-0.0, at: 7)
      #expect(cache.value(at: 7)?.bitPattern == (-0.0).bitPattern)
      #expect(cache.value(at: 8) == nil)
    }
  }

  @Test func codesBeyondTheLimitAreKeptInTheDictionary() {
    let large = AverageSiteCache(sampleCount: 32, slots: 4)
    #expect(!large.isDense)
    let atLimit = AverageSiteCache(sampleCount: 16, slots: 4)
    #expect(atLimit.denseCount == AverageSiteCache.denseLimit)
    #expect(!AverageSiteCache(sampleCount: 1 << 40, slots: 3).isDense)
    let reference = AverageSiteCache(sampleCount: 32, slots: 4, limit: 0)
    let hits = Self.replay([large, reference], sampleCount: 32, slots: 4, steps: 20_000, seed: 7)
    #expect(hits > 1000)
  }
}
