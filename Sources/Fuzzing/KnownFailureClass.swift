import Foundation

/// Triage labels for the crash and hang classes found by the first campaigns, recognised from a
/// case's input (not from its run, so a test can skip a case without running it).
///
/// Labels are for reports and for the explicit, temporary skip list of the in-process quick
/// test (see `Tests/FuzzingTests/QuickFuzzTests.swift`); they say nothing about whether the
/// class is fixed.
public enum KnownFailureClass: String, Hashable, Sendable, CaseIterable {
  /// `gaussian A[i,i] : …` (an index repeated in a declaration).
  case repeatedIndex = "repeated-index"
  /// Thousands of nested parentheses (parser recursion).
  case deepNesting = "deep-nesting"
  /// `gaussian W[i,j] : W[i,j]` (a variance naming a parameter).
  case selfReferentialVariance = "self-referential-variance"
  /// A layer offset or absolute layer near `Int.max` (`l-9223372036854775807`).
  case extremeLayer = "extreme-layer"
  /// Hundreds of repeated terms in the map (`+ b[i]` × 300).
  case repeatedTerms = "repeated-terms"
  /// A product of two incoming variables (`U[i] z[j;a] z[k;a]`).
  case productOfIncoming = "product-of-incoming"
  /// Huge couplings or inputs (≥ 1e100) given to eval or check.
  case hugeNumericValue = "huge-numeric-value"
  /// `--scan` far beyond its limit.
  case hugeScan = "huge-scan"
  /// `--activation sin` (or another oscillating activation) with a huge kernel.
  case oscillatingHugeKernel = "oscillating-huge-kernel"
  /// Many threads on wide layers.
  case manyThreads = "many-threads"
  /// Many Gaussian-parameter factors in the `map` or `first` right-hand side (≥ 8): the Wick
  /// contractions of the four-point function grow factorially.
  case manyParameterFactors = "many-parameter-factors"
  /// A map term summing the incoming layer without a weight that carries its index
  /// (`sigma(z[j;a]) b[i]`): found by the first quick runs, 16 s in a debug build.
  case unweightedIncomingSum = "unweighted-incoming-sum"

  /// The classes the case's input shows, in declaration order.
  public static func classes(of fuzzCase: FuzzCase) -> [KnownFailureClass] {
    var out: [KnownFailureClass] = []
    if let text = fuzzCase.modelText {
      let usesModel = fuzzCase.arguments.contains(FuzzCase.modelPlaceholder)
      if usesModel {
        out += modelClasses(text)
      }
    }
    let args = fuzzCase.arguments
    func values(_ flag: String) -> [String] {
      zip(args, args.dropFirst()).filter { $0.0 == flag }.map(\.1)
    }
    /// Beyond the quadrature's range: a kernel above 1e16 (a coupling or input of 1e8 or more).
    func huge(_ s: String) -> Bool {
      s.split(separator: ",").contains { Double($0).map { abs($0) >= 1e8 } ?? false }
    }
    if args.first == "eval" || args.first == "check" {
      if (values("--cb") + values("--cw") + values("--input")).contains(where: huge) {
        out.append(.hugeNumericValue)
        if values("--activation").contains(where: { $0.hasPrefix("sin") }) {
          out.append(.oscillatingHugeKernel)
        }
      }
      if values("--scan").contains(where: { (Int($0) ?? 0) > 1_000 }) { out.append(.hugeScan) }
      if values("--threads").contains(where: { (Int($0) ?? 0) > 64 }) { out.append(.manyThreads) }
    }
    return out
  }

  static func modelClasses(_ text: String) -> [KnownFailureClass] {
    var out: [KnownFailureClass] = []
    let lines = text.split(separator: "\n")
    if lines.contains(where: { line in
      line.hasPrefix("gaussian") && bracketIndices(line).map { Set($0).count < $0.count } ?? false
    }) {
      out.append(.repeatedIndex)
    }
    var depth = 0
    var deepest = 0
    for c in text.utf8 {
      if c == UInt8(ascii: "(") { depth += 1 } else if c == UInt8(ascii: ")") { depth -= 1 }
      deepest = max(deepest, depth)
    }
    if deepest >= 1_000 { out.append(.deepNesting) }
    if lines.contains(where: { line in
      guard line.hasPrefix("gaussian"), let colon = line.firstIndex(of: ":") else { return false }
      return line[colon...].contains("[")
    }) {
      out.append(.selfReferentialVariance)
    }
    if lines.contains(where: {
      ($0.hasPrefix("index") || $0.hasPrefix("incoming")) && $0.contains("922337203685477")
        || $0.contains("461168601842738")
    }) {
      out.append(.extremeLayer)
    }
    if let map = lines.first(where: { $0.hasPrefix("map") }) {
      if map.components(separatedBy: " + ").count > 32
        || map.components(separatedBy: " - ").count > 32
      {
        out.append(.repeatedTerms)
      }
      let rhs = map.drop { $0 != "=" }
      let terms = rhs.replacingOccurrences(of: " - ", with: " + ").components(separatedBy: " + ")
      if terms.contains(where: {
        $0.components(separatedBy: "z[").count - $0.components(separatedBy: "sigma(z[").count >= 2
      }) {
        out.append(.productOfIncoming)
      }
      if terms.contains(where: { $0.contains("z[j;a]") && !$0.contains(",j]") }) {
        out.append(.unweightedIncomingSum)
      }
    }
    if lines.contains(where: { line in
      guard line.hasPrefix("map") || line.hasPrefix("first") else { return false }
      return line.components(separatedBy: "[i,").count - 1
        + line.components(separatedBy: "[i]").count
        - 1 >= 8
    }) {
      out.append(.manyParameterFactors)
    }
    return out
  }

  /// The comma-separated names inside the first `[…]` of a line.
  static func bracketIndices(_ line: Substring) -> [Substring]? {
    guard let open = line.firstIndex(of: "["), let close = line[open...].firstIndex(of: "]")
    else { return nil }
    return line[line.index(after: open)..<close].split(separator: ",").map {
      $0.split(separator: ";").first ?? ""
    }
  }
}
