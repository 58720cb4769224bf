import Algebra
import Rational

/// A seeded generator of random monomials and expressions over the test ``Vocabulary``:
/// products of δ, K, V, A, z, W, σ^{(m)}(z), τ^{(m)}(z) and Gaussian-average atoms, with random
/// summed indices of three spaces (neurons of ℓ and ℓ−1, samples), repeated indices, unused
/// dummies, distinctness groups, scalar powers and rational coefficients.
struct RandomExpressions {
  typealias V = Vocabulary

  var rng: SplitMix64
  /// At most this many summed indices per generated monomial.
  var maxDummies = 5
  /// At most this many factors per generated monomial.
  var maxFactors = 5
  /// Free indices slots may pick (besides the dummies).
  var free: [Index] = [V.j("i1"), V.s("a1"), V.s("a2")]
  /// Names dummies are drawn from (the same name may label dummies of different spaces).
  var dummyNames = ["p", "q", "r", "s", "t", "x", "y"]
  var allowAverages = true
  var allowDistinct = true
  /// Allow the factors that mention z (plain and through σ, τ).
  var allowZ = true
  /// Polynomial degree bound helpers for differentiation tests: allow other opaque tensors.
  var allowOpaque = true
  /// Probability that a factor is a Kronecker δ (besides δ's drawn by the uniform choice).
  var deltaBias = 0.0
  /// Allow C_W with negative exponents (scalar substitution by a sum needs them absent).
  var allowNegativeCouplingPowers = true
  /// Exactly this many dummies (instead of a random number up to `maxDummies`).
  var exactDummies: Int? = nil
  /// Only sample dummies (the largest symmetric blocks: all of them can be permuted).
  var sampleDummiesOnly = false

  init(seed: UInt64) { rng = SplitMix64(seed: seed) }

  static let spaces: [IndexSpace] = [.neuron(.ell), .neuron(Vocabulary.lower), .sample]

  mutating func coefficient() -> Rational {
    let n = rng.int(1...5) * (rng.chance(0.5) ? 1 : -1)
    return Rational(n, rng.pick([1, 1, 2, 3]))
  }

  /// A random monomial term.
  mutating func term() -> Term {
    let count = exactDummies ?? rng.int(0...maxDummies)
    let names = rng.shuffled(dummyNames)
    var dummies: [Index] = []
    for d in 0..<count {
      var space: IndexSpace
      switch rng.below(20) {
      case 0..<8: space = .sample
      case 8..<16: space = .neuron(.ell)
      default: space = .neuron(V.lower)
      }
      if sampleDummiesOnly { space = .sample }
      // Names may repeat across spaces but not within one.
      var name = names[d % names.count]
      if dummies.contains(Index(space, .named(name))) { name += "'" }
      dummies.append(Index(space, .named(name)))
    }
    func index(_ space: IndexSpace) -> Index {
      let ds = dummies.filter { $0.space == space }
      let fs = free.filter { $0.space == space }
      if !ds.isEmpty && (fs.isEmpty || rng.chance(0.8)) { return rng.pick(ds) }
      if !fs.isEmpty { return rng.pick(fs) }
      return Index(space, .named("free_" + (space == .sample ? "s" : "n")))
    }
    let sample = IndexSpace.sample
    let neuron = IndexSpace.neuron(.ell)
    let lowerNeuron = IndexSpace.neuron(V.lower)
    var factors: [Factor] = []
    let factorCount = rng.int(1...maxFactors)
    while factors.count < factorCount {
      if rng.chance(deltaBias) {
        let sp = rng.pick(RandomExpressions.spaces)
        factors.append(.delta(index(sp), index(sp)))
        continue
      }
      switch rng.below(11) {
      case 0:
        let sp = rng.pick(RandomExpressions.spaces)
        factors.append(.delta(index(sp), index(sp)))
      case 1 where allowOpaque:
        factors.append(.tensor(Tensor(V.K, [index(sample), index(sample)])))
      case 2 where allowOpaque:
        factors.append(
          .tensor(Tensor(V.V, [index(sample), index(sample), index(sample), index(sample)])))
      case 3 where allowOpaque:
        factors.append(.tensor(Tensor(V.A, [index(sample), index(sample)])))
      case 4 where allowZ, 5 where allowZ:
        factors.append(.tensor(Tensor(V.z, [index(neuron), index(sample)])))
      case 6 where allowOpaque:
        factors.append(.tensor(Tensor(V.W, [index(neuron), index(lowerNeuron)])))
      case 7 where allowZ, 8 where allowZ:
        factors.append(
          V.sigmaOf(
            index(neuron), index(sample), derivative: rng.int(0...2),
            head: rng.chance(0.7) ? V.sigma : V.tau))
      case 9 where allowAverages:
        let derivatives = (0..<rng.int(0...2)).map { _ in index(sample) }
        let integrand: [Factor] = (0..<rng.int(1...3)).map { _ in
          rng.chance(0.2)
            ? .tensor(Tensor(V.u, [index(sample)]))
            : V.sigmaU(
              index(sample), derivative: rng.int(0...1), head: rng.chance(0.8) ? V.sigma : V.tau)
        }
        factors.append(V.average(derivatives, integrand))
      case 10 where allowOpaque:
        factors.append(.tensor(Tensor(V.B, [index(sample), index(sample)])))
      default:
        continue
      }
    }
    var distinct: [[Index]] = []
    if allowDistinct {
      for sp in RandomExpressions.spaces where rng.chance(0.35) {
        let ds = dummies.filter { $0.space == sp }
        if ds.count < 2 { continue }
        let size = rng.int(2...ds.count)
        distinct.append(Array(rng.shuffled(ds).prefix(size)))
      }
    }
    var scalars: [SymbolPower] = []
    if rng.chance(0.4) { scalars.append(SymbolPower(V.n, rng.pick([-2, -1, 1, 2]))) }
    if rng.chance(0.3) {
      scalars.append(
        SymbolPower(V.CW, allowNegativeCouplingPowers ? rng.pick([-1, 1, 2]) : rng.int(1...2)))
    }
    if rng.chance(0.15) { scalars.append(SymbolPower(V.nLower, -1)) }
    if rng.chance(0.1) { scalars.append(SymbolPower(.sampleCount, 1)) }
    return Term(
      coefficient(),
      Monomial(
        scalars: rng.shuffled(scalars), factors: factors, summed: rng.shuffled(dummies),
        distinct: distinct))
  }

  /// A sum of `1...maxTerms` random monomials.
  mutating func sum(maxTerms: Int = 3) -> Expression {
    Expression((0..<rng.int(1...maxTerms)).map { _ in term() })
  }

  /// A random expression built with the public arithmetic: sums, products of sums (so with
  /// parenthesised factors), scalings, and outer sums over free indices that bind indices free
  /// inside the parentheses.
  mutating func expression(depth: Int = 2) -> Expression {
    if depth == 0 || rng.chance(0.3) { return sum(maxTerms: 2) }
    var e: Expression
    switch rng.below(4) {
    case 0: e = expression(depth: depth - 1) + expression(depth: depth - 1)
    case 1, 2: e = expression(depth: depth - 1) * expression(depth: depth - 1)
    default: e = coefficient() * expression(depth: depth - 1)
    }
    if rng.chance(0.5) {
      // Σ over some free indices of the whole expression (they are never summed in any term,
      // since free names and dummy names differ).
      // Indices summed locally in some term cannot be summed again (a precondition of
      // `summed(over:)`), so only indices free in every term that mentions them qualify.
      let locallySummed = Set(e.terms.flatMap { $0.monomial.summed })
      let candidates = e.freeIndices.filter { free.contains($0) && !locallySummed.contains($0) }
      let chosen = candidates.filter { _ in rng.chance(0.5) }
      if !chosen.isEmpty {
        e = e.summed(
          over: chosen, distinct: chosen.count >= 2 && rng.chance(0.3) && sameSpace(chosen))
      }
    }
    return e
  }

  func sameSpace(_ xs: [Index]) -> Bool { xs.allSatisfy { $0.space == xs[0].space } }
}
