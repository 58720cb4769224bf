import Dispatch

/// The parallel driver every sampler runs its networks through: chunks of
/// ``SamplingStatistics/chunkSize`` networks aligned to network 0 (chunk `c` holds networks
/// `c·chunkSize ..< (c+1)·chunkSize`, cut to the range), sampled in waves on `threads` workers
/// (each chunk by one worker, in network order) and handed to `consume` strictly in chunk order.
///
/// Invariant: what `consume` sees — which chunk, which networks, in which order — does not
/// depend on `threads` or on scheduling; so statistics folded by `consume` are bitwise
/// independent of the thread count, and runs over whole chunks reduce over the same tree
/// (``StatisticsBlock``). A wave bounds memory (8 chunks per worker in flight) and does not
/// affect the result.
func forEachChunkInOrder<Workspace, Chunk>(
  networks: Range<Int>, threads: Int?, makeWorkspace: () -> Workspace,
  sample: @escaping @Sendable (Range<Int>, Workspace) -> Chunk,
  consume: (_ chunk: Int, _ networks: Range<Int>, Chunk) -> Void
) {
  guard !networks.isEmpty else { return }
  let size = SamplingStatistics.chunkSize
  let firstChunk = networks.lowerBound / size
  let chunkCount = (networks.upperBound + size - 1) / size - firstChunk
  let workers = Swift.max(
    1, Swift.min(samplingWorkerCount(threads: threads, networks: networks.count), chunkCount))
  let workspaces = UncheckedBox((0..<workers).map { _ in makeWorkspace() })
  /// The networks of chunk `c` (absolute), cut to the run's range.
  @Sendable func range(ofChunk c: Int) -> Range<Int> {
    Swift.max(networks.lowerBound, c * size)..<Swift.min(networks.upperBound, (c + 1) * size)
  }
  let waveSize = workers * 8
  var waveStart = 0
  while waveStart < chunkCount {
    let waveEnd = Swift.min(chunkCount, waveStart + waveSize)
    // One slot per chunk of the wave; each slot is written by exactly one worker.
    let slots = UncheckedBox([Chunk?](repeating: nil, count: waveEnd - waveStart))
    let first = waveStart
    let work: @Sendable (Int) -> Void = { worker in
      var chunk = first + worker
      while chunk < waveEnd {
        let result = sample(range(ofChunk: firstChunk + chunk), workspaces.value[worker])
        slots.value[chunk - first] = result
        chunk += workers
      }
    }
    if workers == 1 {
      work(0)
    } else {
      DispatchQueue.concurrentPerform(iterations: workers, execute: work)
    }
    for (offset, slot) in slots.value.enumerated() {
      guard let chunk = slot else { preconditionFailure("chunk not sampled") }
      let c = firstChunk + waveStart + offset
      consume(c, range(ofChunk: c), chunk)
    }
    waveStart = waveEnd
  }
}

/// A mutable box shared by the workers of one wave. Safe because each worker touches only its
/// own elements (its workspace, the slots of its chunks) and the driver reads the slots only
/// after `concurrentPerform` returns.
private final class UncheckedBox<Value>: @unchecked Sendable {
  var value: Value
  init(_ value: Value) { self.value = value }
}
