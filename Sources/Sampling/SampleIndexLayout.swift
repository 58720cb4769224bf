/// The deterministic order of sample-index combinations used by every statistic.
///
/// * Pairs `(α, β)` with `α ≤ β`, lexicographic: for `S = 2`: (0,0), (0,1), (1,1).
///   ``pairIndex(_:_:)`` accepts either order.
/// * Pairs of pairs `(p, q)` with `p ≤ q` in the pair order, lexicographic — the independent
///   components of `V_{(αβ)(γδ)}` under `V_{(αβ)(γδ)} = V_{(βα)(γδ)} = V_{(γδ)(αβ)}`.
///   ``fourPointIndex(_:_:_:_:)`` maps any four indices to it.
public struct SampleIndexLayout: Hashable, Sendable {
  /// Number of samples `S`.
  public let sampleCount: Int
  /// `(α, β)` for every pair index, `α ≤ β`.
  public let pairs: [(Int, Int)]
  /// `(p, q)` pair indices for every four-point index, `p ≤ q`.
  public let pairPairs: [(Int, Int)]

  public init(sampleCount: Int) {
    precondition(sampleCount >= 1)
    self.sampleCount = sampleCount
    var pairs: [(Int, Int)] = []
    for alpha in 0..<sampleCount { for beta in alpha..<sampleCount { pairs.append((alpha, beta)) } }
    var pairPairs: [(Int, Int)] = []
    for p in pairs.indices { for q in p..<pairs.count { pairPairs.append((p, q)) } }
    self.pairs = pairs
    self.pairPairs = pairPairs
  }

  /// `S(S+1)/2`.
  public var pairCount: Int { pairs.count }
  /// `P(P+1)/2` with `P` the pair count.
  public var fourPointCount: Int { pairPairs.count }

  /// The co-moments a layer's moments keep: the vector `(x_p, x_p x_q)` of `P` pairs and their
  /// pairs of pairs, in this layout's order (``CoMomentPattern/pairProducts(pairCount:)``).
  public var momentPattern: CoMomentPattern { .pairProducts(pairCount: pairCount) }

  /// The index of the unordered pair `{α, β}`.
  public func pairIndex(_ alpha: Int, _ beta: Int) -> Int {
    let (a, b) = alpha <= beta ? (alpha, beta) : (beta, alpha)
    // Pairs with first index < a: Σ_{k<a} (S − k) = a·S − a(a−1)/2.
    return a * sampleCount - a * (a - 1) / 2 + (b - a)
  }

  /// The index of the unordered pair of pairs `{p, q}`.
  public func pairPairIndex(_ p: Int, _ q: Int) -> Int {
    let (a, b) = p <= q ? (p, q) : (q, p)
    let count = pairs.count
    return a * count - a * (a - 1) / 2 + (b - a)
  }

  /// The index of `V_{(αβ)(γδ)}` in the four-point arrays.
  public func fourPointIndex(_ alpha: Int, _ beta: Int, _ gamma: Int, _ delta: Int) -> Int {
    pairPairIndex(pairIndex(alpha, beta), pairIndex(gamma, delta))
  }

  public static func == (lhs: Self, rhs: Self) -> Bool { lhs.sampleCount == rhs.sampleCount }
  public func hash(into hasher: inout Hasher) { hasher.combine(sampleCount) }
}

extension SampleIndexLayout: Codable {
  /// The largest sample count a decoded layout may have (16: 136 pairs, 9316 pairs of pairs).
  public static let maximumDecodedSampleCount = 16

  /// Encoded as its sample count; the orders are derived.
  public init(from decoder: any Decoder) throws {
    let count = try decoder.singleValueContainer().decode(Int.self)
    // Bounded above so that a damaged file cannot ask for a huge table of index pairs.
    guard (1...Self.maximumDecodedSampleCount).contains(count) else {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: decoder.codingPath,
          debugDescription: "sample count must be 1…\(Self.maximumDecodedSampleCount)"))
    }
    self.init(sampleCount: count)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(sampleCount)
  }
}
