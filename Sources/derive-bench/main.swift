import Foundation

// derive-bench [GROUP…] [--json] [--no-peers] [--case TEXT]: release-mode benchmarks; medians
// over repeats, peers measured in the same run where installed. Each group lives in its own file
// and returns its cases. The command line is read by BenchmarkArguments.
let groups: [(name: String, cases: () -> [BenchmarkCase])] = [
  ("derive", derivationBenchmarks),
  ("rational", rationalBenchmarks),
  ("algebra", algebraBenchmarks),
  ("sampler", samplerBenchmarks),
  ("quadrature", quadratureBenchmarks),
  ("wick", wickBenchmarks),
]
let names = groups.map(\.name)

let options: BenchmarkArguments
do {
  switch try BenchmarkArguments.parse(Array(CommandLine.arguments.dropFirst()), groups: names) {
  case .help:
    print(BenchmarkArguments.usage(groups: names))
    exit(0)
  case .run(let parsed):
    options = parsed
  }
} catch {
  FileHandle.standardError.write(
    Data(
      "error: \(error)\nusage: derive-bench [GROUP…] [--json] [--no-peers] [--case TEXT] (--help for more)\n"
        .utf8))
  exit(2)
}

for group in groups where options.groups.isEmpty || options.groups.contains(group.name) {
  for var c in group.cases() where options.caseFilter.map({ c.name.contains($0) }) ?? true {
    if !options.measuresPeers { c.peers = [] }
    report(run(c), json: options.json)
  }
}
