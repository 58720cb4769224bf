/// A multiplicative atom of a ``Term``.
///
/// Factors commute. Each factor exposes its index *slots* in a fixed order (``slots``) and can be
/// rebuilt with new indices in the same slots (``withSlots(_:)``), which is all the dummy
/// canonicaliser needs to know about it, together with ``canonicalSlots()`` (the smallest
/// arrangement allowed by the factor's symmetries) and ``slotClasses()``.
public indirect enum Factor: Hashable, Comparable, Sendable {
  /// Kronecker δ of two indices of the same space.
  case delta(Index, Index)
  /// A tensor component (couplings-free): K_{αβ}, W_{ij}, z_{j;α}, …
  case tensor(Tensor)
  /// An opaque function of one component of an indexed variable: σ^{(k)}(z_{j;α}).
  case function(FunctionApplication)
  /// A single-neuron Gaussian average ⟨∂⋯∂ F⟩_K.
  case average(GaussianAverage)
  /// A parenthesised sum, produced by multiplying sums; removed by ``Expression/expanded()``.
  /// Indices summed inside are local to it.
  case parenthesized(Expression)

  var kindRank: Int {
    switch self {
    case .delta: return 0
    case .tensor: return 1
    case .function: return 2
    case .average: return 3
    case .parenthesized: return 4
    }
  }

  /// The factor's index slots, in a fixed order. A parenthesised sum exposes no slots.
  public var slots: [Index] {
    switch self {
    case .delta(let a, let b): return [a, b]
    case .tensor(let t): return t.indices
    case .function(let f): return f.argument.indices
    case .average(let g):
      var s = g.derivatives
      for f in g.integrand { s.append(contentsOf: f.slots) }
      s.append(contentsOf: g.feedback)
      return s
    case .parenthesized: return []
    }
  }

  /// The same factor with the slots filled by `newSlots` (same length and order as ``slots``).
  public func withSlots(_ newSlots: [Index]) -> Factor {
    switch self {
    case .delta: return .delta(newSlots[0], newSlots[1])
    case .tensor(let t): return .tensor(Tensor(t.head, newSlots))
    case .function(let f):
      return .function(
        FunctionApplication(f.head, derivative: f.derivative, Tensor(f.argument.head, newSlots)))
    case .average(let g):
      var k = g.derivatives.count
      let derivs = Array(newSlots[0..<k])
      var integrand: [Factor] = []
      integrand.reserveCapacity(g.integrand.count)
      for f in g.integrand {
        let c = f.slots.count
        integrand.append(f.withSlots(Array(newSlots[k..<(k + c)])))
        k += c
      }
      return .average(
        GaussianAverage(
          metric: g.metric, derivatives: derivs, integrand: integrand,
          feedback: Array(newSlots[k..<(k + g.feedback.count)])))
    case .parenthesized: return self
    }
  }

  /// The factor with its slots in the smallest arrangement its symmetries allow, for the
  /// current labels.
  public func canonicalSlots() -> Factor {
    switch self {
    case .delta(let a, let b): return b < a ? .delta(b, a) : self  // ``SlotSymmetry/total``
    case .tensor(let t): return .tensor(t.canonicalSlots())
    case .function(let f):
      // σ(K_{βα}) = σ(K_{αβ}): the argument is a tensor component with its head's symmetry.
      return .function(
        FunctionApplication(f.head, derivative: f.derivative, f.argument.canonicalSlots()))
    case .average(let g):
      return .average(
        GaussianAverage(
          metric: g.metric, derivatives: g.derivatives.sorted(),
          integrand: g.integrand.map { $0.canonicalSlots() }.sorted(), feedback: g.feedback.sorted()
        ))
    case .parenthesized: return self
    }
  }

  /// The permutations of ``slots`` that leave the factor's value unchanged (for a Gaussian
  /// average: with its integrand in its current order; see ``SlotSymmetry``).
  public var slotSymmetry: SlotSymmetry {
    switch self {
    case .delta: return .total
    case .tensor(let t): return t.slotSymmetry
    case .function(let f): return f.argument.slotSymmetry
    case .average(let g):
      // The derivatives commute; integrand factors of equal shape are interchangeable blocks
      // (families in the order of their shapes), each permuted inside by its own symmetry; the
      // feedback pair is symmetric.
      var families = [
        SlotSymmetry.BlockFamily(starts: Array(0..<g.derivatives.count), blockSize: 1)
      ]
      var starts: [Factor: [Int]] = [:]
      var inner: [Factor: SlotSymmetry] = [:]
      var position = g.derivatives.count
      for f in g.integrand {
        let shape = f.nameShape()
        starts[shape, default: []].append(position)
        inner[shape] = f.slotSymmetry
        position += f.slots.count
      }
      for shape in starts.keys.sorted() where !shape.slots.isEmpty {
        families.append(
          SlotSymmetry.BlockFamily(
            starts: starts[shape] ?? [], blockSize: shape.slots.count, inner: inner[shape] ?? .none
          ))
      }
      if !g.feedback.isEmpty {
        families.append(
          SlotSymmetry.BlockFamily(
            starts: Array(position..<(position + g.feedback.count)), blockSize: 1))
      }
      return SlotSymmetry(families: families)
    case .parenthesized: return .none
    }
  }

  /// A class label for each slot such that slots exchanged by the symmetry get equal labels.
  /// Labels must not depend on index names (they feed the dummy invariants).
  public func slotClasses() -> [Int] { slotSymmetry.slotClasses(arity: slots.count) }

  /// The factor with every slot index replaced by a placeholder: equal for factors that differ
  /// only in their indices.
  func nameShape() -> Factor {
    let placeholder = Index(.sample, .dummy(-1))
    return withSlots(Array(repeating: placeholder, count: slots.count))
  }

  public static func < (lhs: Factor, rhs: Factor) -> Bool {
    switch (lhs, rhs) {
    case (.delta(let a1, let b1), .delta(let a2, let b2)):
      return a1 != a2 ? a1 < a2 : b1 < b2
    case (.tensor(let a), .tensor(let b)): return a < b
    case (.function(let a), .function(let b)): return a < b
    case (.average(let a), .average(let b)): return a < b
    case (.parenthesized(let a), .parenthesized(let b)):
      return a.terms.lexicographicallyPrecedes(b.terms)
    default: return lhs.kindRank < rhs.kindRank
    }
  }
}
