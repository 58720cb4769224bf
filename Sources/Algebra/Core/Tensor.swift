/// The declared permutation symmetry of a tensor's index slots.
///
/// Every symmetry here is a wreath product "blocks of symmetric slots, blocks interchangeable",
/// whose lexicographically smallest representative is found by sorting inside the blocks and
/// then sorting the blocks — which is what ``Tensor/canonicalSlots()`` does.
public enum TensorSymmetry: Int, Hashable, Comparable, Sendable {
  /// No symmetry.
  case none = 0
  /// Totally symmetric in all slots (K_{αβ} = K_{βα}).
  case symmetric = 1
  /// Four slots forming two symmetric pairs that may be swapped:
  /// V_{(12)(34)} = V_{(21)(34)} = V_{(12)(43)} = V_{(34)(12)}.
  case pairOfPairs = 2

  public static func < (lhs: TensorSymmetry, rhs: TensorSymmetry) -> Bool {
    lhs.rawValue < rhs.rawValue
  }
}

/// The name of a tensor together with its layer label and symmetry: K^{(ℓ)}, V^{(ℓ)}, W^{(ℓ+1)},
/// the preactivation z^{(ℓ)}, an input x.
public struct TensorHead: Hashable, Comparable, Sendable {
  public var name: String
  public var layer: Layer?
  public var symmetry: TensorSymmetry

  public init(_ name: String, layer: Layer? = nil, symmetry: TensorSymmetry = .none) {
    self.name = name
    self.layer = layer
    self.symmetry = symmetry
  }

  public static func < (lhs: TensorHead, rhs: TensorHead) -> Bool {
    if lhs.name != rhs.name { return lhs.name < rhs.name }
    if lhs.layer != rhs.layer { return Layer?.precedes(lhs.layer, rhs.layer) }
    return lhs.symmetry < rhs.symmetry
  }
}

/// A tensor component: a head applied to indices.
public struct Tensor: Hashable, Comparable, Sendable {
  public var head: TensorHead
  public var indices: [Index]

  public init(_ head: TensorHead, _ indices: [Index]) {
    self.head = head
    self.indices = indices
  }

  /// The indices rearranged into the lexicographically smallest order allowed by the head's
  /// symmetry (for the current index labels).
  public func canonicalSlots() -> Tensor {
    switch head.symmetry {
    case .none:
      return self
    case .symmetric:
      return Tensor(head, indices.sorted())
    case .pairOfPairs:
      precondition(indices.count == 4, "a pair-of-pairs tensor has four slots")
      var p = [indices[0], indices[1]].sorted()
      var q = [indices[2], indices[3]].sorted()
      if q.lexicographicallyPrecedes(p) { swap(&p, &q) }
      return Tensor(head, p + q)
    }
  }

  /// Equivalence classes of slots under the symmetry (used for dummy invariants).
  func slotClasses() -> [Int] {
    switch head.symmetry {
    case .none: return Array(indices.indices)
    case .symmetric, .pairOfPairs: return Array(repeating: 0, count: indices.count)
    }
  }

  public static func < (lhs: Tensor, rhs: Tensor) -> Bool {
    lhs.head != rhs.head ? lhs.head < rhs.head : lhs.indices.lexicographicallyPrecedes(rhs.indices)
  }
}
