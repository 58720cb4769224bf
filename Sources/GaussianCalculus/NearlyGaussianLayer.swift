import Algebra
import Rational

/// One component of a connected correlator of composite (neuron, sample) indices, beyond the
/// leading Gaussian metric:
///   κ_{(m₁β₁)…(m_rβ_r)} ⊃ Π_{blocks} δ(all m in the block) · coefficient(β₁…β_r).
///
/// Examples (layer ℓ, 1/n ≡ 1/n_{ℓ−1}):
/// - metric correction: rank 2, blocks [[0,1]], coefficient G^{{1}}_{β₀β₁}/n;
/// - connected four-point: three components of rank 4 with blocks [[0,1],[2,3]],
///   [[0,2],[1,3]], [[0,3],[1,2]] and coefficients V_{(β₀β₁)(β₂β₃)}/n, V_{(β₀β₂)(β₁β₃)}/n, ….
///
/// A component of a joint cumulant of the preactivation z and the tangent kernel Ĥ (a field with
/// two neuron and two sample slots) lists the first slot of each kernel factor in
/// `kernelStarts`: slots s and s+1 are then that factor's (neuron, sample) pairs; every other
/// slot is one preactivation factor.
public struct CumulantComponent: Hashable, Sendable {
  public var rank: Int
  public var neuronBlocks: [[Int]]
  /// One sample-index placeholder per slot, free in `coefficient`.
  public var sampleSlots: [Index]
  public var coefficient: Expression
  /// The first slot of each tangent-kernel factor (empty for a cumulant of z alone).
  public var kernelStarts: [Int]

  public init(
    neuronBlocks: [[Int]], sampleSlots: [Index], coefficient: Expression, kernelStarts: [Int] = []
  ) {
    let all = neuronBlocks.flatMap { $0 }.sorted()
    precondition(all == Array(0..<sampleSlots.count), "blocks must partition the slots")
    self.rank = sampleSlots.count
    self.neuronBlocks = neuronBlocks
    self.sampleSlots = sampleSlots
    self.coefficient = coefficient
    self.kernelStarts = kernelStarts
  }

  /// Order of the component in 1/n (from its coefficient's width powers).
  public var order: Int { coefficient.terms.map { $0.monomial.inverseWidthOrder }.min() ?? 0 }

  /// The slots that are preactivation factors.
  var preactivationSlots: [Int] {
    let kernelSlots = Set(kernelStarts.flatMap { [$0, $0 + 1] })
    return (0..<rank).filter { !kernelSlots.contains($0) }
  }

  /// The weight of the component in the exponential series exp(Σ κ ∂): 1/r! for r
  /// interchangeable factors, i.e. 1/(k_z! k_H!) for k_z preactivation and k_H kernel factors
  /// (the other orderings of the factors are the same cumulant).
  var seriesWeight: Rational {
    func factorial(_ k: Int) -> Rational {
      (1...Swift.max(k, 1)).reduce(Rational.one) { $0 * Rational($1) }
    }
    return Rational.one / (factorial(preactivationSlots.count) * factorial(kernelStarts.count))
  }
}

/// The statistics of a nearly-Gaussian layer of preactivations z_{j;α}: a leading Gaussian
/// metric (δ_{jk} K_{αβ}) plus connected-correlator components suppressed by inverse widths.
///
/// ``expectation(of:toOrder:)`` evaluates E[F] for F a product of functions of the
/// preactivations of pairwise-distinct neurons by the cumulant (Edgeworth) expansion
///   E[F] = exp( Σ_c (1/r_c!) κ_c · ∂^{r_c} ) ⟨F⟩_K ,
/// truncated at the requested order in 1/n. Derivatives with respect to z_{m;β} act on the
/// factor of neuron m; each block of a component is assigned to one neuron (all assignments),
/// so the result is a sum of products of single-neuron atoms ⟨∂_{β…}(F_j)⟩_K times the
/// components' coefficients, with the β's summed.
public struct NearlyGaussianLayer: Sendable {
  /// The preactivation tensor z^{(ℓ)} (indices: neuron, sample).
  public var variable: TensorHead
  /// The leading metric (symmetric, two sample indices): the covariance of the atoms.
  public var metric: TensorHead
  public var components: [CumulantComponent]
  /// The neural tangent kernel Ĥ_{j₁j₂;α₁α₂} of the layer, when it is a field of the state: it
  /// enters products polynomially, and its leading order is deterministic (``kernelMean``).
  public var kernel: TensorHead?
  /// The order-0 mean of the kernel (components of rank 2 over one kernel factor, e.g.
  /// δ_{j₁j₂}Θ_{α₁α₂}): the value a kernel factor takes when no cumulant differentiates it.
  public var kernelMean: [CumulantComponent]
  /// For a *path* layer (its neurons carry their own earlier states forward: a residual map),
  /// the width n that suppresses the self-feedback; nil for a layer whose neurons forget their
  /// past (``withSelfFeedback(width:)``).
  public internal(set) var selfFeedbackWidth: Symbol?

  public init(
    variable: TensorHead, metric: TensorHead, components: [CumulantComponent],
    kernel: TensorHead? = nil, kernelMean: [CumulantComponent] = []
  ) {
    self.variable = variable
    self.metric = metric
    self.components = components
    self.kernel = kernel
    self.kernelMean = kernelMean
    self.selfFeedbackWidth = nil
  }

  /// The neuron index a factor depends on if it is a function of (or equal to) a component of
  /// the variable.
  public func neuron(of f: Factor) -> Index? {
    switch f {
    case .function(let g) where g.argument.head == variable: return g.argument.indices.first
    case .tensor(let t) where t.head == variable: return t.indices.first
    default: return nil
    }
  }

  /// The single-neuron version of a factor: z_{j;α} → z_α.
  public func stripped(_ f: Factor) -> Factor {
    switch f {
    case .function(let g):
      return .function(
        FunctionApplication(
          g.head, derivative: g.derivative, Tensor(variable, Array(g.argument.indices.dropFirst())))
      )
    case .tensor(let t): return .tensor(Tensor(variable, Array(t.indices.dropFirst())))
    default: return f
    }
  }

  /// Error raised when neurons in a product are not known to be distinct.
  public struct NeuronsNotDistinct: Error, CustomStringConvertible {
    public var indices: [Index]
    public var description: String {
      "neurons \(indices) are not constrained distinct; split neuron sums first"
    }
  }

  /// E[e] over the layer to the given order in 1/n. Every term's random neurons must be pairwise
  /// distinct (see ``Expression/splittingNeuronSums(layer:)``). The result is expanded (not
  /// canonicalised); neuron indices of the layer no longer occur in factors.
  public func expectation(of e: Expression, toOrder order: Int) throws -> Expression {
    var out: [Term] = []
    for t in e.expanded().terms {
      out.append(contentsOf: try expectation(of: t, toOrder: order))
    }
    let result = Expression(out)
    assert(result.isExpanded, "NearlyGaussianLayer.expectation: result not expanded")
    return result
  }

  func expectation(of t: Term, toOrder order: Int) throws -> [Term] {
    // Group the random factors by neuron.
    var neurons: [Index] = []
    var perNeuron: [Index: [Factor]] = [:]
    var constantFactors: [Factor] = []
    var kernelFactors: [Tensor] = []
    for f in t.monomial.factors {
      if case .tensor(let x) = f, let kernel, x.head == kernel {
        kernelFactors.append(x)
      } else if let j = neuron(of: f) {
        if perNeuron[j] == nil { neurons.append(j) }
        perNeuron[j, default: []].append(stripped(f))
      } else {
        constantFactors.append(f)
      }
    }
    let constant = t.monomial.replacingFactors(with: constantFactors)
    neurons.sort()
    let all = Array(Set(neurons + kernelFactors.flatMap { $0.indices.prefix(2) })).sorted()
    for a in all.indices {
      for b in all.indices where b > a {
        let distinct = t.monomial.distinct.contains {
          $0.contains(all[a]) && $0.contains(all[b])
        }
        if !distinct { throw NeuronsNotDistinct(indices: [all[a], all[b]]) }
      }
    }
    let base = Expression(Term(t.coefficient, constant))
    if !kernelFactors.isEmpty {
      precondition(
        selfFeedbackWidth == nil, "the tangent kernel of a path layer is not supported")
      return try jointExpectation(
        base: base, neurons: neurons, perNeuron: perNeuron, kernelFactors: kernelFactors,
        order: order)
    }
    if neurons.isEmpty { return [t] }
    var result: [Term] = []
    for insertion in insertions(upTo: order) {
      result.append(
        contentsOf: try apply(insertion, base: base, neurons: neurons, perNeuron: perNeuron))
    }
    if let width = selfFeedbackWidth, order >= 1 {
      result.append(
        contentsOf: selfFeedback(base: base, neurons: neurons, perNeuron: perNeuron, width: width))
    }
    return result
  }

  /// Multisets of components with total order ≤ `order`, with their exponential-series weights.
  /// Multisets of components with total order ≤ `order`, with their exponential-series weights;
  /// with `kernel` false only the cumulants of the preactivation alone (a product without kernel
  /// factors is not differentiated by the others).
  func insertions(upTo order: Int, kernel: Bool = false) -> [(
    weight: Rational, components: [CumulantComponent]
  )] {
    var out: [(Rational, [CumulantComponent])] = [(.one, [])]
    func extend(_ start: Int, _ chosen: [Int], _ used: Int) {
      for c in start..<components.count {
        let o = components[c].order
        if o <= 0 || used + o > order { continue }
        if !kernel && !components[c].kernelStarts.isEmpty { continue }
        let next = chosen + [c]
        var weight = Rational.one
        var multiplicity: [Int: Int] = [:]
        for i in next {
          weight = weight * components[i].seriesWeight
          multiplicity[i, default: 0] += 1
        }
        for (_, m) in multiplicity { weight = weight / factorial(m) }
        out.append((weight, next.map { components[$0] }))
        extend(c, next, used + o)
      }
    }
    extend(0, [], 0)
    return out
  }

  func factorial(_ k: Int) -> Rational {
    (1...Swift.max(k, 1)).reduce(Rational.one) { $0 * Rational($1) }
  }

  func apply(
    _ insertion: (weight: Rational, components: [CumulantComponent]), base: Expression,
    neurons: [Index], perNeuron: [Index: [Factor]]
  ) throws -> [Term] {
    // Fresh sample dummies for every slot of every component.
    var next = (base.terms.map { $0.monomial.maxDummyNumber }.max() ?? -1) + 1
    for fs in perNeuron.values {
      for f in fs {
        for i in f.slots { if case .dummy(let k) = i.label { next = Swift.max(next, k + 1) } }
      }
    }
    var blocks: [[Index]] = []
    var coefficient = Expression.one
    var dummies: [Index] = []
    for c in insertion.components {
      var map: [Index: Index] = [:]
      var fresh: [Index] = []
      for s in c.sampleSlots {
        let d = Index(.sample, .dummy(next))
        next += 1
        map[s] = d
        fresh.append(d)
      }
      dummies.append(contentsOf: fresh)
      coefficient = coefficient * c.coefficient.renamingFreeIndices(map)
      for b in c.neuronBlocks { blocks.append(b.map { fresh[$0] }) }
    }
    // Every assignment of blocks to neurons.
    var out: [Term] = []
    var assignment = Array(repeating: 0, count: blocks.count)
    while true {
      var derivs: [Index: [Index]] = [:]
      for (b, j) in assignment.enumerated() {
        derivs[neurons[j], default: []].append(contentsOf: blocks[b])
      }
      var atoms = coefficient
      for j in neurons {
        let atom = GaussianAverage(
          metric: metric, derivatives: derivs[j, default: []], integrand: perNeuron[j, default: []])
        atoms = atoms * Expression.average(atom)
      }
      // The atoms sit inside the base term's sums (they mention its summed indices); the
      // component's sample slots become summed too.
      Self.appendProducts(
        of: base, with: atoms, weight: insertion.weight, summing: dummies, to: &out)
      if !Self.advance(&assignment, radix: neurons.count) { break }
    }
    return out
  }

  /// Appends every term of `base` times every term of `atoms` (placed inside the base term's
  /// sums, which they may mention), scaled by `weight`, with `summed` indices summed.
  static func appendProducts(
    of base: Expression, with atoms: Expression, weight: Rational, summing summed: [Index],
    to out: inout [Term]
  ) {
    let atomTerms = atoms.expanded().terms
    for b in base.terms {
      for a in atomTerms {
        let t = b.multipliedInScope(by: a)
        out.append(Term(t.coefficient * weight, t.monomial.summing(over: summed)))
      }
    }
  }

  /// Advances `assignment` (each entry in `0..<radix`) to the next one in odometer order;
  /// false after the last one (every entry back to 0).
  static func advance(_ assignment: inout [Int], radix: Int) -> Bool {
    for k in assignment.indices {
      assignment[k] += 1
      if assignment[k] < radix { return true }
      assignment[k] = 0
    }
    return false
  }
}
