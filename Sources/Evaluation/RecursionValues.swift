import Algebra

/// The values of one statistic at one layer: every entry of a tensor with `rank` sample indices
/// over `sampleCount` inputs (0-based, input order), row-major — entry (i₁, …, i_r) at
/// ((i₁·S + i₂)·S + …)·S + i_r.
public struct SampleTensor: Sendable, Equatable {
  public var rank: Int
  public var sampleCount: Int
  public var values: [Double]

  public init(rank: Int, sampleCount: Int, values: [Double]) {
    precondition(values.count == Self.entryCount(rank: rank, sampleCount: sampleCount))
    self.rank = rank
    self.sampleCount = sampleCount
    self.values = values
  }

  /// All entries zero.
  public static func zero(rank: Int, sampleCount: Int) -> SampleTensor {
    SampleTensor(
      rank: rank, sampleCount: sampleCount,
      values: Array(repeating: 0, count: entryCount(rank: rank, sampleCount: sampleCount)))
  }

  public static func entryCount(rank: Int, sampleCount: Int) -> Int {
    (0..<rank).reduce(1) { r, _ in r * sampleCount }
  }

  /// The flat position of an entry.
  public func offset(_ indices: [Int]) -> Int {
    indices.reduce(0) { $0 * sampleCount + $1 }
  }

  /// The sample indices of a flat position.
  public func indices(at offset: Int) -> [Int] {
    var digits = [Int](repeating: 0, count: rank)
    var rest = offset
    for k in stride(from: rank - 1, through: 0, by: -1) {
      digits[k] = rest % sampleCount
      rest /= sampleCount
    }
    return digits
  }

  /// Steps `entry` to the next entry in flat order (the last index fastest), back to all
  /// zeros after the last one: a loop over every entry counts its indices instead of decoding
  /// each position (``indices(at:)``).
  public static func advance(_ entry: inout [Int], sampleCount: Int) {
    var k = entry.count - 1
    while k >= 0 {
      entry[k] += 1
      if entry[k] < sampleCount { return }
      entry[k] = 0
      k -= 1
    }
  }

  public subscript(_ indices: Int...) -> Double { values[offset(indices)] }
  public subscript(indices indices: [Int]) -> Double { values[offset(indices)] }
}

/// The derived statistics of one layer, by name, in the model's declared order.
public struct RecursionValues: Sendable, Equatable {
  public var layer: Int
  public var sampleCount: Int
  /// The statistics' names, in declared order.
  public var names: [String]
  public var tensors: [String: SampleTensor]

  public init(layer: Int, sampleCount: Int, names: [String], tensors: [String: SampleTensor]) {
    precondition(Set(names) == Set(tensors.keys), "every named statistic has its values")
    self.layer = layer
    self.sampleCount = sampleCount
    self.names = names
    self.tensors = tensors
  }

  public subscript(_ name: String) -> SampleTensor? { tensors[name] }

  /// The values of a statistic of this layer (a precondition: it is one of `names`).
  public func values(of name: String) -> SampleTensor {
    guard let t = tensors[name] else { preconditionFailure("no statistic '\(name)' at this layer") }
    return t
  }
}

extension SampleTensor {
  /// The representative of `entry` under `symmetry`, the one entry of its class that is
  /// computed (every other entry of the class is a copy of it, bitwise): the indices sorted for
  /// a symmetric tensor; for a pair of pairs each pair sorted and the two pairs in
  /// lexicographic order; for a pair exchange (B) the smallest of its four images; for
  /// separate pairs (D) each pair sorted in place; the entry itself without symmetry. It is the lexicographically
  /// smallest entry of its class.
  public static func canonicalEntry(_ entry: [Int], symmetry: TensorSymmetry) -> [Int] {
    switch symmetry {
    case .none: return entry
    case .symmetric: return entry.sorted()
    case .pairOfPairs:
      precondition(entry.count == 4, "a pair of pairs has four indices")
      let first = [min(entry[0], entry[1]), max(entry[0], entry[1])]
      let second = [min(entry[2], entry[3]), max(entry[2], entry[3])]
      return first.lexicographicallyPrecedes(second) ? first + second : second + first
    case .pairExchange:
      // B_{1234} = B_{3412} = B_{2143} = B_{4321}: the smallest of the four images.
      precondition(entry.count == 4, "a pair exchange has four indices")
      let (a, b, c, d) = (entry[0], entry[1], entry[2], entry[3])
      return [[a, b, c, d], [c, d, a, b], [b, a, d, c], [d, c, b, a]].min {
        $0.lexicographicallyPrecedes($1)
      } ?? entry
    case .separatePairs:
      // D_{1234} = D_{2134} = D_{1243}: each pair sorted, the pairs kept in place.
      precondition(entry.count == 4, "separate pairs have four indices")
      return [
        min(entry[0], entry[1]), max(entry[0], entry[1]), min(entry[2], entry[3]),
        max(entry[2], entry[3]),
      ]
    }
  }

  /// For every flat position of a tensor of `rank` indices over `sampleCount` inputs, the flat
  /// position of its representative under `symmetry` (``canonicalEntry(_:symmetry:)``).
  public static func canonicalOffsets(rank: Int, symmetry: TensorSymmetry, sampleCount: Int)
    -> [Int]
  {
    let layout = SampleTensor.zero(rank: rank, sampleCount: sampleCount)
    return layout.values.indices.map { k in
      layout.offset(canonicalEntry(layout.indices(at: k), symmetry: symmetry))
    }
  }

  /// The entries that `symmetry` does not relate (the representatives), in lexicographic
  /// order.
  public static func distinctEntries(rank: Int, symmetry: TensorSymmetry, sampleCount: Int)
    -> [[Int]]
  {
    let layout = SampleTensor.zero(rank: rank, sampleCount: sampleCount)
    return layout.values.indices.compactMap { k in
      let entry = layout.indices(at: k)
      return canonicalEntry(entry, symmetry: symmetry) == entry ? entry : nil
    }
  }
}

extension SampleTensor {
  /// Sample indices as written in labels: digits side by side (`01`) while every index is a
  /// single digit, separated by commas (`1,15`) otherwise, so that labels with ten or more
  /// inputs stay unambiguous.
  public static func indexText(_ indices: [Int]) -> String {
    let separator = indices.allSatisfy { $0 < 10 } ? "" : ","
    var text = ""
    for (k, i) in indices.enumerated() {
      if k > 0 { text += separator }
      // A digit as one character, without formatting an integer (every entry is labelled).
      if 0 <= i && i < 10 {
        text.unicodeScalars.append(Unicode.Scalar(UInt8(48 + i)))
      } else {
        text += String(i)
      }
    }
    return text
  }

  /// A pair of pairs as written in labels: `(01)(23)`, or `(1,15)(3,4)` with an index ≥ 10
  /// anywhere in it.
  public static func pairText(_ indices: [Int]) -> String {
    let separator = indices.allSatisfy { $0 < 10 } ? "" : ","
    return "(\(indices[0])\(separator)\(indices[1]))(\(indices[2])\(separator)\(indices[3]))"
  }
}
