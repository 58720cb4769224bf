// derive-bench [GROUP…] [--json]: release-mode benchmarks; medians over repeats, peers measured in
// the same run where installed. Each group lives in its own file and returns its cases.
let arguments = Array(CommandLine.arguments.dropFirst())
let json = arguments.contains("--json")
let requested = Set(arguments.filter { !$0.hasPrefix("--") })

let groups: [(name: String, cases: () -> [BenchmarkCase])] = [
  ("quadrature", quadratureBenchmarks),
]

for group in groups where requested.isEmpty || requested.contains(group.name) {
  for c in group.cases() { report(run(c), json: json) }
}
