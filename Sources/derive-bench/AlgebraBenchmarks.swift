import Algebra
import Rational

/// Benchmarks of the algebra core: dummy canonicalisation of monomials with ten summed indices
/// (chains, rings of symmetric K and pair-of-pairs V, rings of σ(z_{j;α}) with neuron and sample
/// sums) and like-term collection of 10⁵ terms with many duplicates.
func algebraBenchmarks() -> [BenchmarkCase] {
  let K = TensorHead("K", layer: .ell, symmetry: .symmetric)
  let V = TensorHead("V", layer: .ell, symmetry: .pairOfPairs)
  let z = TensorHead("z", layer: .ell)
  let sigma = FunctionHead("σ")
  func s(_ k: Int) -> Index { .sample("b\(k)") }
  func j(_ k: Int) -> Index { .neuron("j\(k)", layer: .ell) }
  func Kf(_ a: Index, _ b: Index) -> Factor { .tensor(Tensor(K, [a, b])) }
  func monomial(_ factors: [Factor], _ summed: [Index]) -> Monomial {
    // Scrambled slot and factor order, as a derivation would produce them.
    Monomial(factors: factors.reversed(), summed: summed.reversed())
  }

  // K_{a b1} K_{b1 b2} ⋯ K_{b10 c}: free ends make every dummy distinguishable.
  let chain = monomial(
    [Kf(.sample("a"), s(1))] + (1..<10).map { Kf(s($0 + 1), s($0)) } + [Kf(s(10), .sample("c"))],
    (1...10).map(s))

  // A ring of K's and V's through b1…b10 (every dummy in two slots):
  // V_{(b1 b2)(b3 b4)} K_{b4 b5} V_{(b5 b6)(b7 b8)} K_{b8 b9} K_{b9 b10} K_{b10 b1} K_{b2 b3} K_{b6 b7}.
  let kvRing = monomial(
    [
      .tensor(Tensor(V, [s(2), s(1), s(3), s(4)])), Kf(s(5), s(4)),
      .tensor(Tensor(V, [s(7), s(8), s(6), s(5)])), Kf(s(8), s(9)), Kf(s(9), s(10)),
      Kf(s(1), s(10)), Kf(s(3), s(2)), Kf(s(6), s(7)),
    ], (1...10).map(s))

  // σ(z_{j1;b1}) σ(z_{j1;b2}) σ(z_{j2;b2}) σ(z_{j2;b3}) ⋯ σ(z_{j5;b5}) σ(z_{j5;b1}):
  // a ring alternating 5 neuron and 5 sample dummies.
  let sigmaRing = monomial(
    (1...5).flatMap { k -> [Factor] in
      [
        .function(FunctionApplication(sigma, Tensor(z, [j(k), s(k)]))),
        .function(FunctionApplication(sigma, Tensor(z, [j(k), s(k % 5 + 1)]))),
      ]
    }, (1...5).map(j) + (1...5).map(s))

  // Rings of n symmetric K's: Σ K_{b1 b2} K_{b2 b3} ⋯ K_{bn b1} — no dummy is distinguishable
  // and no two are exchangeable by a transposition, the worst case of the candidate search.
  func kRing(_ n: Int) -> Monomial {
    monomial((1...n).map { Kf(s($0), s($0 % n + 1)) }, (1...n).map(s))
  }

  // The V contraction with two Gaussian-average atoms met in the four-point recursion
  // (4 sample dummies): a typical derivation monomial, for reference.
  let u = TensorHead("u", layer: .ell)
  func average(_ d: [Index]) -> Factor {
    .average(
      GaussianAverage(
        metric: K, derivatives: d,
        integrand: [
          .function(FunctionApplication(sigma, Tensor(u, [.sample("a1")]))),
          .function(FunctionApplication(sigma, Tensor(u, [.sample("a2")]))),
        ]))
  }
  let vAverages = monomial(
    [
      .tensor(Tensor(V, [s(4), s(3), s(2), s(1)])), average([s(2), s(1)]), average([s(3), s(4)]),
    ],
    (1...4).map(s))

  // 10⁵ terms over 1000 distinct canonical monomials (100 copies each, interleaved).
  let distinct: [Monomial] = (0..<1000).map { k in
    let factors: [Factor] = [
      Kf(s(k % 7), s(k / 7 % 5)), .tensor(Tensor(z, [j(k / 35 % 4), s(k / 140 % 8)])),
      .function(FunctionApplication(sigma, derivative: k % 3, Tensor(z, [j(0), s(1)]))),
    ]
    return Monomial(
      scalars: [SymbolPower(.width(.ell), k % 5 - 2)], factors: factors.sorted())
  }
  var terms: [Term] = []
  terms.reserveCapacity(100_000)
  for copy in 0..<100 {
    for (k, m) in distinct.enumerated() {
      terms.append(Term(Rational((k + copy) % 7 - 3, 1 + copy % 3), m))
    }
  }
  let many = Expression(terms)

  func canonicalization(_ name: String, _ m: Monomial, repeats: Int = 21) -> BenchmarkCase {
    BenchmarkCase(group: "algebra", name: name, repeats: repeats) {
      let c = m.canonicalized()
      precondition(c.summed.count == m.summed.count)
    }
  }
  return [
    canonicalization("canonicalize V with two averages, 4 sample dummies", vAverages),
    canonicalization("canonicalize chain of 11 K, 10 sample dummies", chain),
    canonicalization("canonicalize ring of K and V, 10 sample dummies", kvRing),
    canonicalization("canonicalize ring of σ(z), 5 neuron + 5 sample dummies", sigmaRing),
    canonicalization("canonicalize ring of 6 K, 6 sample dummies", kRing(6)),
    // The ring of 10 K (10! candidate orderings, ≈ 2 min and > 1 GB) is left out; 6 and 8
    // show the factorial growth.
    canonicalization("canonicalize ring of 8 K, 8 sample dummies", kRing(8), repeats: 3),
    BenchmarkCase(group: "algebra", name: "collect 1e5 terms (1000 distinct monomials)", repeats: 7)
    {
      let c = many.collectingLikeTerms()
      precondition(c.terms.count <= 1000)
    },
  ]
}
