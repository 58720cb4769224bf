import Rational

/// The values of the opaque atoms of an expression at concrete indices, supplied to an
/// ``ExactEvaluator``.
///
/// The evaluator always asks at the *symmetry-canonical* key (a symmetric K at sorted indices,
/// V at its canonical pair-of-pairs arrangement, a Gaussian average with sorted derivative
/// indices and sorted integrand), so any deterministic function of the key is a valid table:
/// the evaluated value respects the declared symmetries by construction.
public struct ExactValueTable: Sendable {
  /// The value of the component of `head` at the symmetry-canonical concrete `indices`.
  public var tensor: @Sendable (_ head: TensorHead, _ indices: [Int]) -> Rational
  /// The value of σ^{(k)}(x_{…}). The second argument is the value of the argument component
  /// itself (from ``tensor``), so a table can model σ as a concrete function such as a
  /// polynomial, whose derivatives are then consistent with differentiation; opaque tables
  /// ignore it.
  public var function: @Sendable (_ key: ConcreteFunction, _ argumentValue: Rational) -> Rational
  /// The value of a concrete, canonical Gaussian-average atom.
  public var average: @Sendable (_ key: ConcreteAverage) -> Rational

  public init(
    tensor: @escaping @Sendable (_ head: TensorHead, _ indices: [Int]) -> Rational,
    function: @escaping @Sendable (_ key: ConcreteFunction, _ argumentValue: Rational) -> Rational,
    average: @escaping @Sendable (_ key: ConcreteAverage) -> Rational
  ) {
    self.tensor = tensor
    self.function = function
    self.average = average
  }

  /// A pseudo-random table: every key gets a value from a fixed set of 24 non-zero rationals
  /// (±1, ±2, …, ±6, ±1/2, ±3/2, …, ±11/2 — small, so that exact sums stay small), chosen by a
  /// structural hash of the key and `seed`. The hash is computed from the key's fields with a
  /// fixed algorithm (never Swift's per-process seeded `Hasher`), so values are identical in
  /// every run. Function values ignore the argument's value.
  public static func seeded(_ seed: UInt64) -> ExactValueTable {
    ExactValueTable(
      tensor: { head, indices in
        var h = StableHasher(seed: seed)
        h.combine(1)
        h.combine(head)
        h.combine(indices)
        return smallRational(h.finalize())
      },
      function: { key, _ in
        var h = StableHasher(seed: seed)
        h.combine(2)
        h.combine(key)
        return smallRational(h.finalize())
      },
      average: { key in
        var h = StableHasher(seed: seed)
        h.combine(3)
        h.combine(key)
        return smallRational(h.finalize())
      })
  }

  static func smallRational(_ h: UInt64) -> Rational {
    let numerator = Int(h % 6) + 1
    let sign = (h >> 8) & 1 == 0 ? 1 : -1
    if (h >> 16) & 1 == 0 { return Rational(sign * numerator) }
    return Rational(sign * (2 * numerator - 1), 2)
  }
}

/// A deterministic 64-bit hash (an FNV-style multiply–xorshift over the fields' 64-bit words,
/// then a SplitMix64 finaliser).
struct StableHasher {
  var state: UInt64

  init(seed: UInt64) { state = 0xcbf2_9ce4_8422_2325 ^ (seed &* 0x9e37_79b9_7f4a_7c15) }

  mutating func combine(_ x: UInt64) {
    state = (state ^ x) &* 0x0000_0100_0000_01b3
    state ^= state >> 32
  }

  mutating func combine(_ x: Int) { combine(UInt64(bitPattern: Int64(x))) }

  mutating func combine(_ xs: [Int]) {
    combine(xs.count)
    for x in xs { combine(x) }
  }

  mutating func combine(_ s: String) {
    combine(s.utf8.count)
    for b in s.utf8 { combine(UInt64(b)) }
  }

  mutating func combine(_ layer: Layer?) {
    switch layer {
    case nil: combine(0)
    case .relative(let o)?:
      combine(1)
      combine(o)
    case .absolute(let a)?:
      combine(2)
      combine(a)
    }
  }

  mutating func combine(_ head: TensorHead) {
    combine(head.name)
    combine(head.layer)
    combine(head.symmetry.rawValue)
  }

  mutating func combine(_ head: FunctionHead) {
    combine(head.name)
    combine(head.layer)
  }

  mutating func combine(_ f: ConcreteFunction) {
    combine(f.head)
    combine(f.derivative)
    combine(f.argumentHead)
    combine(f.argumentIndices)
  }

  mutating func combine(_ g: ConcreteAverage) {
    combine(g.metric)
    combine(g.derivatives)
    combine(g.integrand.count)
    for f in g.integrand { combine(f) }
  }

  mutating func combine(_ f: ConcreteFactor) {
    switch f {
    case .delta(let a, let b):
      combine(10)
      combine(a)
      combine(b)
    case .tensor(let head, let indices):
      combine(11)
      combine(head)
      combine(indices)
    case .function(let g):
      combine(12)
      combine(g)
    case .average(let g):
      combine(13)
      combine(g)
    }
  }

  func finalize() -> UInt64 {
    var z = state &+ 0x9e37_79b9_7f4a_7c15
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}
