import Foundation
import Fuzzing
import Synchronization

/// `derive-fuzz`: long-mode fuzzing of the `derive` binary (see README, "Fuzzing").
let usage = """
  usage: derive-fuzz [--cases N] [--cli-cases M] [--seed S] [--derive PATH] [--timeout SECONDS]
                     [--jobs J] [--memory MB] [--out DIR] [--only K] [--quick]

    --cases N        model-file cases (default 10000)
    --cli-cases M    command-line cases (default: N / 2)
    --seed S         campaign seed (default 1); case k is a function of (S, k) alone
    --derive PATH    the derive binary (default: the one next to derive-fuzz)
    --timeout T      wall-clock bound per case in seconds (default 10); slower cases are hangs
    --jobs J         parallel cases (default: the number of cores)
    --memory MB      address-space cap per case via prlimit (default 4096; 0: none)
    --out DIR        write one reproducer per distinct failure here (default fuzz-findings)
    --only K         run only case K (model cases are 0..<N, command-line cases N..<N+M)
    --quick          the quick-mode profile of `swift test` (tiny numeric cases)

  Exit status: 0 no failures, 1 failures found, 2 usage error.
  """

struct Options {
  var cases = 10_000
  var cliCases: Int?
  var seed: UInt64 = 1
  var derive: String?
  var timeout = 10.0
  var jobs = ProcessInfo.processInfo.activeProcessorCount
  var memoryMB = 4096
  var out = "fuzz-findings"
  var only: Int?
  var quick = false
}

func parseOptions(_ arguments: [String]) -> Options? {
  var o = Options()
  var rest = arguments[...]
  while let flag = rest.popFirst() {
    if flag == "--quick" {
      o.quick = true
      continue
    }
    if flag == "--help" || flag == "-h" { return nil }
    guard let value = rest.popFirst() else { return nil }
    switch flag {
    case "--cases": guard let v = Int(value), v >= 0 else { return nil }; o.cases = v
    case "--cli-cases": guard let v = Int(value), v >= 0 else { return nil }; o.cliCases = v
    case "--seed": guard let v = UInt64(value) else { return nil }; o.seed = v
    case "--derive": o.derive = value
    case "--timeout": guard let v = Double(value), v > 0 else { return nil }; o.timeout = v
    case "--jobs": guard let v = Int(value), v >= 1 else { return nil }; o.jobs = v
    case "--memory": guard let v = Int(value), v >= 0 else { return nil }; o.memoryMB = v
    case "--out": o.out = value
    case "--only": guard let v = Int(value), v >= 0 else { return nil }; o.only = v
    default: return nil
    }
  }
  return o
}

guard let options = parseOptions(Array(CommandLine.arguments.dropFirst())) else {
  FileHandle.standardError.write(Data((usage + "\n").utf8))
  exit(2)
}
let selfURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
let derivePath =
  options.derive ?? selfURL.deletingLastPathComponent().appendingPathComponent("derive").path
guard FileManager.default.isExecutableFile(atPath: derivePath) else {
  FileHandle.standardError.write(
    Data("derive-fuzz: no derive binary at \(derivePath) (build it, or give --derive)\n".utf8))
  exit(2)
}
let modelCases = options.cases
let cliCases = options.cliCases ?? options.cases / 2
let generator = FuzzCaseGenerator(seed: options.seed, profile: options.quick ? .quick : .campaign)
let runner = SubprocessRunner(
  derivePath: derivePath, timeout: options.timeout, memoryLimit: options.memoryMB << 20)
let total = modelCases + cliCases
let indices = options.only.map { [$0] } ?? Array(0..<total)

struct Result: Sendable {
  var index: Int
  var outcome: FuzzOutcome
  var exit: String
  var seconds: Double
}

let results = Mutex<[Result]>([])
let next = Mutex(0)
let started = Date()
DispatchQueue.concurrentPerform(iterations: options.jobs) { _ in
  while true {
    let position = next.withLock { n -> Int in
      defer { n += 1 }
      return n
    }
    guard position < indices.count else { return }
    let k = indices[position]
    let c = generator.fuzzCase(k, modelCases: modelCases)
    let run = runner.run(c, index: k)
    let outcome = FuzzOutcome.classify(run, of: c, timeBound: options.timeout)
    let exit: String
    switch run.termination {
    case .exit(let s): exit = "exit \(s)"
    case .signal(let s): exit = "signal \(s)"
    case .timedOut: exit = "timeout"
    }
    let done = results.withLock { r -> Int in
      r.append(Result(index: k, outcome: outcome, exit: exit, seconds: run.seconds))
      return r.count
    }
    if outcome.verdict != .pass {
      FileHandle.standardError.write(
        Data("case \(k): \(outcome.verdict.rawValue): \(outcome.detail) [\(c.label)]\n".utf8))
    }
    if done % 1000 == 0 {
      FileHandle.standardError.write(Data("… \(done)/\(indices.count) cases\n".utf8))
    }
  }
}
let all = results.withLock { $0 }.sorted { $0.index < $1.index }
let elapsed = Date().timeIntervalSince(started)

// Deduplicate failures by verdict, triage classes and crash site; keep the first case of each.
var firstBySignature: [(signature: String, result: Result, count: Int)] = []
for r in all where r.outcome.verdict != .pass {
  let c = generator.fuzzCase(r.index, modelCases: modelCases)
  let classes = KnownFailureClass.classes(of: c).map(\.rawValue).joined(separator: ",")
  let site = r.outcome.verdict == .crash ? FuzzOutcome.crashSite(r.outcome.detail) : ""
  let signature =
    "\(r.outcome.verdict.rawValue) [\(classes.isEmpty ? "unclassified" : classes)] \(site)"
  if let k = firstBySignature.firstIndex(where: { $0.signature == signature }) {
    firstBySignature[k].count += 1
  } else {
    firstBySignature.append((signature, r, 1))
  }
}
var exitCounts: [String: Int] = [:]
var verdictCounts: [FuzzOutcome.Verdict: Int] = [:]
for r in all {
  exitCounts[r.exit, default: 0] += 1
  verdictCounts[r.outcome.verdict, default: 0] += 1
}
var report =
  "derive-fuzz: seed \(options.seed), \(all.count) cases (\(modelCases) model, \(cliCases) command-line), \(options.jobs) jobs, \(String(format: "%.1f", elapsed)) s\n"
report +=
  "exit: "
  + exitCounts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
  + "\n"
report +=
  "verdicts: "
  + FuzzOutcome.Verdict.allCases.map { "\($0.rawValue) \(verdictCounts[$0, default: 0])" }.joined(
    separator: ", ") + "\n"
if !firstBySignature.isEmpty {
  report += "distinct failures (\(firstBySignature.count)), reproducers in \(options.out):\n"
  let outURL = URL(fileURLWithPath: options.out)
  for (n, entry) in firstBySignature.enumerated() {
    let c = generator.fuzzCase(entry.result.index, modelCases: modelCases)
    let name = String(format: "%03d-", n + 1) + entry.result.outcome.verdict.rawValue
    report +=
      "  \(name): \(entry.count) case(s), first case \(entry.result.index): \(entry.signature) — \(entry.result.outcome.detail.prefix(160))\n"
    do {
      try Reproducer(name: name, fuzzCase: c).write(
        to: outURL,
        comments: [
          "derive-fuzz --seed \(options.seed) --cases \(modelCases) --cli-cases \(cliCases)\(options.quick ? " --quick" : "") --only \(entry.result.index)",
          "verdict: \(entry.result.outcome.verdict.rawValue): \(entry.result.outcome.detail)",
          "signature: \(entry.signature)", "label: \(c.label)", "cases: \(entry.count)",
        ])
    } catch {
      report += "    (cannot write the reproducer: \(error))\n"
    }
  }
}
print(report, terminator: "")
exit(firstBySignature.isEmpty ? 0 : 1)
