import Algebra

extension Expression {
  /// **Pass: neuron-sum partition.** Splits every sum over neuron indices of `layer` into
  /// coincident / distinct classes: Σ_{j,k} f(j,k) = Σ_j f(j,j) + Σ_{j≠k} f(j,k), generally a sum
  /// over the set partitions of the summed indices, each block identified to one index and the
  /// blocks' indices constrained pairwise distinct. Existing distinctness constraints are kept
  /// and partitions that would merge constrained-distinct indices are skipped.
  public func splittingNeuronSums(layer: Layer) -> Expression {
    var out: [Term] = []
    for t in expanded().terms {
      let js = t.monomial.summed.filter { $0.space == .neuron(layer) }
      if js.count < 2 {
        out.append(t)
        continue
      }
      for blocks in setPartitions(js.count) {
        if blocks.contains(where: { block in
          t.monomial.distinct.contains { g in block.filter { g.contains(js[$0]) }.count >= 2 }
        }) {
          continue
        }
        var map: [Index: Index] = [:]
        for block in blocks { for member in block.dropFirst() { map[js[member]] = js[block[0]] } }
        let m = t.monomial.renamed(map)
        let reps = blocks.map { js[$0[0]] }.sorted()
        // The new group implies every old group among these indices; keep the others.
        let kept = m.distinct.map { Array(Set($0)).sorted() }
          .filter { g in g.count >= 2 && !g.allSatisfy { reps.contains($0) } }
        out.append(Term(t.coefficient, m.replacingSums(m.summed, constraints: kept + [reps])))
      }
    }
    let result = Expression(out)
    assert(result.isExpanded, "splittingNeuronSums: result not expanded")
    return result
  }
}

/// All set partitions of {0, …, n−1}, each as blocks in order of their smallest element
/// (restricted-growth strings, lexicographic).
func setPartitions(_ n: Int) -> [[[Int]]] {
  var result: [[[Int]]] = []
  var assignment = Array(repeating: 0, count: n)
  func recurse(_ k: Int, _ blocks: Int) {
    if k == n {
      var parts = Array(repeating: [Int](), count: blocks)
      for (i, b) in assignment.enumerated() { parts[b].append(i) }
      result.append(parts)
      return
    }
    for b in 0...blocks {
      assignment[k] = b
      recurse(k + 1, b == blocks ? blocks + 1 : blocks)
    }
  }
  if n == 0 { return [[]] }
  recurse(0, 0)
  return result
}
