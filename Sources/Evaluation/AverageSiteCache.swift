/// The values of one Gaussian-average factor of a compiled term
/// (``ExpressionEvaluator/AverageSite``), by the code of the assignment of its index slots:
/// their values as the digits of a number in base S (the sample count). Each code is unknown,
/// requested (recorded while the evaluator collects the averages a layer needs) or known,
/// with its value.
///
/// When the codes are few (S^slots at most ``denseLimit``) they index flat arrays, allocated on
/// first use, so that a look-up in the evaluator's inner loop is an array access, not a hash;
/// otherwise (and for a code beyond S^slots) a dictionary and a set hold them. Both storages
/// answer every query the same way.
///
/// A class: the sites of one evaluator that compute the same function of their code (the same
/// metric and integrand functions, ``ExpressionEvaluator/AverageSite/Shape``) share one cache.
final class AverageSiteCache {
  /// The most codes kept in flat arrays (8 bytes of value and 1 of state each).
  static let denseLimit = 1 << 16

  /// Codes below this are held in the flat arrays; 0 when S^slots exceeds the limit.
  let denseCount: Int
  private var values: [Double] = []
  private var states: [State] = []
  private var known: [Int: Double] = [:]
  private var requested: Set<Int> = []

  private enum State: UInt8 {
    case unknown, requested, known
  }

  /// The cache of a site with `slots` index slots, each taking values below `sampleCount`.
  init(sampleCount: Int, slots: Int, limit: Int = AverageSiteCache.denseLimit) {
    var count = 1
    for _ in 0..<slots {
      let (product, overflow) = count.multipliedReportingOverflow(by: Swift.max(sampleCount, 1))
      count = overflow ? limit + 1 : product
      if count > limit { break }
    }
    denseCount = count <= limit ? count : 0
  }

  /// Whether the codes are held in flat arrays.
  var isDense: Bool { denseCount > 0 }

  /// The value stored at `code`, nil when it is not known.
  func value(at code: Int) -> Double? {
    if code < denseCount {
      return code < states.count && states[code] == .known ? values[code] : nil
    }
    return known[code]
  }

  /// Stores `value` at `code`.
  func store(_ value: Double, at code: Int) {
    if code < denseCount {
      allocate()
      values[code] = value
      states[code] = .known
    } else {
      known[code] = value
    }
  }

  /// Records a request of `code`: true the first time, false when it is requested already
  /// (or known).
  func request(_ code: Int) -> Bool {
    if code < denseCount {
      allocate()
      guard states[code] == .unknown else { return false }
      states[code] = .requested
      return true
    }
    if known[code] != nil { return false }
    return requested.insert(code).inserted
  }

  private func allocate() {
    if states.isEmpty {
      values = [Double](repeating: 0, count: denseCount)
      states = [State](repeating: .unknown, count: denseCount)
    }
  }
}
