/// Scratch buffers of one worker thread: the only reference type of the samplers, private to
/// one worker at a time and freed on `deinit`.
final class SamplingWorkspace {
  /// Preactivations of the current layer, sample-major (`z[α·n + i]`).
  let current: UnsafeMutablePointer<Double>
  /// Preactivations of the previous layer (weights sampler).
  let previous: UnsafeMutablePointer<Double>
  /// Products `z_α z_β` per pair, `pairCount · maxWidth`.
  let products: UnsafeMutablePointer<Double>
  /// One weight row or bias vector, `maxWidth` (≥ n0).
  let row: UnsafeMutablePointer<Double>
  /// Source vectors per term and side: `2 · maxTerms` slots of `maxWidth · S`.
  let sources: UnsafeMutablePointer<Double>
  /// `S × S` metric and its Cholesky factor.
  let metric: UnsafeMutablePointer<Double>
  let factor: UnsafeMutablePointer<Double>
  /// The per-network statistics row.
  let statistics: UnsafeMutablePointer<Double>
  /// Parameter draws and intermediates of the general weights sampler (`scratchCount`).
  let scratch: UnsafeMutablePointer<Double>
  let slotSize: Int
  private let allocations: [UnsafeMutablePointer<Double>]

  init(
    maxWidth: Int, sampleCount: Int, pairCount: Int, maxTerms: Int, statisticsLength: Int,
    scratchCount: Int = 0
  ) {
    let s = sampleCount
    func make(_ count: Int) -> UnsafeMutablePointer<Double> {
      let pointer = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(count, 1))
      pointer.initialize(repeating: 0, count: Swift.max(count, 1))
      return pointer
    }
    slotSize = maxWidth * s
    current = make(maxWidth * s)
    previous = make(maxWidth * s)
    products = make(pairCount * maxWidth)
    row = make(maxWidth)
    sources = make(2 * Swift.max(maxTerms, 1) * slotSize)
    metric = make(s * s)
    factor = make(s * s)
    statistics = make(statisticsLength)
    scratch = make(scratchCount)
    allocations = [current, previous, products, row, sources, metric, factor, statistics, scratch]
  }

  deinit { for pointer in allocations { pointer.deallocate() } }

  /// Source slot `k` (`maxWidth · S` doubles).
  func sourceSlot(_ k: Int) -> UnsafeMutablePointer<Double> { sources + k * slotSize }
}
