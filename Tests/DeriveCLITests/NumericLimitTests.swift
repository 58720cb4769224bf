import DeriveCLI
import Foundation
import Testing

/// Reproducers of the numeric hardening issue (an outside fuzz campaign): each command used to
/// trap, run for minutes, exhaust memory or print non-finite numbers with exit status 0; each is
/// now refused up front with a one-line `error: …` and exit status 2.
@Suite struct NumericLimitTests {
  func expectRefusal(_ arguments: [String], _ message: String) {
    let out = DeriveCommandLine.run(arguments)
    #expect(out.exitCode == 2, "\(arguments): \(out.standardError)")
    #expect(out.standardError.hasPrefix("error: "), "\(out.standardError)")
    #expect(out.standardError.contains(message), "\(arguments): \(out.standardError)")
    #expect(out.standardOutput.isEmpty)
  }

  static let network = [
    "--width", "10", "--depth", "3", "--input", "1,0.5", "--input=-0.5,1",
  ]

  /// A huge C_W (1e150, now refused as a coupling; 1e90 passes that check) made the quadrature convert 2U/(feature width / σ) to Int and trap
  /// (QuadratureWorkspace.prepareStaticLeaf for GELU and swish, integrate's piece count for
  /// sin); the kernel is now refused at the layer where it leaves the quadrature's range.
  @Test func hugeKernelsAreRefusedNotTrapped() {
    for activation in ["gelu", "swish", "sin", "tanh"] {
      expectRefusal(
        ["eval", "--activation", activation, "--cb", "0.1", "--cw", "1e90"] + Self.network,
        "the kernel grew out of range at layer 1")
      expectRefusal(
        ["eval", "--activation", activation, "--cb", "0.1", "--cw", "1e150"] + Self.network,
        "the coupling C_W must be a number between 0 and 1e+100")
    }
    expectRefusal(
      ["eval", "--activation", "gelu", "--cb", "1e20", "--cw", "1"] + Self.network,
      "K[00] = 1e+20 exceeds 1e+16")
  }

  /// Inputs near ±1e308 overflowed K⁽¹⁾ to inf, printed with exit 0 at depth 1.
  @Test func hugeInputsAndCouplingsAreRefused() {
    expectRefusal(
      [
        "eval", "--activation", "relu", "--cb", "0", "--cw", "1", "--width", "4", "--depth", "1",
        "--input", "1e308,0",
      ],
      "--input: 1e+308 is out of range")
    expectRefusal(
      [
        "eval", "--activation", "relu", "--cb", "0", "--cw", "1e200", "--width", "4", "--depth",
        "1", "--input", "1,0",
      ],
      "the coupling C_W must be a number between 0 and 1e+100")
  }

  /// sin at a variance of 10¹⁴ needs ~10⁸ nodes per integral and ran for minutes; the
  /// quadrature now refuses oscillations beyond its node budget before integrating.
  @Test func fastOscillationIsRefusedQuickly() {
    expectRefusal(
      ["eval", "--activation", "sin", "--cb", "1e14", "--cw", "1"] + Self.network,
      "quadrature nodes, more than the limit")
  }

  /// `--scan 9223372036854775807` looped over 2^k before the range check.
  @Test func countOptionsAreValidatedFirst() {
    let check = ["check", "--activation", "relu", "--cb", "0", "--cw", "2"] + Self.network
    expectRefusal(check + ["--scan", "9223372036854775807"], "--scan must be between 0 and 8")
    expectRefusal(check + ["--scan=-1"], "--scan must be between 0 and 8")
    expectRefusal(check + ["--samples", "9223372036854775807"], "--samples must be between 100")
    expectRefusal(check + ["--threads", "0"], "--threads must be between 1 and 1024")
    expectRefusal(
      [
        "check", "--activation", "relu", "--cb", "0", "--cw", "2", "--width", "8", "--depth",
        "9223372036854775807", "--input", "1,0",
      ],
      "--depth must be between 1 and 10000")
  }

  /// 1024 threads at width 2²⁰ allocated gigabytes of scratch before sampling; the memory is
  /// now estimated first and the run refused beyond 4 GiB.
  @Test func oversizedSamplingMemoryIsRefused() {
    expectRefusal(
      [
        "check", "--activation", "relu", "--cb", "0", "--cw", "2", "--width", "1048576",
        "--depth", "2", "--input", "1,0.5", "--input", "1,0", "--samples", "100000", "--scan", "0",
        "--threads", "1024",
      ],
      "GiB of memory; the limit is 4 GiB")
  }
}
