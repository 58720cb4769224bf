import ArgumentParser
import Derivation
import Evaluation
import Foundation
import Numerics

/// `derive merge`: the report of a sharded `derive check` from its shards.
struct MergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Combine the shards of a sharded `derive check --shard K/N` and report.",
    discussion: """
      Each argument is a shard file or a directory of shard-*.json files. The shards must come \
      from one run (same model, parameters, scan, seed, --samples and sampler) and cover its networks \
      exactly once; their statistics are merged in network order and compared with the theory \
      as `derive check` does. Exit status 0 pass, 1 fail, 2 bad or incomplete shards.

      Example (four shards, e.g. the tasks of a Slurm array job --array=1-4):
        derive check --activation relu --cb 0 --cw 2 --width 64 --depth 5 \\
            --input 1,0.5 --input -0.5,1 --samples 400000 --seed 1 \\
            --shard K/4 --output shards
        derive merge shards --output report
      """)

  @Argument(help: "Shard files, or directories holding shard-*.json files.")
  var shards: [String] = []

  @Option(
    help:
      "Directory for report files (check.json, check.csv, check.svg, report.tex, and report.pdf when pdflatex is installed)."
  )
  var output: String?

  @Flag(
    inversion: .prefixedNo,
    help: "With --output: compile report.tex to report.pdf when pdflatex is on PATH.")
  var pdf = true

  /// Largest shard file read (a shard of 8 inputs at depth 100 is a few hundred MB).
  static let maximumFileSize = 1 << 31

  func execute(into out: inout CommandOutput) throws {
    guard !shards.isEmpty else {
      throw CommandFailure.usage("error: give the shard files or their directory")
    }
    var files: [String] = []
    for argument in shards {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
        throw CommandFailure.usage("error: no such shard file or directory '\(argument)'")
      }
      if isDirectory.boolValue {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
        let found = names.filter { $0.hasPrefix("shard-") && $0.hasSuffix(".json") }.sorted()
        guard !found.isEmpty else {
          throw CommandFailure.usage("error: '\(argument)' holds no shard-*.json files")
        }
        files += found.map { "\(argument)/\($0)" }
      } else {
        files.append(argument)
      }
    }
    var read: [(file: String, shard: CheckShard)] = []
    for file in files {
      let data = try ModelLoading.contents(of: file, maximumSize: Self.maximumFileSize)
      do {
        read.append((file, try CheckShard.decoded(data, file: file)))
      } catch let e as EvaluationError {
        throw CommandFailure.usage(e.description)
      }
    }
    let merged: CheckShard
    do {
      merged = try CheckShard.merge(read)
    } catch let e as EvaluationError {
      throw CommandFailure.usage(e.description)
    }
    let activation: Activation
    do {
      activation = try Activation.parse(merged.activation)
    } catch {
      throw CommandFailure.usage("error: the shards' activation: \(error)")
    }
    let model = try ModelLoading.compile(merged.modelText, file: "<shard:\(merged.modelName)>")
    let derivation: DerivationResult
    do {
      derivation = try DerivationPipeline(model).run()
    } catch let e as DerivationError {
      throw CommandFailure.usage(e.description)
    }
    let parameters = NumericParameters(
      couplings: merged.couplings, widths: merged.widths, inputs: merged.inputs,
      activation: activation)
    let check = CrossValidation(model: model, derivation: derivation)
    let report: CrossValidation.Report
    do {
      report = try check.compare(
        parameters, statistics: merged.statistics, ntk: merged.ntk,
        options: .init(networks: merged.networks, seed: merged.seed, scanSteps: merged.scan))
    } catch let e as EvaluationError {
      throw CommandFailure.usage(e.description)
    }
    let header =
      CheckCommand.header(
        modelName: model.name, source: merged.modelName,
        activation: RecursionEvaluator.functionNames(model).isEmpty ? nil : merged.activation,
        parameters: parameters, samples: merged.networks, seed: merged.seed)
      + " (merged from \(read.count) shards)"
    let decision: SamplerDecision
    do {
      decision = try check.samplerDecision(
        parameters,
        options: .init(
          networks: merged.networks, seed: merged.seed, scanSteps: merged.scan,
          sampler: merged.sampler == .weights ? .weights : .conditional))
    } catch let e as EvaluationError {
      throw CommandFailure.usage(e.description)
    }
    let run = CheckRun(
      header: header, sampler: decision.summary, modelName: model.name,
      modelSource: merged.modelName, modelText: merged.modelText,
      activation: RecursionEvaluator.functionNames(model).isEmpty ? nil : merged.activation,
      parameters: parameters,
      recursions: Presentation(Specialization(model: model, result: derivation)))
    try CheckReport.emit(report, run: run, output: output, compilesPDF: pdf, into: &out)
  }
}
