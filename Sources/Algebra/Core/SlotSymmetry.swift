/// A group of permutations of a factor's index slots: the one description of slot symmetry that
/// the algebra (``Factor/canonicalSlots()``, ``DummyCanonicalizer``) and the Wick engine's integer
/// monomials both use, so that a new symmetry is taught in one place.
///
/// Every symmetry met here is a direct product of *wreath products*: families of
/// interchangeable blocks of slots, the slots inside each block permuted by an inner symmetry.
///
/// | factor | symmetry |
/// |---|---|
/// | tensor without symmetry | ``none`` |
/// | K_{αβ} = K_{βα}, δ_{ab} = δ_{ba} | ``total``: every slot interchangeable |
/// | V_{(12)(34)} | ``pairOfPairs``: blocks {0,1} and {2,3}, each totally symmetric, interchangeable |
/// | B_{1234} = B_{3412} | blocks {0,1} and {2,3} interchangeable, no symmetry inside |
/// | D_{1234} = D_{2134} = D_{1243} | blocks {0,1} and {2,3}, each totally symmetric, one block per family |
/// | ⟨∂_{β₁}⋯∂_{β_k} f g g⟩ | the derivative slots, one block each; the slots of equal integrand factors, one block per factor, permuted inside by the factor's own symmetry |
///
/// **Canonical arrangement.** ``canonicalize(_:)`` puts each block in its inner canonical
/// arrangement and then sorts the blocks of each family (lexicographically) into the family's
/// block positions, which yields one member of the orbit, the same for every member: the
/// smallest arrangement when each family's blocks are contiguous and in increasing position.
///
/// **Slot classes.** ``slotClasses(arity:)`` labels slots so that slots exchanged by the group
/// get equal labels (the dummy canonicaliser's invariants): under ``total`` every slot has
/// class 0; otherwise a slot in no family keeps its position, and a family's slots come after all
/// positions, family by family, by their inner class.
public struct SlotSymmetry: Hashable, Sendable {
  /// A family of interchangeable blocks: `blockSize` consecutive slots from each of `starts`
  /// (disjoint blocks), permuted among themselves; `inner` permutes the slots of each block
  /// (positions relative to the block's first slot).
  public struct BlockFamily: Hashable, Sendable {
    public var starts: [Int]
    public var blockSize: Int
    public var inner: SlotSymmetry

    public init(starts: [Int], blockSize: Int, inner: SlotSymmetry = .none) {
      precondition(blockSize >= 1, "a block has at least one slot")
      self.starts = starts
      self.blockSize = blockSize
      self.inner = inner
    }
  }

  @usableFromInline
  enum Form: Hashable, Sendable {
    /// The trivial group.
    case trivial
    /// The full symmetric group on all slots.
    case total
    case families([BlockFamily])
    /// A small group given by all its elements (each the image positions of a permutation): the
    /// canonical arrangement is the lexicographically smallest image.
    case elements([[Int]])
  }

  @usableFromInline let form: Form

  @usableFromInline init(form: Form) { self.form = form }

  /// Block families on disjoint slots, in the order their slot classes are numbered; families
  /// without blocks are dropped. (A family of one block only applies its inner symmetry, but it
  /// still gives its slots a class of their own.)
  public init(families: [BlockFamily]) {
    let kept = families.filter { !$0.starts.isEmpty }
    form = kept.isEmpty ? .trivial : .families(kept)
  }

  /// No symmetry.
  public static let none = SlotSymmetry(form: .trivial)
  /// Every slot interchangeable with every other (K_{αβ}, δ_{ab}).
  public static let total = SlotSymmetry(form: .total)
  /// Four slots forming two totally symmetric pairs that may be swapped (V_{(12)(34)}).
  public static let pairOfPairs = SlotSymmetry(
    families: [BlockFamily(starts: [0, 2], blockSize: 2, inner: .total)])

  /// Four slots forming two ordered pairs that may be swapped, or both reversed at once
  /// (B_{1234} = B_{3412} = B_{2143} = B_{4321}, the Klein four-group): not a wreath product,
  /// so given by its elements.
  public static let pairExchange = SlotSymmetry(
    form: .elements([[0, 1, 2, 3], [2, 3, 0, 1], [1, 0, 3, 2], [3, 2, 1, 0]]))
  /// Four slots forming two symmetric pairs that stay in place (D_{1234} = D_{2134} = D_{1243}).
  public static let separatePairs = SlotSymmetry(
    families: [
      BlockFamily(starts: [0], blockSize: 2, inner: .total),
      BlockFamily(starts: [2], blockSize: 2, inner: .total),
    ])

  /// Whether the group is trivial.
  public var isTrivial: Bool {
    switch form {
    case .trivial: return true
    case .total: return false
    case .families(let f): return f.allSatisfy { $0.starts.count == 1 && $0.inner.isTrivial }
    case .elements(let g): return g.count <= 1
    }
  }

  /// The families of interchangeable blocks for `arity` slots.
  public func families(arity: Int) -> [BlockFamily] {
    switch form {
    case .trivial: return []
    case .total: return arity > 1 ? [BlockFamily(starts: Array(0..<arity), blockSize: 1)] : []
    case .families(let f): return f
    case .elements: return []
    }
  }

  /// Puts `slots` in the canonical arrangement of their orbit (see the type's documentation).
  @inlinable
  public func canonicalize<T: Comparable>(_ slots: inout [T]) {
    switch form {
    case .trivial: return
    case .total: slots.sort()
    case .families(let families):
      for f in families { f.canonicalize(&slots, offset: 0) }
    case .elements(let group):
      slots = Self.smallestImage(slots, group, offset: 0)
    }
  }

  /// The lexicographically smallest of the images of `slots[offset...]` under `group`.
  @usableFromInline
  static func smallestImage<T: Comparable>(_ slots: [T], _ group: [[Int]], offset: Int) -> [T] {
    var best = slots
    for p in group {
      var image = slots
      for (k, q) in p.enumerated() { image[offset + k] = slots[offset + q] }
      if image.lexicographicallyPrecedes(best) { best = image }
    }
    return best
  }

  /// `slots` in the canonical arrangement of their orbit.
  @inlinable
  public func canonicalSlots<T: Comparable>(_ slots: [T]) -> [T] {
    var s = slots
    canonicalize(&s)
    return s
  }

  @inlinable
  func canonicalize<T: Comparable>(_ slots: inout [T], offset: Int, count: Int) {
    switch form {
    case .trivial: return
    case .total: slots[offset..<(offset + count)].sort()
    case .families(let families):
      for f in families { f.canonicalize(&slots, offset: offset) }
    case .elements(let group):
      slots = Self.smallestImage(slots, group, offset: offset)
    }
  }

  /// A class label per slot, equal for slots that the group exchanges; labels depend on
  /// positions only (see the type's documentation).
  public func slotClasses(arity: Int) -> [Int] {
    switch form {
    case .trivial: return Array(0..<arity)
    case .total: return Array(repeating: 0, count: arity)
    case .families(let families):
      var classes = Array(0..<arity)
      var next = arity
      for f in families {
        let inner = f.inner.slotClasses(arity: f.blockSize)
        for s in f.starts {
          for (p, c) in inner.enumerated() { classes[s + p] = next + c }
        }
        next += (inner.max() ?? 0) + 1
      }
      return classes
    case .elements(let group):
      // The orbit of each slot, labelled by its smallest member.
      return (0..<arity).map { k in group.map { $0.firstIndex(of: k) ?? k }.min() ?? k }
    }
  }
}

extension SlotSymmetry.BlockFamily {
  @inlinable
  func canonicalize<T: Comparable>(_ slots: inout [T], offset: Int) {
    if blockSize == 1 {
      var values = starts.map { slots[offset + $0] }
      values.sort()
      for (k, s) in starts.enumerated() { slots[offset + s] = values[k] }
      return
    }
    for s in starts { inner.canonicalize(&slots, offset: offset + s, count: blockSize) }
    var blocks = starts.map { Array(slots[(offset + $0)..<(offset + $0 + blockSize)]) }
    blocks.sort { $0.lexicographicallyPrecedes($1) }
    for (k, s) in starts.enumerated() {
      slots.replaceSubrange((offset + s)..<(offset + s + blockSize), with: blocks[k])
    }
  }
}

extension TensorSymmetry {
  /// The slot symmetry of a tensor with this declared symmetry and `arity` slots. A pair of
  /// pairs needs four slots; with another arity it is no symmetry.
  public func slotSymmetry(arity: Int) -> SlotSymmetry {
    switch self {
    case .none: return .none
    case .symmetric: return .total
    case .pairOfPairs: return arity == 4 ? .pairOfPairs : .none
    case .pairExchange: return arity == 4 ? .pairExchange : .none
    case .separatePairs: return arity == 4 ? .separatePairs : .none
    }
  }
}
