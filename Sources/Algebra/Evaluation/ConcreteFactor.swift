/// A factor with every index replaced by a concrete value (0-based), in the canonical
/// arrangement of its declared symmetry: the key under which an ``ExactValueTable`` is asked for
/// a value.
///
/// Concrete indices carry no space: a slot's space is fixed by its position in the head.
public indirect enum ConcreteFactor: Hashable, Comparable, Sendable {
  /// A Kronecker δ (only met inside Gaussian-average integrands; elsewhere δ's evaluate to 0/1).
  /// Stored with the smaller value first.
  case delta(Int, Int)
  /// A tensor component at its symmetry-canonical index tuple.
  case tensor(TensorHead, [Int])
  /// σ^{(derivative)} of one tensor component (the argument tuple is symmetry-canonical).
  case function(ConcreteFunction)
  /// A Gaussian-average atom with concrete sample indices.
  case average(ConcreteAverage)

  var kindRank: Int {
    switch self {
    case .delta: return 0
    case .tensor: return 1
    case .function: return 2
    case .average: return 3
    }
  }

  public static func < (lhs: ConcreteFactor, rhs: ConcreteFactor) -> Bool {
    switch (lhs, rhs) {
    case (.delta(let a1, let b1), .delta(let a2, let b2)):
      return a1 != a2 ? a1 < a2 : b1 < b2
    case (.tensor(let h1, let i1), .tensor(let h2, let i2)):
      return h1 != h2 ? h1 < h2 : i1.lexicographicallyPrecedes(i2)
    case (.function(let f1), .function(let f2)): return f1 < f2
    case (.average(let g1), .average(let g2)): return g1 < g2
    default: return lhs.kindRank < rhs.kindRank
    }
  }
}

/// σ^{(k)}(x_{i₁…}) at concrete indices: the key of a function value.
public struct ConcreteFunction: Hashable, Comparable, Sendable {
  public var head: FunctionHead
  public var derivative: Int
  /// The head of the argument tensor (z, …).
  public var argumentHead: TensorHead
  /// The argument's concrete indices, symmetry-canonical for `argumentHead`.
  public var argumentIndices: [Int]

  public init(head: FunctionHead, derivative: Int, argumentHead: TensorHead, argumentIndices: [Int])
  {
    self.head = head
    self.derivative = derivative
    self.argumentHead = argumentHead
    self.argumentIndices = argumentIndices
  }

  public static func < (lhs: ConcreteFunction, rhs: ConcreteFunction) -> Bool {
    if lhs.head != rhs.head { return lhs.head < rhs.head }
    if lhs.derivative != rhs.derivative { return lhs.derivative < rhs.derivative }
    if lhs.argumentHead != rhs.argumentHead { return lhs.argumentHead < rhs.argumentHead }
    return lhs.argumentIndices.lexicographicallyPrecedes(rhs.argumentIndices)
  }
}

/// ⟨∂_{β₁}⋯∂_{β_k} F⟩_K at concrete sample indices, canonical under its symmetries: the derivative
/// values are sorted (derivatives commute) and the integrand factors are sorted (the integrand is
/// a commutative product, identical factors are interchangeable).
public struct ConcreteAverage: Hashable, Comparable, Sendable {
  public var metric: TensorHead
  public var derivatives: [Int]
  public var integrand: [ConcreteFactor]

  /// Builds the canonical atom: sorts `derivatives` and `integrand`.
  public init(metric: TensorHead, derivatives: [Int], integrand: [ConcreteFactor]) {
    self.metric = metric
    self.derivatives = derivatives.sorted()
    self.integrand = integrand.sorted()
  }

  public static func < (lhs: ConcreteAverage, rhs: ConcreteAverage) -> Bool {
    if lhs.metric != rhs.metric { return lhs.metric < rhs.metric }
    if lhs.derivatives != rhs.derivatives {
      return lhs.derivatives.lexicographicallyPrecedes(rhs.derivatives)
    }
    return lhs.integrand.lexicographicallyPrecedes(rhs.integrand)
  }
}

extension TensorSymmetry {
  /// The canonical representative of `values` under this symmetry, computed on concrete values
  /// independently of ``Tensor/canonicalSlots()`` (the evaluator is the reference the symbolic
  /// code is checked against). Nil when the arity does not fit the symmetry.
  func canonicalTuple(_ values: [Int]) -> [Int]? {
    switch self {
    case .none:
      return values
    case .symmetric:
      return values.sorted()
    case .pairOfPairs:
      guard values.count == 4 else { return nil }
      let p = [min(values[0], values[1]), max(values[0], values[1])]
      let q = [min(values[2], values[3]), max(values[2], values[3])]
      return q.lexicographicallyPrecedes(p) ? q + p : p + q
    case .pairExchange:
      guard values.count == 4 else { return nil }
      let v = values
      return [v, [v[2], v[3], v[0], v[1]], [v[1], v[0], v[3], v[2]], [v[3], v[2], v[1], v[0]]]
        .min { $0.lexicographicallyPrecedes($1) }
    case .separatePairs:
      guard values.count == 4 else { return nil }
      return [min(values[0], values[1]), max(values[0], values[1])]
        + [min(values[2], values[3]), max(values[2], values[3])]
    }
  }
}
