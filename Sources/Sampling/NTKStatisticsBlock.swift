/// The NTK moments of an aligned dyadic block of chunks, per layer: the NTK counterpart of
/// ``StatisticsBlock``, reduced over the same binary tree of chunks, so that the NTK statistics
/// of a run of whole chunks and of any split of it into such runs (shards) merge into the same
/// bits.
///
/// Invariants: `lower < upper`; every layer's moments count `upper − lower` networks.
public struct NTKStatisticsBlock: Hashable, Sendable, Codable {
  /// Spans `2^level` chunks of ``SamplingStatistics/chunkSize`` networks.
  public let level: Int
  /// Its position among the blocks of its level.
  public let index: Int
  /// Its networks, `lower ..< upper`.
  public let lower: Int
  public let upper: Int
  /// Moments of the ``NTKStatisticsLayout`` vector, one entry per layer.
  public internal(set) var moments: [SampleMoments]

  init(level: Int, index: Int, lower: Int, upper: Int, moments: [SampleMoments]) {
    self.level = level
    self.index = index
    self.lower = lower
    self.upper = upper
    self.moments = moments
  }

  /// The networks of the block's aligned range.
  public var alignedRange: Range<Int> {
    let span = SamplingStatistics.chunkSize << level
    return index * span..<(index + 1) * span
  }

  /// Whether the block covers exactly its aligned range.
  public var isFull: Bool { alignedRange == lower..<upper }

  /// Whether `self` and `right` are the two halves of one block of the next level (as
  /// ``StatisticsBlock``'s rule).
  func isLeftSibling(of right: NTKStatisticsBlock) -> Bool {
    level == right.level && level < StatisticsBlock.maximumLevel && index % 2 == 0
      && right.index == index + 1 && isFull && right.lower == upper
      && right.lower == right.alignedRange.lowerBound
  }

  /// The parent: `self`'s moments merged with `right`'s, in that order.
  func mergedWithRightSibling(_ right: NTKStatisticsBlock) -> NTKStatisticsBlock {
    var parent = NTKStatisticsBlock(
      level: level + 1, index: index / 2, lower: lower, upper: right.upper, moments: moments)
    for k in parent.moments.indices { parent.moments[k].merge(right.moments[k]) }
    return parent
  }
}

extension [NTKStatisticsBlock] {
  /// Pushes `block` (starting where the last block ends) and carries sibling merges.
  mutating func pushMerging(_ block: NTKStatisticsBlock) {
    append(block)
    while count >= 2, self[count - 2].isLeftSibling(of: self[count - 1]) {
      let right = removeLast()
      let left = removeLast()
      append(left.mergedWithRightSibling(right))
    }
  }

  /// The blocks of two runs over disjoint network ranges, sorted and with siblings merged.
  func mergingBlocks(of other: [NTKStatisticsBlock]) -> [NTKStatisticsBlock] {
    var result: [NTKStatisticsBlock] = []
    for block in (self + other).sorted(by: { $0.lower < $1.lower }) { result.pushMerging(block) }
    return result
  }
}
