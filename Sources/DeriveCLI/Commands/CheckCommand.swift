import ArgumentParser
import Derivation
import Evaluation
import Foundation
import Numerics

/// `derive check`: theory against Monte-Carlo on a width scan.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract:
      "Check the derived K, G1, V against Monte-Carlo samples of random networks on a width scan.",
    discussion: """
      With --width N the scan runs widths N, 2N, …, 2^K·N (K = --scan, default 3); with --widths \
      every layer is scaled. The conditional sampler draws each layer from the derived \
      conditional covariance. For each quantity the two largest widths are extrapolated with \
      the expected order of the residual (K against K + G1/n: 1/n²; V and G1: 1/n) and compared \
      with the theory; the check passes if all |z| ≤ 4. Exit status 1 if it fails.

      The documented default run (passes):
        derive check --activation tanh --cb 0.1 --cw 1 --width 64 --depth 5 \\
            --input 1,0.5 --input -0.5,1 --samples 40000 --seed 1 --output check-tanh
        derive check --activation relu --cb 0 --cw 2 --width 64 --depth 5 \\
            --input 1,0.5 --input -0.5,1 --samples 40000 --seed 1 --output check-relu
      """)

  @OptionGroup var network: NetworkOptions

  @Option(help: "Number of networks per width.")
  var samples: Int = 20_000

  @Option(help: "Random seed (results are identical for any number of threads).")
  var seed: UInt64 = 1

  @Option(help: "Number of width doublings in the scan.")
  var scan: Int = 3

  @Option(help: "Threads (default: all cores).")
  var threads: Int?

  @Option(help: "Directory for report files (check.json, check.csv, check.svg).")
  var output: String?

  func execute(into out: inout CommandOutput) throws {
    let parameters = try network.parameters()
    guard samples >= 2, samples <= 100_000_000 else {
      throw CommandFailure.usage("error: --samples must be between 2 and 100000000")
    }
    // Work of the whole scan: networks × neurons × inputs summed over the widths n, 2n, ….
    let neurons = (0...max(0, scan)).reduce(0.0) { total, k in
      total + Double(parameters.widths.reduce(0, +)) * pow(2, Double(k))
    }
    let work = Double(samples) * neurons * Double(parameters.sampleCount)
    guard scan >= 0, scan <= 8, work <= 2e12 else {
      throw CommandFailure.usage(
        "error: this check is too large (about \(String(format: "%.1e", work)) neuron draws; the limit is 2e12): reduce --samples, --width, --depth or --scan (0…8)"
      )
    }
    if let threads, threads < 1 || threads > 1024 {
      throw CommandFailure.usage("error: --threads must be between 1 and 1024")
    }
    let (model, source) = try ModelLoading.load(network.model)
    let derivation: DerivationResult
    do {
      derivation = try DerivationPipeline(model).run()
    } catch let e as DerivationError {
      throw CommandFailure.usage(e.description)
    }
    let check = CrossValidation(model: model, derivation: derivation)
    let report: CrossValidation.Report
    do {
      var sink = out
      report = try check.run(
        parameters, options: .init(networks: samples, seed: seed, scanSteps: scan, threads: threads)
      ) { step, total, widths in
        sink.progress(
          "check: width scan \(step)/\(total): widths \(widths.map(String.init).joined(separator: ",")), \(samples) networks…"
        )
      }
      out.standardError = sink.standardError
    } catch let e as EvaluationError {
      throw CommandFailure.usage(e.description)
    }
    let header =
      "check: model \(model.name) (\(source)), σ = \(network.activation), "
      + parameters.couplings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(
        separator: ", ")
      + ", \(parameters.sampleCount) inputs, depth \(parameters.depth), \(samples) networks per width, seed \(seed)"
    out.write(CheckReport.table(report, header: header))
    if let output {
      do {
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let dir = URL(fileURLWithPath: output)
        try CheckReport.json(report, header: header).write(
          to: dir.appendingPathComponent("check.json"), atomically: true, encoding: .utf8)
        try CheckReport.csv(report).write(
          to: dir.appendingPathComponent("check.csv"), atomically: true, encoding: .utf8)
        try CheckReport.svg(report, title: header).write(
          to: dir.appendingPathComponent("check.svg"), atomically: true, encoding: .utf8)
        out.write("report files: \(output)/check.json, check.csv, check.svg\n")
      } catch {
        throw CommandFailure.usage(
          "error: cannot write the report to '\(output)': \(error.localizedDescription)")
      }
    }
    out.exitCode = report.passed ? 0 : 1
  }
}
