/// Which co-moments `M_ij` a ``SampleMoments`` keeps, and where each is stored.
///
/// The estimators of a Monte-Carlo run read only some co-moments of their per-network vector: the
/// variance of every component, the co-moments among the leading *block* of components (the
/// kernel's pairs, whose products make the rest), and those of each *product* component
/// `y = x_a x_b` with its two factors `x_a`, `x_b` (the delta method's standard error of
/// `ȳ − x̄_a x̄_b`). Keeping all `d(d+1)/2` of them costs time and memory quadratic in the
/// number of products; a pattern keeps these only.
///
/// Components, in order: `blockCount` block components (every co-moment among them), then one
/// product component per factor pair in ``factors`` (its co-moments with its two factors and its
/// variance), then the rest of the `dimension` (variances only). Storage order:
///
/// 1. the block's upper triangle, row by row: `(0,0), (0,1), …, (0,B−1), (1,1), …`;
/// 2. per product component `y = B + k` with factors `(a, b)`: `(a, y)`, `(b, y)`, `(y, y)` —
///    when `a = b` the first two are the same co-moment, stored twice (a fixed stride of 3);
/// 3. per remaining component `t`: `(t, t)`.
///
/// ``dense(_:)`` (block = everything) is the packed upper triangle of the whole matrix. Every
/// stored entry is computed and merged exactly as the full matrix's entry would be, so a pattern
/// changes which numbers are kept, never their bits.
///
/// Equality and hashing follow ``kind`` and ``dimension``, which determine the rest.
public struct CoMomentPattern: Hashable, Sendable {
  /// The patterns a file can name.
  public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Every co-moment (``CoMomentPattern/dense(_:)``).
    case dense
    /// The vector `(x_p, x_p x_q)` of ``SampleIndexLayout``: `P` pairs, then the products of
    /// the `P(P+1)/2` pairs of pairs `p ≤ q` in lexicographic order
    /// (``CoMomentPattern/pairProducts(pairCount:)``).
    case pairProducts
    /// The per-layer NTK vector of ``NTKStatisticsLayout``
    /// (``CoMomentPattern/ntk(_:)``).
    case ntk
  }

  public let kind: Kind
  /// The number of components.
  public let dimension: Int
  /// The leading components whose co-moments are all kept.
  public let blockCount: Int
  /// The factors `(a, b)` of product component `blockCount + k`, flattened: `a` at `2k`, `b` at
  /// `2k + 1`, both `< blockCount`.
  let factors: [Int]

  private init(kind: Kind, dimension: Int, blockCount: Int, factors: [Int]) {
    self.kind = kind
    self.dimension = dimension
    self.blockCount = blockCount
    self.factors = factors
  }

  /// Every co-moment of a `dimension`-component vector, packed row by row.
  public static func dense(_ dimension: Int) -> CoMomentPattern {
    CoMomentPattern(kind: .dense, dimension: dimension, blockCount: dimension, factors: [])
  }

  /// The pattern of a vector of `pairCount` components `x_p` followed by their pairwise products
  /// `x_p x_q`, `p ≤ q` lexicographic (dimension `P + P(P+1)/2`): the `x` block and each
  /// product with its factors.
  public static func pairProducts(pairCount: Int) -> CoMomentPattern {
    var factors: [Int] = []
    factors.reserveCapacity(pairCount * (pairCount + 1))
    for p in 0..<pairCount {
      for q in p..<pairCount { factors += [p, q] }
    }
    return CoMomentPattern(
      kind: .pairProducts, dimension: pairCount + pairCount * (pairCount + 1) / 2,
      blockCount: pairCount, factors: factors)
  }

  /// The pattern of the NTK vector of `layout` (``NTKStatisticsLayout``): the block of the `P`
  /// means `H̄_p` and `P` metrics `Ĝ_q`; the products `H̄_p H̄_q` (pairs of pairs) and
  /// `H̄_p Ĝ_q` with their factors; the conditional means `β`, `φ` and the direct means, whose
  /// variances alone are read.
  public static func ntk(_ layout: NTKStatisticsLayout) -> CoMomentPattern {
    let pairCount = layout.samples.pairCount
    var factors: [Int] = []
    for (p, q) in layout.samples.pairPairs {
      factors += [layout.meanOffset + p, layout.meanOffset + q]
    }
    for p in 0..<pairCount {
      for q in 0..<pairCount { factors += [layout.meanOffset + p, layout.metricOffset + q] }
    }
    return CoMomentPattern(
      kind: .ntk, dimension: layout.dimension, blockCount: 2 * pairCount, factors: factors)
  }

  /// The pattern of `kind` for `dimension` components, or nil when no such pattern has that
  /// dimension (a `pairProducts` dimension is `P + P(P+1)/2`, an `ntk` one that of an
  /// ``NTKStatisticsLayout``).
  public init?(kind: Kind, dimension: Int) {
    guard dimension >= 0 else { return nil }
    switch kind {
    case .dense:
      self = .dense(dimension)
    case .pairProducts:
      var p = 0
      while p + p * (p + 1) / 2 < dimension { p += 1 }
      guard p + p * (p + 1) / 2 == dimension else { return nil }
      self = .pairProducts(pairCount: p)
    case .ntk:
      var s = 1
      while s < NTKStatisticsLayout.maximumSampleCount
        && NTKStatisticsLayout(samples: SampleIndexLayout(sampleCount: s)).dimension < dimension
      {
        s += 1
      }
      let layout = NTKStatisticsLayout(samples: SampleIndexLayout(sampleCount: s))
      guard layout.dimension == dimension else { return nil }
      self = .ntk(layout)
    }
  }

  /// The number of product components.
  var productCount: Int { factors.count / 2 }

  /// The number of stored entries.
  public var entryCount: Int {
    blockCount * (blockCount + 1) / 2 + 3 * productCount
      + (dimension - blockCount - productCount)
  }

  /// Where `M_ij` is stored, or nil when the pattern does not keep it.
  public func index(_ i: Int, _ j: Int) -> Int? {
    let (a, b) = i <= j ? (i, j) : (j, i)
    guard a >= 0, b < dimension else { return nil }
    let block = blockCount
    if b < block { return a * block - a * (a - 1) / 2 + (b - a) }
    let triangle = block * (block + 1) / 2
    let k = b - block
    if k < productCount {
      let base = triangle + 3 * k
      if a == b { return base + 2 }
      if a == factors[2 * k] { return base }
      if a == factors[2 * k + 1] { return base + 1 }
      return nil
    }
    return a == b ? triangle + 3 * productCount + (k - productCount) : nil
  }

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.kind == rhs.kind && lhs.dimension == rhs.dimension
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(kind)
    hasher.combine(dimension)
  }
}
