import Algebra

/// The sums of a term as they are displayed: one per distinctness group (Σ_{j≠k}), one for the
/// remaining neuron dummies, one for the remaining sample dummies — in the order of each
/// sum's smallest index, so that displayed names appear in order.
enum SumGroups {
  case distinct([Index])
  case neurons([Index])
  case samples([Index])

  static func groups(_ m: Monomial) -> [SumGroups] {
    var out: [(Index, SumGroups)] = []
    for group in m.distinct where !group.isEmpty {
      let sorted = group.sorted()
      out.append((sorted[0], .distinct(sorted)))
    }
    let constrained = Set(m.distinct.flatMap { $0 })
    let rest = m.summed.filter { !constrained.contains($0) }.sorted()
    let neurons = rest.filter { $0.space != .sample }
    let samples = rest.filter { $0.space == .sample }
    if let first = neurons.first { out.append((first, .neurons(neurons))) }
    if let first = samples.first { out.append((first, .samples(samples))) }
    return out.sorted { $0.0 < $1.0 }.map { $0.1 }
  }
}

/// Shortening of index lists in sums: a run of three or more names with one base and
/// consecutive numeric subscripts is shown as first, …, last.
enum IndexRuns {
  /// The names with long consecutive runs replaced by `[first, nil, last]` (nil = an ellipsis).
  static func compressed(_ names: [DisplayName]) -> [DisplayName?] {
    var out: [DisplayName?] = []
    var start = 0
    while start < names.count {
      var end = start + 1
      while end < names.count && follows(names[end], names[end - 1]) { end += 1 }
      if end - start >= 3 {
        out.append(names[start])
        out.append(nil)
        out.append(names[end - 1])
      } else {
        out.append(contentsOf: names[start..<end].map { Optional($0) })
      }
      start = end
    }
    return out
  }

  private static func follows(_ b: DisplayName, _ a: DisplayName) -> Bool {
    guard a.base == b.base, let x = Int(a.subscriptText), let y = Int(b.subscriptText) else {
      return false
    }
    return y == x + 1
  }
}
