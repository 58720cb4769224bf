import Numerics

/// A random network at initialization as a numeric program: the lowering target of any layer
/// map the model compiler accepts, sampled by ``GeneralWeightsSampler`` (the oracle).
///
/// Layer `ℓ` (0-based here, the book's layer ℓ+1) computes
///
///     z^(ℓ+1)_{i;α} = Σ_terms scale_t · Σ_{summed labels} Π_factors F_f[labels_f]
///
/// an einsum per term. Every index of a term is an integer **label** of the layer, with an
/// extent (a width or the sample count `S`); the output labels are ``LayerProgram/outputNeuron``
/// (`i`, extent `n_{ℓ+1}`) and ``LayerProgram/outputSample`` (`α`, extent `S`); every other
/// label of a term is summed. A term missing an output label is the same for every value of it.
///
/// Factors (``ProgramOperand``) are the layer's Gaussian parameter families (drawn once per
/// layer and network, shared by every term that names them), the inputs `x_{j;α}`, the previous
/// layer's preactivations `z_{j;α}` and functions `σ^{(k)}` of either.
///
/// Example — the MLP's hidden layer `b[i] + W[i,j] σ(z[j;a])` with labels `i = 0`, `a = 1`,
/// `j = 2`:
///
/// ```swift
/// LayerProgram(
///   extents: [n, s, nPrevious], outputNeuron: 0, outputSample: 1,
///   families: [
///     ParameterFamily(name: "W", shape: [n, nPrevious], standardDeviation: (cw / Double(nPrevious)).squareRoot()),
///     ParameterFamily(name: "b", shape: [n], standardDeviation: cb.squareRoot()),
///   ],
///   terms: [
///     ProgramTerm(scale: 1, factors: [ProgramFactor(.parameter(1), labels: [0])]),
///     ProgramTerm(scale: 1, factors: [
///       ProgramFactor(.parameter(0), labels: [0, 2]),
///       ProgramFactor(.function(.relu, derivative: 0, of: .preactivation), labels: [2, 1]),
///     ]),
///   ])
/// ```
public struct NetworkProgram: Hashable, Sendable {
  /// The inputs, one array of `n0` components per sample `α` (all of equal length).
  public var inputs: [[Double]]
  /// The widths `n1 … nL`.
  public var widths: [Int]
  /// One program per layer; `layers[0]` reads only the inputs.
  public var layers: [LayerProgram]

  public init(inputs: [[Double]], widths: [Int], layers: [LayerProgram]) {
    self.inputs = inputs
    self.widths = widths
    self.layers = layers
  }

  /// Number of input samples `S`.
  public var sampleCount: Int { inputs.count }
  /// The input dimension `n0`.
  public var inputDimension: Int { inputs.first?.count ?? 0 }

  /// Checks shapes: inputs as for ``NetworkSpecification/validate()``, one program per width,
  /// label extents that match what each factor is (parameters their family's shape, inputs
  /// `n0 × S`, preactivations `n_ℓ × S`, output labels `n_{ℓ+1}` and `S`), finite scales and
  /// standard deviations ≥ 0, and no previous-layer factor in the first layer.
  public func validate() throws(NetworkSpecificationError) {
    // The input and width checks of the specification (a bias per layer carries the shape).
    try NetworkSpecification(
      inputs: inputs, widths: widths,
      layers: layers.map { _ in LayerSpecification(terms: [.bias(variance: 0)]) }
    ).validate()
    let s = sampleCount
    let n0 = inputDimension
    for (index, layer) in layers.enumerated() {
      func fail(_ reason: String) -> NetworkSpecificationError {
        .invalidProgram(layer: index, reason: reason)
      }
      let extents = layer.extents
      guard extents.allSatisfy({ $0 >= 1 }) else { throw fail("an index label has extent < 1") }
      func extent(_ label: Int) throws(NetworkSpecificationError) -> Int {
        guard extents.indices.contains(label) else { throw fail("label \(label) is undeclared") }
        return extents[label]
      }
      guard try extent(layer.outputNeuron) == widths[index],
        try extent(layer.outputSample) == s, layer.outputNeuron != layer.outputSample
      else { throw fail("the output labels do not have the extents n and S") }
      for family in layer.families {
        guard family.standardDeviation.isFinite, family.standardDeviation >= 0,
          family.shape.allSatisfy({ $0 >= 1 })
        else {
          throw .invalidVariance(
            layer: index, variance: family.standardDeviation * family.standardDeviation)
        }
      }
      guard !layer.terms.isEmpty else { throw .emptyLayer(layer: index) }
      for term in layer.terms {
        guard term.scale.isFinite else {
          throw .invalidCoefficient(layer: index, coefficient: term.scale)
        }
        guard !term.factors.isEmpty else { throw fail("a term has no factor") }
        for factor in term.factors {
          var shape: [Int] = []
          for label in factor.labels { shape.append(try extent(label)) }
          switch factor.operand {
          case .parameter(let k):
            guard layer.families.indices.contains(k) else { throw fail("undeclared family \(k)") }
            guard shape == layer.families[k].shape else {
              throw fail("family \(layer.families[k].name) is used with another shape")
            }
          case .data(let source), .function(_, _, of: let source):
            let fanIn: Int
            switch source {
            case .inputs: fanIn = n0
            case .preactivation:
              guard index > 0 else { throw .firstLayerReadsPreviousLayer }
              fanIn = widths[index - 1]
            }
            guard shape == [fanIn, s] else {
              throw fail("a data factor's labels do not have the extents (fan-in, S)")
            }
          }
        }
      }
    }
  }
}

/// One layer of a ``NetworkProgram``: index labels, parameter families and terms.
public struct LayerProgram: Hashable, Sendable {
  /// The extent of every label (a width or the sample count).
  public var extents: [Int]
  /// The label of the output neuron `i` and of the output sample `α`.
  public var outputNeuron: Int
  public var outputSample: Int
  /// The Gaussian parameter families of this layer, in draw order.
  public var families: [ParameterFamily]
  /// The terms of the sum.
  public var terms: [ProgramTerm]

  public init(
    extents: [Int], outputNeuron: Int, outputSample: Int, families: [ParameterFamily],
    terms: [ProgramTerm]
  ) {
    self.extents = extents
    self.outputNeuron = outputNeuron
    self.outputSample = outputSample
    self.families = families
    self.terms = terms
  }
}

/// A family of i.i.d. centred Gaussian entries `N(0, standardDeviation²)`, a dense array of
/// `shape` (row-major in slot order).
public struct ParameterFamily: Hashable, Sendable {
  /// For messages and the documented draw order.
  public var name: String
  public var shape: [Int]
  public var standardDeviation: Double

  public init(name: String, shape: [Int], standardDeviation: Double) {
    self.name = name
    self.shape = shape
    self.standardDeviation = standardDeviation
  }

  /// Number of entries.
  public var count: Int { shape.reduce(1, *) }
}

/// One term: `scale · Π factors`, every non-output label summed.
public struct ProgramTerm: Hashable, Sendable {
  public var scale: Double
  public var factors: [ProgramFactor]

  public init(scale: Double, factors: [ProgramFactor]) {
    self.scale = scale
    self.factors = factors
  }
}

/// A factor of a term with its index labels, in slot order: a family's slots; `(j, α)` for
/// the data factors `x[j;α]`, `z[j;α]`, `σ(z[j;α])`. A label may repeat (a diagonal).
public struct ProgramFactor: Hashable, Sendable {
  public var operand: ProgramOperand
  public var labels: [Int]

  public init(_ operand: ProgramOperand, labels: [Int]) {
    self.operand = operand
    self.labels = labels
  }
}

/// What a factor reads.
public enum ProgramOperand: Hashable, Sendable {
  /// Family `k` of the layer's ``LayerProgram/families``.
  case parameter(Int)
  /// The inputs or the previous layer's preactivations themselves.
  case data(ProgramSource)
  /// The `derivative`-th derivative of an activation applied to the inputs or preactivations.
  case function(Activation, derivative: Int, of: ProgramSource)
}

/// The deterministic-given-the-past arrays a layer reads, `(fan-in × S)`.
public enum ProgramSource: Hashable, Sendable {
  /// The network inputs `x_{j;α}` (`n0` components).
  case inputs
  /// The previous layer's preactivations `z_{j;α}`.
  case preactivation
}

extension NetworkProgram {
  /// The program of a ``NetworkSpecification`` (same network): term `t` of a layer gets its
  /// own family, named `t0`, `t1`, … in term order (a bias `[n]`, weights `[n, fan-in]` with
  /// standard deviation `√(variance/fan-in)`); labels `i = 0`, `α = 1`, `j = 2`.
  public init(_ specification: NetworkSpecification) {
    let s = specification.sampleCount
    var layers: [LayerProgram] = []
    for (index, layer) in specification.layers.enumerated() {
      let n = specification.widths[index]
      let fanIn =
        index == 0 ? specification.inputDimension : specification.widths[index - 1]
      var families: [ParameterFamily] = []
      var terms: [ProgramTerm] = []
      for (t, term) in layer.terms.enumerated() {
        let name = "t\(t)"
        switch term {
        case .bias(let variance):
          families.append(
            ParameterFamily(name: name, shape: [n], standardDeviation: variance.squareRoot()))
          terms.append(ProgramTerm(scale: 1, factors: [ProgramFactor(.parameter(t), labels: [0])]))
        case .weights(let variance, let source):
          families.append(
            ParameterFamily(
              name: name, shape: [n, fanIn],
              standardDeviation: (variance / Double(fanIn)).squareRoot()))
          let operand: ProgramOperand
          switch source {
          case .inputs: operand = .data(.inputs)
          case .preactivation: operand = .data(.preactivation)
          case .activation(let sigma): operand = .function(sigma, derivative: 0, of: .preactivation)
          }
          terms.append(
            ProgramTerm(
              scale: 1,
              factors: [
                ProgramFactor(.parameter(t), labels: [0, 2]),
                ProgramFactor(operand, labels: [2, 1]),
              ]))
        }
      }
      layers.append(
        LayerProgram(
          extents: [n, s, fanIn], outputNeuron: 0, outputSample: 1, families: families,
          terms: terms))
    }
    self.init(inputs: specification.inputs, widths: specification.widths, layers: layers)
  }
}
