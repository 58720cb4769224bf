import Derivation
import Foundation
import Testing

/// The models built into the binary are exactly the files in Derivations/ (up to the final
/// newline a multi-line literal drops). Catches an edited model file whose embedded copy — the
/// default of `derive` — was not regenerated with Scripts/embed-models.py.
@Suite struct BuiltinModelTests {
  @Test(arguments: BuiltinModels.all.map(\.name))
  func embeddedCopyMatchesFile(name: String) throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../Derivations/\(name).model")
    let file = try String(contentsOf: url, encoding: .utf8)
    let embedded = try #require(BuiltinModels.text(named: name))
    #expect(embedded + "\n" == file, "run Scripts/embed-models.py")
  }

  @Test func defaultIsTheMLP() {
    #expect(BuiltinModels.defaultModel.name == "mlp")
  }
}
