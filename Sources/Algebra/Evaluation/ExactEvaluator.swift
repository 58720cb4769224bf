import Rational

/// The reference semantics of the algebra: the exact value of an ``Expression`` at concrete data.
///
/// An expression is a number once every symbol has a value, every index space a size, every
/// opaque atom (tensor component, function value, Gaussian-average atom) a value at concrete
/// indices, and every free index a concrete value. This type computes that number exactly, by
/// brute force, with no simplification at all:
///
/// - a neuron index of layer ℓ runs over `0..<widths[ℓ]`, a sample index over `0..<samples`;
///   the width symbol n_ℓ evaluates to `widths[ℓ]` and N_D to `samples`, so that "Σ_j 1 = n_ℓ"
///   holds by construction; other symbols take their values from `symbols`;
/// - every term is its coefficient times its scalar powers times the sum, over all concrete
///   values of its `summed` indices, of the product of its factors; an index of a `distinct`
///   group must differ from every other member of the group (members may also be free indices,
///   as left by δ contraction, and then take their given values); a summed index met in no factor
///   still runs over its whole range;
/// - δ_{ab} is 1 when the two values agree and 0 otherwise;
/// - a tensor component is `valueTable.tensor(head, tuple)` at the tuple rearranged into the
///   canonical arrangement of the head's declared symmetry (so K_{αβ} = K_{βα} and
///   V_{(αβ)(γδ)} = V_{(βα)(γδ)} = V_{(γδ)(αβ)} hold exactly);
/// - σ^{(k)}(z_{j;α}) is `valueTable.function` at (σ, k, z, (j, α)), given also the value of
///   z_{j;α} itself;
/// - a Gaussian-average atom is `valueTable.average` at its concrete key, which is invariant
///   under permuting derivative indices and integrand factors;
/// - a parenthesised factor is evaluated recursively, its own summed indices being local to it
///   (they shadow outer indices of the same name) and its free indices taking the values of the
///   enclosing scope.
///
/// The cost is the product of the ranges of each term's summed indices, so use small widths
/// (2 or 3) and few dummies. The canonical symmetric arrangements are computed here on integers,
/// independently of the symbolic code in ``Tensor`` and ``Factor``, so that the evaluator can
/// serve as an oracle for every pass: a pass is correct iff it preserves the value for all data.
///
/// ```swift
/// let evaluator = ExactEvaluator(
///   widths: [.ell: 3], samples: 2, symbols: [.parameter("C_W"): 2],
///   valueTable: .seeded(42))
/// let v = try evaluator.value(of: expression, free: [.sample("a"): 0, .sample("b"): 1])
/// ```
public struct ExactEvaluator: Sendable {
  /// The width of each layer: the range of its neuron indices and the value of its width symbol.
  public var widths: [Layer: Int]
  /// The number of samples: the range of sample indices and the value of N_D.
  public var samples: Int
  /// Values of all other scalar symbols (couplings, parameters).
  public var symbols: [Symbol: Rational]
  /// Values of tensors, functions and Gaussian-average atoms at concrete indices.
  public var valueTable: ExactValueTable

  public init(
    widths: [Layer: Int], samples: Int, symbols: [Symbol: Rational] = [:],
    valueTable: ExactValueTable
  ) {
    self.widths = widths
    self.samples = samples
    self.symbols = symbols
    self.valueTable = valueTable
  }

  /// The number of values an index of `space` takes.
  public func range(of space: IndexSpace) throws -> Int {
    switch space {
    case .sample: return samples
    case .neuron(let layer):
      guard let n = widths[layer] else { throw ExactEvaluationError.missingWidth(layer) }
      return n
    }
  }

  /// The value of a scalar symbol: widths and the sample count come from the index ranges.
  public func value(of symbol: Symbol) throws -> Rational {
    switch symbol.kind {
    case .width:
      if let layer = symbol.layer { return Rational(try range(of: .neuron(layer))) }
    case .sampleCount:
      return Rational(samples)
    case .parameter:
      break
    }
    guard let v = symbols[symbol] else { throw ExactEvaluationError.missingSymbol(symbol) }
    return v
  }

  /// The exact value of `expression` with its free indices set to the values in `free`
  /// (0-based; entries for indices that do not occur are ignored).
  ///
  /// - Throws: ``ExactEvaluationError`` when an index is neither summed nor given, a value is
  ///   out of range, a width or symbol has no value, or a factor is malformed.
  public func value(of expression: Expression, free: [Index: Int] = [:]) throws -> Rational {
    for (index, v) in free {
      let n = try range(of: index.space)
      guard v >= 0 && v < n else {
        throw ExactEvaluationError.indexOutOfRange(index, value: v, range: n)
      }
    }
    return try sum(expression, environment: free)
  }

  /// The exact value of a single term, as an expression of one term.
  public func value(of term: Term, free: [Index: Int] = [:]) throws -> Rational {
    try value(of: Expression([term]), free: free)
  }

  // MARK: Implementation

  func sum(_ expression: Expression, environment: [Index: Int]) throws -> Rational {
    var total = Rational.zero
    for t in expression.terms { total = total + (try value(t, environment: environment)) }
    return total
  }

  /// A factor with its indices resolved to positions in the term's value array.
  indirect enum CompiledFactor {
    case delta(Int, Int)
    case tensor(TensorHead, [Int])
    case function(FunctionHead, derivative: Int, argument: TensorHead, [Int])
    case average(metric: TensorHead, derivatives: [Int], integrand: [CompiledFactor])
    case parenthesized(Expression, [(Index, Int)])
  }

  func value(_ term: Term, environment: [Index: Int]) throws -> Rational {
    if term.coefficient.isZero { return .zero }
    let m = term.monomial
    var prefactor = term.coefficient
    for p in m.scalars {
      let base = try value(of: p.symbol)
      if base.isZero && p.exponent < 0 {
        throw ExactEvaluationError.zeroToNegativePower(p.symbol)
      }
      prefactor = prefactor * base.power(p.exponent)
    }

    // Value slots: the environment, then one per summed index (shadowing the environment).
    // Summed indices are looped over in order of first occurrence in the factors, so that
    // factors become complete (and zeros prune) as early as possible.
    var slotOf: [Index: Int] = [:]
    var values: [Int] = []
    for (index, v) in environment {
      slotOf[index] = values.count
      values.append(v)
    }
    var order: [Index] = []
    var seen: Set<Index> = []
    let summedSet = Set(m.summed)
    for i in m.slotIndices + m.summed where summedSet.contains(i) && !seen.contains(i) {
      seen.insert(i)
      order.append(i)
    }
    var loopSlots: [Int] = []
    var ranges: [Int] = []
    for s in order {
      slotOf[s] = values.count
      loopSlots.append(values.count)
      values.append(0)
      ranges.append(try range(of: s.space))
    }
    func slot(_ i: Index) throws -> Int {
      guard let s = slotOf[i] else { throw ExactEvaluationError.unboundIndex(i) }
      return s
    }
    let loopPosition = Dictionary(uniqueKeysWithValues: loopSlots.enumerated().map { ($1, $0) })

    // Distinctness: each pair is checked when the later of its two loop slots is assigned
    // (pairs of environment values are checked once, up front).
    var checksAt = Array(repeating: [(Int, Int)](), count: loopSlots.count)
    for group in m.distinct {
      guard let first = group.first, group.allSatisfy({ $0.space == first.space }) else {
        if group.isEmpty { continue }
        throw ExactEvaluationError.distinctGroupMixesSpaces(group)
      }
      let slots = try group.map(slot)
      for a in slots.indices {
        for b in slots.indices where a < b {
          let pa = loopPosition[slots[a]] ?? -1
          let pb = loopPosition[slots[b]] ?? -1
          if pa < 0 && pb < 0 {
            if values[slots[a]] == values[slots[b]] { return .zero }
          } else {
            checksAt[max(pa, pb)].append((slots[a], slots[b]))
          }
        }
      }
    }

    // Each factor is tabulated once over the loop variables it depends on; the sum then only
    // multiplies table entries, each factor at the depth where its last variable is assigned.
    var factorsAt = Array(repeating: [Tabulated](), count: loopSlots.count + 1)
    for factor in m.factors {
      let compiled = try compile(factor, slot: slot)
      let positions = Set(dependencies(compiled).compactMap { loopPosition[$0] }).sorted()
      var strides: [Int] = []
      var size = 1
      for p in positions {
        strides.append(size)
        size *= ranges[p]
      }
      var table: [Rational] = []
      table.reserveCapacity(size)
      for cell in 0..<size {
        var rest = cell
        for p in positions {
          values[loopSlots[p]] = rest % ranges[p]
          rest /= ranges[p]
        }
        table.append(try evaluate(compiled, values: values))
      }
      let tabulated = Tabulated(
        slots: positions.map { loopSlots[$0] }, strides: strides, table: table)
      factorsAt[(positions.last ?? -1) + 1].append(tabulated)
    }

    var total = Rational.zero
    func loop(_ depth: Int, _ partial: Rational) {
      var product = partial
      for f in factorsAt[depth] {
        var cell = 0
        for (s, stride) in zip(f.slots, f.strides) { cell += values[s] * stride }
        product = product * f.table[cell]
        if product.isZero { return }
      }
      if depth == loopSlots.count {
        total = total + product
        return
      }
      let s = loopSlots[depth]
      assignment: for v in 0..<ranges[depth] {
        values[s] = v
        for (a, b) in checksAt[depth] where values[a] == values[b] { continue assignment }
        loop(depth + 1, product)
      }
    }
    loop(0, .one)
    return prefactor * total
  }

  /// A factor's values over the loop variables it depends on.
  struct Tabulated {
    var slots: [Int]
    var strides: [Int]
    var table: [Rational]
  }

  /// The value slots a compiled factor reads.
  func dependencies(_ f: CompiledFactor) -> [Int] {
    switch f {
    case .delta(let a, let b): return [a, b]
    case .tensor(_, let slots), .function(_, _, _, let slots): return slots
    case .average(_, let derivatives, let integrand):
      return derivatives + integrand.flatMap(dependencies)
    case .parenthesized(_, let scope): return scope.map(\.1)
    }
  }

  func compile(
    _ factor: Factor, slot: (Index) throws -> Int, insideAverage: Bool = false
  ) throws -> CompiledFactor {
    switch factor {
    case .delta(let a, let b):
      return .delta(try slot(a), try slot(b))
    case .tensor(let t):
      if let k = t.head.symmetry.slotCount, t.indices.count != k {
        throw ExactEvaluationError.malformedFactor(
          "tensor \(t.head.name) of a four-slot symmetry without 4 indices")
      }
      return .tensor(t.head, try t.indices.map(slot))
    case .function(let f):
      if let k = f.argument.head.symmetry.slotCount, f.argument.indices.count != k {
        throw ExactEvaluationError.malformedFactor("pair-of-pairs argument without 4 indices")
      }
      return .function(
        f.head, derivative: f.derivative, argument: f.argument.head,
        try f.argument.indices.map(slot))
    case .average(let g):
      if g.isFeedback {
        throw ExactEvaluationError.malformedFactor(
          "a self-feedback atom (a covariance over a neuron's path) has no exact value")
      }
      return .average(
        metric: g.metric, derivatives: try g.derivatives.map(slot),
        integrand: try g.integrand.map { try compile($0, slot: slot, insideAverage: true) })
    case .parenthesized(let e):
      if insideAverage {
        throw ExactEvaluationError.malformedFactor("parenthesised sum inside a Gaussian average")
      }
      return .parenthesized(e, try e.freeIndices.map { ($0, try slot($0)) })
    }
  }

  func evaluate(_ f: CompiledFactor, values: [Int]) throws -> Rational {
    switch f {
    case .delta(let a, let b):
      return values[a] == values[b] ? .one : .zero
    case .tensor(let head, let slots):
      return valueTable.tensor(head, canonical(head, slots, values))
    case .function(let head, let k, let argument, let slots):
      let indices = canonical(argument, slots, values)
      let x = valueTable.tensor(argument, indices)
      let key = ConcreteFunction(
        head: head, derivative: k, argumentHead: argument, argumentIndices: indices)
      return valueTable.function(key, x)
    case .average(let metric, let derivatives, let integrand):
      return valueTable.average(
        ConcreteAverage(
          metric: metric, derivatives: derivatives.map { values[$0] },
          integrand: integrand.map { concrete($0, values: values) }))
    case .parenthesized(let e, let scope):
      var environment: [Index: Int] = [:]
      for (index, s) in scope { environment[index] = values[s] }
      return try sum(e, environment: environment)
    }
  }

  /// The concrete key of a compiled factor inside (or being) a Gaussian-average atom.
  func concrete(_ f: CompiledFactor, values: [Int]) -> ConcreteFactor {
    switch f {
    case .delta(let a, let b):
      return .delta(min(values[a], values[b]), max(values[a], values[b]))
    case .tensor(let head, let slots):
      return .tensor(head, canonical(head, slots, values))
    case .function(let head, let k, let argument, let slots):
      return .function(
        ConcreteFunction(
          head: head, derivative: k, argumentHead: argument,
          argumentIndices: canonical(argument, slots, values)))
    case .average(let metric, let derivatives, let integrand):
      return .average(
        ConcreteAverage(
          metric: metric, derivatives: derivatives.map { values[$0] },
          integrand: integrand.map { concrete($0, values: values) }))
    case .parenthesized:
      preconditionFailure("compile rejects parenthesised sums inside Gaussian averages")
    }
  }

  func canonical(_ head: TensorHead, _ slots: [Int], _ values: [Int]) -> [Int] {
    // Arity was checked in `compile`, so the symmetry always applies.
    head.symmetry.canonicalTuple(slots.map { values[$0] }) ?? slots.map { values[$0] }
  }
}

/// Why an expression could not be evaluated.
public enum ExactEvaluationError: Error, Hashable, Sendable {
  /// No width was given for a layer whose indices or width symbol occur.
  case missingWidth(Layer)
  /// No value was given for a scalar symbol.
  case missingSymbol(Symbol)
  /// An index is neither summed nor given a value.
  case unboundIndex(Index)
  /// A given value lies outside the index's range.
  case indexOutOfRange(Index, value: Int, range: Int)
  /// A symbol with value 0 occurs with a negative exponent.
  case zeroToNegativePower(Symbol)
  /// A distinctness group mixes indices of different spaces (meaningless).
  case distinctGroupMixesSpaces([Index])
  /// A factor does not fit its head (e.g. a pair-of-pairs tensor without four indices).
  case malformedFactor(String)
}
