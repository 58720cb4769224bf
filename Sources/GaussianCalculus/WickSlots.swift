/// The slots of a ``WickFactor``: up to four values stored inline, more in an array, so that
/// copying, building and hashing the factors of the engine's monomials (two slots for most
/// random components and covariance factors) allocates nothing.
struct WickSlots: RandomAccessCollection, Hashable, Sendable {
  /// The largest count stored inline.
  private static let inlineCapacity = 4
  let count: Int
  private var s0 = 0
  private var s1 = 0
  private var s2 = 0
  private var s3 = 0
  /// Every value when `count` exceeds the inline capacity; empty otherwise.
  private var spill: [Int] = []

  init(_ values: [Int]) {
    count = values.count
    if count > Self.inlineCapacity {
      spill = values
      return
    }
    if count > 0 { s0 = values[0] }
    if count > 1 { s1 = values[1] }
    if count > 2 { s2 = values[2] }
    if count > 3 { s3 = values[3] }
  }

  var startIndex: Int { 0 }
  var endIndex: Int { count }

  subscript(position: Int) -> Int {
    if count > Self.inlineCapacity { return spill[position] }
    precondition(position >= 0 && position < count, "slot out of range")
    switch position {
    case 0: return s0
    case 1: return s1
    case 2: return s2
    default: return s3
    }
  }

  /// The slots with every value transformed (no allocation for inline slots).
  func map(_ transform: (Int) throws -> Int) rethrows -> WickSlots {
    if count > Self.inlineCapacity { return WickSlots(try spill.map(transform)) }
    var out = self
    if count > 0 { out.s0 = try transform(s0) }
    if count > 1 { out.s1 = try transform(s1) }
    if count > 2 { out.s2 = try transform(s2) }
    if count > 3 { out.s3 = try transform(s3) }
    return out
  }

  /// The values as an array.
  var array: [Int] { count > Self.inlineCapacity ? spill : Array(self) }

  static func == (a: WickSlots, b: WickSlots) -> Bool {
    if a.count != b.count { return false }
    if a.count > inlineCapacity { return a.spill == b.spill }
    // Unused inline values are 0 in both.
    return a.s0 == b.s0 && a.s1 == b.s1 && a.s2 == b.s2 && a.s3 == b.s3
  }

  func hash(into hasher: inout Hasher) { hasher.combine(folded(seed: 0)) }

  /// The values folded into one integer (with the count): equal slots fold equally.
  @inline(__always)
  func folded(seed: UInt64) -> UInt64 {
    var h = WickHash.mix(seed, UInt64(bitPattern: Int64(count)))
    if count > Self.inlineCapacity {
      for v in spill { h = WickHash.mix(h, UInt64(bitPattern: Int64(v))) }
      return h
    }
    if count > 0 { h = WickHash.mix(h, UInt64(bitPattern: Int64(s0))) }
    if count > 1 { h = WickHash.mix(h, UInt64(bitPattern: Int64(s1))) }
    if count > 2 { h = WickHash.mix(h, UInt64(bitPattern: Int64(s2))) }
    if count > 3 { h = WickHash.mix(h, UInt64(bitPattern: Int64(s3))) }
    return h
  }
}

/// The integer mixing behind the engine's hashes: a value-determined fold of integers, handed to
/// `Hasher` once (a hash is never printed and no output depends on hashing order).
enum WickHash {
  @inline(__always)
  static func mix(_ h: UInt64, _ v: UInt64) -> UInt64 {
    (h ^ v) &* 0x9E37_79B9_7F4A_7C15 &+ 0x632B_E59B_D9B4_E019
  }
}
