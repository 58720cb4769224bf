import Numerics

/// A batch of product expectations under one covariance, grouped so that products sharing all
/// factors but those on one coordinate are integrated in one pass
/// (``GaussianExpectation/expectations(of:covariance:cache:)``).
///
/// ⟨σ_a σ_b σ_c σ_d⟩ and ⟨σ_a σ_b σ_c σ_e⟩ differ only in their last coordinate: with the
/// shared coordinates a, b, c integrated outermost, each is the same outer integral of σ_a σ_b
/// σ_c times its own leaf, g_d(offset_d) or g_e(offset_e) — one interpolated integral per leaf
/// (`LeafInterpolant`). A group walks the outer levels once for all its leaves.
///
/// Grouping: every product of three or four coordinates could be read as outer × leaf in as
/// many ways as it has coordinates; each reading's outer factors (coordinates and functions)
/// form its signature. Signatures are taken by decreasing number of products that could use
/// them, ties in signature order, and each takes the products still unassigned that can use
/// it — when at least two are, and at most ``maximumGroupSize``. The rest are computed alone.
/// The plan depends only on the set of products, not on their order, and so do the values.
public struct ExpectationBatch: Sendable {
  /// Products integrated in one pass.
  public struct Group: Sendable {
    /// The factors every member shares (on two or three coordinates).
    public let outer: [GaussianFactor]
    /// The members: indices into the batch's products, in the order of `leaves`.
    public let members: [Int]
    /// Each member's remaining factors, all on one coordinate outside `outer`'s, in
    /// signature order.
    public let leaves: [[GaussianFactor]]
  }

  /// The most products a group takes: the outer levels resolve every member's features, so
  /// a very large group would refine them beyond what most of its members need.
  public static let maximumGroupSize = 8

  /// The groups, in the order their signatures were taken.
  public let groups: [Group]
  /// The products computed alone, increasing.
  public let singles: [Int]

  /// One factor in canonical form: its coordinate, then its function as (kind, parameter's
  /// bits, derivative order) — powers first, then the activations in declaration order.
  struct Key: Hashable, Comparable {
    var coordinate: Int
    var kind: Int
    var parameter: UInt64
    var derivative: Int

    init(_ factor: GaussianFactor) {
      coordinate = factor.coordinate
      switch factor.function {
      case .power(let k):
        (kind, parameter, derivative) = (0, UInt64(bitPattern: Int64(k)), 0)
      case .activation(let activation, let order):
        derivative = order
        switch activation {
        case .linear: (kind, parameter) = (1, 0)
        case .relu: (kind, parameter) = (2, 0)
        case .leakyRelu(let slope): (kind, parameter) = (3, slope.bitPattern)
        case .tanh: (kind, parameter) = (4, 0)
        case .erf(let scale): (kind, parameter) = (5, scale.bitPattern)
        case .gelu: (kind, parameter) = (6, 0)
        case .swish: (kind, parameter) = (7, 0)
        case .sin: (kind, parameter) = (8, 0)
        case .softplus: (kind, parameter) = (9, 0)
        }
      }
    }

    static func < (a: Key, b: Key) -> Bool {
      (a.coordinate, a.kind, a.parameter, a.derivative)
        < (b.coordinate, b.kind, b.parameter, b.derivative)
    }
  }

  /// A sequence of canonical factors, ordered lexicographically.
  struct Signature: Hashable, Comparable {
    var keys: [Key]

    static func < (a: Signature, b: Signature) -> Bool {
      a.keys.lexicographicallyPrecedes(b.keys)
    }
  }

  /// Plans the batch of `products` (each a list of factors, as for
  /// ``GaussianExpectation/expectation(of:covariance:cache:)``).
  public init(products: [[GaussianFactor]]) {
    // Each product's readings as outer × leaf, by signature.
    var readings: [Signature: [(product: Int, leaf: Int)]] = [:]
    for (index, factors) in products.enumerated() {
      let coordinates = Set(factors.map(\.coordinate))
      guard (3...GaussianExpectation.maximumDimension).contains(coordinates.count) else {
        continue
      }
      for leaf in coordinates {
        let outer = factors.filter { $0.coordinate != leaf }.map(Key.init).sorted()
        readings[Signature(keys: outer), default: []].append((index, leaf))
      }
    }
    let order = readings.keys.sorted { a, b in
      let (m, n) = (readings[a]?.count ?? 0, readings[b]?.count ?? 0)
      return m != n ? m > n : a < b
    }
    var assigned = [Bool](repeating: false, count: products.count)
    var groups: [Group] = []
    for signature in order {
      guard let candidates = readings[signature] else { continue }
      var members = candidates.filter { !assigned[$0.product] }.map { candidate in
        let leaf = products[candidate.product].filter { $0.coordinate == candidate.leaf }
          .sorted { Key($0) < Key($1) }
        return (
          product: candidate.product, leaf: leaf,
          key: Signature(keys: leaf.map(Key.init).sorted())
        )
      }
      guard members.count >= 2 else { continue }
      members.sort { $0.key != $1.key ? $0.key < $1.key : $0.product < $1.product }
      members = Array(members.prefix(Self.maximumGroupSize))
      for member in members { assigned[member.product] = true }
      let outer = products[members[0].product].filter {
        $0.coordinate != members[0].leaf[0].coordinate
      }.sorted { Key($0) < Key($1) }
      groups.append(
        Group(outer: outer, members: members.map(\.product), leaves: members.map(\.leaf)))
    }
    self.groups = groups
    singles = products.indices.filter { !assigned[$0] }
  }
}
