/// The conditional ("Gram") sampler: per layer, compute the stochastic metric `Ĝ` from the
/// previous layer with the layer's ``ConditionalCovariance``, factor it `Ĝ = L Lᵀ`, and draw
/// every neuron's sample vector as `z_{i;·} = L u_i` with `u_i` standard normal.
///
/// Exact in law for Gaussian parameters (FORMULAS.md §4, §10): given the previous layer the new
/// neurons are independent `N(0, Ĝ)`. It draws `n · S` normals per layer instead of `n · n_prev`,
/// and never materialises the weights (so it cannot give the NTK).
///
/// Draw order per network (generator `Xoshiro256PlusPlus(seed:stream: network)`): for each layer,
/// `n · S` normals, sample by sample (`u_{0;0}, u_{1;0}, …, u_{n−1;0}, u_{0;1}, …`).
///
/// Two-sample layers whose next metric is one term `c/n Σ_j f(z_j) f(z_j)ᵀ` (the MLP) run a fused
/// loop (``ConditionalTwoSampleKernel``): same draws, same law, rounding differs from the generic
/// path only in the order of sums.
///
/// **Skip connections.** A layer whose ``ConditionalCovariance/skip`` `c` is not 0 (the residual
/// MLP, `z′_i = c z_i + b_i + Σ_j W_ij σ(z_j)`) draws `z′_{i;·} = c z_{i;·} + L u_i`: the same
/// normals in the same order, plus the conditional mean (so `c = 0` is the sampler without the
/// skip, bitwise). Its previous layer must be as wide. The metric block of such a layer records
/// the conditional second moment `Ĝ_p + c² A_p^(ℓ−1)/n` (the neuron average of
/// `E[z′_{i;α} z′_{i;β} | layer ℓ−1]`, again an unbiased estimate of `E[z z]` of lower variance),
/// not `Ĝ`; its covariance across networks is then not `V/n`.
public struct ConditionalSampler: NetworkSampler, NetworkSimulation {
  public let inputs: [[Double]]
  public let widths: [Int]
  public let covariances: [ConditionalCovariance]
  public let layout: SampleIndexLayout
  let plans: [SamplingLayerPlan]
  let sampleMajorInputs: SampleMajorInputs
  /// `Ĝ^(1)` is deterministic: evaluated once.
  let firstMetric: [Double]
  let maxTerms: Int
  let maxWidth: Int
  /// Per layer: the next layer's metric when it can be fused into this layer's loop.
  let fusedNext: [FusedNextMetric?]
  /// Whether two-sample layers use ``ConditionalTwoSampleKernel`` (tests compare both paths).
  var usesFusedKernel = true

  /// A sampler drawing layer `ℓ` from `covariances[ℓ]` (the first reads the inputs only).
  public init(inputs: [[Double]], widths: [Int], covariances: [ConditionalCovariance])
    throws(NetworkSpecificationError)
  {
    // Validate the shape through an equivalent specification (biases carry the constants).
    let shape = NetworkSpecification(
      inputs: inputs, widths: widths,
      layers: covariances.map { _ in LayerSpecification(terms: [.bias(variance: 0)]) })
    try shape.validate()
    for (layer, program) in covariances.enumerated() {
      guard program.constant.isFinite else {
        throw .invalidCoefficient(layer: layer, coefficient: program.constant)
      }
      guard program.skip.isFinite else {
        throw .invalidCoefficient(layer: layer, coefficient: program.skip)
      }
      if program.skip != 0 {
        guard layer > 0 else { throw .firstLayerCarriesPreactivation }
        guard widths[layer - 1] == widths[layer] else {
          throw .skipWidthMismatch(
            layer: layer, previousWidth: widths[layer - 1], width: widths[layer])
        }
      }
      for term in program.terms {
        guard term.coefficient.isFinite else {
          throw .invalidCoefficient(layer: layer, coefficient: term.coefficient)
        }
        if layer == 0, term.left != .inputs || term.right != .inputs {
          throw .firstLayerReadsPreviousLayer
        }
        if (term.left == .inputs) != (term.right == .inputs) {
          throw .mismatchedCovarianceSides(layer: layer)
        }
      }
    }
    for (layer, width) in widths.enumerated() where width < 2 {
      throw .widthTooSmallForEstimators(layer: layer, width: width)
    }
    self.inputs = inputs
    self.widths = widths
    self.covariances = covariances
    layout = SampleIndexLayout(sampleCount: inputs.count)
    sampleMajorInputs = SampleMajorInputs(inputs)
    let n0 = inputs[0].count
    var plans: [SamplingLayerPlan] = []
    for (layer, program) in covariances.enumerated() {
      var plan = SamplingLayerPlan()
      plan.addMetric(
        program, inputDimension: n0, previousWidth: layer == 0 ? nil : widths[layer - 1])
      plans.append(plan)
    }
    self.plans = plans
    maxTerms = plans.map { $0.activations.count }.max() ?? 0
    maxWidth = Swift.max(widths.max() ?? 0, n0)
    let s = inputs.count
    var metric = [Double](repeating: 0, count: s * s)
    let workspace = SamplingWorkspace(
      maxWidth: maxWidth, sampleCount: s, pairCount: layout.pairCount, maxTerms: maxTerms,
      statisticsLength: 1)
    sampleMajorInputs.values.withUnsafeBufferPointer { x in
      metric.withUnsafeMutableBufferPointer { g in
        guard let base = x.baseAddress, let output = g.baseAddress else {
          preconditionFailure("validated: inputs")
        }
        plans[0].evaluateMetric(
          inputs: base, previous: base, sampleCount: s, workspace: workspace, into: output)
      }
    }
    firstMetric = metric
    fusedNext = (0..<widths.count).map { layer -> FusedNextMetric? in
      guard layer + 1 < widths.count else { return nil }
      let plan = plans[layer + 1]
      guard plan.metricTerms.count == 1, let term = plan.metricTerms.first,
        term.left == term.right
      else { return nil }
      switch term.left {
      case .inputs: return nil
      case .preactivation:
        return FusedNextMetric(constant: plan.metricConstant, scale: term.scale, activation: nil)
      case .activation(let k):
        return FusedNextMetric(
          constant: plan.metricConstant, scale: term.scale, activation: plan.activations[k])
      }
    }
  }

  /// The conditional sampler of a specification, using the covariances its layer maps imply
  /// (``NetworkSpecification/impliedConditionalCovariances``).
  public init(_ specification: NetworkSpecification) throws(NetworkSpecificationError) {
    try specification.validate()
    try self.init(
      inputs: specification.inputs, widths: specification.widths,
      covariances: specification.impliedConditionalCovariances)
  }

  public func statistics(seed: UInt64, networks: Range<Int>, threads: Int?) -> SamplingStatistics {
    runSamplingChunks(self, seed: seed, networks: networks, threads: threads)
  }

  public func preactivations(seed: UInt64, network: Int) -> [LayerPreactivations] {
    sampledPreactivations(seed: seed, network: network)
  }

  func simulate(
    network: Int, seed: UInt64, workspace: SamplingWorkspace,
    observe: ((Int, UnsafePointer<Double>) -> Void)?
  ) {
    var generator = Xoshiro256PlusPlus(seed: seed, stream: UInt64(truncatingIfNeeded: network))
    let s = layout.sampleCount
    let block = blockLength
    let z = workspace.current
    let metric = workspace.metric
    let factor = workspace.factor
    for k in 0..<(s * s) { metric[k] = firstMetric[k] }
    sampleMajorInputs.values.withUnsafeBufferPointer { inputBuffer in
      guard let inputs = inputBuffer.baseAddress else { preconditionFailure("validated: inputs") }
      for layer in 0..<widths.count {
        let n = widths[layer]
        let row = workspace.statistics + layer * 2 * block
        let skip = plans[layer].skip
        if skip == 0 {
          SamplingVectorKernels.metricStatistics(metric, layout: layout, into: row + block)
        } else {
          SamplingVectorKernels.metricStatistics(
            metric, carrying: skip * skip, of: row - 2 * block, layout: layout, into: row + block)
        }
        let isLast = layer + 1 == widths.count
        if s == 2, usesFusedKernel, isLast || fusedNext[layer] != nil {
          let l = ConditionalTwoSampleKernel.factor(metric[0], metric[1], metric[3])
          // z is kept when observed or carried into the next layer (a skip reads it in place).
          let keeps = observe != nil || (!isLast && plans[layer + 1].skip != 0)
          let g = ConditionalTwoSampleKernel.run(
            width: n, factor: l, skip: skip, next: fusedNext[layer], generator: &generator,
            normals: workspace.previous, z: keeps ? z : nil, previous: UnsafePointer(z), row: row)
          observe?(layer, z)
          metric[0] = g.0
          metric[1] = g.1
          metric[2] = g.1
          metric[3] = g.2
          continue
        }
        SamplingVectorKernels.choleskyFactor(metric, factor, size: s)
        // Normals sample-major, u[β·n + i]; z_α = Σ_{β ≤ α} L_αβ u_β (+ skip · z_α of the
        // previous layer, in place) sample-major.
        let u = workspace.previous
        generator.fillStandardNormals(u, count: n * s)
        for a in 0..<s {
          let za = z + a * n
          for i in 0..<n {
            var value = 0.0
            for b in 0...a { value += factor[a * s + b] * u[b * n + i] }
            za[i] = skip == 0 ? value : value + skip * za[i]
          }
        }
        SamplingVectorKernels.preactivationStatistics(
          z, width: n, layout: layout, products: workspace.products, into: row)
        observe?(layer, z)
        if layer + 1 < widths.count {
          let plan = plans[layer + 1]
          plan.evaluateActivations(previous: z, count: n * s, workspace: workspace)
          plan.evaluateMetric(
            inputs: inputs, previous: z, sampleCount: s, workspace: workspace, into: metric)
        }
      }
    }
  }
}
