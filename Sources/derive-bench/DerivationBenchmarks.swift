import Derivation

/// The full MLP derivation (K, G1, V; general σ; free sample indices), and its parts.
func derivationBenchmarks() -> [BenchmarkCase] {
  func model(_ name: String) -> Model? {
    guard let text = BuiltinModels.text(named: name) else { return nil }
    return try? ModelCompiler.compile(text, file: name)
  }
  guard let mlp = model("mlp"), let deep = model("deep-linear"), let ntk = model("mlp-ntk") else {
    return []
  }
  return [
    BenchmarkCase(group: "derive", name: "parse+compile mlp.model", repeats: 21) {
      _ = model("mlp")
    },
    BenchmarkCase(group: "derive", name: "mlp: K, G1, V + first layer", repeats: 11) {
      _ = try? DerivationPipeline(mlp).run()
    },
    BenchmarkCase(group: "derive", name: "deep-linear: K, G1, V + first layer", repeats: 11) {
      _ = try? DerivationPipeline(deep).run()
    },
    BenchmarkCase(
      group: "derive", name: "mlp-ntk: K, G1, V, Theta, Theta1, A, B, D, F + first layer",
      repeats: 5
    ) {
      _ = try? DerivationPipeline(ntk).run()
    },
  ]
}
