import Numerics

/// The general weights sampler, the oracle for every model: draws every parameter family of a
/// ``NetworkProgram`` and evaluates each layer's terms as einsums over dense arrays.
///
/// Nothing of the derivation enters: given the draws, the preactivations are the layer maps
/// evaluated literally — shared weights are one draw, products of parameters are products of
/// draws, random gains are drawn like any family. That is what makes it a referee.
///
/// **Draw order** per network (generator `Xoshiro256PlusPlus(seed:stream: network)`): layer by
/// layer; within a layer, the families in ``LayerProgram/families`` order (the lowering sorts
/// them by name), each filled with one ``Xoshiro256PlusPlus/fillStandardNormals(_:count:)`` of
/// all its entries, row-major in slot order. The sampler keeps the standard normals `u` and
/// multiplies the product of the families' standard deviations into each term's scale
/// (`entry = standardDeviation · u`), which is the same network.
///
/// **Evaluation**: each term is planned once (``ContractionPlanner``): factors contracted
/// pairwise, smallest intermediate first, a label summed as soon as no remaining factor and not
/// the output needs it, every contraction a batch of dot products. Functions σ^{(k)} of the
/// inputs or preactivations are evaluated once per layer. For the MLP the per-network cost is
/// `Σ_ℓ n_ℓ n_{ℓ−1} (S + 1)` (the weights are materialised: one more pass than ``WeightsSampler``).
///
/// **Statistics** have the shape of the other samplers' (``SamplingStatistics``). The
/// preactivation block is the same; the **metric block records the per-network empirical kernel
/// `a_p = A_p / n`** in place of `Ĝ`: for a general map the conditional covariance given layer
/// ℓ is not a function of layer ℓ alone (a random gain or a second weight family also enters), so
/// there is no `Ĝ` to record. `a` has the same expectation `E[z z]` (no variance reduction), so
/// ``LayerEstimates/metricMean`` equals ``LayerEstimates/kernel``; ``LayerEstimates/metricCovariance``
/// is then the covariance of `a`, which is not `V/n` and must not be compared with it.
public struct GeneralWeightsSampler: NetworkSampler, NetworkSimulation {
  public let program: NetworkProgram
  public let layout: SampleIndexLayout
  public var widths: [Int] { program.widths }
  let layerPlans: [LayerPlan]
  let sampleMajorInputs: SampleMajorInputs
  let maxTerms = 0
  let maxWidth: Int
  let scratchCount: Int

  /// One layer's precomputed work; arena offsets are valid for that layer only.
  struct LayerPlan: Sendable {
    /// Per family in draw order: arena offset and entry count.
    var draws: [(offset: Int, count: Int)]
    /// Functions of the inputs or preactivations, evaluated into the arena.
    var functions: [(activation: Activation, derivative: Int, source: ProgramSource, offset: Int)]
    var terms: [TermPlan]
  }

  /// A sampler for a valid program (every width ≥ 2 for the four-point estimators).
  public init(_ program: NetworkProgram) throws(NetworkSpecificationError) {
    try program.validate()
    for (layer, width) in program.widths.enumerated() where width < 2 {
      throw .widthTooSmallForEstimators(layer: layer, width: width)
    }
    self.program = program
    let s = program.sampleCount
    layout = SampleIndexLayout(sampleCount: s)
    sampleMajorInputs = SampleMajorInputs(program.inputs)
    maxWidth = Swift.max(program.widths.max() ?? 0, program.inputDimension)
    var plans: [LayerPlan] = []
    var scratch = 0
    for (index, layer) in program.layers.enumerated() {
      var arena = 0
      var draws: [(offset: Int, count: Int)] = []
      for family in layer.families {
        draws.append((arena, family.count))
        arena += Swift.max(family.count, 1)
      }
      let fanIn = index == 0 ? program.inputDimension : program.widths[index - 1]
      var functions: [(Activation, Int, ProgramSource, Int)] = []
      var terms: [TermPlan] = []
      var planner = ContractionPlanner(
        extents: layer.extents, output: [layer.outputSample, layer.outputNeuron],
        arenaSize: 0)
      var operands: [[(buffer: PlanBuffer, labels: [Int])]] = []
      for term in layer.terms {
        var factors: [(buffer: PlanBuffer, labels: [Int])] = []
        for factor in term.factors {
          switch factor.operand {
          case .parameter(let k):
            factors.append((.arena(draws[k].offset), factor.labels))
          case .data(let source):
            // Stored sample-major: (α, j).
            factors.append((source == .inputs ? .inputs : .previous, factor.labels.reversed()))
          case .function(let activation, let derivative, let source):
            let offset: Int
            if let found = functions.first(where: {
              $0.0 == activation && $0.1 == derivative && $0.2 == source
            }) {
              offset = found.3
            } else {
              offset = arena
              arena += fanIn * s
              functions.append((activation, derivative, source, offset))
            }
            factors.append((.arena(offset), factor.labels.reversed()))
          }
        }
        operands.append(factors)
      }
      // Intermediates live after the draws and the functions.
      planner.arenaSize = arena
      for (term, factors) in zip(layer.terms, operands) {
        let deviations = term.factors.reduce(1.0) { product, factor in
          if case .parameter(let k) = factor.operand {
            return product * layer.families[k].standardDeviation
          }
          return product
        }
        terms.append(planner.plan(factors, scale: term.scale * deviations))
      }
      scratch = Swift.max(scratch, planner.arenaSize)
      plans.append(
        LayerPlan(
          draws: draws,
          functions: functions.map {
            (activation: $0.0, derivative: $0.1, source: $0.2, offset: $0.3)
          },
          terms: terms))
    }
    layerPlans = plans
    scratchCount = scratch
  }

  public func statistics(seed: UInt64, networks: Range<Int>, threads: Int?) -> SamplingStatistics {
    runSamplingChunks(self, seed: seed, networks: networks, threads: threads)
  }

  public func preactivations(seed: UInt64, network: Int) -> [LayerPreactivations] {
    sampledPreactivations(seed: seed, network: network)
  }

  /// An upper estimate, in bytes, of the memory ``statistics(seed:networks:threads:)`` holds at
  /// once (scratch per worker, statistics of the chunks in flight).
  public func estimatedMemory(networks: Int, threads: Int?) -> Double {
    (self as any NetworkSimulation).estimatedMemory(networks: networks, threads: threads)
  }

  /// Multiply–adds of the planned contractions of layer `layer` (0-based) per network.
  public func multiplyAdds(layer: Int) -> Int {
    layerPlans[layer].terms.reduce(0) { $0 + $1.multiplyAdds }
  }

  func simulate(
    network: Int, seed: UInt64, workspace: SamplingWorkspace,
    observe: ((Int, UnsafePointer<Double>) -> Void)?
  ) {
    var generator = Xoshiro256PlusPlus(seed: seed, stream: UInt64(truncatingIfNeeded: network))
    let s = layout.sampleCount
    let block = blockLength
    var current = workspace.current
    var previous = workspace.previous
    let arena = workspace.scratch
    sampleMajorInputs.values.withUnsafeBufferPointer { inputBuffer in
      guard let inputs = inputBuffer.baseAddress else { preconditionFailure("validated: inputs") }
      var fanIn = program.inputDimension
      for layer in 0..<widths.count {
        let n = widths[layer]
        let plan = layerPlans[layer]
        let statistics = workspace.statistics + layer * 2 * block
        for draw in plan.draws {
          generator.fillStandardNormals(arena + draw.offset, count: draw.count)
        }
        for function in plan.functions {
          let source = UnsafeBufferPointer(
            start: function.source == .inputs ? inputs : UnsafePointer(previous),
            count: fanIn * s)
          let target = arena + function.offset
          if function.derivative == 0 {
            function.activation.apply(
              source, into: UnsafeMutableBufferPointer(start: target, count: fanIn * s))
          } else {
            for k in 0..<(fanIn * s) {
              target[k] = function.activation.derivative(source[k], order: function.derivative)
            }
          }
        }
        current.update(repeating: 0, count: n * s)
        func pointer(_ buffer: PlanBuffer) -> UnsafeMutablePointer<Double> {
          switch buffer {
          case .arena(let offset): return arena + offset
          case .inputs: return UnsafeMutablePointer(mutating: inputs)
          case .previous: return previous
          case .output: return current
          }
        }
        for term in plan.terms {
          for step in term.steps {
            switch step {
            case .reshape(let reshape):
              PlanKernels.reshape(
                reshape, source: pointer(reshape.source), target: pointer(reshape.target))
            case .contract(let contract):
              PlanKernels.contract(
                contract, a: pointer(contract.a), b: pointer(contract.b), c: pointer(contract.c))
            }
          }
        }
        SamplingVectorKernels.preactivationStatistics(
          current, width: n, layout: layout, products: workspace.products, into: statistics)
        // The metric block: the empirical kernel a_p (see the type's documentation).
        let metric = workspace.metric
        for (p, pair) in layout.pairs.enumerated() {
          metric[pair.0 * s + pair.1] = statistics[p]
          metric[pair.1 * s + pair.0] = statistics[p]
        }
        SamplingVectorKernels.metricStatistics(metric, layout: layout, into: statistics + block)
        observe?(layer, current)
        swap(&current, &previous)
        fanIn = n
      }
    }
  }
}
