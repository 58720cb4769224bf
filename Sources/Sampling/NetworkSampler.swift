import Dispatch
import Foundation

/// A Monte-Carlo sampler of random networks at initialization.
///
/// ## Overview
///
/// The samplers draw networks of a ``NetworkSpecification`` (or of per-layer
/// ``ConditionalCovariance`` programs) and accumulate, per layer, mergeable sufficient statistics
/// (``SamplingStatistics``) from which ``LayerEstimates`` — kernel, four-point function, mean and
/// covariance of the stochastic metric, each with a standard error — are read off. The comparison
/// with the derived theory happens elsewhere (`derive check`).
///
/// * ``GeneralWeightsSampler`` — the oracle for any model: draws every parameter family of a
///   ``NetworkProgram`` (the lowering of any accepted layer map) and evaluates its einsums.
/// * ``WeightsSampler`` — draws every weight and bias of a ``NetworkSpecification`` (the MLP
///   family: `b[i]` and `W[i,j]·f(previous layer)` terms), one weight row at a time.
/// * ``ConditionalSampler`` — draws each layer from `N(0, Ĝ)` given the previous one: the same law
///   for Gaussian parameters with `n_prev`× fewer normals (FORMULAS.md §4, §10).
/// * Random numbers: ``Xoshiro256PlusPlus`` seeded through ``SplitMix64``; standard normals by a
///   256-layer ziggurat (``Xoshiro256PlusPlus/nextStandardNormal()``).
///
/// ```swift
/// let spec = NetworkSpecification.multilayerPerceptron(
///   inputs: [[1, 0], [0.3, 0.8]], widths: [32, 32, 32], activation: .relu,
///   biasVariance: 0, weightVariance: 2)
/// let sampler = try ConditionalSampler(spec)
/// let statistics = sampler.statistics(seed: 42, networks: 0..<10_000)
/// let last = statistics.estimates().last!
/// print(last.kernel, last.fourPoint)        // G^(3)_{αβ}, V^(3)_{(αβ)(γδ)}/n_2 with errors
/// ```
///
/// ## Determinism contract
///
/// * Network `k` of a run with seed `s` uses only `Xoshiro256PlusPlus(seed: s, stream: k)`, in a
///   documented draw order (see each sampler). Its preactivations depend on nothing else.
/// * A run over `networks` is cut into chunks of ``SamplingStatistics/chunkSize`` consecutive
///   networks aligned to network 0 (chunk `c` is `c·chunkSize ..< (c+1)·chunkSize`, cut to the
///   range). Each chunk's moments are computed by one thread in network order; chunks are
///   appended in chunk order and reduced over a fixed binary tree (``StatisticsBlock``). Hence
///   the statistics are **bitwise identical for any number of threads** (and any scheduling).
/// * Runs over disjoint network ranges (shards) ``SamplingStatistics/merge(_:)`` into the
///   statistics of the union. When every range starts at a multiple of the chunk size, the
///   result is **bitwise identical** to the single run, merged in any order; otherwise it equals
///   the single run up to floating-point re-association (the merge is exact in real arithmetic).
/// * Output arrays are indexed by sample-index combinations in ``SampleIndexLayout`` order;
///   nothing depends on dictionary or set order.
///
/// ## Estimators (FORMULAS.md §10)
///
/// Per network and layer (width `n`): `A_{αβ} = Σ_i z_{i;α} z_{i;β}`,
/// `D_{αβγδ} = Σ_i z_{i;α} z_{i;β} z_{i;γ} z_{i;δ}`, `a = A/n`,
/// `h_{(αβ)(γδ)} = (A_{αβ} A_{γδ} − D_{αβγδ}) / (n(n−1))` (distinct-neuron products), and the
/// layer's stochastic metric `Ĝ`. Over `N` networks:
///
/// * kernel `Ĝ`-free: `K̂ = mean(a)` estimates `G = E[z z] = K + G¹/n_{ℓ−1} + O(n⁻²)`;
/// * four-point: `V̂/n_{ℓ−1} = mean(h_{pq}) − ā_p ā_q + Ĉov(a_p, a_q)/N` (unbiased);
/// * metric mean `mean(Ĝ)` (same target as `K̂`, lower variance) and metric covariance
///   `Ĉov(Ĝ_p, Ĝ_q)` (same target as `V̂/n_{ℓ−1}`, lower variance);
/// * standard errors by the delta method from the co-moments of the per-network vectors
///   (``SampleMoments``), accumulated without `Σx²` cancellation (two-pass per chunk, pairwise
///   Chan–Golub–LeVeque merges). Batch means are not needed: networks are independent.
public protocol NetworkSampler: Sendable {
  /// The order of sample-index combinations in the statistics.
  var layout: SampleIndexLayout { get }
  /// `n1 … nL`.
  var widths: [Int] { get }
  /// Sufficient statistics of networks `networks` of the run with `seed`, on `threads` worker
  /// threads (default: all active processors). Bitwise independent of `threads`.
  func statistics(seed: UInt64, networks: Range<Int>, threads: Int?) -> SamplingStatistics
  /// The preactivations of every layer of network `network` of the run with `seed`.
  func preactivations(seed: UInt64, network: Int) -> [LayerPreactivations]
  /// Bytes a run of `networks` networks on `threads` threads holds at once (workspaces and
  /// chunk moments), estimated before it starts.
  func estimatedMemory(networks: Int, threads: Int?) -> Double
}

extension SamplingStatistics {
  /// Networks per chunk of the parallel driver (part of the determinism contract: changing it
  /// changes the rounding of merged statistics, never their value in exact arithmetic).
  public static let chunkSize = 64
}

extension NetworkSampler {
  /// Statistics on all active processors.
  public func statistics(seed: UInt64, networks: Range<Int>) -> SamplingStatistics {
    statistics(seed: seed, networks: networks, threads: nil)
  }
}

/// Samples one chunk of networks in order and returns its moments, one entry per layer.
private func sampleChunk<Simulation: NetworkSimulation>(
  _ simulation: Simulation, seed: UInt64, networks: Range<Int>, workspace: SamplingWorkspace
) -> [LayerStatistics] {
  let length = simulation.statisticsLength
  let block = simulation.blockLength
  let depth = simulation.widths.count
  let count = networks.count
  let rows = UnsafeMutablePointer<Double>.allocate(capacity: count * length)
  defer { rows.deallocate() }
  for (r, network) in networks.enumerated() {
    simulation.simulate(network: network, seed: seed, workspace: workspace, observe: nil)
    (rows + r * length).update(from: workspace.statistics, count: length)
  }
  let pattern = simulation.layout.momentPattern
  return (0..<depth).map { layer in
    LayerStatistics(
      layer: layer + 1, width: simulation.widths[layer],
      preactivation: SampleMoments(
        rows: rows, count: count, stride: length, offset: layer * 2 * block, pattern: pattern),
      metric: SampleMoments(
        rows: rows, count: count, stride: length, offset: layer * 2 * block + block,
        pattern: pattern))
  }
}

/// The workers the parallel driver starts for `networks` networks: `threads` (default: the
/// active processors), but never more than there are chunks of ``SamplingStatistics/chunkSize``
/// networks — a further worker would get no chunk, only its scratch memory. The result does
/// not depend on the number of workers.
func samplingWorkerCount(threads: Int?, networks: Int) -> Int {
  let chunks =
    (Swift.max(0, networks) + SamplingStatistics.chunkSize - 1)
    / SamplingStatistics.chunkSize
  let requested = Swift.max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
  return Swift.max(1, Swift.min(requested, chunks))
}

extension NetworkSimulation {
  /// An upper estimate, in bytes, of the memory the parallel driver holds at once for
  /// `networks` networks on `threads` threads: per worker its ``SamplingWorkspace`` and one
  /// chunk's statistics rows, plus the moments of a wave of chunks and the running total.
  /// Computed in `Double`, so it cannot overflow.
  func estimatedMemory(networks: Int, threads: Int?) -> Double {
    let workers = Double(samplingWorkerCount(threads: threads, networks: networks))
    let s = Double(layout.sampleCount)
    let width = Double(maxWidth)
    let workspace =
      width * s * 2 + Double(layout.pairCount) * width + width
      + 2 * Double(Swift.max(maxTerms, 1)) * width * s + 2 * s * s + Double(statisticsLength)
    let rows = Double(SamplingStatistics.chunkSize) * Double(statisticsLength)
    let pattern = layout.momentPattern
    let moments =
      Double(widths.count) * 2 * Double(pattern.dimension + pattern.entryCount)
    let chunks = Double(
      (Swift.max(0, networks) + SamplingStatistics.chunkSize - 1) / SamplingStatistics.chunkSize)
    let wave = Swift.min(chunks, 8 * workers)
    return 8 * (workers * (workspace + rows) + (wave + 1) * moments)
  }
}

extension ConditionalSampler {
  /// An upper estimate, in bytes, of the memory ``statistics(seed:networks:threads:)`` holds
  /// at once (scratch per worker, statistics of the chunks in flight); check it before a large
  /// run.
  public func estimatedMemory(networks: Int, threads: Int?) -> Double {
    (self as any NetworkSimulation).estimatedMemory(networks: networks, threads: threads)
  }
}

/// The parallel driver: waves of chunks on `threads` workers, appended in chunk order.
///
/// Chunks are aligned to network 0 of the run: chunk `c` holds networks
/// `c·chunkSize ..< (c+1)·chunkSize` (cut to `networks`), so a range that starts at a multiple
/// of ``SamplingStatistics/chunkSize`` samples exactly the chunks the whole run samples there,
/// and the blocks of ``SamplingStatistics`` make the merge of such ranges bitwise equal to the
/// whole run.
func runSamplingChunks<Simulation: NetworkSimulation>(
  _ simulation: Simulation, seed: UInt64, networks: Range<Int>, threads: Int?
) -> SamplingStatistics {
  var total = SamplingStatistics(layout: simulation.layout, widths: simulation.widths)
  forEachChunkInOrder(
    networks: networks, threads: threads, makeWorkspace: { simulation.makeWorkspace() },
    sample: { range, workspace in
      sampleChunk(simulation, seed: seed, networks: range, workspace: workspace)
    },
    consume: { c, range, chunk in total.appendChunk(c, networks: range, layers: chunk) })
  total.finishAppending()
  return total
}
