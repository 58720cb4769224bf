import ArgumentParser
import Derivation
import Evaluation
import Foundation
import Numerics
import Sampling

/// `derive check`: theory against Monte-Carlo on a width scan.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract:
      "Check the derived statistics (K, G1, V, and an NTK model's Theta, Theta1, A, B, D, F) against real random networks on a width scan.",
    discussion: """
      With --width N the scan runs widths N, 2N, …, 2^K·N (K = --scan, default 3); with --widths \
      every layer is scaled; each width samples its own independent random stream. \
      --sampler weights draws every parameter of real networks and evaluates the layer maps \
      (the referee; any model); --sampler conditional draws each layer from the derived \
      conditional covariance Ĝ (about n× faster), and is refused where that is not the model's \
      law (a term that is not linear in one Gaussian family indexed by the output neuron: \
      stacked weights, random gains, …); auto (the default) takes conditional where the \
      compiler proves it exact, weights otherwise. The report says which ran and why.

      \(verdictRule) Every row states `detectable`, the smallest error of its theory the run \
      flags with 95% probability; the summary names the quantities the run cannot tell from \
      zero.

      With --output DIR the check writes check.json, check.csv, check.svg and report.tex (the \
      run, the model, the typeset recursions, theory against MC per layer, the width scaling of \
      the residual and the verdict table, as pgfplots figures), and compiles report.pdf when \
      pdflatex is on PATH (--no-pdf: not); LaTeX problems are reported, never fail the check.

      A model that derives NTK statistics (e.g. mlp-ntk: Theta, Theta1, A, B, D, F) is \
      checked on real networks with each network's exact tangent kernel (--sampler weights or \
      auto; conditional is refused): the mean NTK against Theta + Theta1/n, Theta1 as \
      n·(MC − Theta), and n × the estimators of A, B, D, F, with the same verdict, power and \
      negative controls (e.g. --negative-control A). The NTK costs O(n³) per layer, so such a \
      model's defaults are --samples \(ntkDefaultSamples) and --scan \(ntkDefaultScan).

      Power: G1's signal-to-noise grows like √(samples/width), so G1 is resolved at narrow \
      widths with many networks. --negative-control G1 (or V) compares against the theory \
      with that statistic removed: a run with power must then fail.

      The documented runs (each passes, and fails both negative controls):
        derive check --activation tanh --cb 0.1 --cw 1 --width 8 --depth 5 \\
            --input 1,0.5 --input -0.5,1 --samples 200000 --seed 1 --output check-tanh
        derive check --activation relu --cb 0 --cw 2 --width 32 --depth 5 \\
            --input 1,0.5 --input -0.5,1 --samples 200000 --seed 1 --output check-relu

      Sharded runs (e.g. a Slurm array job, --array=1-N): each task runs the same command with \
      --shard K/N --output DIR and writes DIR/shard-K-of-N.json, the statistics of its range of \
      networks; `derive merge DIR` then checks that the shards belong to one run and cover it, \
      merges them and reports as an unsharded check would.
      """)

  @OptionGroup var network: NetworkOptions

  // Counts are read unconditionally (as NetworkOptions' numbers), so `--threads -1` is refused
  // for its value rather than reported missing.
  @Option(
    parsing: .unconditional,
    help:
      "Number of networks per width (100…100000000; default \(defaultSamples), \(ntkDefaultSamples) for a model with NTK statistics)."
  )
  var samples: Int?

  @Option(
    parsing: .unconditional,
    help: "Random seed (results are identical for any number of threads).")
  var seed: UInt64 = 1

  @Option(
    parsing: .unconditional,
    help:
      "Number of width doublings in the scan (0…8; default \(defaultScan), \(ntkDefaultScan) for a model with NTK statistics)."
  )
  var scan: Int?

  @Option(
    parsing: .unconditional,
    help:
      "Threads (1…1024; default: all cores). At most one thread per 64 networks is started; a run whose estimated memory exceeds 4 GiB is refused."
  )
  var threads: Int?

  @Option(
    help:
      "Directory for report files (check.json, check.csv, check.svg, report.tex, and report.pdf when pdflatex is installed)."
  )
  var output: String?

  @Flag(
    inversion: .prefixedNo,
    help: "With --output: compile report.tex to report.pdf when pdflatex is on PATH.")
  var pdf = true

  @Option(
    help: ArgumentHelp(
      "Compare against the theory with one finite-width statistic removed (set to zero at every layer), e.g. G1 or V — or, for a model with a skip connection, R: its self-feedback, giving the (K, G1, V) Gaussian closure. A run with power must then fail (exit 1).",
      valueName: "NAME"))
  var negativeControl: String?

  @Option(
    help:
      "Sampler: auto (conditional where exact for the model, else weights), weights (real networks, every parameter drawn) or conditional (each layer from the derived Ĝ)."
  )
  var sampler: String = "auto"

  @Option(
    help:
      "Run only shard K of N (K = 1…N) and write its statistics to --output DIR/shard-K-of-N.json (combine with `derive merge`)."
  )
  var shard: String?

  func execute(into out: inout CommandOutput) throws {
    // Every count is checked on its own before it is used in any arithmetic or loop.
    let fewest = CrossValidation.minimumNetworks
    if let samples, samples < fewest || samples > Self.maximumSamples {
      throw CommandFailure.usage(
        "error: --samples must be between \(fewest) and \(Self.maximumSamples) (got \(samples)): the standard errors are estimated from the spread over networks, and the z-tests need at least \(fewest) for it"
      )
    }
    if let scan, scan < 0 || scan > Self.maximumScan {
      throw CommandFailure.usage(
        "error: --scan must be between 0 and \(Self.maximumScan) (got \(scan))")
    }
    if let threads, threads < 1 || threads > Self.maximumThreads {
      throw CommandFailure.usage(
        "error: --threads must be between 1 and \(Self.maximumThreads) (got \(threads))")
    }
    let (model, source, text) = try ModelLoading.loadWithText(network.model)
    // The NTK sampler costs O(n³) per layer against O(n²): smaller defaults for NTK models.
    let tangentKernel = !NTKEstimators(model: model).statistics.isEmpty
    let samples = self.samples ?? (tangentKernel ? Self.ntkDefaultSamples : Self.defaultSamples)
    let scan = self.scan ?? (tangentKernel ? Self.ntkDefaultScan : Self.defaultScan)
    let parameters = try network.parameters(for: model)
    // Work of the whole scan: networks × neurons × inputs summed over the widths n, 2n, …,
    // 2^scan·n, in Double (no overflow whatever the validated counts).
    let neurons =
      Double(parameters.widths.reduce(0, +)) * (pow(2, Double(scan + 1)) - 1)
    let work = Double(samples) * neurons * Double(parameters.sampleCount)
    guard work <= Self.maximumWork else {
      throw CommandFailure.usage(
        "error: this check is too large (about \(String(format: "%.1e", work)) neuron draws; the limit is 2e12): reduce --samples, --width, --depth or --scan (0…8)"
      )
    }
    guard let samplerChoice = SamplerChoice(rawValue: sampler) else {
      throw CommandFailure.usage(
        "error: --sampler must be auto, weights or conditional (got '\(sampler)')")
    }
    let shardRange = try shard.map { try Self.parseShard($0, samples: samples) }
    if shardRange != nil, !network.functions.isEmpty {
      throw CommandFailure.usage(
        "error: --shard with --function is not supported (shard files record one activation)")
    }
    if shardRange != nil, network.activationIsPerFunction {
      throw CommandFailure.usage(
        "error: --shard with --activation NAME=ACTIVATION is not supported (shard files record one activation)"
      )
    }
    if shardRange != nil, output == nil {
      throw CommandFailure.usage("error: --shard needs --output DIR for the shard's statistics")
    }
    let derivation: DerivationResult
    do {
      derivation = try DerivationPipeline(model).run()
    } catch let e as DerivationError {
      throw CommandFailure.usage(e.description)
    }
    let check = CrossValidation(model: model, derivation: derivation)
    let options = CrossValidation.Options(
      networks: samples, seed: seed, scanSteps: scan, threads: threads,
      negativeControl: negativeControl, sampler: samplerChoice)
    let decision: SamplerDecision
    do {
      decision = try check.samplerDecision(parameters, options: options)
    } catch let e as EvaluationError {
      throw CommandFailure.usage(e.description)
    }
    var sink = out
    let networks =
      shardRange.map { "networks \($0.2.lowerBound)..<\($0.2.upperBound)" } ?? "\(samples) networks"
    let progress: (Int, Int, [Int]) -> Void = { step, total, widths in
      sink.progress(
        "check: width scan \(step)/\(total): widths \(widths.map(String.init).joined(separator: ",")), \(networks)…"
      )
    }
    if let (index, count, range) = shardRange, let output {
      let statistics: [SamplingStatistics]
      var ntk: [NTKSamplingStatistics]?
      do {
        // A shard compares nothing (the merge does), but a model or numbers the theory cannot
        // be evaluated for are refused before sampling, as in an unsharded check: the theory
        // at the base widths (one evaluation, not one per width) is enough to tell.
        var base = options
        base.scanSteps = 0
        _ = try check.theory(parameters, options: base)
        if tangentKernel {
          let rates = try NetworkLowering(model: model, derivation: derivation).ntkLearningRates(
            parameters)
          let sampled = try check.sampleNTK(
            parameters, options: options, networks: range, learningRates: rates,
            progress: progress)
          ntk = sampled
          statistics = sampled.map(\.base)
        } else {
          statistics = try check.sample(
            parameters, options: options, networks: range, progress: progress)
        }
      } catch let e as EvaluationError {
        throw CommandFailure.usage(e.description)
      }
      out.standardError = sink.standardError
      // A model whose maps apply no function has no activation; the identity stands in.
      let result = CheckShard(
        modelName: model.name, modelText: text,
        activation: network.defaultActivation ?? Activation.linear.name,
        parameters: parameters, scan: scan, seed: seed, networks: samples, range: range,
        sampler: decision.kind, statistics: statistics, ntk: ntk)
      let file = "\(output)/shard-\(index)-of-\(count).json"
      do {
        let data = try result.encoded()
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: file), options: .atomic)
      } catch let e as EvaluationError {
        throw CommandFailure.usage(e.description)
      } catch {
        throw CommandFailure.usage(
          "error: cannot write '\(file)': \(error.localizedDescription)")
      }
      out.write(
        "shard \(index)/\(count): \(decision.summary)\n"
          + "shard \(index)/\(count): networks \(range.lowerBound)..<\(range.upperBound) of \(samples) per width, statistics written to \(file)\n"
      )
      return
    }
    let report: CrossValidation.Report
    do {
      report = try check.run(parameters, options: options, progress: progress)
      out.standardError = sink.standardError
    } catch let e as EvaluationError {
      throw CommandFailure.usage(e.description)
    }
    var header = Self.header(
      modelName: model.name, source: source, activation: network.defaultActivation,
      parameters: parameters, samples: samples, seed: seed)
    if let negativeControl {
      let feedback = RecursionEvaluator.controlRemovesFeedback(
        negativeControl, model: model, derivation: derivation)
      header +=
        feedback
        ? "\nNEGATIVE CONTROL: the theory below has the self-feedback R removed (every R atom zero): each layer is described by its own K, G1, V alone — the (K, G1, V) Gaussian closure; a run with power must FAIL."
        : "\nNEGATIVE CONTROL: the theory below has \(negativeControl) removed (zero at every layer); a run with power must FAIL."
    }
    let run = CheckRun(
      header: header, sampler: decision.summary, modelName: model.name, modelSource: source,
      modelText: text, activation: network.defaultActivation, parameters: parameters,
      recursions: Presentation(Specialization(model: model, result: derivation)))
    try CheckReport.emit(report, run: run, output: output, compilesPDF: pdf, into: &out)
  }

  /// How the check decides (``CrossValidation``), as `--help` and README.md state it, word for
  /// word (a test compares them).
  static let verdictRule =
    "Verdict: for each quantity the residual MC − theory is fitted over the scan by weighted least squares to a + b·n^-p, p the expected order of the residual (2 for K against K + G1/n; 1 for G1 and V, and for K past layer 1 when the model has no G1). A quantity passes when the fitted limit a is within 4 standard errors of 0 (or is 0 to rounding) and, with three or more widths, the fit's χ² (widths − 2 degrees of freedom) has a p-value of at least 6.3e-5, the two-sided normal tail beyond 4 standard errors. The check passes (exit status 0) when every quantity passes, and fails (exit status 1) otherwise."

  /// The default networks per width and width doublings, and those of a model with NTK
  /// statistics (whose sampler costs O(n³) per layer; README.md states the time of the issue's
  /// run with them).
  static let defaultSamples = 20_000
  static let defaultScan = 3
  static let ntkDefaultSamples = 10_000
  static let ntkDefaultScan = 2

  /// The limits of the count options (documented in their help and README.md).
  static let maximumSamples = 100_000_000
  static let maximumScan = 8
  static let maximumThreads = 1024
  /// The most neuron draws (networks × neurons × inputs over the scan) a check may take.
  static let maximumWork = 2e12

  /// `K/N` with 1 ≤ K ≤ N ≤ the run's chunks of 64 networks: the shard's index, count and
  /// network range.
  static func parseShard(_ text: String, samples: Int) throws -> (Int, Int, Range<Int>) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1,
      (1...count).contains(index)
    else {
      throw CommandFailure.usage("error: --shard expects K/N with 1 ≤ K ≤ N, got '\(text)'")
    }
    let most = CheckShard.maximumShards(networks: samples)
    guard count <= most else {
      throw CommandFailure.usage(
        "error: --shard \(text): a shard holds whole chunks of \(SamplingStatistics.chunkSize) networks, so \(samples) networks make at most \(most) shards"
      )
    }
    return (index, count, CheckShard.range(shard: index, of: count, networks: samples))
  }

  /// The first line of a check report; `activation` is the one every function not bound by
  /// name takes (nil when there is none).
  static func header(
    modelName: String, source: String, activation: String?, parameters: NumericParameters,
    samples: Int, seed: UInt64
  ) -> String {
    "check: model \(modelName) (\(source)), " + (activation.map { "σ = \($0), " } ?? "")
      + parameters.functionActivations.sorted { $0.key < $1.key }.map {
        "\($0.key) = \($0.value)" + ", "
      }.joined()
      + parameters.couplings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(
        separator: ", ")
      + ", \(parameters.sampleCount) inputs, depth \(parameters.depth), \(samples) networks per width, seed \(seed)"
  }
}
