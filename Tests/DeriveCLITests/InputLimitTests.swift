import DeriveCLI
import Foundation
import Testing

/// `eval` and `check` accept up to 16 inputs and refuse more with a message (exit 2);
/// `--tolerance` takes 1e-12…1e-4 and refuses anything else.
@Suite struct InputLimitTests {
  static func inputs(_ count: Int) -> [String] {
    (0..<count).flatMap { k in ["--input", "\(Double(k) / 10),\(1 - Double(k) / 20)"] }
  }

  static let network = ["--activation", "relu", "--cb", "0.1", "--cw", "1", "--width", "4"]

  @Test func moreThanSixteenInputsAreRefused() {
    for command in ["eval", "check"] {
      let out = DeriveCommandLine.run(
        [command] + Self.network + ["--depth", "1"] + Self.inputs(17))
      #expect(out.exitCode == 2, "\(command): \(out.standardError)")
      #expect(out.standardError.hasPrefix("error: at most 16 inputs are supported (got 17)"))
      #expect(out.standardOutput.isEmpty)
    }
  }

  @Test func sixteenInputsAreEvaluated() {
    let out = DeriveCommandLine.run(
      ["eval"] + Self.network + ["--depth", "1"] + Self.inputs(16))
    #expect(out.exitCode == 0, "\(out.standardError)")
    #expect(out.standardOutput.contains("K[15,15] = "))
  }

  @Test func toleranceOutOfRangeIsRefused() {
    for tolerance in ["0", "1e-13", "0.001", "nan", "-1e-8"] {
      let out = DeriveCommandLine.run(
        ["eval"] + Self.network + ["--depth", "2", "--tolerance", tolerance] + Self.inputs(2))
      #expect(out.exitCode == 2, "\(tolerance): \(out.standardError)")
      #expect(
        out.standardError.hasPrefix("error: --tolerance must be between"), "\(out.standardError)")
    }
    let out = DeriveCommandLine.run(
      ["eval"] + Self.network + ["--depth", "2", "--tolerance", "1e-8"] + Self.inputs(2))
    #expect(out.exitCode == 0, "\(out.standardError)")
  }
}
