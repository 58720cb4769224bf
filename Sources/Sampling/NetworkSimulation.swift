/// What the parallel driver needs of a sampler: the shape of its output and one network.
protocol NetworkSimulation: Sendable {
  var layout: SampleIndexLayout { get }
  var widths: [Int] { get }
  /// The largest number of layer terms / conditional terms in any layer.
  var maxTerms: Int { get }
  /// The largest width or input dimension.
  var maxWidth: Int { get }
  /// Doubles of ``SamplingWorkspace/scratch`` a worker needs (0 unless the sampler uses it).
  var scratchCount: Int { get }
  /// Samples network `network` of the run with `seed`, using generator
  /// `Xoshiro256PlusPlus(seed: seed, stream: network)` only. Writes the per-network statistics
  /// row (`depth · 2 · (P + Q)` doubles: per layer the preactivation block then the metric
  /// block) into `workspace.statistics`, and hands each layer's preactivations (sample-major)
  /// to `observe` when given.
  func simulate(
    network: Int, seed: UInt64, workspace: SamplingWorkspace,
    observe: ((Int, UnsafePointer<Double>) -> Void)?)
}

extension NetworkSimulation {
  var scratchCount: Int { 0 }

  /// Length of one block (`P + Q`).
  var blockLength: Int { layout.pairCount + layout.fourPointCount }
  /// Length of the per-network statistics row.
  var statisticsLength: Int { widths.count * 2 * blockLength }

  func makeWorkspace() -> SamplingWorkspace {
    SamplingWorkspace(
      maxWidth: maxWidth, sampleCount: layout.sampleCount, pairCount: layout.pairCount,
      maxTerms: maxTerms, statisticsLength: statisticsLength, scratchCount: scratchCount)
  }

  /// Preactivations of every layer of one network.
  func sampledPreactivations(seed: UInt64, network: Int) -> [LayerPreactivations] {
    let workspace = makeWorkspace()
    var result: [LayerPreactivations] = []
    let s = layout.sampleCount
    simulate(network: network, seed: seed, workspace: workspace) { layer, z in
      let n = widths[layer]
      result.append(
        LayerPreactivations(
          width: n, sampleCount: s, values: Array(UnsafeBufferPointer(start: z, count: n * s))))
    }
    return result
  }
}

/// The preactivations `z_{i;α}` of one layer of one network.
public struct LayerPreactivations: Hashable, Sendable {
  /// The number of neurons `n`.
  public let width: Int
  /// The number of samples `S`.
  public let sampleCount: Int
  /// Sample-major values: `values[α · width + i] = z_{i;α}`.
  public let values: [Double]

  /// `z_{neuron; sample}`.
  public subscript(neuron neuron: Int, sample sample: Int) -> Double {
    values[sample * width + neuron]
  }
}
