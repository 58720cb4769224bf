import DeriveCLI
import Foundation
import Testing

/// The reference against `derive eval` (the engine's derived, evaluated recursions) on the
/// issue's parameters, and its own quadrature convergence: what the NTK comparison at 1e-9 rests
/// on. Today the MLP model gives K, G¹ and V; `Derivations/mlp-ntk.model` adds Θ, Θ¹, A, B, D,
/// F under the same keys, and ``NTKReferenceEvalTests/evalMismatches(_:_:)`` compares them all.
@Suite struct NTKReferenceEvalTests {
  static let inputs: [[Double]] = [[1, 0.5, -0.3], [0.2, -0.9, 0.8]]

  /// The parameters: C_b = 0.2, C_W = 1.5, λ_b = 0.4, λ_W = 0.9, widths 10 × 5.
  static func parameters(_ activation: NTKReference.ActivationFunction) -> NTKReference.Parameters {
    NTKReference.Parameters(
      activation: activation, cb: 0.2, cw: 1.5, lambdaB: 0.4, lambdaW: 0.9,
      widths: [10, 10, 10, 10, 10], inputs: inputs)
  }

  /// The `derive eval` arguments for the same numbers (add the model file in front, and
  /// `--set lambda_b=0.4 --set lambda_W=0.9` for the NTK model).
  static func evalArguments(_ activation: NTKReference.ActivationFunction) -> [String] {
    [
      "--activation", activation.rawValue, "--cb", "0.2", "--cw", "1.5", "--widths",
      "10,10,10,10,10", "--input", "1,0.5,-0.3", "--input", "0.2,-0.9,0.8", "--format", "json",
    ]
  }

  /// Runs `derive eval` with `arguments` (in process) and compares every statistic the
  /// reference knows with it at `tolerance · max(1, |reference|)`; returns the mismatches and
  /// the number of entries compared. The lead's NTK test:
  /// `evalMismatches(["Derivations/mlp-ntk.model"] + evalArguments(.tanh) + ["--set",
  /// "lambda_b=0.4", "--set", "lambda_W=0.9"], .tanh)` must return no lines and 9 × 5 layers'
  /// worth of entries.
  static func evalMismatches(
    _ arguments: [String], _ activation: NTKReference.ActivationFunction, tolerance: Double = 1e-9
  ) throws -> (lines: [String], compared: Int) {
    let out = DeriveCommandLine.run(["eval"] + arguments)
    guard out.exitCode == 0 else { return (["derive eval failed: \(out.standardError)"], 0) }
    let object = try JSONSerialization.jsonObject(with: Data(out.standardOutput.utf8))
    let layers = try #require((object as? [String: Any])?["layers"] as? [[String: Any]])
    return NTKReference.mismatches(
      evalLayers: layers, reference: NTKReference.evaluate(parameters(activation)),
      tolerance: tolerance)
  }

  /// K, G¹, V of the built-in MLP agree with the reference at 1e-9 for tanh and relu (5 layers,
  /// two inputs: 3 × (4 + 4 + 16) entries per layer compared). Catches an error in the
  /// reference's quadrature or in its K/G¹/V bookkeeping (which Θ¹, A and D build on) — or in
  /// the engine's.
  @Test(arguments: [NTKReference.ActivationFunction.tanh, .relu])
  func agreesWithDeriveEval(_ activation: NTKReference.ActivationFunction) throws {
    let (lines, compared) = try Self.evalMismatches(Self.evalArguments(activation), activation)
    #expect(lines.isEmpty, "\(lines.prefix(10).joined(separator: "\n"))")
    #expect(compared == 5 * (4 + 4 + 16))
  }

  /// `Derivations/mlp-ntk.model`, beside the package root.
  static let ntkModel = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Derivations/mlp-ntk.model").path

  /// The acceptance test: `derive eval Derivations/mlp-ntk.model` (K, G¹, V, Θ, Θ¹, A,
  /// B, D, F derived by the engine) agrees with the reference at 1e-9 for tanh and relu, every
  /// entry of every layer (2 inputs, 5 layers: 4 × 4 + 5 × 16 entries per layer).
  @Test(arguments: [NTKReference.ActivationFunction.tanh, .relu])
  func ntkModelAgreesWithDeriveEval(_ activation: NTKReference.ActivationFunction) throws {
    let (lines, compared) = try Self.evalMismatches(
      [Self.ntkModel] + Self.evalArguments(activation) + [
        "--set", "lambda_b=0.4", "--set", "lambda_W=0.9",
      ], activation)
    #expect(lines.isEmpty, "\(lines.prefix(10).joined(separator: "\n"))")
    #expect(compared == 5 * (4 * 4 + 5 * 16))
  }

  /// Three inputs (the 3-d tensor rule for integrals over three distinct samples), tanh, three
  /// layers, against `derive eval` of the NTK model at 1e-9, all 1377 entries
  /// (`NTK_REFERENCE_HEAVY=1`: ~90 s in debug; with 8 nodes per panel instead of 16 the 3-d rule
  /// missed by 1.4e-9). relu is not compared: the 3-d rule is not split at the kinks (~1e-4).
  @Test(.enabled(if: ProcessInfo.processInfo.environment["NTK_REFERENCE_HEAVY"] == "1"))
  func threeInputsAgreeWithDeriveEval() throws {
    let arguments = [
      Self.ntkModel, "--activation", "tanh", "--cb", "0.2", "--cw", "1.5", "--widths", "10,12,10",
      "--input", "1,0.5,-0.3", "--input", "0.2,-0.9,0.8", "--input", "-0.7,0.1,0.4", "--format",
      "json", "--set", "lambda_b=0.4", "--set", "lambda_W=0.9",
    ]
    let out = DeriveCommandLine.run(["eval"] + arguments)
    #expect(out.exitCode == 0, "\(out.standardError)")
    let object = try JSONSerialization.jsonObject(with: Data(out.standardOutput.utf8))
    let layers = try #require((object as? [String: Any])?["layers"] as? [[String: Any]])
    let reference = NTKReference.evaluate(
      NTKReference.Parameters(
        activation: .tanh, cb: 0.2, cw: 1.5, lambdaB: 0.4, lambdaW: 0.9, widths: [10, 12, 10],
        inputs: [[1, 0.5, -0.3], [0.2, -0.9, 0.8], [-0.7, 0.1, 0.4]]))
    let (lines, compared) = NTKReference.mismatches(
      evalLayers: layers, reference: reference, tolerance: 1e-9)
    #expect(lines.isEmpty, "\(lines.prefix(10).joined(separator: "\n"))")
    #expect(compared == 3 * (4 * 9 + 5 * 81))
  }

  /// Doubling the quadrature nodes changes no statistic by more than 1e-11 (relative to
  /// max(1, |x|)) at the parameters (three layers: every kind of integral occurs from
  /// layer 3 on): the reference is converged well beyond 1e-9.
  @Test(arguments: [NTKReference.ActivationFunction.tanh, .relu])
  func quadratureIsConverged(_ activation: NTKReference.ActivationFunction) {
    var p = Self.parameters(activation)
    p.widths = [10, 10, 10]
    let coarse = NTKReference.evaluate(p)
    let fine = NTKReference.evaluate(p, refinement: 2)
    var largest = 0.0
    for (x, y) in zip(coarse, fine) {
      let pairs = [
        (x.V, y.V), (x.A, y.A), (x.B, y.B), (x.D, y.D), (x.F, y.F),
        (x.K.flatMap { $0 }, y.K.flatMap { $0 }), (x.G1.flatMap { $0 }, y.G1.flatMap { $0 }),
        (x.theta.flatMap { $0 }, y.theta.flatMap { $0 }),
        (x.theta1.flatMap { $0 }, y.theta1.flatMap { $0 }),
      ]
      for (u, v) in pairs {
        for (a, b) in zip(u, v) { largest = max(largest, abs(a - b) / max(1, abs(b))) }
      }
    }
    #expect(largest < 1e-11, "largest relative change \(largest)")
  }
}
