/// The Levenshtein distance (insertions, deletions and substitutions of characters), which the
/// "did you mean" suggestions of activation names and couplings share.
public enum EditDistance {
  public static func between(_ x: [Character], _ y: [Character]) -> Int {
    guard !x.isEmpty, !y.isEmpty else { return max(x.count, y.count) }
    var previous = Array(0...y.count)
    for i in 1...x.count {
      var current = [i] + Array(repeating: 0, count: y.count)
      for j in 1...y.count {
        current[j] = min(
          previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
      }
      previous = current
    }
    return previous[y.count]
  }

  public static func between(_ a: String, _ b: String) -> Int { between(Array(a), Array(b)) }
}
