import Quadrature

/// Gaussian averages already computed, shared by the layers of an evaluation and by the
/// evaluations of a width scan.
///
/// An average ⟨∂_{β…} Π f(z_{α…})⟩_K depends only on the functions, the pattern of its sample
/// indices and the sub-block of K on the samples it involves: the key is that sub-block (in
/// increasing sample order, bit for bit), with the factors and derivatives renumbered to
/// positions in it. Two averages with the same key are the same computation, so a hit returns
/// exactly the value a fresh evaluation would.
final class GaussianAverageMemo {
  struct Key: Hashable {
    /// The accuracy the average was computed to (``NumericParameters/tolerance``).
    let tolerance: Double
    let factors: [GaussianFactor]
    let derivatives: [Int]
    let block: [UInt64]
    /// The hash of the fields above, computed once: a key is hashed at every look-up and
    /// again at every growth of a table that holds it.
    private let digest: Int

    init(tolerance: Double, factors: [GaussianFactor], derivatives: [Int], block: [UInt64]) {
      self.tolerance = tolerance
      self.factors = factors
      self.derivatives = derivatives
      self.block = block
      var hasher = Hasher()
      hasher.combine(tolerance)
      hasher.combine(factors)
      hasher.combine(derivatives)
      hasher.combine(block)
      digest = hasher.finalize()
    }

    static func == (a: Key, b: Key) -> Bool {
      a.digest == b.digest && a.tolerance == b.tolerance && a.factors == b.factors
        && a.derivatives == b.derivatives && a.block == b.block
    }

    func hash(into hasher: inout Hasher) { hasher.combine(digest) }
  }

  private var values: [Key: Double] = [:]

  init() {}

  /// The key of ⟨∂_{derivatives} Π factors⟩ under the covariance `k` (S × S, row-major).
  static func key(
    factors: [GaussianFactor], derivatives: [Int], covariance k: [Double], sampleCount s: Int,
    tolerance: Double
  ) -> Key {
    // The distinct samples in increasing order, by insertion (an average involves a few).
    var samples: [Int] = []
    samples.reserveCapacity(factors.count + derivatives.count)
    func insert(_ sample: Int) {
      var i = samples.count
      while i > 0 && samples[i - 1] > sample { i -= 1 }
      if i == 0 || samples[i - 1] != sample { samples.insert(sample, at: i) }
    }
    for f in factors { insert(f.coordinate) }
    for d in derivatives { insert(d) }
    func position(_ sample: Int) -> Int { samples.firstIndex(of: sample) ?? 0 }
    var block: [UInt64] = []
    block.reserveCapacity(samples.count * samples.count)
    for a in samples {
      for b in samples { block.append(k[a * s + b].bitPattern) }
    }
    return Key(
      tolerance: tolerance,
      factors: factors.map { GaussianFactor($0.function, coordinate: position($0.coordinate)) },
      derivatives: derivatives.map(position), block: block)
  }

  /// Whether a value is stored under `key`.
  func contains(_ key: Key) -> Bool { values[key] != nil }

  /// Stores `value` under `key`.
  func store(_ value: Double, for key: Key) { values[key] = value }

  /// The value stored under `key`, computing and storing it with `compute` on a miss.
  func value(_ key: Key, compute: () throws -> Double) rethrows -> Double {
    if let hit = values[key] { return hit }
    let v = try compute()
    values[key] = v
    return v
  }
}

/// One optional result per index, written by concurrent workers at distinct indices.
final class PendingResults: @unchecked Sendable {
  private let values: UnsafeMutablePointer<Double>
  private let present: UnsafeMutablePointer<Bool>

  init(count: Int) {
    values = .allocate(capacity: Swift.max(1, count))
    values.initialize(repeating: 0, count: Swift.max(1, count))
    present = .allocate(capacity: Swift.max(1, count))
    present.initialize(repeating: false, count: Swift.max(1, count))
  }

  /// Stores a result (nil: none) at index `i`; each index is written by one worker only.
  func store(_ value: Double?, at i: Int) {
    guard let value else { return }
    values[i] = value
    present[i] = true
  }

  func value(at i: Int) -> Double? { present[i] ? values[i] : nil }

  func deallocate() {
    values.deallocate()
    present.deallocate()
  }
}
