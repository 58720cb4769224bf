import Algebra
import GaussianCalculus
import Rational
import Testing

/// Isserlis' theorem against a brute-force enumeration of perfect matchings done here:
/// E[x_{p₁}⋯x_{p₂ₖ}] = Σ_{pairings} Π C_{p p'} for centred Gaussian x with E[x_p x_q] = C_{pq}.
@Suite struct IsserlisTests {
  static let x = TensorHead("x")
  static let C = TensorHead("C", symmetry: .symmetric)

  static var family: GaussianFamily {
    let p = Index.sample("p"), q = Index.sample("q")
    return GaussianFamily(x, first: [p], second: [q], covariance: .tensor(C, [p, q]))
  }

  static func product(_ labels: [Index]) -> Expression {
    labels.reduce(Expression.one) { $0 * .tensor(x, [$1]) }
  }

  /// Σ over the perfect matchings of the positions (first position paired with each other one,
  /// recursively) of the product of C's — the definition, with no merging.
  static func bruteForce(_ labels: [Index]) -> Expression {
    func matchings(_ rest: [Index]) -> [[Factor]] {
      guard let first = rest.first else { return [[]] }
      var out: [[Factor]] = []
      for k in 1..<rest.count {
        var remaining = rest
        remaining.remove(at: k)
        remaining.removeFirst()
        for m in matchings(remaining) { out.append([.tensor(Tensor(C, [first, rest[k]]))] + m) }
      }
      return out
    }
    let terms = matchings(labels).map { Term(.one, Monomial(factors: $0)) }
    return Expression(terms).canonicalized()
  }

  static func doubleFactorial(_ n: Int) -> Int { n <= 1 ? 1 : n * doubleFactorial(n - 2) }

  /// Distinct free indices: (2k−1)!! different terms, each with coefficient 1, equal to the
  /// brute-force sum. Catches lost or duplicated pairings, partners merged although not
  /// equivalent, and wrong coefficients.
  @Test(arguments: 1...5) func distinctIndicesGiveEveryPairingOnce(k: Int) {
    let labels = (1...(2 * k)).map { Index.sample("p\($0)") }
    let expected = Self.bruteForce(labels)
    #expect(expected.terms.count == Self.doubleFactorial(2 * k - 1))
    for s in Fixtures.strategies {
      let result = WickContraction([Self.family], options: .init(strategy: s)).expectation(
        of: Self.product(labels))
      #expect(result.terms.count == Self.doubleFactorial(2 * k - 1))
      #expect(result.terms.allSatisfy { $0.coefficient == .one })
      #expect(result == expected, "strategy \(s)")
    }
  }

  /// Repeated indices (x_p x_p x_q x_q … drawn at random): pairings giving the same product
  /// merge, the coefficients still add up to (2k−1)!! and equal the brute-force multiplicities
  /// (E[x_p⁴] = 3C_pp², E[x_p² x_q²] = C_pp C_qq + 2C_pq²). Catches wrong orbit sizes.
  @Test func repeatedIndicesMergeWithMultiplicities() {
    var rng = SeededRandom(seed: 7)
    let pool = ["p", "q", "r"].map { Index.sample($0) }
    for _ in 0..<20 {
      let k = rng.int(1...4)
      let labels = (0..<(2 * k)).map { _ in rng.pick(pool) }
      let expected = Self.bruteForce(labels)
      for s in Fixtures.strategies {
        let result = WickContraction([Self.family], options: .init(strategy: s)).expectation(
          of: Self.product(labels))
        #expect(result == expected, "\(labels) strategy \(s)")
        let total = result.terms.reduce(Rational.zero) { $0 + $1.coefficient }
        #expect(total == Rational(Self.doubleFactorial(2 * k - 1)))
      }
    }
    let p = pool[0], q = pool[1]
    let fourth = WickContraction([Self.family]).expectation(of: Self.product([p, p, p, p]))
    #expect(
      fourth
        == (Expression(Rational(3)) * .tensor(Self.C, [p, p]) * .tensor(Self.C, [p, p]))
        .canonicalized())
    let mixed = WickContraction([Self.family]).expectation(of: Self.product([p, p, q, q]))
    let expectedMixed =
      Expression.tensor(Self.C, [p, p]) * .tensor(Self.C, [q, q])
      + Expression(Rational(2)) * .tensor(Self.C, [p, q]) * .tensor(Self.C, [p, q])
    #expect(mixed == expectedMixed.canonicalized())
  }

  /// Odd moments vanish, also next to an even number of factors of another family. Catches a
  /// parity check per expression instead of per family, and unpaired factors left behind.
  @Test func oddMomentsVanish() {
    let labels = (1...5).map { Index.sample("p\($0)") }
    for s in Fixtures.strategies {
      let w = WickContraction([Self.family, Fixtures.zFamily], options: .init(strategy: s))
      #expect(w.expectation(of: Self.product(labels)).isZero)
      let a = Index.sample("a"), j = Index.neuron("j", layer: .ell)
      let mixed =
        Self.product(Array(labels.prefix(3))) * .tensor(Fixtures.z, [j, a])
        * .tensor(Fixtures.z, [j, a])
      #expect(w.expectation(of: mixed).isZero)
    }
  }
}
