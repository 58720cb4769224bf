import Foundation
import Glibc
import JSON

/// A peer system measured in the same run as a case: its name ("form-stepwise", "numpy", …), a
/// closure that measures it once (seconds, or nil when the peer is not installed), and, for a
/// peer run as a separate process, its start-up time (an empty program), reported beside the
/// ratio so that the work beyond start-up is compared too.
struct Peer {
  var name: String
  var measure: () -> Double?
  var startup: (() -> Double?)? = nil
  /// How many times the peer is measured (its median is reported).
  var repeats = 3
  /// One run of the peer's start-up (an empty program), when it is sampled alternately with the
  /// peer's runs; the median of those samples is then the reported start-up, measured under the
  /// same load as the runs (`startup` is not asked).
  var startupSample: (() -> Double?)? = nil
}

/// What a case's times measure: elapsed time, or the CPU time of the measuring thread (and, for
/// a peer run as its own process, that process's user + system time), which the other processes
/// of a loaded machine inflate far less.
enum BenchmarkClock: String {
  case wall
  case cpu
}

/// One benchmark case: a named body timed over repeats, with peers measured in the same run.
struct BenchmarkCase {
  var group: String
  var name: String
  var repeats: Int = 7
  /// The measured work. Runs `repeats` times after one warm-up run.
  var body: () -> Void
  var peers: [Peer] = []
  /// The clock of the case's and its peers' times.
  var clock = BenchmarkClock.wall
}

/// A peer's median over its runs, and its start-up when it has one.
struct PeerResult {
  var name: String
  var median: Double
  var startup: Double?
}

/// Result of timing one case.
struct BenchmarkResult {
  var group: String
  var name: String
  var median: Double
  var min: Double
  var max: Double
  var peers: [PeerResult]
  var clock = BenchmarkClock.wall
}

/// Seconds elapsed while running `body` once (monotonic clock).
func measureSeconds(_ body: () -> Void) -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
}

/// CPU seconds of the calling thread while running `body` once.
func measureCPUSeconds(_ body: () -> Void) -> Double {
  var start = timespec()
  var end = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start)
  body()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end)
  return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) * 1e-9
}

func median(_ values: [Double]) -> Double {
  let s = values.sorted()
  return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}

func run(_ c: BenchmarkCase) -> BenchmarkResult {
  c.body()
  let times = (0..<max(1, c.repeats)).map { _ in
    c.clock == .cpu ? measureCPUSeconds(c.body) : measureSeconds(c.body)
  }
  var peers: [PeerResult] = []
  for peer in c.peers {
    var peerTimes: [Double] = []
    var startups: [Double] = []
    for _ in 0..<max(1, peer.repeats) {
      if let t = peer.measure() { peerTimes.append(t) }
      if let sample = peer.startupSample, let t = sample() { startups.append(t) }
    }
    if !peerTimes.isEmpty {
      let startup =
        peer.startupSample == nil ? peer.startup?() : startups.isEmpty ? nil : median(startups)
      peers.append(PeerResult(name: peer.name, median: median(peerTimes), startup: startup))
    }
  }
  return BenchmarkResult(
    group: c.group, name: c.name, median: median(times), min: times.min() ?? 0,
    max: times.max() ?? 0, peers: peers, clock: c.clock)
}

/// "12.3×", or "0.25×" when the peer is faster (below 1: we lose).
func ratio(_ peer: Double, _ ours: Double) -> String {
  guard ours > 0, peer > 0 else { return "n/a" }
  let r = peer / ours
  return String(format: r >= 10 ? "%.0f×" : r >= 1 ? "%.1f×" : "%.2f×", r)
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
      ("min_s", .double(r.min)), ("max_s", .double(r.max)), ("clock", .string(r.clock.rawValue)),
      (
        "peers",
        .array(
          r.peers.map { p in
            .object([
              ("name", .string(p.name)), ("median_s", .double(p.median)),
              ("startup_s", p.startup.map { .double($0) } ?? .null),
            ])
          })
      ),
    ])
    print(line.serialized())
  } else {
    var line =
      "\(r.group)/\(r.name): median \(r.clock == .cpu ? "CPU " : "")\(formatSeconds(r.median))  "
      + "[min \(formatSeconds(r.min)), max \(formatSeconds(r.max))]"
    for p in r.peers {
      line +=
        "\n    peer \(p.name): \(formatSeconds(p.median))  ratio peer/ours \(ratio(p.median, r.median))"
      if let startup = p.startup {
        let beyond = p.median - startup
        line +=
          "; start-up \(formatSeconds(startup)), beyond it \(formatSeconds(max(beyond, 0)))  ratio \(ratio(beyond, r.median))"
      }
    }
    print(line)
  }
}
