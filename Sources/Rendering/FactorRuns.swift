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
