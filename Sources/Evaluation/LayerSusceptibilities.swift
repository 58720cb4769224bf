import Algebra
import Derivation
import Quadrature

/// The susceptibilities of each evaluated layer: χ_∥ and χ_⊥ of the model's derived
/// single-input kernel map (``SingleInputKernel``), evaluated for each input a at that input's
/// own statistics of the layer — its diagonal kernel K^{(ℓ)}_{aa} (and any other statistic at
/// all indices a, should the kernel map read one).
///
/// This is the single-input definition applied input by input: χ^{(ℓ)} describes the step
/// ℓ → ℓ+1 (how K^{(ℓ+1)}_{aa} and the off-diagonal kernel near the diagonal respond to
/// K^{(ℓ)}), so it is the quantity whose deviation from 1 makes K grow or decay with depth. It
/// says nothing about the off-diagonal entries of K between different inputs.
public struct LayerSusceptibilities: Sendable, Equatable {
  /// The layer ℓ (1-based).
  public var layer: Int
  /// χ_∥ for each input, in input order; nil where it could not be evaluated (a Gaussian
  /// average at a degenerate kernel, K_{aa} = 0 for a kinked activation).
  public var parallel: [Double?]
  /// χ_⊥ for each input, as ``parallel``.
  public var perpendicular: [Double?]

  public init(layer: Int, parallel: [Double?], perpendicular: [Double?]) {
    self.layer = layer
    self.parallel = parallel
    self.perpendicular = perpendicular
  }

  /// The susceptibilities of every layer in `layers` (an evaluation of `model` with
  /// `parameters`); empty when the model has no kernel map (no recursion step, or its metric
  /// not derived).
  public static func evaluate(
    model: Model, derivation: DerivationResult, layers: [RecursionValues],
    parameters: NumericParameters, quadrature: GaussianExpectation = .init()
  ) -> [LayerSusceptibilities] {
    guard let kernel = try? SingleInputKernel(model: model, result: derivation) else { return [] }
    return layers.map { values in
      var parallel: [Double?] = []
      var perpendicular: [Double?] = []
      for a in 0..<values.sampleCount {
        var p = parameters
        p.inputs = [parameters.inputs[a]]
        let evaluator = ExpressionEvaluator(
          parameters: p, layer: values.layer, tensors: [:], quadrature: quadrature)
        for name in values.names {
          let t = values.values(of: name)
          evaluator.tensors[.init(name: name, layer: values.layer)] = [
            t[indices: Array(repeating: a, count: t.rank)]
          ]
        }
        func value(_ e: Expression) -> Double? {
          guard let v = try? evaluator.value(of: e, free: [kernel.input: 0]), v.isFinite else {
            return nil
          }
          return v
        }
        parallel.append(value(kernel.parallel))
        perpendicular.append(value(kernel.perpendicular))
      }
      return LayerSusceptibilities(
        layer: values.layer, parallel: parallel, perpendicular: perpendicular)
    }
  }
}
