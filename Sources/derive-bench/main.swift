// derive-bench [GROUP…] [--json] [--no-peers] [--case TEXT]: release-mode benchmarks; medians
// over repeats, peers measured in the same run where installed. Each group lives in its own file
// and returns its cases. `--no-peers` skips the peers (quick iterations, profiling); `--case`
// keeps the cases whose name contains TEXT.
var arguments = Array(CommandLine.arguments.dropFirst())
var caseFilter: String? = nil
if let position = arguments.firstIndex(of: "--case"), position + 1 < arguments.count {
  caseFilter = arguments[position + 1]
  arguments.removeSubrange(position...(position + 1))
}
let json = arguments.contains("--json")
let measuresPeers = !arguments.contains("--no-peers")
let requested = Set(arguments.filter { !$0.hasPrefix("--") })

let groups: [(name: String, cases: () -> [BenchmarkCase])] = [
  ("derive", derivationBenchmarks),
  ("rational", rationalBenchmarks),
  ("algebra", algebraBenchmarks),
  ("sampler", samplerBenchmarks),
  ("quadrature", quadratureBenchmarks),
  ("wick", wickBenchmarks),
]

for group in groups where requested.isEmpty || requested.contains(group.name) {
  for var c in group.cases() where caseFilter.map({ c.name.contains($0) }) ?? true {
    if !measuresPeers { c.peers = [] }
    report(run(c), json: json)
  }
}
