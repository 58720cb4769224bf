/// The declared permutation symmetry of a tensor's index slots.
///
/// Every symmetry here is a wreath product "blocks of symmetric slots, blocks interchangeable",
/// whose lexicographically smallest representative is found by sorting inside the blocks and
/// then sorting the blocks. ``slotSymmetry(arity:)`` gives the group as a ``SlotSymmetry``, the
/// one description that ``Tensor/canonicalSlots()``, the dummy canonicaliser and the Wick engine
/// use: a new declared symmetry is a new case here and its ``SlotSymmetry`` there.
public enum TensorSymmetry: Int, Hashable, Comparable, Sendable {
  /// No symmetry.
  case none = 0
  /// Totally symmetric in all slots (K_{αβ} = K_{βα}).
  case symmetric = 1
  /// Four slots forming two symmetric pairs that may be swapped:
  /// V_{(12)(34)} = V_{(21)(34)} = V_{(12)(43)} = V_{(34)(12)}.
  case pairOfPairs = 2
  /// Four slots forming two ordered pairs that may be swapped, or both reversed at once:
  /// B_{1234} = B_{3412} = B_{2143} (the NTK variance's cross term, FORMULAS.md §12).
  case pairExchange = 3
  /// Four slots forming two symmetric pairs that may not be swapped:
  /// D_{1234} = D_{2134} = D_{1243} (the NTK–preactivation cross-correlation, FORMULAS.md §12).
  case separatePairs = 4

  public static func < (lhs: TensorSymmetry, rhs: TensorSymmetry) -> Bool {
    lhs.rawValue < rhs.rawValue
  }

  /// The number of slots the symmetry needs (nil: any number).
  public var slotCount: Int? {
    switch self {
    case .none, .symmetric: return nil
    case .pairOfPairs, .pairExchange, .separatePairs: return 4
    }
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

  /// The slot symmetry of the component (its head's declared symmetry for its arity).
  public var slotSymmetry: SlotSymmetry { head.symmetry.slotSymmetry(arity: indices.count) }

  /// The indices rearranged into the lexicographically smallest order allowed by the head's
  /// symmetry (for the current index labels).
  public func canonicalSlots() -> Tensor {
    precondition(
      head.symmetry.slotCount.map { $0 == indices.count } ?? true,
      "a tensor of this symmetry has four slots")
    return Tensor(head, slotSymmetry.canonicalSlots(indices))
  }

  public static func < (lhs: Tensor, rhs: Tensor) -> Bool {
    lhs.head != rhs.head ? lhs.head < rhs.head : lhs.indices.lexicographicallyPrecedes(rhs.indices)
  }
}
