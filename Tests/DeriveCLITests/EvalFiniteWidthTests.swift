import DeriveCLI
import Foundation
import Testing

/// `derive eval`'s finite-width output (issue 14): the two-point function K + G1/n, the
/// connected four-point function V/n of two distinct neurons, the expansion parameter V/(nK²)
/// per layer, and the warning and flags from the layer where it exceeds 0.1. The values are
/// pinned byte for byte by the golden files; these tests say what they must be.
@Suite struct EvalFiniteWidthTests {
  /// The example: ReLU at criticality (C_b = 0, C_W = 2), one input, width 16, depth 40.
  static let reluDeep = [
    "eval", "--activation", "relu", "--cb", "0", "--cw", "2", "--width", "16", "--depth", "40",
    "--input", "1",
  ]

  func json(_ arguments: [String]) throws -> [String: Any] {
    let out = DeriveCommandLine.run(arguments + ["--format", "json"])
    #expect(out.exitCode == 0, "\(out.standardError)")
    return try #require(
      try JSONSerialization.jsonObject(with: Data(out.standardOutput.utf8)) as? [String: Any])
  }

  /// ReLU at criticality keeps K = 2 and has V⁽ℓ⁾/K² = 5(ℓ − 1), so V/(nK²) = 5(ℓ − 1)/16: 0.3125
  /// at layer 2, already past 0.1, and 12.1875 at layer 40. The text ends with the warning,
  /// naming the layer, the depth/width ratio there and at the worst layer.
  @Test func reluAtCriticalityWarnsAtWidth16Depth40() throws {
    let out = DeriveCommandLine.run(Self.reluDeep)
    #expect(out.exitCode == 0)
    #expect(out.standardError.isEmpty)
    let lines = out.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
    let warning = try #require(lines.last { !$0.isEmpty })
    #expect(
      warning.hasPrefix(
        "warning: the 1/n truncation is no longer reliable from layer 2 on: V/(nK^2) = 0.3125 there exceeds 0.1 (depth/width 2/16 = 0.125), and reaches 12.19 at layer 40 (depth/width 40/16 = 2.5)."
      ), "\(warning)")
    #expect(out.standardOutput.contains("  at width n1 = 16:\n    (K+G1/n)[00] = 2\n"))
    #expect(out.standardOutput.contains("    V/(nK^2) = 0.3125  (above 0.1)\n"))
    #expect(out.standardOutput.contains("  at width n0 = 1 (the input dimension):\n"))
  }

  /// JSON keeps every existing key in its place and appends `finiteWidth` per layer and
  /// `truncation` at the end; the flag is set from the first layer past the threshold on.
  @Test func jsonFlagsEveryLayerFromTheFirstUnreliableOne() throws {
    let object = try json(Self.reluDeep)
    let layers = try #require(object["layers"] as? [[String: Any]])
    #expect(layers.count == 40)
    for (k, layer) in layers.enumerated() {
      let finite = try #require(layer["finiteWidth"] as? [String: Any])
      #expect(finite["n"] as? Int == (k == 0 ? 1 : 16))
      #expect(finite["truncationUnreliable"] as? Bool == (k >= 1))
      let epsilon = try #require(finite["V/(nK^2)"] as? Double)
      #expect(abs(epsilon - 5 * Double(k) / 16) < 1e-9)
      let v = try #require((layer["V"] as? [String: Double])?["0000"])
      let vOverN = try #require((finite["V/n"] as? [String: Double])?["0000"])
      #expect(abs(vOverN - v / Double(k == 0 ? 1 : 16)) < 1e-12 * max(1, v))
    }
    let truncation = try #require(object["truncation"] as? [String: Any])
    #expect(truncation["expansionParameter"] as? String == "V/(nK^2)")
    #expect(truncation["threshold"] as? Double == 0.1)
    #expect(truncation["firstUnreliableLayer"] as? Int == 2)
    #expect(truncation["depthToWidth"] as? Double == 0.125)
    // The warning also goes to standard error, which JSON and CSV leave free.
    let out = DeriveCommandLine.run(Self.reluDeep + ["--format", "json"])
    #expect(out.standardError.hasPrefix("warning: the 1/n truncation is no longer reliable"))
    // Existing keys first, in their order.
    let text = out.standardOutput
    let order = ["\"layer\":1", "\"K\":", "\"G1\":", "\"V\":", "\"finiteWidth\":"].map {
      text.range(of: $0)?.lowerBound
    }
    #expect(order.allSatisfy { $0 != nil })
    #expect(zip(order, order.dropFirst()).allSatisfy { $0! < $1! })
    #expect(text.range(of: "\"layers\"")!.lowerBound < text.range(of: "\"truncation\"")!.lowerBound)
  }

  /// Wide and shallow, the expansion is fine: no warning, no flag, `firstUnreliableLayer` null.
  @Test func wideShallowNetworksDoNotWarn() throws {
    let arguments = [
      "eval", "--activation", "tanh", "--cb", "0", "--cw", "1", "--width", "1000", "--depth", "3",
      "--input", "1", "--input", "0.5",
    ]
    let text = DeriveCommandLine.run(arguments)
    #expect(text.exitCode == 0)
    #expect(!text.standardOutput.contains("warning"))
    #expect(!text.standardOutput.contains("above 0.1"))
    let object = try json(arguments)
    let truncation = try #require(object["truncation"] as? [String: Any])
    #expect(truncation["firstUnreliableLayer"] is NSNull)
    let layers = try #require(object["layers"] as? [[String: Any]])
    #expect(
      layers.allSatisfy {
        ($0["finiteWidth"] as? [String: Any])?["truncationUnreliable"] as? Bool == false
      })
  }

  /// CSV: a header, then per layer the statistics' distinct entries, K+G1/n, V/n and V/(nK²),
  /// the indices in their own columns; every row has 9 fields.
  @Test func csvIsATidyTablePerLayerAndEntry() {
    let out = DeriveCommandLine.run(
      [
        "eval", "--activation", "relu", "--cb", "0", "--cw", "2", "--width", "16", "--depth", "2",
        "--input", "1", "--input", "0.5", "--format", "csv",
      ])
    #expect(out.exitCode == 0)
    let rows = out.standardOutput.split(separator: "\n").map(String.init)
    #expect(rows.first == "layer,n,quantity,a1,a2,a3,a4,value,unreliable")
    #expect(
      rows.dropFirst().allSatisfy {
        $0.split(separator: ",", omittingEmptySubsequences: false).count == 9
      })
    // Per layer: K, G1 and K+G1/n have 3 distinct entries, V and V/n 6, V/(nK^2) one.
    #expect(rows.count == 1 + 2 * (3 + 3 + 6 + 3 + 6 + 1))
    #expect(rows.contains("2,16,V/(nK^2),,,,,0.3125,true"))
    #expect(rows.contains("1,1,K,0,1,,,1,false"))
    #expect(rows.contains { $0.hasPrefix("2,16,V/n,0,0,1,1,") })
  }
}
