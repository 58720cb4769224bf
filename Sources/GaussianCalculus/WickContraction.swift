import Algebra
import Rational

/// Expectation over declared Gaussian families by Wick/Isserlis contraction.
///
/// The expectation of a term is Σ over the pairings of its random factors (components of the
/// families, paired within a family) of the product of the pairs' covariances; δ's are then
/// contracted (``Expression/contractingDeltas()``: δ_{jj} = 1, Σ_j 1 = n) and the result is
/// canonical. Distinct families are independent; a family with an odd number of factors gives 0.
///
/// **Strategies** (``Options/Strategy``) differ only in cost; they return identical canonical
/// expressions:
/// - `.automatic` (default): the engine of ``WickEngine`` — constant parts factored out, random
///   parts memoised on an internal canonical form; exchangeable random factors are handled by
///   *orbit merging* (one representative per class of equivalent partners, so E[(z·z)^8] with
///   one input is eight levels of one monomial instead of 2,027,025 pairings), random factors
///   that colour refinement tells apart by *leaf enumeration* (all pairings depth first, only the
///   leaves canonicalised);
/// - `.orbitMerging`, `.leafEnumeration`: one of the two everywhere (for tests and benchmarks);
/// - `.reference`: the original algorithm on ``Monomial`` values (every intermediate monomial
///   canonicalised by ``DummyCanonicalizer``); slow, kept as the independent reference.
///
/// Terms without random factors are returned canonicalised (their δ's are not contracted). δ's
/// left between free indices are written as a star from the smallest index of each class, and
/// the class's other indices are renamed to it in the other factors (``Algebra/Monomial/normalizingFreeDeltas()``).
///
/// Factors that are not components of a declared family are constants. Random components inside
/// function arguments or Gaussian averages are treated as constants too.
public struct WickContraction: Sendable {
  /// Options of the contraction.
  public struct Options: Hashable, Sendable {
    /// How the pairings are organised (see ``WickContraction``).
    public enum Strategy: Hashable, Sendable {
      case automatic
      case orbitMerging
      case leafEnumeration
      case reference
    }

    public var strategy: Strategy

    public init(strategy: Strategy = .automatic) { self.strategy = strategy }
  }

  public var families: [GaussianFamily]
  public var options: Options

  public init(_ families: [GaussianFamily], options: Options = Options()) {
    self.families = families
    self.options = options
  }

  /// E[e] over the families; the result is canonical.
  public func expectation(of e: Expression) -> Expression {
    let result =
      options.strategy == .reference ? referenceExpectation(of: e) : engineExpectation(of: e)
    assert(
      result.isCanonical(checkingAtMost: Expression.canonicityCheckSample),
      "WickContraction.expectation: result not canonical")
    return result
  }

  /// E[e] by the engine (``WickEngine``) and the assembler.
  func engineExpectation(of e: Expression) -> Expression {
    var engine = WickEngine(table: WickTable(families: families), strategy: options.strategy)
    var assembler = WickAssembler()
    let heads = Set(families.map(\.head))
    for t in e.expanded().collectingLikeTerms().terms {
      let random = t.monomial.factors.contains { f in
        if case .tensor(let x) = f { return heads.contains(x.head) }
        return false
      }
      if !random {
        assembler.add(t.coefficient, t.monomial.normalizingFreeDeltas().canonicalized())
      } else if let w = engine.table.compile(t) {
        engine.addExpectation(of: w, to: &assembler)
      } else {
        for r in referenceExpectation(of: Expression(t)).terms {
          assembler.add(r.coefficient, r.monomial)
        }
      }
    }
    return assembler.expression()
  }

  // MARK: Reference algorithm

  /// The original memoised recursion on canonical ``Monomial`` values.
  func referenceExpectation(of e: Expression) -> Expression {
    var memo: [Monomial: [Term]] = [:]
    var out: [Term] = []
    for t in e.canonicalized().terms {
      for r in expect(t.monomial, memo: &memo) {
        out.append(Term(r.coefficient * t.coefficient, r.monomial))
      }
    }
    return Expression(out.map { Term($0.coefficient, $0.monomial.normalizingFreeDeltas()) })
      .canonicalized()
  }

  func family(of f: Factor) -> GaussianFamily? {
    guard case .tensor(let t) = f else { return nil }
    return families.first { $0.head == t.head }
  }

  /// E of a canonical monomial, as canonical terms: the first random factor is paired with every
  /// partner; each result is δ-contracted and canonicalised, equal results merged, and the
  /// expectation of each distinct remainder computed once (memoised on its canonical form).
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
    var merged: [Monomial: Rational] = [:]
    for p in randomPositions.dropFirst() {
      guard case .tensor(let b) = m.factors[p], b.head == a.head else { continue }
      let restTerm = Term(.one, m.removingFactor(at: p).removingFactor(at: first))
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
