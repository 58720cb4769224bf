import DeriveCLI
import Foundation
import Testing

/// `derive continuum` end to end on Derivations/shaped-relu.model.
@Suite struct ContinuumCommandTests {
  static let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Derivations/shaped-relu.model").standardizedFileURL.path

  /// The printed ODEs: the derived weight variance, the drift of K, the diffusion source of V,
  /// and the 1/L convergence note.
  @Test func text() {
    let out = DeriveCommandLine.run([
      "continuum", Self.model, "--activation", "abs", "--scale", "gamma",
    ])
    #expect(out.exitCode == 0, "\(out.standardError)")
    let s = out.standardOutput
    #expect(s.contains("C_W = 1 - γ^2/L"))
    #expect(s.contains("d/dt K_{α1,α2} = -γ^2 K_{α1,α2} + γ^2 ⟨τ(z_α1) τ(z_α2)⟩_K\n"))
    #expect(
      s.contains(
        "d/dt V_{(α1,α2)(α3,α4)} = -2 γ^2 V_{(α1,α2)(α3,α4)} + K_{α1,α3} K_{α2,α4} + K_{α1,α4} K_{α2,α3} + "
      ))
    #expect(s.contains("approaches the solution like 1/L"))
  }

  /// Refused with exit status 2: relu (the step is not the identity plus O(1/L) once odd
  /// averages cannot be dropped), no scaled coupling, --compare without inputs.
  @Test func refusals() {
    let relu = DeriveCommandLine.run([
      "continuum", Self.model, "--activation", "relu", "--scale", "gamma",
    ])
    #expect(relu.exitCode == 2 && relu.standardError.contains("not O(1/L)"))
    let none = DeriveCommandLine.run(["continuum", Self.model, "--activation", "abs"])
    #expect(none.exitCode == 2 && none.standardError.contains("nothing is scaled"))
    let compare = DeriveCommandLine.run([
      "continuum", Self.model, "--activation", "abs", "--scale", "gamma", "--compare", "16",
    ])
    #expect(compare.exitCode == 2 && compare.standardError.contains("need the inputs"))
  }

  /// The solution at one input: K and V/L on the diagonal are exact (dK/dt = 0, dV/dt = 2K²),
  /// with the error estimate printed.
  @Test func singleInputSolution() throws {
    let out = DeriveCommandLine.run([
      "continuum", Self.model, "--activation", "abs", "--scale", "gamma", "--set", "gamma=1",
      "--input", "1", "--steps", "2", "--format", "json",
    ])
    #expect(out.exitCode == 0, "\(out.standardError)")
    let object = try JSONSerialization.jsonObject(with: Data(out.standardOutput.utf8))
    let solution = try #require((object as? [String: Any])?["solution"] as? [String: Any])
    let k = try #require((solution["K"] as? [Double])?.first)
    let v = try #require((solution["V"] as? [Double])?.first)
    #expect(abs(k - 1) <= 1e-12 && abs(v - 2) <= 1e-12)
    #expect(solution["error_estimate"] is Double)
  }
}
