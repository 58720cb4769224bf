import Algebra

/// Adjacent identical factors, shown as one factor raised to a power.
///
/// Only *adjacent* equal factors are merged, so the displayed order is the term's factor order
/// (in canonical form equal factors are adjacent anyway).
struct FactorRuns {
  var factor: Factor
  var count: Int

  static func runs(_ factors: [Factor], collapsing: Bool) -> [FactorRuns] {
    var out: [FactorRuns] = []
    for f in factors {
      if collapsing, let last = out.last, last.factor == f {
        out[out.count - 1].count += 1
      } else {
        out.append(FactorRuns(factor: f, count: 1))
      }
    }
    return out
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
