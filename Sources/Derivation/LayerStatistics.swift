import Algebra
import GaussianCalculus
import Rational

/// A statistic a model carries from layer to layer: a tensor in sample indices (K_{α₁α₂},
/// V_{(α₁α₂)(α₃α₄)}, …), declared in the model file and defined by the term of a cumulant
/// ansatz it appears in (``CumulantAnsatz``). Nothing about a statistic is known by its name.
public struct Statistic: Hashable, Sendable {
  public var name: String
  /// The number of sample indices.
  public var rank: Int
  public var symmetry: TensorSymmetry
  /// Its order in 1/n: the power of the normalisation width dividing it in its ansatz term.
  public var order: Int

  public init(name: String, rank: Int, symmetry: TensorSymmetry, order: Int) {
    self.name = name
    self.rank = rank
    self.symmetry = symmetry
    self.order = order
  }

  /// The statistic's tensor head at a layer.
  public func head(layer: Layer?) -> TensorHead {
    TensorHead(name, layer: layer, symmetry: symmetry)
  }
}

/// One term of a cumulant ansatz:
///   coefficient · Π_{blocks} δ(neuron slots of the block) · S[sample slots `arguments`] / n^order.
///
/// Slots are numbered in the order the fields are written on the ansatz's left-hand side: neuron
/// slot k and sample slot k belong to the k-th field factor (one neuron and one sample index
/// each, for a preactivation z[j;a]).
public struct CumulantTerm: Hashable, Sendable {
  public var coefficient: Rational
  /// A partition of the neuron slots: the slots of a block are one neuron (the δ's of the term).
  public var neuronBlocks: [[Int]]
  public var statistic: String
  /// `arguments[m]` is the cumulant's sample slot in the statistic's slot m.
  public var arguments: [Int]
  public var order: Int

  public init(
    coefficient: Rational, neuronBlocks: [[Int]], statistic: String, arguments: [Int], order: Int
  ) {
    self.coefficient = coefficient
    self.neuronBlocks = neuronBlocks
    self.statistic = statistic
    self.arguments = arguments
    self.order = order
  }

  /// The neuron structure as written: "δ(1,2)δ(3,4)" (1-based slots; singletons omitted).
  public var neuronStructure: String {
    let deltas = neuronBlocks.filter { $0.count > 1 }.map {
      "δ(" + $0.map { String($0 + 1) }.joined(separator: ",") + ")"
    }
    return deltas.isEmpty ? "no δ" : deltas.joined()
  }
}

/// The declared form of one connected correlator (cumulant) of the incoming layer's fields at
/// order 1/n: E_c[z_{j₁;α₁} ⋯ z_{j_k;α_k}] = Σ terms (``CumulantTerm``). The MLP's two-point
/// ansatz is δ_{j₁j₂}(K_{α₁α₂} + G¹_{α₁α₂}/n), its four-point one (1/n)[δδV + 2 perms].
public struct CumulantAnsatz: Sendable {
  /// The field of each factor, in order: the incoming preactivation z, or its tangent kernel Ĥ
  /// (kernel factors first).
  public var fields: [String]
  /// The number of neuron slots (equal to its number of sample slots) of each factor: 1 for a
  /// preactivation z[j;a], 2 for a tangent kernel H[j1,j2;a1,a2].
  public var slotsPerField: [Int]
  public var terms: [CumulantTerm]
  /// The statement declaring it (refusals about it point here).
  public var location: SourceLocation?

  public init(
    fields: [String], slotsPerField: [Int]? = nil, terms: [CumulantTerm],
    location: SourceLocation? = nil
  ) {
    self.fields = fields
    self.slotsPerField = slotsPerField ?? Array(repeating: 1, count: fields.count)
    self.terms = terms
    self.location = location
  }

  public var rank: Int { fields.count }

  /// The number of neuron slots (and of sample slots) of all factors.
  public var slotCount: Int { slotsPerField.reduce(0, +) }

  /// The first slot of each factor.
  public var factorStarts: [Int] {
    var starts: [Int] = []
    var next = 0
    for w in slotsPerField {
      starts.append(next)
      next += w
    }
    return starts
  }

  /// The lowest order of its terms (the order at which the correlator starts).
  public var leadingOrder: Int { terms.map(\.order).min() ?? 0 }

  /// "z z z z" for messages.
  public var written: String { fields.joined(separator: " ") }
}

/// The declared state of a layer: its field (the preactivation z), the statistics it carries
/// and the cumulant ansätze that define them, normalised by the width feeding the layer.
///
/// Invariants (established by ``ModelCompiler``): every statistic occurs in exactly one ansatz,
/// at one order; within an ansatz no two statistics share a neuron structure and an order, so
/// each is read off unambiguously; exactly one statistic is the leading metric (order 0, the
/// two-point ansatz's δ_{j₁j₂} term with coefficient 1, symmetric); no other term is of order 0.
public struct LayerStatistics: Sendable {
  /// The incoming field (preactivation) of layer ℓ.
  public var variable: TensorHead
  /// Declared order (the order eval, check and JSON list them in).
  public var statistics: [Statistic]
  public var ansatze: [CumulantAnsatz]
  /// The width normalising the finite-width statistics, n_{ℓ−1} for layer ℓ.
  public var suppression: Symbol
  /// The neural tangent kernel Ĥ_{j₁j₂;α₁α₂} of the incoming preactivation, when declared: a
  /// second field whose statistics are cumulants of Ĥ alone or jointly with z.
  public var kernel: TensorHead?

  public init(
    variable: TensorHead, statistics: [Statistic], ansatze: [CumulantAnsatz], suppression: Symbol,
    kernel: TensorHead? = nil
  ) {
    self.variable = variable
    self.statistics = statistics
    self.ansatze = ansatze
    self.suppression = suppression
    self.kernel = kernel
  }

  /// Whether an ansatz is a cumulant of the preactivation alone.
  public func isPreactivationOnly(_ a: CumulantAnsatz) -> Bool {
    a.fields.allSatisfy { $0 == variable.name }
  }

  public func statistic(named name: String) -> Statistic? {
    statistics.first { $0.name == name }
  }

  /// The leading metric: the order-0 statistic of the two-point ansatz.
  public var metric: Statistic {
    for a in ansatze where a.rank == 2 && isPreactivationOnly(a) {
      for t in a.terms where t.order == 0 {
        if let s = statistic(named: t.statistic) { return s }
      }
    }
    preconditionFailure("a compiled layer state has a metric")
  }

  /// The ansatz a statistic is defined in, and its term there (the first one it occurs in).
  public func definition(of name: String) -> (ansatz: CumulantAnsatz, term: CumulantTerm)? {
    for a in ansatze {
      if let t = a.terms.first(where: { $0.statistic == name }) { return (a, t) }
    }
    return nil
  }

  /// The nearly-Gaussian layer at `layer` that the cumulant expansion averages over: the metric
  /// as the Gaussian covariance, every term of order ≥ 1 as a component.
  public func nearlyGaussianLayer(at layer: Layer) -> NearlyGaussianLayer {
    let slotsFor = { (rank: Int) in (0..<rank).map { Index(.sample, .named("s\($0)")) } }
    let inverse = Expression.symbol(suppression, power: -1)
    var components: [CumulantComponent] = []
    var kernelMean: [CumulantComponent] = []
    for a in ansatze {
      let slots = slotsFor(a.slotCount)
      let kernelStarts = zip(a.fields, a.factorStarts).filter { $0.0 == kernel?.name }.map(\.1)
      let isMean = a.rank == 1 && kernelStarts == [0]
      for t in a.terms where t.order > 0 || isMean {
        guard let s = statistic(named: t.statistic) else { continue }
        var coefficient = Expression.tensor(s.head(layer: layer), t.arguments.map { slots[$0] })
        for _ in 0..<t.order { coefficient = inverse * coefficient }
        if t.coefficient != .one { coefficient = Expression(t.coefficient) * coefficient }
        let component = CumulantComponent(
          neuronBlocks: t.neuronBlocks, sampleSlots: slots, coefficient: coefficient,
          kernelStarts: kernelStarts)
        if isMean && t.order == 0 {
          kernelMean.append(component)
        } else {
          components.append(component)
        }
      }
    }
    return NearlyGaussianLayer(
      variable: variable, metric: metric.head(layer: layer), components: components,
      kernel: kernel.map { TensorHead($0.name, layer: layer) }, kernelMean: kernelMean)
  }

  /// The standard state of a preactivation z at order 1/n (PDLT ch. 4): a metric, its 1/n
  /// correction and the four-point vertex,
  ///   E_c[z z] = δ(metric + correction/n),   E_c[z z z z] = (1/n)[δδ vertex + 2 perms].
  /// The shorthand `incoming z[j;a] : nearly-gaussian metric K, correction G1, vertex V`
  /// declares it.
  public static func standard(
    variable: TensorHead, metric: String, correction: String?, vertex: String?,
    suppression: Symbol
  ) -> LayerStatistics {
    var statistics = [Statistic(name: metric, rank: 2, symmetry: .symmetric, order: 0)]
    var two = [
      CumulantTerm(
        coefficient: .one, neuronBlocks: [[0, 1]], statistic: metric, arguments: [0, 1], order: 0)
    ]
    if let correction {
      statistics.append(Statistic(name: correction, rank: 2, symmetry: .symmetric, order: 1))
      two.append(
        CumulantTerm(
          coefficient: .one, neuronBlocks: [[0, 1]], statistic: correction, arguments: [0, 1],
          order: 1))
    }
    let field = variable.name
    var ansatze = [CumulantAnsatz(fields: [field, field], terms: two)]
    if let vertex {
      statistics.append(Statistic(name: vertex, rank: 4, symmetry: .pairOfPairs, order: 1))
      let four = [[[0, 1], [2, 3]], [[0, 2], [1, 3]], [[0, 3], [1, 2]]].map { blocks in
        CumulantTerm(
          coefficient: .one, neuronBlocks: blocks, statistic: vertex,
          arguments: blocks.flatMap { $0 }, order: 1)
      }
      ansatze.append(CumulantAnsatz(fields: Array(repeating: field, count: 4), terms: four))
    }
    return LayerStatistics(
      variable: variable, statistics: statistics, ansatze: ansatze, suppression: suppression)
  }
}
