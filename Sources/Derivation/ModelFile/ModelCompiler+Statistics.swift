import Algebra
import GaussianCalculus
import Rational

/// Compilation of a layer's declared statistics: the `statistic` and `cumulant` statements, or
/// the shorthand `incoming z[j;a] : nearly-gaussian metric K, correction G1, vertex V`.
///
/// A `cumulant` statement's indices are its own: before `;` a neuron slot, after it a sample
/// slot, numbered in the order written. Its right-hand side is a sum of terms, each a number
/// times δ's of neuron slots (`delta[j1,j2]`), one statistic applied to the sample slots, and a
/// power of 1/n (`n` is the width normalising the layer, `per n[l-1]`); parentheses are
/// multiplied out.
extension Compilation {
  /// Most terms a cumulant's right-hand side may have once multiplied out.
  static let maximumAnsatzTerms = 256

  /// Most factors in one cumulant statement: at order 1/n a nearly-Gaussian layer's connected
  /// correlators beyond the four-point one are O(1/n²).
  static let maximumCumulantRank = 4

  func layerStatistics(
    field: TensorHead, suppression: Symbol, declare: (ModelSyntax.Name) throws -> Void
  ) throws -> LayerStatistics? {
    if let incoming = syntax.incoming, let metric = incoming.metric {
      if let s = syntax.statistics.first {
        throw ModelError(
          s.location,
          "the statistics are declared twice: by the shorthand 'metric …' of the incoming statement (at \(incoming.location)) and by 'statistic' statements; use one of the two"
        )
      }
      if let c = syntax.cumulants.first {
        throw ModelError(
          c.location,
          "the statistics are declared twice: by the shorthand 'metric …' of the incoming statement (at \(incoming.location)) and by 'cumulant' statements; use one of the two"
        )
      }
      for n in [metric, incoming.correction, incoming.vertex].compactMap({ $0 }) {
        try declare(n)
      }
      return .standard(
        variable: field, metric: metric.text, correction: incoming.correction?.text,
        vertex: incoming.vertex?.text, suppression: suppression)
    }
    if syntax.statistics.isEmpty && syntax.cumulants.isEmpty {
      if let incoming = syntax.incoming {
        throw ModelError(
          incoming.location,
          "the incoming layer declares no statistics: declare them with 'statistic' and 'cumulant' statements (Derivations/README.md), or with the shorthand 'nearly-gaussian metric K, correction G1, vertex V'"
        )
      }
      return nil
    }
    // Statistics, in declared order.
    var declared: [String: (syntax: ModelSyntax.StatisticDeclaration, symmetry: TensorSymmetry)] =
      [:]
    for d in syntax.statistics {
      try declare(d.name)
      var seen: Set<String> = []
      for slot in d.slots where !seen.insert(slot.text).inserted {
        throw ModelError(
          slot.location, "index '\(slot.text)' appears twice in the declaration of '\(d.name.text)'"
        )
      }
      let symmetry: TensorSymmetry
      let at = d.symmetry?.location ?? d.location
      switch d.symmetry?.text {
      case nil, "none": symmetry = .none
      case "symmetric": symmetry = .symmetric
      case "pairs":
        guard d.slots.count == 4 else {
          throw ModelError(
            at,
            "'pairs' (symmetric within (a1,a2) and (a3,a4), and under exchanging the pairs) needs four indices; '\(d.name.text)' has \(d.slots.count)"
          )
        }
        symmetry = .pairOfPairs
      case let word? where word == "pair-exchange" || word == "two-pairs":
        guard d.slots.count == 4 else {
          throw ModelError(
            at, "'\(word)' needs four indices; '\(d.name.text)' has \(d.slots.count)")
        }
        symmetry = word == "pair-exchange" ? .pairExchange : .separatePairs
      case let other?:
        throw ModelError(
          at,
          "unknown symmetry '\(other)'; expected 'symmetric' (any permutation of the indices), 'pairs' (V[(a1,a2),(a3,a4)]), 'pair-exchange' (B[a1,a2,a3,a4] = B[a3,a4,a1,a2]) or 'two-pairs' (D symmetric within (a1,a2) and within (a3,a4))"
        )
      }
      declared[d.name.text] = (d, symmetry)
    }
    // Cumulant ansätze.
    var ansatze: [CumulantAnsatz] = []
    var orderOf: [String: (order: Int, at: SourceLocation)] = [:]
    for c in syntax.cumulants {
      let ansatz = try compileAnsatz(c, field: field, declared: declared.mapValues(\.syntax))
      if let previous = ansatze.first(where: { $0.fields == ansatz.fields }) {
        throw ModelError(
          c.location,
          "a second cumulant of \(ansatz.written) (the first is at \(previous.location.map(\.description) ?? "?"))"
        )
      }
      for t in ansatz.terms {
        if let o = orderOf[t.statistic], o.at != c.location {
          throw ModelError(
            c.location,
            "'\(t.statistic)' appears in two cumulants (also at \(o.at)); a statistic is read off one cumulant"
          )
        }
        if let o = orderOf[t.statistic], o.order != t.order {
          throw ModelError(
            c.location,
            "'\(t.statistic)' appears at two orders in 1/n (\(o.order) and \(t.order)); a statistic has one order"
          )
        }
        orderOf[t.statistic] = (t.order, c.location)
      }
      for (k, t) in ansatz.terms.enumerated() {
        for u in ansatz.terms[..<k]
        where u.statistic != t.statistic && u.neuronBlocks == t.neuronBlocks && u.order == t.order {
          throw ModelError(
            c.location,
            "'\(u.statistic)' and '\(t.statistic)' have the same neuron structure (\(t.neuronStructure)) and order in 1/n, so neither can be read off the derived correlator"
          )
        }
      }
      ansatze.append(ansatz)
    }
    for d in syntax.statistics where orderOf[d.name.text] == nil {
      throw ModelError(
        d.location,
        "the statistic '\(d.name.text)' appears in no cumulant: a 'cumulant' statement defines what it is"
      )
    }
    // The leading metric: the one term of order 0.
    let kernelName = syntax.tangentKernel?.field.head.text
    let leading = ansatze.filter { !$0.fields.contains { $0 == kernelName } }.flatMap { a in
      a.terms.filter { $0.order == 0 }.map { (a, $0) }
    }
    try checkKernelAnsatze(ansatze, declared: declared.mapValues(\.symmetry))
    guard let (metricAnsatz, metricTerm) = leading.first else {
      throw ModelError(
        syntax.cumulants.first?.location ?? fileStart,
        "no cumulant has a term of order 0: a nearly-Gaussian layer needs its metric, e.g. 'cumulant z[j1;a1] z[j2;a2] = delta[j1,j2] (K[a1,a2] + G1[a1,a2] / n)'"
      )
    }
    let metricSymmetric = declared[metricTerm.statistic]?.symmetry == .symmetric
    guard metricAnsatz.rank == 2, metricTerm.neuronBlocks == [[0, 1]],
      metricTerm.coefficient == .one, metricSymmetric, leading.count == 1
    else {
      let location = metricAnsatz.location ?? fileStart
      if leading.count > 1 {
        throw ModelError(
          leading[1].0.location ?? location,
          "'\(leading[1].1.statistic)' is of order 0 like the metric '\(metricTerm.statistic)': in a nearly-Gaussian layer only the metric is (every other statistic is divided by a power of n)"
        )
      }
      throw ModelError(
        location,
        "the metric '\(metricTerm.statistic)' (the term of order 0) must be the two-point cumulant's δ term with coefficient 1, declared 'symmetric': 'cumulant z[j1;a1] z[j2;a2] = delta[j1,j2] \(metricTerm.statistic)[a1,a2] + …'"
      )
    }
    let statistics = syntax.statistics.map { d in
      Statistic(
        name: d.name.text, rank: d.slots.count, symmetry: declared[d.name.text]?.symmetry ?? .none,
        order: orderOf[d.name.text]?.order ?? 0)
    }
    return LayerStatistics(
      variable: field, statistics: statistics, ansatze: ansatze, suppression: suppression,
      kernel: kernelName.map { TensorHead($0, layer: field.layer) })
  }

  /// One product of factors of an ansatz term, multiplied out.
  private struct AnsatzProduct {
    var coefficient = Rational.one
    var deltas: [(ModelSyntax.Name, ModelSyntax.Name)] = []
    var statistics: [ModelSyntax.TensorSyntax] = []
    var widthPower = 0
  }

  private func compileAnsatz(
    _ c: ModelSyntax.CumulantDeclaration, field: TensorHead,
    declared: [String: ModelSyntax.StatisticDeclaration]
  ) throws -> CumulantAnsatz {
    if c.fields.count > Self.maximumCumulantRank {
      throw ModelError(
        c.location,
        "a cumulant of \(c.fields.count) factors: at order 1/n only the correlators of up to \(Self.maximumCumulantRank) factors are carried (the connected six-point function is O(1/n²))"
      )
    }
    var neuronSlots: [String: Int] = [:]
    var sampleSlots: [String: Int] = [:]
    var slotsPerField: [Int] = []
    let kernel = syntax.tangentKernel?.field.head.text
    for f in c.fields {
      let isKernel = kernel != nil && f.head.text == kernel
      if isKernel {
        if slotsPerField.contains(1) {
          throw ModelError(
            f.head.location,
            "write the tangent kernel's factors first: 'cumulant \(f.head.text)[j1,j2;a1,a2] \(field.name)[j3;a3] …'"
          )
        }
        guard f.indices.count == 4, f.indicesBeforeSemicolon == 2 else {
          throw ModelError(
            f.head.location,
            "write each factor of the tangent kernel as \(f.head.text)[j1,j2;a1,a2]: two neuron and two sample indices"
          )
        }
      } else {
        guard f.head.text == field.name else {
          throw ModelError(
            f.head.location,
            "a cumulant of the layer's field '\(field.name)'\(kernel.map { " or its tangent kernel '\($0)'" } ?? "") is expected, found '\(f.head.text)'\(kernel == nil ? " (other fields are not supported yet)" : "")"
          )
        }
        guard f.indices.count == 2, f.hasSemicolon else {
          throw ModelError(
            f.head.location,
            "write each factor as \(field.name)[j;a]: one neuron and one sample index")
        }
      }
      let width = isKernel ? 2 : 1
      let start = slotsPerField.reduce(0, +)
      slotsPerField.append(width)
      for (n, slot) in f.indices.enumerated() {
        if neuronSlots[slot.text] != nil || sampleSlots[slot.text] != nil {
          throw ModelError(
            slot.location,
            "index '\(slot.text)' appears twice on the left-hand side: every factor has its own indices (the δ's on the right say which neurons coincide)"
          )
        }
        if n < width {
          neuronSlots[slot.text] = start + n
        } else {
          sampleSlots[slot.text] = start + n - width
        }
      }
    }
    let slotCount = slotsPerField.reduce(0, +)
    let expanded = Self.expandedTermCount(c.rhs)
    if expanded > Self.maximumAnsatzTerms {
      throw ModelError(
        c.location,
        "the right-hand side expands to \(expanded == Int.max ? "more than \(Self.maximumAnsatzTerms)" : "\(expanded)") terms; at most \(Self.maximumAnsatzTerms) are accepted"
      )
    }
    var terms: [CumulantTerm] = []
    for product in try expand(c.rhs) {
      guard product.statistics.count == 1, let s = product.statistics.first else {
        throw ModelError(
          product.statistics.dropFirst().first?.head.location ?? c.location,
          "each term of a cumulant is a number times δ's, one statistic and a power of 1/n (found \(product.statistics.count) statistics in a term)"
        )
      }
      guard let decl = declared[s.head.text] else {
        throw ModelError(
          s.head.location,
          "unknown statistic '\(s.head.text)' (declare it with 'statistic \(s.head.text)[…]')")
      }
      guard s.indices.count == decl.slots.count, !s.hasSemicolon else {
        throw ModelError(
          s.head.location,
          "'\(s.head.text)' has \(decl.slots.count) sample indices (declared at \(decl.location)), found \(s.indices.count)"
        )
      }
      var arguments: [Int] = []
      for i in s.indices {
        guard let k = sampleSlots[i.text] else {
          throw ModelError(
            i.location,
            "'\(i.text)' is not a sample index of the left-hand side (the statistic's indices are the factors' sample indices)"
          )
        }
        arguments.append(k)
      }
      guard Set(arguments).count == arguments.count, arguments.count == slotCount else {
        throw ModelError(
          s.head.location,
          "'\(s.head.text)' must take every sample index of the left-hand side once (the cumulant has \(slotCount))"
        )
      }
      // Neuron blocks from the δ's (union of coinciding slots).
      var block = Array(0..<slotCount)
      func root(_ k: Int) -> Int { block[k] == k ? k : root(block[k]) }
      for (p, q) in product.deltas {
        guard let x = neuronSlots[p.text], let y = neuronSlots[q.text] else {
          let bad = neuronSlots[p.text] == nil ? p : q
          throw ModelError(
            bad.location, "'\(bad.text)' in delta[…] is not a neuron index of the left-hand side")
        }
        let (rx, ry) = (root(x), root(y))
        if rx == ry {
          throw ModelError(
            p.location,
            "delta[\(p.text),\(q.text)] repeats a δ already implied by the term's others")
        }
        block[max(rx, ry)] = min(rx, ry)
      }
      var blocks: [Int: [Int]] = [:]
      for k in 0..<slotCount { blocks[root(k), default: []].append(k) }
      let neuronBlocks = blocks.keys.sorted().compactMap { blocks[$0] }
      guard product.widthPower <= 0 else {
        throw ModelError(
          c.location,
          "a term of the cumulant grows with the width (n^\(product.widthPower)); the statistics are divided by powers of n"
        )
      }
      let term = CumulantTerm(
        coefficient: product.coefficient, neuronBlocks: neuronBlocks, statistic: s.head.text,
        arguments: arguments, order: -product.widthPower)
      if let k = terms.firstIndex(where: {
        $0.neuronBlocks == term.neuronBlocks && $0.statistic == term.statistic
          && $0.arguments == term.arguments && $0.order == term.order
      }) {
        terms[k].coefficient = terms[k].coefficient + term.coefficient
      } else {
        terms.append(term)
      }
    }
    terms.removeAll { $0.coefficient.isZero }
    if terms.isEmpty {
      throw ModelError(c.location, "the cumulant's right-hand side is zero")
    }
    return CumulantAnsatz(
      fields: c.fields.map(\.head.text), slotsPerField: slotsPerField, terms: terms,
      location: c.location)
  }

  /// The right-hand side multiplied out into products.
  private func expand(_ e: ModelSyntax.ExpressionSyntax) throws -> [AnsatzProduct] {
    var out: [AnsatzProduct] = []
    for t in e.terms {
      var products = [AnsatzProduct()]
      if t.negative { products[0].coefficient = Rational(-1) }
      for (f, inverse) in t.numerator.map({ ($0, false) }) + t.denominator.map({ ($0, true) }) {
        var next: [AnsatzProduct] = []
        switch f {
        case .number(let k, let loc):
          if inverse && k == 0 { throw ModelError(loc, "division by zero") }
          let r = inverse ? Rational(1, k) : Rational(k)
          next = products.map {
            var p = $0
            p.coefficient = p.coefficient * r
            return p
          }
        case .name(let n) where n.text == "n":
          next = products.map {
            var p = $0
            p.widthPower += inverse ? -1 : 1
            return p
          }
        case .tensor(let x) where x.head.text == "delta":
          if inverse { throw ModelError(x.head.location, "cannot divide by delta[…]") }
          guard x.indices.count == 2, !x.hasSemicolon else {
            throw ModelError(x.head.location, "delta[j1,j2] takes two neuron indices")
          }
          next = products.map {
            var p = $0
            p.deltas.append((x.indices[0], x.indices[1]))
            return p
          }
        case .tensor(let x):
          if inverse { throw ModelError(x.head.location, "cannot divide by a statistic") }
          next = products.map {
            var p = $0
            p.statistics.append(x)
            return p
          }
        case .parenthesized(let inner, let loc):
          if inverse { throw ModelError(loc, "cannot divide by a parenthesised expression") }
          let sums = try expand(inner)
          for p in products {
            for q in sums {
              var r = p
              r.coefficient = r.coefficient * q.coefficient
              r.deltas += q.deltas
              r.statistics += q.statistics
              r.widthPower += q.widthPower
              next.append(r)
            }
          }
        case .name(let n):
          throw ModelError(
            n.location,
            "'\(n.text)' in a cumulant: its terms are numbers, delta[…], statistics and the width n"
          )
        case .widthOfLayer(_, let loc):
          throw ModelError(
            loc, "write the width normalising the statistics as 'n' (it is the 'per' width)")
        case .widthOfIndex(let n):
          throw ModelError(
            n.location, "write the width normalising the statistics as 'n' (it is the 'per' width)")
        case .call(let fn, _):
          throw ModelError(
            fn.location,
            "a function call in a cumulant: its terms are numbers, delta[…], statistics and the width n"
          )
        }
        products = next
      }
      out += products
    }
    return out
  }
}
