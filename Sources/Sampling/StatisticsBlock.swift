/// The statistics of an aligned dyadic block of chunks: networks `lower ..< upper`, which are
/// chunks `index·2^level ..< (index+1)·2^level` of ``SamplingStatistics/chunkSize`` networks
/// each (chunk `c` holds networks `c·chunkSize ..< (c+1)·chunkSize`, counted from network 0 of
/// the run, not from the start of a range).
///
/// ## Why blocks
///
/// Merging moments (``SampleMoments/merge(_:)``) is exact in real arithmetic but not associative
/// in floating point. A total that is always reduced over the same binary tree of chunks is
/// therefore the same bits however the networks were split into runs: the driver folds chunks in
/// order like a binary counter (a block of level `j+1` is always `left.merge(right)` of its two
/// halves of level `j`), a partial run keeps the blocks it completed, and merging runs
/// re-combines sibling blocks into their parent (``SamplingStatistics/merge(_:)``). A run over
/// whole chunks `0 ..< C` — the unsharded check — and any split of it into runs of whole chunks —
/// its shards — end with the same blocks: the maximal aligned blocks of `0 ..< C`, one per binary
/// digit of `C`.
///
/// Invariants: `lower < upper`; every layer's moments count `upper − lower` networks. A block is
/// *full* when it covers its whole aligned range; only the last block of a run may be cut short
/// at its upper end (a partial last chunk), or at its lower end when a run starts inside a chunk.
public struct StatisticsBlock: Hashable, Sendable, Codable {
  /// The block's level: it spans `2^level` chunks.
  public let level: Int
  /// Its position among the blocks of its level.
  public let index: Int
  /// Its networks, `lower ..< upper`.
  public let lower: Int
  public let upper: Int
  /// One entry per layer, layer 1 first.
  public internal(set) var layers: [LayerStatistics]

  /// The largest level a block may have (2^40 chunks are far beyond any run).
  public static let maximumLevel = 40

  init(level: Int, index: Int, lower: Int, upper: Int, layers: [LayerStatistics]) {
    self.level = level
    self.index = index
    self.lower = lower
    self.upper = upper
    self.layers = layers
  }

  /// The networks of the block's aligned range, `start ..< end`.
  public var alignedRange: Range<Int> {
    let span = SamplingStatistics.chunkSize << level
    return index * span..<(index + 1) * span
  }

  /// Whether the block covers exactly its aligned range.
  public var isFull: Bool { alignedRange == lower..<upper }

  /// Whether `self` (left) and `right` are the two halves of one block of the next level:
  /// `self` full, `right` its right sibling starting where `self` ends (it may be cut short at
  /// its upper end).
  func isLeftSibling(of right: StatisticsBlock) -> Bool {
    level == right.level && level < Self.maximumLevel && index % 2 == 0
      && right.index == index + 1 && isFull && right.lower == upper
      && right.lower == right.alignedRange.lowerBound
  }

  /// The parent of `self` and its right sibling `right` (see ``isLeftSibling(of:)``):
  /// `self`'s moments merged with `right`'s, in that order.
  func mergedWithRightSibling(_ right: StatisticsBlock) -> StatisticsBlock {
    var parent = StatisticsBlock(
      level: level + 1, index: index / 2, lower: lower, upper: right.upper, layers: layers)
    for k in parent.layers.indices { parent.layers[k].merge(right.layers[k]) }
    return parent
  }
}

extension [StatisticsBlock] {
  /// Pushes `block` (which starts where the last block ends) and merges sibling pairs at the
  /// end, as a binary counter carries: afterwards no two adjacent blocks at the end are
  /// siblings.
  mutating func pushMerging(_ block: StatisticsBlock) {
    append(block)
    while count >= 2, self[count - 2].isLeftSibling(of: self[count - 1]) {
      let right = removeLast()
      let left = removeLast()
      append(left.mergedWithRightSibling(right))
    }
  }

  /// The blocks of two runs over disjoint network ranges, sorted by network and with every
  /// sibling pair merged into its parent, bottom-up: the same blocks, bit for bit, however the
  /// networks were split (for runs of whole chunks).
  func mergingBlocks(of other: [StatisticsBlock]) -> [StatisticsBlock] {
    var result: [StatisticsBlock] = []
    for block in (self + other).sorted(by: { $0.lower < $1.lower }) {
      result.pushMerging(block)
    }
    return result
  }
}
