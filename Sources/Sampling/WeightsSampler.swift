/// The weights sampler, the oracle: draws every parameter of a ``NetworkSpecification`` and
/// evaluates the layer maps. Works for any specification; costs `Σ_ℓ n_ℓ · n_{ℓ−1}` normals.
///
/// Weight matrices are materialised one row at a time (`n_prev` normals), then dotted with the
/// `S` source vectors — no BLAS, no storage beyond one row.
///
/// Draw order per network (generator `Xoshiro256PlusPlus(seed:stream: network)`): layer by layer,
/// term by term in the order of ``LayerSpecification/terms``: a bias draws `n` normals `b_i`;
/// a weight term draws row `i = 0, 1, …` of `W` (`n_prev` normals each).
///
/// It also records the stochastic metric `Ĝ` of every layer, computed from the previous layer by
/// the covariance the layer map implies (``ConditionalCovariance/init(impliedBy:)``), so that its
/// statistics have the same shape as the conditional sampler's.
public struct WeightsSampler: NetworkSampler, NetworkSimulation {
  public let specification: NetworkSpecification
  public let layout: SampleIndexLayout
  public var widths: [Int] { specification.widths }
  let plans: [SamplingLayerPlan]
  let sampleMajorInputs: SampleMajorInputs
  let maxTerms: Int
  let maxWidth: Int

  /// A sampler for a validated specification (every width ≥ 2 for the four-point estimators).
  public init(_ specification: NetworkSpecification) throws(NetworkSpecificationError) {
    try specification.validate()
    for (layer, width) in specification.widths.enumerated() where width < 2 {
      throw .widthTooSmallForEstimators(layer: layer, width: width)
    }
    self.specification = specification
    layout = SampleIndexLayout(sampleCount: specification.sampleCount)
    sampleMajorInputs = SampleMajorInputs(specification.inputs)
    let n0 = specification.inputDimension
    var plans: [SamplingLayerPlan] = []
    for (layer, map) in specification.layers.enumerated() {
      var plan = SamplingLayerPlan()
      plan.addMetric(
        ConditionalCovariance(impliedBy: map), inputDimension: n0,
        previousWidth: layer == 0 ? nil : specification.widths[layer - 1])
      for term in map.terms {
        switch term {
        case .bias(let variance):
          plan.parameterTerms.append(.bias(standardDeviation: variance.squareRoot()))
        case .weights(let variance, let source):
          let fanIn = specification.fanIn(of: source, inLayer: layer)
          plan.parameterTerms.append(
            .weights(
              scale: (variance / Double(fanIn)).squareRoot(), source: plan.slot(for: source),
              fanIn: fanIn))
        }
      }
      plans.append(plan)
    }
    self.plans = plans
    maxTerms = plans.map { $0.activations.count }.max() ?? 0
    maxWidth = Swift.max(specification.widths.max() ?? 0, n0)
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

  func simulate(
    network: Int, seed: UInt64, workspace: SamplingWorkspace,
    observe: ((Int, UnsafePointer<Double>) -> Void)?
  ) {
    var generator = Xoshiro256PlusPlus(seed: seed, stream: UInt64(truncatingIfNeeded: network))
    let s = layout.sampleCount
    let block = blockLength
    var current = workspace.current
    var previous = workspace.previous
    let row = workspace.row
    sampleMajorInputs.values.withUnsafeBufferPointer { inputBuffer in
      guard let inputs = inputBuffer.baseAddress else { preconditionFailure("validated: inputs") }
      var previousWidth = specification.inputDimension
      for layer in 0..<widths.count {
        let n = widths[layer]
        let plan = plans[layer]
        let statistics = workspace.statistics + layer * 2 * block
        if layer > 0 {
          plan.evaluateActivations(
            previous: previous, count: previousWidth * s, workspace: workspace)
        }
        plan.evaluateMetric(
          inputs: inputs, previous: previous, sampleCount: s, workspace: workspace,
          into: workspace.metric)
        SamplingVectorKernels.metricStatistics(
          workspace.metric, layout: layout, into: statistics + block)
        current.update(repeating: 0, count: n * s)
        for term in plan.parameterTerms {
          switch term {
          case .bias(let standardDeviation):
            generator.fillStandardNormals(row, count: n)
            for a in 0..<s {
              let za = current + a * n
              for i in 0..<n { za[i] += standardDeviation * row[i] }
            }
          case .weights(let scale, let slot, let fanIn):
            let source = SamplingLayerPlan.pointer(
              slot, inputs: inputs, previous: previous, workspace: workspace)
            switch s {
            case 1:
              for i in 0..<n {
                current[i] += scale * WeightRowKernel.dotOne(&generator, source, count: fanIn)
              }
            case 2:
              for i in 0..<n {
                let (d0, d1) = WeightRowKernel.dotTwo(
                  &generator, source, source + fanIn, count: fanIn)
                current[i] += scale * d0
                current[n + i] += scale * d1
              }
            default:
              for i in 0..<n {
                generator.fillStandardNormals(row, count: fanIn)
                for a in 0..<s {
                  current[a * n + i] +=
                    scale * SamplingVectorKernels.dot(row, source + a * fanIn, count: fanIn)
                }
              }
            }
          }
        }
        SamplingVectorKernels.preactivationStatistics(
          current, width: n, layout: layout, products: workspace.products, into: statistics)
        observe?(layer, current)
        swap(&current, &previous)
        previousWidth = n
      }
    }
  }
}
