import Numerics

/// Where a layer reads a source vector from, resolved once when a sampler is built.
enum SourceSlot: Hashable, Sendable {
  /// The inputs, sample-major `n0 · S`.
  case inputs
  /// The previous layer's preactivations.
  case preactivation
  /// σ_k of the previous layer's preactivations, stored in workspace source slot `k`.
  case activation(Int)
}

/// One layer's work, precomputed from the specification or program so the per-network loop
/// does no lookups: the distinct activations to evaluate once, the metric terms and (weights
/// sampler) the parameter terms.
struct SamplingLayerPlan: Sendable {
  /// Distinct activations applied to the previous layer; activation `k` lives in slot `k`.
  var activations: [Activation] = []
  /// `Ĝ` constant.
  var metricConstant = 0.0
  /// The conditional mean `skip · z_{i;α}` of the previous layer's own neuron (0: none).
  var skip = 0.0
  /// `Ĝ += coefficient/fanIn · Σ_j left_j right_j` (symmetrised when `left ≠ right`).
  var metricTerms: [(scale: Double, left: SourceSlot, right: SourceSlot, fanIn: Int)] = []
  /// Parameter terms in draw order (weights sampler only).
  var parameterTerms: [ParameterTerm] = []

  enum ParameterTerm: Sendable {
    /// `z_{i;α} += standardDeviation · b_i`.
    case bias(standardDeviation: Double)
    /// `z_{i;α} += scale · Σ_j w_ij source_{j;α}` with standard normal `w`, `scale = √(v/n_prev)`.
    case weights(scale: Double, source: SourceSlot, fanIn: Int)
  }

  /// Resolves `source` to a slot, adding the activation to ``activations`` when new.
  mutating func slot(for source: LayerSource) -> SourceSlot {
    switch source {
    case .inputs: return .inputs
    case .preactivation: return .preactivation
    case .activation(let sigma):
      if let k = activations.firstIndex(of: sigma) { return .activation(k) }
      activations.append(sigma)
      return .activation(activations.count - 1)
    }
  }

  /// Adds the metric program of this layer; `previousWidth` is nil for the first layer.
  mutating func addMetric(
    _ program: ConditionalCovariance, inputDimension: Int, previousWidth: Int?
  ) {
    metricConstant = program.constant
    skip = program.skip
    for term in program.terms {
      let fanIn = term.left == .inputs ? inputDimension : (previousWidth ?? inputDimension)
      metricTerms.append(
        (
          scale: term.coefficient / Double(fanIn), left: slot(for: term.left),
          right: slot(for: term.right), fanIn: fanIn
        ))
    }
  }

  /// Evaluates σ_k of the previous layer into the workspace slots.
  func evaluateActivations(
    previous: UnsafePointer<Double>, count: Int, workspace: SamplingWorkspace
  ) {
    for (k, sigma) in activations.enumerated() {
      sigma.apply(
        UnsafeBufferPointer(start: previous, count: count),
        into: UnsafeMutableBufferPointer(start: workspace.sourceSlot(k), count: count))
    }
  }

  @inline(__always)
  static func pointer(
    _ slot: SourceSlot, inputs: UnsafePointer<Double>, previous: UnsafePointer<Double>,
    workspace: SamplingWorkspace
  ) -> UnsafePointer<Double> {
    switch slot {
    case .inputs: return inputs
    case .preactivation: return previous
    case .activation(let k): return UnsafePointer(workspace.sourceSlot(k))
    }
  }

  /// `Ĝ` (full `S × S`) into `metric`, activations already evaluated.
  func evaluateMetric(
    inputs: UnsafePointer<Double>, previous: UnsafePointer<Double>, sampleCount s: Int,
    workspace: SamplingWorkspace, into metric: UnsafeMutablePointer<Double>
  ) {
    for k in 0..<(s * s) { metric[k] = metricConstant }
    for term in metricTerms {
      let left = Self.pointer(term.left, inputs: inputs, previous: previous, workspace: workspace)
      let right = Self.pointer(term.right, inputs: inputs, previous: previous, workspace: workspace)
      let n = term.fanIn
      for a in 0..<s {
        for b in a..<s {
          var value = SamplingVectorKernels.dot(left + a * n, right + b * n, count: n)
          if term.left != term.right {
            value = 0.5 * (value + SamplingVectorKernels.dot(left + b * n, right + a * n, count: n))
          }
          metric[a * s + b] += term.scale * value
        }
      }
    }
    for a in 0..<s { for b in 0..<a { metric[a * s + b] = metric[b * s + a] } }
  }
}

/// Deterministic inputs stored sample-major (`x[α · n0 + j]`), as the kernels read them.
struct SampleMajorInputs: Sendable {
  let values: [Double]
  init(_ inputs: [[Double]]) { values = inputs.flatMap { $0 } }
}
