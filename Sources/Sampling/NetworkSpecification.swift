import Numerics

/// A random network at initialization, as the samplers see it: deterministic inputs, layer
/// widths, and one layer map per layer. The lowering target of the model files.
///
/// Layer `ℓ` (0-based here, the book's layer ℓ+1) maps the previous layer — the inputs for
/// `ℓ = 0` — to the preactivations `z^(ℓ+1)_{i;α}`, `i < widths[ℓ]`, one per input sample `α`:
///
///     z^(ℓ+1)_{i;α} = Σ_terms term_{i;α}
///
/// Every term has its own independent centred Gaussian parameters (see ``LayerTerm``).
///
/// Example — the MLP of PDLT with ReLU, `C_b = 0.1`, `C_W = 2`, two inputs in `R^3`:
///
/// ```swift
/// let mlp = NetworkSpecification.multilayerPerceptron(
///   inputs: [[1, 0.5, -0.2], [0.3, 0.8, 0.1]], widths: [64, 64, 64],
///   activation: .relu, biasVariance: 0.1, weightVariance: 2)
/// ```
public struct NetworkSpecification: Hashable, Sendable {
  /// The inputs, one array of `n0` components per sample `α` (all of equal length).
  public var inputs: [[Double]]
  /// The widths `n1 … nL` of the layers the network produces.
  public var widths: [Int]
  /// The layer maps, `widths.count` of them; `layers[0]` maps the inputs to `z^(1)`.
  public var layers: [LayerSpecification]

  /// A specification; call ``validate()`` (the samplers do) before sampling.
  public init(inputs: [[Double]], widths: [Int], layers: [LayerSpecification]) {
    self.inputs = inputs
    self.widths = widths
    self.layers = layers
  }

  /// Number of input samples `S` (the range of sample indices α).
  public var sampleCount: Int { inputs.count }
  /// The input dimension `n0`.
  public var inputDimension: Int { inputs.first?.count ?? 0 }
  /// Number of layers `L`.
  public var depth: Int { widths.count }

  /// The width feeding `source` into layer `layer` (0-based): `n0` for the inputs, otherwise
  /// the width of the previous layer. This is the fan-in `n_prev` of ``LayerTerm/weights(variance:source:)``.
  public func fanIn(of source: LayerSource, inLayer layer: Int) -> Int {
    switch source {
    case .inputs: return inputDimension
    case .activation, .preactivation: return widths[layer - 1]
    }
  }

  /// Checks the shape: at least one sample and one layer, equal input lengths, positive widths,
  /// one layer map per width, variances finite and ≥ 0, and the first layer reading only the
  /// inputs (there is no earlier preactivation).
  public func validate() throws(NetworkSpecificationError) {
    guard !inputs.isEmpty else { throw .noInputs }
    let n0 = inputDimension
    guard n0 > 0 else { throw .emptyInput(sample: 0) }
    for (alpha, x) in inputs.enumerated() {
      guard x.count == n0 else {
        throw .inputDimensionMismatch(sample: alpha, expected: n0, found: x.count)
      }
      guard x.allSatisfy(\.isFinite) else { throw .nonFiniteInput(sample: alpha) }
    }
    guard !widths.isEmpty else { throw .noLayers }
    guard layers.count == widths.count else {
      throw .layerCountMismatch(widths: widths.count, layers: layers.count)
    }
    for (layer, width) in widths.enumerated() where width < 1 {
      throw .nonPositiveWidth(layer: layer, width: width)
    }
    for (index, layer) in layers.enumerated() {
      guard !layer.terms.isEmpty else { throw .emptyLayer(layer: index) }
      for term in layer.terms {
        let variance: Double
        switch term {
        case .bias(let v): variance = v
        case .weights(let v, let source):
          variance = v
          if index == 0, source != .inputs { throw .firstLayerReadsPreviousLayer }
        }
        guard variance.isFinite, variance >= 0 else {
          throw .invalidVariance(layer: index, variance: variance)
        }
      }
    }
  }

  /// The multilayer perceptron of PDLT (FORMULAS.md §1): `z^(1) = b + W x`,
  /// `z^(ℓ+1) = b + W σ(z^(ℓ))`, with `E[bb] = C_b`, `E[WW] = C_W / n_prev`.
  public static func multilayerPerceptron(
    inputs: [[Double]], widths: [Int], activation: Activation, biasVariance: Double,
    weightVariance: Double
  ) -> NetworkSpecification {
    let first = LayerSpecification(terms: [
      .bias(variance: biasVariance), .weights(variance: weightVariance, source: .inputs),
    ])
    let hidden = LayerSpecification(terms: [
      .bias(variance: biasVariance),
      .weights(variance: weightVariance, source: .activation(activation)),
    ])
    return NetworkSpecification(
      inputs: inputs, widths: widths,
      layers: [first] + Array(repeating: hidden, count: max(0, widths.count - 1)))
  }
}

/// One layer map: `z^(ℓ+1)_{i;α}` is the sum of the terms, each with independent parameters.
public struct LayerSpecification: Hashable, Sendable {
  /// The terms of the sum, in the order their parameters are drawn.
  public var terms: [LayerTerm]

  public init(terms: [LayerTerm]) { self.terms = terms }
}

/// One term of a layer map, with its own independent centred Gaussian parameters.
public enum LayerTerm: Hashable, Sendable {
  /// A bias `b_i` shared by all samples, `E[b_i b_k] = δ_ik · variance`.
  case bias(variance: Double)
  /// `Σ_j W_ij f(source_{j;α})` with `E[W_ij W_kl] = δ_ik δ_jl · variance / n_prev`, `n_prev`
  /// the number of components of the source (fan-in).
  case weights(variance: Double, source: LayerSource)
}

/// What a weight matrix multiplies.
public enum LayerSource: Hashable, Sendable {
  /// The network inputs `x_{j;α}` (n0 components).
  case inputs
  /// `σ(z_{j;α})` of the previous layer's preactivations.
  case activation(Activation)
  /// The previous layer's preactivations `z_{j;α}` themselves (σ = identity).
  case preactivation
}

/// What is wrong with a ``NetworkSpecification`` or a conditional program.
public enum NetworkSpecificationError: Error, Hashable, Sendable {
  case noInputs
  case emptyInput(sample: Int)
  case inputDimensionMismatch(sample: Int, expected: Int, found: Int)
  case nonFiniteInput(sample: Int)
  case noLayers
  case layerCountMismatch(widths: Int, layers: Int)
  case nonPositiveWidth(layer: Int, width: Int)
  case emptyLayer(layer: Int)
  case invalidVariance(layer: Int, variance: Double)
  case invalidCoefficient(layer: Int, coefficient: Double)
  /// Layer 0 reads a preactivation or activation; only `.inputs` exists before layer 1.
  case firstLayerReadsPreviousLayer
  /// A conditional-covariance term pairs the inputs (`n0` components) with a previous-layer
  /// source (`n_prev` neurons): the sum over `j` is undefined.
  case mismatchedCovarianceSides(layer: Int)
  /// The four-point estimators need two distinct neurons in every layer.
  case widthTooSmallForEstimators(layer: Int, width: Int)
  /// A ``NetworkProgram`` layer whose labels, factors or families do not fit together.
  case invalidProgram(layer: Int, reason: String)
  /// A conditional layer with a skip (``ConditionalCovariance/skip``) whose previous layer has
  /// another width: neuron `i` carries its own preactivation, so the widths must be equal.
  case skipWidthMismatch(layer: Int, previousWidth: Int, width: Int)
  /// The first conditional layer has a skip: before layer 1 there is no preactivation to carry.
  case firstLayerCarriesPreactivation
}
