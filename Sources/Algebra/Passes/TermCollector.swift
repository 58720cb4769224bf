import Rational

/// Collects terms into an ``Expression`` in ``Monomial`` order by sorting integer keys — the
/// documented term order encoded once as integers, for collectors of many terms (the Wick
/// engine's results).
///
/// Every atom (factor, symbol power, index) is interned and ranked once by its own order, and a
/// term's key lists the ranks in the order ``Monomial``'s `<` compares the fields (order in 1/n,
/// width degree, number of factors, factors, scalars, summed indices, constraints). With 10⁵
/// terms, comparing ``Factor`` values term by term is what would cost. Terms with equal monomials
/// are added; zero sums are dropped. Monomials are taken as written: give them in canonical
/// form (factors with canonical slots) to obtain a canonical expression.
public struct TermCollector {
  private var factors: [Factor] = []
  private var factorIDs: [Factor: Int] = [:]
  private var powers: [SymbolPower] = []
  private var powerIDs: [SymbolPower: Int] = [:]
  private var indices: [Index] = []
  private var indexIDs: [Index: Int] = [:]

  /// Interned scalar lists: their power ids, width exponent sums and width degrees.
  private var scalarLists: [[SymbolPower]] = []
  private var scalarListIDs: [[SymbolPower]: Int] = [:]
  private var scalarListPowers: [[Int]] = []
  private var scalarListWidths: [Int] = []
  private var scalarListWidthDegrees: [Int] = []

  /// Per entry: coefficient, bare monomial (no factors) for whole-monomial entries or a scalar
  /// list for factor-id entries, and the entry's raw key in `raw` from `rawStart`.
  private var coefficients: [Rational] = []
  private var bare: [Monomial?] = []
  private var scalarList: [Int] = []
  /// Raw keys: order, width degree, factor ids count + ids, power ids count + ids, summed count +
  /// ids, groups count + (size + ids)….
  private var raw: [Int] = []
  private var rawStart: [Int] = []

  public init() {}

  // MARK: Interning

  /// The id of a factor, taken as written.
  public mutating func factorID(_ f: Factor) -> Int {
    if let id = factorIDs[f] { return id }
    factors.append(f)
    factorIDs[f] = factors.count - 1
    return factors.count - 1
  }

  private mutating func power(_ p: SymbolPower) -> Int {
    if let id = powerIDs[p] { return id }
    powers.append(p)
    powerIDs[p] = powers.count - 1
    return powers.count - 1
  }

  private mutating func index(_ i: Index) -> Int {
    if let id = indexIDs[i] { return id }
    indices.append(i)
    indexIDs[i] = indices.count - 1
    return indices.count - 1
  }

  /// The id of a list of symbol powers (sorted by symbol, one per symbol, exponents non-zero,
  /// as in a canonical monomial).
  public mutating func scalarListID(_ list: [SymbolPower]) -> Int {
    if let id = scalarListIDs[list] { return id }
    scalarListPowers.append(list.map { power($0) })
    scalarListWidths.append(list.reduce(0) { $0 + ($1.symbol.kind == .width ? $1.exponent : 0) })
    scalarListWidthDegrees.append(
      list.reduce(0) { $0 + ($1.symbol.kind == .width ? abs($1.exponent) : 0) })
    scalarLists.append(list)
    scalarListIDs[list] = scalarLists.count - 1
    return scalarLists.count - 1
  }

  // MARK: Entries

  /// Room for `count` more terms of about `keyLength` key integers each.
  public mutating func reserveCapacity(additionalTerms count: Int, keyLength: Int) {
    coefficients.reserveCapacity(coefficients.count + count)
    bare.reserveCapacity(bare.count + count)
    scalarList.reserveCapacity(scalarList.count + count)
    rawStart.reserveCapacity(rawStart.count + count)
    raw.reserveCapacity(raw.count + count * keyLength)
  }

  /// Adds `c` times the scalars of list `list` (``scalarListID(_:)``) times the factors with ids
  /// `ids` (``factorID(_:)``, any order), without sums or constraints.
  public mutating func add(_ c: Rational, scalarList list: Int, factorIDs ids: [Int]) {
    coefficients.append(c)
    bare.append(nil)
    scalarList.append(list)
    rawStart.append(raw.count)
    raw.append(-scalarListWidths[list])
    raw.append(scalarListWidthDegrees[list])
    raw.append(ids.count)
    raw += ids
    raw.append(scalarListPowers[list].count)
    raw += scalarListPowers[list]
    raw.append(0)
    raw.append(0)
  }

  /// Adds `c` times `m`.
  public mutating func add(_ c: Rational, _ m: Monomial) {
    add(c, m, factorIDs: nil)
  }

  /// The ids (``factorID(_:)``) of the factors of `m`, in order: what ``add(_:_:factorIDs:)``
  /// takes, for callers that add many monomials with the same factors.
  public mutating func factorIDs(of m: Monomial) -> [Int] { m.factors.map { factorID($0) } }

  /// Adds `c` times `m`, whose factors have the ids `ids` (``factorIDs(of:)``), or are interned
  /// here when `ids` is nil.
  public mutating func add(_ c: Rational, _ m: Monomial, factorIDs ids: [Int]?) {
    coefficients.append(c)
    bare.append(m.replacingFactors(with: []))
    scalarList.append(-1)
    rawStart.append(raw.count)
    raw.append(m.inverseWidthOrder)
    raw.append(m.widthDegree)
    raw.append(m.factors.count)
    if let ids {
      raw += ids
    } else {
      for f in m.factors { raw.append(factorID(f)) }
    }
    raw.append(m.scalars.count)
    for p in m.scalars { raw.append(power(p)) }
    raw.append(m.summed.count)
    for i in m.summed { raw.append(index(i)) }
    raw.append(m.distinct.count)
    for g in m.distinct {
      raw.append(g.count)
      for i in g { raw.append(index(i)) }
    }
  }

  // MARK: Collection

  /// The collected terms in ``Monomial`` order.
  public func expression() -> Expression {
    let factorRank = ranks(factors.indices.sorted { factors[$0] < factors[$1] }) {
      factors[$0] == factors[$1]
    }
    let powerRank = ranks(powers.indices.sorted { powers[$0] < powers[$1] }) {
      powers[$0] == powers[$1]
    }
    let indexRank = ranks(indices.indices.sorted { indices[$0] < indices[$1] }) {
      indices[$0] == indices[$1]
    }
    // Comparable keys: order, then each list as (rank + 1)… 0; groups as (rank + 2)… 1, then 0.
    var keys: [Int] = []
    keys.reserveCapacity(raw.count + 4 * rawStart.count)
    var keyStart: [Int] = []
    keyStart.reserveCapacity(rawStart.count + 1)
    var sortedFactors: [Int] = []
    for start in rawStart {
      keyStart.append(keys.count)
      var p = start
      // Monomial order: order in 1/n, width degree, number of factors, then the factors.
      keys.append(raw[p])
      p += 1
      keys.append(raw[p])
      p += 1
      let nf = raw[p]
      keys.append(nf)
      p += 1
      sortedFactors.removeAll(keepingCapacity: true)
      for q in p..<(p + nf) { sortedFactors.append(factorRank[raw[q]]) }
      sortedFactors.sort()
      for r in sortedFactors { keys.append(r + 1) }
      keys.append(0)
      p += nf
      let np = raw[p]
      p += 1
      for q in p..<(p + np) { keys.append(powerRank[raw[q]] + 1) }
      keys.append(0)
      p += np
      let ns = raw[p]
      p += 1
      for q in p..<(p + ns) { keys.append(indexRank[raw[q]] + 1) }
      keys.append(0)
      p += ns
      let ng = raw[p]
      p += 1
      for _ in 0..<ng {
        let size = raw[p]
        p += 1
        for q in p..<(p + size) { keys.append(indexRank[raw[q]] + 2) }
        keys.append(1)
        p += size
      }
      keys.append(0)
    }
    keyStart.append(keys.count)
    // Sort by a 64-bit prefix of the key (its first elements in fixed-width fields, which
    // orders like the key itself), ties broken by the whole key.
    var lowest = 0
    var highest = 1
    for (n, start) in keyStart.dropLast().enumerated() {
      lowest = Swift.min(lowest, keys[start])
      for q in start..<keyStart[n + 1] { highest = Swift.max(highest, keys[q]) }
    }
    let largest = Swift.max(highest - lowest, highest) + 1
    let bits = Int.bitWidth - largest.leadingZeroBitCount
    let fields = Swift.max(1, 63 / bits)
    var entries: [(prefix: UInt64, entry: Int)] = keyStart.dropLast().enumerated().map { n, start in
      var prefix: UInt64 = 0
      for f in 0..<fields {
        let q = start + f
        var v = 0
        if q < keyStart[n + 1] { v = f == 0 ? keys[q] - lowest + 1 : keys[q] + 1 }
        prefix = prefix << UInt64(bits) | UInt64(v)
      }
      return (prefix, n)
    }
    keys.withUnsafeBufferPointer { k in
      keyStart.withUnsafeBufferPointer { ks in
        entries.sort { x, y in
          if x.prefix != y.prefix { return x.prefix < y.prefix }
          var i = ks[x.entry]
          var j = ks[y.entry]
          let ei = ks[x.entry + 1]
          let ej = ks[y.entry + 1]
          while i < ei && j < ej {
            if k[i] != k[j] { return k[i] < k[j] }
            i += 1
            j += 1
          }
          return ei - i < ej - j
        }
      }
    }
    var factorOfRank = Array(repeating: Factor.parenthesized(.zero), count: factors.count)
    for (id, f) in factors.enumerated() { factorOfRank[factorRank[id]] = f }
    var out: [Term] = []
    out.reserveCapacity(entries.count)
    func sameKey(_ a: Int, _ b: Int) -> Bool {
      let la = keyStart[a + 1] - keyStart[a]
      if la != keyStart[b + 1] - keyStart[b] { return false }
      var i = keyStart[a]
      var j = keyStart[b]
      for _ in 0..<la {
        if keys[i] != keys[j] { return false }
        i += 1
        j += 1
      }
      return true
    }
    var n = 0
    var fs: [Factor] = []
    while n < entries.count {
      let e = entries[n].entry
      var c = coefficients[e]
      var next = n + 1
      while next < entries.count && entries[next].prefix == entries[n].prefix
        && sameKey(entries[next].entry, e)
      {
        c += coefficients[entries[next].entry]
        next += 1
      }
      n = next
      if c.isZero { continue }
      let m = bare[e] ?? Monomial(scalars: scalarLists[scalarList[e]])
      // The factor ranks of the key, in order (after the order in 1/n, the width degree and the
      // number of factors).
      fs.removeAll(keepingCapacity: true)
      var p = keyStart[e] + 3
      while keys[p] != 0 {
        fs.append(factorOfRank[keys[p] - 1])
        p += 1
      }
      out.append(Term(c, m.replacingFactors(with: fs)))
    }
    return Expression(out)
  }

  /// Dense ranks from a sorted order of ids, equal atoms sharing a rank.
  private func ranks(_ order: [Int], equal: (Int, Int) -> Bool) -> [Int] {
    var rank = Array(repeating: 0, count: order.count)
    var r = 0
    for (n, id) in order.enumerated() {
      if n > 0 && !equal(order[n - 1], id) { r += 1 }
      rank[id] = r
    }
    return rank
  }
}
