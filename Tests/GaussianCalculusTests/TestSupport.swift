import Algebra
import GaussianCalculus
import Rational

/// SplitMix64: a seeded generator, so that random tests draw the same inputs in every run.
struct SeededRandom: RandomNumberGenerator {
  var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

  mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

  mutating func pick<T>(_ xs: [T]) -> T { xs[int(0...(xs.count - 1))] }
}

/// Heads, indices and families shared by the Gaussian-calculus tests (PDLT notation: layer ℓ
/// feeds ℓ+1; z = z^{(ℓ)}, W = W^{(ℓ+1)}).
enum Fixtures {
  static let ell = Layer.ell
  static let next = Layer.relative(1)
  static let n = Symbol.width(.ell)
  static let nNext = Symbol.width(.relative(1))
  static let cW = Symbol.parameter("C_W")
  static let cB = Symbol.parameter("C_b")
  static let K = TensorHead("K", layer: .ell, symmetry: .symmetric)
  static let V = TensorHead("V", layer: .ell, symmetry: .pairOfPairs)
  static let G1 = TensorHead("G1", layer: .ell, symmetry: .symmetric)
  static let z = TensorHead("z", layer: .ell)
  static let W = TensorHead("W", layer: .relative(1))
  static let b = TensorHead("b", layer: .relative(1))
  static let x = TensorHead("x")
  static let sigma = FunctionHead("σ")

  static func neuron(_ name: String, _ layer: Layer = .ell) -> Index { .neuron(name, layer: layer) }
  static func sample(_ name: String) -> Index { .sample(name) }

  /// E[z_{i;a} z_{j;b}] = δ_{ij} K_{ab}.
  static var zFamily: GaussianFamily {
    let i = neuron("p"), j = neuron("q"), a = sample("s"), b = sample("t")
    return GaussianFamily(
      z, first: [i, a], second: [j, b], covariance: .delta(i, j) * .tensor(K, [a, b]))
  }

  /// E[W_{ij} W_{kl}] = (C_W/n_ℓ) δ_{ik} δ_{jl}.
  static var wFamily: GaussianFamily {
    let i = neuron("p", next), k = neuron("q", next), j = neuron("r"), l = neuron("s")
    return GaussianFamily(
      W, first: [i, j], second: [k, l],
      covariance: .symbol(cW) * .symbol(n, power: -1) * .delta(i, k) * .delta(j, l))
  }

  /// E[b_i b_k] = C_b δ_{ik}.
  static var bFamily: GaussianFamily {
    let i = neuron("p", next), k = neuron("q", next)
    return GaussianFamily(b, first: [i], second: [k], covariance: .symbol(cB) * .delta(i, k))
  }

  static func sigmaOf(_ j: Index, _ a: Index) -> Expression {
    .function(sigma, of: Tensor(z, [j, a]))
  }

  /// The same expression built with every strategy must be identical.
  static let strategies: [WickContraction.Options.Strategy] = [
    .automatic, .orbitMerging, .leafEnumeration, .reference,
  ]
}

extension SlotSymmetry {
  /// `slots` moved by a random element of the group: each block permuted by a random element of
  /// the inner symmetry, then the blocks of each family shuffled.
  func randomlyPermuted<T>(_ slots: [T], _ rng: inout SeededRandom) -> [T] {
    var out = slots
    for family in families(arity: slots.count) {
      var blocks = family.starts.map { start in
        family.inner.randomlyPermuted(Array(out[start..<(start + family.blockSize)]), &rng)
      }
      blocks.shuffle(using: &rng)
      for (k, start) in family.starts.enumerated() {
        out.replaceSubrange(start..<(start + family.blockSize), with: blocks[k])
      }
    }
    return out
  }
}
