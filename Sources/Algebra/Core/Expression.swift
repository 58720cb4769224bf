import Rational

/// A sum of terms: the expression type of the engine.
///
/// Construction never simplifies: `+` concatenates term lists, `*` of two single terms builds
/// the product term (renaming dummies apart), and `*` involving a sum wraps the sum in a
/// ``Factor/parenthesized(_:)`` factor. Named passes (``expanded()``,
/// ``collectingLikeTerms()``, ``contractingDeltas()``, ``canonicalized()``, …) return new values.
public struct Expression: Hashable, Comparable, Sendable, ExpressibleByIntegerLiteral {
  public internal(set) var terms: [Term]

  public init(_ terms: [Term]) { self.terms = terms }

  public init(_ value: Rational) {
    self.terms = value.isZero ? [] : [Term(value, .one)]
  }

  public init(integerLiteral value: Int) { self.init(Rational(value)) }

  public init(_ term: Term) { self.terms = term.coefficient.isZero ? [] : [term] }

  public static let zero = Expression([])
  public static let one = Expression(Rational.one)

  public var isZero: Bool { terms.isEmpty }

  // MARK: Atoms

  /// A scalar symbol raised to `power`.
  public static func symbol(_ s: Symbol, power: Int = 1) -> Expression {
    power == 0 ? .one : Expression(Term(.one, Monomial(scalars: [SymbolPower(s, power)])))
  }

  /// A single factor.
  public static func factor(_ f: Factor) -> Expression {
    Expression(Term(.one, Monomial(factors: [f])))
  }

  /// A tensor component.
  public static func tensor(_ head: TensorHead, _ indices: [Index]) -> Expression {
    factor(.tensor(Tensor(head, indices)))
  }

  /// The Kronecker δ.
  public static func delta(_ a: Index, _ b: Index) -> Expression {
    precondition(a.space == b.space, "δ of indices of different spaces")
    return factor(.delta(a, b))
  }

  /// σ^{(derivative)} applied to a tensor component.
  public static func function(
    _ head: FunctionHead, derivative: Int = 0, of argument: Tensor
  ) -> Expression {
    factor(.function(FunctionApplication(head, derivative: derivative, argument)))
  }

  /// A Gaussian average atom.
  public static func average(_ g: GaussianAverage) -> Expression { factor(.average(g)) }

  // MARK: Sums over indices

  /// Σ over `indices` of every term. With `distinct`, the indices are also constrained to be
  /// pairwise different. The indices must not already be summed.
  public func summed(over indices: [Index], distinct: Bool = false) -> Expression {
    Expression(
      terms.map { t in
        var m = t.monomial
        for i in indices {
          precondition(!m.summed.contains(i), "index summed twice")
          m.summed.append(i)
        }
        m.summed.sort()
        if distinct && indices.count >= 2 { m.distinct.append(indices.sorted()) }
        return Term(t.coefficient, m)
      })
  }

  /// Free indices (union over terms), sorted.
  public var freeIndices: [Index] {
    Array(Set(terms.flatMap { $0.monomial.freeIndices })).sorted()
  }

  // MARK: Arithmetic (construction only)

  public static func + (lhs: Expression, rhs: Expression) -> Expression {
    Expression(lhs.terms + rhs.terms)
  }

  public static prefix func - (e: Expression) -> Expression {
    Expression(e.terms.map { Term(-$0.coefficient, $0.monomial) })
  }

  public static func - (lhs: Expression, rhs: Expression) -> Expression { lhs + (-rhs) }

  public static func += (lhs: inout Expression, rhs: Expression) { lhs.terms += rhs.terms }

  /// The expression times a rational number.
  public func scaled(by r: Rational) -> Expression {
    r.isZero ? .zero : Expression(terms.map { Term($0.coefficient * r, $0.monomial) })
  }

  public static func * (lhs: Rational, rhs: Expression) -> Expression { rhs.scaled(by: lhs) }

  public static func * (lhs: Expression, rhs: Expression) -> Expression {
    if lhs.terms.isEmpty || rhs.terms.isEmpty { return .zero }
    let a =
      lhs.terms.count == 1 ? lhs.terms[0] : Term(.one, Monomial(factors: [.parenthesized(lhs)]))
    let b =
      rhs.terms.count == 1 ? rhs.terms[0] : Term(.one, Monomial(factors: [.parenthesized(rhs)]))
    return Expression(a.multiplied(by: b))
  }

  public static func *= (lhs: inout Expression, rhs: Expression) { lhs = lhs * rhs }

  /// The `k`-th power by repeated multiplication (k ≥ 0).
  public func power(_ k: Int) -> Expression {
    precondition(k >= 0, "negative power of an expression")
    var result = Expression.one
    for _ in 0..<k { result = result * self }
    return result
  }

  public static func < (lhs: Expression, rhs: Expression) -> Bool {
    lhs.terms.lexicographicallyPrecedes(rhs.terms)
  }
}

extension Term {
  /// The product term, with the dummies of both operands renamed apart so that no summed index
  /// of one operand coincides with any index of the other.
  public func multiplied(by other: Term) -> Term {
    var a = monomial
    var b = other.monomial
    // Renaming needs a summed index on one side; products of unsummed factors (the common case
    // while a product is being built) skip the index sets.
    if !a.summed.isEmpty || !b.summed.isEmpty {
      rename(&a, &b)
    }
    var scalars = a.scalars
    for p in b.scalars { scalars.append(p) }
    let merged = mergeScalars(scalars)
    let m = Monomial(
      scalars: merged, factors: a.factors + b.factors, summed: (a.summed + b.summed).sorted(),
      distinct: a.distinct + b.distinct)
    return Term(coefficient * other.coefficient, m)
  }

  /// Renames the dummies of `b` apart from every index of `a`, then those of `a` apart from the
  /// indices of `b` (see ``multiplied(by:)``).
  private func rename(_ a: inout Monomial, _ b: inout Monomial) {
    let bIndices = Set(b.allIndices)
    var next = Swift.max(a.maxDummyNumber, b.maxDummyNumber) + 1
    if !b.summed.isEmpty {
      let aIndices = Set(a.allIndices)
      if b.summed.contains(where: { aIndices.contains($0) }) {
        var map: [Index: Index] = [:]
        for s in b.summed {
          map[s] = Index(s.space, .dummy(next))
          next += 1
        }
        b = b.renamed(map)
      }
    }
    if a.summed.isEmpty { return }
    let bFree = Set(b.freeIndices)
    if a.summed.contains(where: {
      bFree.contains($0) || (bIndices.contains($0) && !b.summed.contains($0))
    }) {
      var map: [Index: Index] = [:]
      for s in a.summed {
        map[s] = Index(s.space, .dummy(next))
        next += 1
      }
      a = a.renamed(map)
    }
  }
}

extension Term {
  /// The product of this term with `inner`, a term that stands *inside* this term's scope — a
  /// term of a parenthesised factor being distributed, or a substituted replacement. Unlike
  /// ``multiplied(by:)``, an index free in `inner` and summed in `self` stays bound by that sum
  /// (that is what Σ_j (…j…) means); only `inner`'s own dummies are renamed apart, from every
  /// index of `self` and every index in `reserved` (the indices of the enclosing term that are
  /// not yet part of `self`, e.g. free indices of parenthesised factors still to be distributed).
  ///
  /// Used to insert covariances and Gaussian-average values into an existing summation.
  public func multipliedInScope(by inner: Term) -> Term {
    multiplied(byInner: inner, reserving: [])
  }

  func multiplied(byInner inner: Term, reserving reserved: Set<Index>) -> Term {
    let a = monomial
    var b = inner.monomial
    let taken = reserved.union(a.allIndices)
    if b.summed.contains(where: { taken.contains($0) }) {
      var next =
        Swift.max(
          a.maxDummyNumber, b.maxDummyNumber,
          reserved.compactMap { i -> Int? in
            if case .dummy(let k) = i.label { return k }
            return nil
          }.max() ?? -1) + 1
      var map: [Index: Index] = [:]
      for s in b.summed {
        map[s] = Index(s.space, .dummy(next))
        next += 1
      }
      b = b.renamed(map)
    }
    let m = Monomial(
      scalars: mergeScalars(a.scalars + b.scalars), factors: a.factors + b.factors,
      summed: (a.summed + b.summed).sorted(), distinct: a.distinct + b.distinct)
    return Term(coefficient * inner.coefficient, m)
  }
}

/// Sorts symbol powers, adds exponents of equal symbols and drops zero exponents.
public func mergeScalarPowers(_ powers: [SymbolPower]) -> [SymbolPower] { mergeScalars(powers) }

func mergeScalars(_ powers: [SymbolPower]) -> [SymbolPower] {
  if powers.count < 2 { return powers.filter { $0.exponent != 0 } }
  let sorted = powers.sorted { $0.symbol < $1.symbol }
  var out: [SymbolPower] = []
  out.reserveCapacity(sorted.count)
  for p in sorted {
    if let last = out.last, last.symbol == p.symbol {
      out[out.count - 1].exponent += p.exponent
      if out[out.count - 1].exponent == 0 { out.removeLast() }
    } else if p.exponent != 0 {
      out.append(p)
    }
  }
  return out
}

extension Expression {
  /// Every factor of every term, descending into parenthesised sums and into the integrands of
  /// Gaussian averages (the average itself is listed too, before its integrand), in term and
  /// slot order.
  public var nestedFactors: [Factor] {
    var out: [Factor] = []
    func visit(_ f: Factor) {
      out.append(f)
      switch f {
      case .parenthesized(let inner): inner.terms.forEach { $0.monomial.factors.forEach(visit) }
      case .average(let g): g.integrand.forEach(visit)
      case .delta, .tensor, .function: break
      }
    }
    for t in terms { t.monomial.factors.forEach(visit) }
    return out
  }
}
