import Algebra
import Derivation
import Foundation
import Rational

/// Builders for the reference formulas of FORMULAS.md, written independently of the engine:
/// only Algebra constructors, never the pipeline.
struct BookNotation {
  let layer = Layer.ell
  var K: TensorHead { TensorHead("K", layer: layer, symmetry: .symmetric) }
  var G1: TensorHead { TensorHead("G1", layer: layer, symmetry: .symmetric) }
  var V: TensorHead { TensorHead("V", layer: layer, symmetry: .pairOfPairs) }
  var z: TensorHead { TensorHead("z", layer: layer) }
  let sigma = FunctionHead("sigma")
  var Cb: Expression { .symbol(.parameter("C_b")) }
  var CW: Expression { .symbol(.parameter("C_W")) }
  /// n_ℓ / n_{ℓ−1}.
  var ratio: Expression { .symbol(.width(.ell)) * .symbol(.width(.relative(-1)), power: -1) }
  let alpha = (1...4).map { Index.sample("alpha\($0)") }
  let beta = (1...4).map { Index.sample("b\($0)") }

  func sigmaOf(_ a: Index, derivative: Int = 0) -> Factor {
    .function(FunctionApplication(sigma, derivative: derivative, Tensor(z, [a])))
  }

  /// ⟨∂_{derivs} Π σ(z_a)⟩_K.
  func average(_ samples: [Index], derivatives: [Index] = []) -> Expression {
    .average(
      GaussianAverage(metric: K, derivatives: derivatives, integrand: samples.map { sigmaOf($0) }))
  }

  static func loadModel(_ name: String) throws -> Model {
    try ModelCompiler.compile(try modelText(name), file: name)
  }

  /// The text of a model file of Derivations/.
  static func modelText(_ name: String) throws -> String {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../../Derivations/\(name)")
    return try String(contentsOf: url, encoding: .utf8)
  }

  static func derive(_ name: String) throws -> DerivationResult {
    try DerivationPipeline(try loadModel(name)).run()
  }
}

extension DerivationResult {
  func recursion(_ quantity: String) -> Expression? {
    recursions.first { $0.quantity == quantity }?.rhs
  }

  func initial(_ quantity: String) -> Expression? {
    initialConditions.first { $0.quantity == quantity }?.rhs
  }
}
