import Algebra
import Rational

/// Expectation over declared Gaussian families by Wick/Isserlis contraction.
///
/// **Symmetry-aware.** The expectation of a monomial is computed recursively: the first random
/// factor (in canonical order) is paired with each partner; each resulting monomial is
/// δ-contracted and canonicalised, partners giving the same canonical monomial are merged by
/// adding coefficients (one representative per orbit), and the expectation of each distinct
/// remainder is computed once (memoised on its canonical form). The work therefore follows the
/// number of distinct intermediate monomials rather than the (2k−1)!! pairings: for
/// E[(z·z)^8] with one input the 2,027,025 pairings collapse to eight levels of one monomial.
///
/// Factors that are not components of a declared family are constants. Random components
/// inside function arguments or Gaussian averages are not allowed (precondition).
public struct WickContraction: Sendable {
  public var families: [GaussianFamily]

  public init(_ families: [GaussianFamily]) { self.families = families }

  /// E[e] over the families; the result is canonical.
  public func expectation(of e: Expression) -> Expression {
    var memo: [Monomial: [Term]] = [:]
    var out: [Term] = []
    for t in e.canonicalized().terms {
      for r in expect(t.monomial, memo: &memo) {
        out.append(Term(r.coefficient * t.coefficient, r.monomial))
      }
    }
    return Expression(out).collectingLikeTerms()
  }

  func family(of f: Factor) -> GaussianFamily? {
    guard case .tensor(let t) = f else { return nil }
    return families.first { $0.head == t.head }
  }

  /// E of a canonical monomial, as canonical terms.
  func expect(_ m: Monomial, memo: inout [Monomial: [Term]]) -> [Term] {
    if let hit = memo[m] { return hit }
    let randomPositions = m.factors.indices.filter { family(of: m.factors[$0]) != nil }
    if randomPositions.isEmpty { return [Term(.one, m)] }
    var counts: [TensorHead: Int] = [:]
    for p in randomPositions {
      if case .tensor(let t) = m.factors[p] { counts[t.head, default: 0] += 1 }
    }
    if counts.values.contains(where: { $0 % 2 == 1 }) {
      memo[m] = []
      return []
    }
    let first = randomPositions[0]
    guard case .tensor(let a) = m.factors[first], let fam = family(of: m.factors[first]) else {
      return []
    }
    // Pair the first random factor with every partner of its family; merge equal results.
    var merged: [Monomial: Rational] = [:]
    for p in randomPositions.dropFirst() {
      guard case .tensor(let b) = m.factors[p], b.head == a.head else { continue }
      var rest = m
      rest.factors.remove(at: p)
      rest.factors.remove(at: first)
      let restTerm = Term(.one, rest)
      let product = Expression(
        fam.covariance(a.indices, b.indices).expanded().terms.map {
          restTerm.multipliedInScope(by: $0)
        })
      for t in product.contractingDeltas().terms {
        let c = t.monomial.canonicalized()
        merged[c, default: .zero] += t.coefficient
      }
    }
    var result: [Monomial: Rational] = [:]
    for (sub, c) in merged.sorted(by: { $0.key < $1.key }) where !c.isZero {
      for r in expect(sub, memo: &memo) {
        result[r.monomial, default: .zero] += c * r.coefficient
      }
    }
    let terms = result.filter { !$0.value.isZero }.map { Term($0.value, $0.key) }.sorted()
    memo[m] = terms
    return terms
  }
}
