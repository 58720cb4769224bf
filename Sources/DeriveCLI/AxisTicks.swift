import Foundation

/// Tick marks a reader can read: round values (1, 2 or 5 times a power of ten apart) covering
/// a range, and labels with just the digits the step needs (`0.25`, `0.3`, `1e-05`), never the
/// data's extremes such as `0.3058538`.
struct AxisTicks: Equatable {
  /// The axis range, widened to whole steps so that both ends carry a tick.
  var lower: Double
  var upper: Double
  var values: [Double]
  var step: Double

  /// About `count` ticks over [`low`, `high`] (a degenerate range is widened around its value).
  init(low: Double, high: Double, count: Int = 5) {
    var lo = low
    var hi = high
    if !(hi - lo > 1e-12 * max(abs(lo), abs(hi), 1e-300)) {
      let pad = lo == 0 ? 1 : abs(lo) * 0.1
      lo -= pad
      hi += pad
    }
    let raw = (hi - lo) / Double(max(count, 1))
    let magnitude = pow(10, floor(log10(raw)))
    let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw * (1 - 1e-9) } ?? raw
    let first = floor(lo / step + 1e-9) * step
    let last = ceil(hi / step - 1e-9) * step
    let n = Int(((last - first) / step).rounded())
    self.step = step
    lower = first
    upper = last
    values = (0...n).map { first + Double($0) * step }
  }

  /// A tick's label: fixed notation with the decimals of the step and no trailing zeros,
  /// exponent notation for very small or large values; no `-0`.
  func label(_ value: Double) -> String {
    let v = abs(value) < step * 1e-6 ? 0 : value
    let largest = max(abs(lower), abs(upper))
    if largest >= 1e5 || (largest < 1e-3 && largest > 0) {
      return String(format: "%g", v)
    }
    let decimals = max(0, -Int(floor(log10(step) + 1e-9)))
    var text = String(format: "%.\(decimals)f", v)
    if text.contains(".") {
      while text.hasSuffix("0") { text.removeLast() }
      if text.hasSuffix(".") { text.removeLast() }
    }
    return text == "-0" ? "0" : text
  }

  /// Powers of ten covering [`low`, `high`] (both positive) for a logarithmic axis.
  static func decades(low: Double, high: Double) -> [Double] {
    let a = Int(floor(log10(low) + 1e-9))
    var b = Int(ceil(log10(high) - 1e-9))
    if b <= a { b = a + 1 }
    return (a...b).map { pow(10, Double($0)) }
  }
}
