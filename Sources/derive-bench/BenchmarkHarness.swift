import Foundation
import JSON

/// One benchmark case: a named body timed over repeats, optionally with a peer measured in the
/// same run.
struct BenchmarkCase {
  var group: String
  var name: String
  var repeats: Int = 7
  /// The measured work. Runs `repeats` times after one warm-up run.
  var body: () -> Void
  /// Name of the peer system ("form", "numpy", …) and a closure that measures it once, returning
  /// seconds, or nil when the peer is not installed.
  var peer: (name: String, measure: () -> Double?)? = nil
}

/// Result of timing one case.
struct BenchmarkResult {
  var group: String
  var name: String
  var median: Double
  var min: Double
  var max: Double
  var peerName: String?
  var peerMedian: Double?
}

/// Seconds elapsed while running `body` once (monotonic clock).
func measureSeconds(_ body: () -> Void) -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
}

func median(_ values: [Double]) -> Double {
  let s = values.sorted()
  return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}

func run(_ c: BenchmarkCase) -> BenchmarkResult {
  c.body()
  let times = (0..<max(1, c.repeats)).map { _ in measureSeconds(c.body) }
  var peerName: String? = nil
  var peerMedian: Double? = nil
  if let peer = c.peer {
    let peerTimes = (0..<3).compactMap { _ in peer.measure() }
    if !peerTimes.isEmpty {
      peerName = peer.name
      peerMedian = median(peerTimes)
    }
  }
  return BenchmarkResult(
    group: c.group, name: c.name, median: median(times), min: times.min() ?? 0,
    max: times.max() ?? 0, peerName: peerName, peerMedian: peerMedian)
}

func formatSeconds(_ s: Double) -> String {
  if s < 1e-6 { return String(format: "%.1f ns", s * 1e9) }
  if s < 1e-3 { return String(format: "%.2f µs", s * 1e6) }
  if s < 1 { return String(format: "%.2f ms", s * 1e3) }
  return String(format: "%.3f s", s)
}

func report(_ r: BenchmarkResult, json: Bool) {
  if json {
    let line = JSONValue.object([
      ("group", .string(r.group)), ("case", .string(r.name)), ("median_s", .double(r.median)),
      ("min_s", .double(r.min)), ("max_s", .double(r.max)),
      ("peer", r.peerName.map(JSONValue.string) ?? .null),
      ("peer_median_s", r.peerMedian.map { .double($0) } ?? .null),
    ])
    print(line.serialized())
  } else {
    var line =
      "\(r.group)/\(r.name): median \(formatSeconds(r.median))  "
      + "[min \(formatSeconds(r.min)), max \(formatSeconds(r.max))]"
    if let p = r.peerName, let pm = r.peerMedian {
      line +=
        "  peer \(p): \(formatSeconds(pm))  ratio peer/ours \(String(format: "%.1f", pm / r.median))×"
    }
    print(line)
  }
}
