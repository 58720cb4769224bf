import Algebra

/// Test-side rewriting of monomials written independently of the library's own renaming code,
/// so that a bug there cannot hide a bug in the canonicaliser.
enum Rewriting {
  /// Renames indices of an expanded monomial by `map` (simultaneously).
  static func renamed(_ m: Monomial, _ map: [Index: Index]) -> Monomial {
    func r(_ i: Index) -> Index { map[i] ?? i }
    return Monomial(
      scalars: m.scalars, factors: m.factors.map { f in f.withSlots(f.slots.map(r)) },
      summed: m.summed.map(r), distinct: m.distinct.map { $0.map(r) })
  }

  /// A random element of the factor's declared symmetry group applied to its slots:
  /// δ and symmetric tensors permuted, pair-of-pairs tensors swapped inside and between pairs,
  /// Gaussian averages with permuted derivatives and integrand (recursively).
  static func scrambled(_ f: Factor, _ rng: inout SplitMix64) -> Factor {
    switch f {
    case .delta(let a, let b):
      return rng.chance(0.5) ? .delta(b, a) : f
    case .tensor(let t):
      switch t.head.symmetry {
      case .none: return f
      case .symmetric: return .tensor(Tensor(t.head, rng.shuffled(t.indices)))
      case .pairOfPairs:
        var p = [t.indices[0], t.indices[1]]
        var q = [t.indices[2], t.indices[3]]
        if rng.chance(0.5) { p.swapAt(0, 1) }
        if rng.chance(0.5) { q.swapAt(0, 1) }
        if rng.chance(0.5) { swap(&p, &q) }
        return .tensor(Tensor(t.head, p + q))
      case .pairExchange:
        var p = [t.indices[0], t.indices[1]]
        var q = [t.indices[2], t.indices[3]]
        if rng.chance(0.5) {
          p.swapAt(0, 1)
          q.swapAt(0, 1)
        }
        if rng.chance(0.5) { swap(&p, &q) }
        return .tensor(Tensor(t.head, p + q))
      case .separatePairs:
        var p = [t.indices[0], t.indices[1]]
        var q = [t.indices[2], t.indices[3]]
        if rng.chance(0.5) { p.swapAt(0, 1) }
        if rng.chance(0.5) { q.swapAt(0, 1) }
        return .tensor(Tensor(t.head, p + q))
      }
    case .function:
      return f
    case .average(let g):
      return .average(
        GaussianAverage(
          metric: g.metric, derivatives: rng.shuffled(g.derivatives),
          integrand: rng.shuffled(g.integrand.map { scrambled($0, &rng) })))
    case .parenthesized:
      return f
    }
  }

  /// The monomial with factors, summed indices and constraint groups in random order and every
  /// factor's slots scrambled by its symmetry: the same mathematical object.
  static func scrambled(_ m: Monomial, _ rng: inout SplitMix64) -> Monomial {
    let factors = rng.shuffled(m.factors.map { scrambled($0, &rng) })
    let summed = rng.shuffled(m.summed)
    let distinct = rng.shuffled(m.distinct.map { rng.shuffled($0) })
    return Monomial(
      scalars: rng.shuffled(m.scalars), factors: factors, summed: summed, distinct: distinct)
  }

  /// Every permutation of `items` (Heap's algorithm), in a fixed order.
  static func permutations<T>(_ items: [T]) -> [[T]] {
    var a = items
    var out: [[T]] = []
    func generate(_ k: Int) {
      if k <= 1 {
        out.append(a)
        return
      }
      generate(k - 1)
      for i in 0..<(k - 1) {
        a.swapAt(k % 2 == 0 ? i : 0, k - 1)
        generate(k - 1)
      }
    }
    generate(a.count)
    return out
  }

  /// Every relabelling of the dummies of `m` that maps each space's dummies bijectively onto the
  /// given label set for that space: the product over spaces of all permutations.
  static func allRelabellings(
    of dummies: [Index], labels: (IndexSpace, Int) -> [Index.Label]
  ) -> [[Index: Index]] {
    let spaces = Array(Set(dummies.map(\.space))).sorted()
    var maps: [[Index: Index]] = [[:]]
    for space in spaces {
      let ds = dummies.filter { $0.space == space }.sorted()
      let targets = labels(space, ds.count).map { Index(space, $0) }
      var next: [[Index: Index]] = []
      for perm in permutations(targets) {
        for m in maps {
          var m2 = m
          for (d, t) in zip(ds, perm) { m2[d] = t }
          next.append(m2)
        }
      }
      maps = next
    }
    return maps
  }
}
