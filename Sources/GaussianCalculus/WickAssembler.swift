import Algebra
import Rational

/// Collects the results of a Wick expectation into a canonical ``Expression``.
///
/// Every result is brought to the ``Monomial`` canonical form — directly for results without
/// dummies, δ's or constraints (canonical slots, factors in ``Factor`` order), through
/// ``Algebra/Monomial/normalizingFreeDeltas()`` and ``Algebra/Monomial/canonicalized()``
/// otherwise — and handed to a ``Algebra/TermCollector``, which collects the terms and puts them
/// in ``Term`` order. The engine's own parts here are the caches from its interned integers
/// (factors, exponent vectors) to the collector's ids.
struct WickAssembler {
  private var collector = TermCollector()
  /// Scalar lists of direct entries, by their exponent vectors over the table's symbols.
  private var scalarListIDs: [[Int]: Int] = [:]
  private var wickFactorIDs: [WickFactor: Int] = [:]
  /// Canonical forms (``canonicalMonomial(_:_:)``) of results without their scalars.
  private var canonicalBare: [WickMonomial: (Monomial, [Int])] = [:]

  /// The collector's scalar list of an exponent vector over the table's symbols.
  private mutating func scalars(_ exponents: [Int], _ table: WickTable) -> Int {
    if let id = scalarListIDs[exponents] { return id }
    var list: [SymbolPower] = []
    for (s, e) in exponents.enumerated() where e != 0 {
      list.append(SymbolPower(table.symbols[s], e))
    }
    list.sort { $0.symbol < $1.symbol }
    let id = collector.scalarListID(list)
    scalarListIDs[exponents] = id
    return id
  }

  /// Adds an engine result.
  mutating func add(_ t: WickTerm, _ table: WickTable) {
    let m = t.monomial
    let simple =
      m.dummySpaces.isEmpty && m.distinct.isEmpty
      && !m.factors.contains { table.shapes[$0.shape].isDelta }
    guard simple else {
      let (monomial, ids) = canonicalMonomial(m, table)
      collector.add(t.coefficient, monomial, factorIDs: ids)
      return
    }
    var exponents = Array(repeating: 0, count: table.symbols.count)
    for p in m.scalars { exponents[p.symbol] += p.exponent }
    var ids: [Int] = []
    ids.reserveCapacity(m.factors.count)
    for f in m.factors {
      if let id = wickFactorIDs[f] {
        ids.append(id)
      } else {
        let id = collector.factorID(table.factor(f).canonicalSlots())
        wickFactorIDs[f] = id
        ids.append(id)
      }
    }
    collector.add(t.coefficient, scalarList: scalars(exponents, table), factorIDs: ids)
  }

  /// The ``Monomial`` canonical form of an engine result with dummies, δ's or constraints.
  ///
  /// Neither ``Algebra/Monomial/normalizingFreeDeltas()`` nor the dummy labelling looks at the
  /// scalars (the labelling only merges them), so the canonical factors, sums and constraints are
  /// computed once per result without its scalars — results that differ only in powers of the
  /// widths share them, and their factors' ids in the collector — and the result's scalars,
  /// already sorted by symbol with one non-zero power each, are put back.
  private mutating func canonicalMonomial(_ m: WickMonomial, _ table: WickTable) -> (
    Monomial, factorIDs: [Int]
  ) {
    var bare = m
    bare.scalars = []
    let structure: Monomial
    let ids: [Int]
    if let hit = canonicalBare[bare] {
      (structure, ids) = hit
    } else {
      structure = table.monomial(of: bare).normalizingFreeDeltas().canonicalized()
      ids = collector.factorIDs(of: structure)
      canonicalBare[bare] = (structure, ids)
    }
    let scalars = m.scalars.map { SymbolPower(table.symbols[$0.symbol], $0.exponent) }.sorted {
      $0.symbol < $1.symbol
    }
    return (
      Monomial(
        scalars: scalars, factors: structure.factors, summed: structure.summed,
        distinct: structure.distinct), ids
    )
  }

  /// Adds the compact leaves of a leaf enumeration, times `scale`.
  mutating func add(_ e: WickEnumeration, scaledBy scale: Rational, _ table: WickTable) {
    for t in e.general {
      add(WickTerm(coefficient: t.coefficient * scale, monomial: t.monomial), table)
    }
    let atomIDs = e.atoms.map { collector.factorID(table.factor($0).canonicalSlots()) }
    let s = e.symbolCount
    var exponents = Array(repeating: 0, count: table.symbols.count)
    var ids: [Int] = []
    collector.reserveCapacity(
      additionalTerms: e.keys.count, keyLength: e.keys.first.map { $0.count + 4 } ?? 0)
    for (key, c) in zip(e.keys, e.coefficients) where !c.isZero {
      for i in 0..<s { exponents[i] = key[i] }
      ids.removeAll(keepingCapacity: true)
      for a in key[s...] { ids.append(atomIDs[a]) }
      collector.add(
        scale.isOne ? c : c * scale, scalarList: scalars(exponents, table), factorIDs: ids)
    }
  }

  /// Adds a term already in canonical form.
  mutating func add(_ c: Rational, _ m: Monomial) { collector.add(c, m) }

  /// The collected, sorted expression.
  func expression() -> Expression { collector.expression() }
}
