import Algebra
import ArgumentParser
import Derivation
import Foundation
import Rendering

/// Output formats of `derive`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case latex, text, json, sympy, mathematica
}

/// `derive [MODEL]`: derive and print the recursions.
struct RecursionsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "recursions",
    abstract: "Derive the layer-to-layer recursions of K, G1 and V at order 1/n and print them.",
    discussion: """
      MODEL is a model file (see Derivations/README.md) or a built-in model name \
      (mlp, mlp-no-bias, deep-linear, mlp-ntk). Without MODEL the built-in MLP is used.

      Examples:
        derive                                   # MLP recursions in LaTeX
        derive Derivations/deep-linear.model --format text
        derive mlp --single-input --activation relu
        derive mlp --document --output mlp.tex   # standalone LaTeX document
        derive mlp --steps --format text         # show every step of the derivation
      """)

  @Argument(help: "Model file or built-in model name (default: mlp).")
  var model: String?

  @Option(help: "Output format: latex, text, json, sympy (a runnable script) or mathematica.")
  var format: OutputFormat = .latex

  @Option(
    help:
      "Specialise to an activation whose Gaussian integrals are done exactly (linear, relu, leaky_relu:SLOPE, abs)."
  )
  var activation: String?

  @Flag(help: "Specialise to a single input: scalars K, G1, V and the susceptibilities.")
  var singleInput = false

  @Flag(help: "Show every intermediate step of the derivation.")
  var steps = false

  @Flag(
    help:
      "With --format latex: a standalone document that compiles with pdflatex, long equations broken across lines to fit the page."
  )
  var document = false

  @Option(help: "Write the output to FILE instead of standard output.")
  var output: String?

  func execute(into out: inout CommandOutput) throws {
    let (model, _) = try ModelLoading.load(self.model)
    var result: DerivationResult
    do {
      result = try DerivationPipeline(model).run()
    } catch let e as DerivationError {
      throw CommandFailure.usage(e.description)
    }
    var specialization = Specialization(model: model, result: result)
    if singleInput {
      specialization = specialization.singleInput()
    }
    if let activation {
      // Names are case-insensitive, as for eval and check (`ReLU`).
      do {
        specialization = try specialization.specialized(
          to: try ActivationSpecialization.parse(activation.lowercased()))
      } catch let e as SpecializationError {
        throw CommandFailure.usage(e.description)
      } catch let e as ActivationSpecialization.UnknownActivation {
        throw CommandFailure.usage(e.description)
      }
    }
    let presentation = Presentation(specialization)
    let text = presentation.render(format: format, document: document, steps: steps)
    if let output {
      do {
        try text.write(toFile: output, atomically: true, encoding: .utf8)
      } catch {
        throw CommandFailure.usage("error: cannot write '\(output)': \(error.localizedDescription)")
      }
    } else {
      out.write(text)
    }
  }

  func run() throws {
    var out = CommandOutput()
    try execute(into: &out)
    print(out.standardOutput, terminator: "")
  }
}
