import Derivation
import Evaluation
import Foundation
import Numerics
import Testing

/// Each statistic's entries are computed once per class of its symmetry and copied: symmetric
/// entries are bitwise equal, and a run on permuted inputs gives the permuted entries (to the
/// quadrature's accuracy: the permuted run integrates in another coordinate order), which a
/// wrong copy (an entry taken from another class) would miss by far more. The `tolerance`
/// option changes no number by more than its tolerance.
@Suite struct SymmetricEntryTests {
  static let inputs: [[Double]] = [[0.9, -0.3, 0.2], [-0.4, 0.7, 0.5], [0.1, 0.6, -0.8]]

  static func evaluate(_ inputs: [[Double]], tolerance: Double = 1e-12) throws
    -> [RecursionValues]
  {
    let model = try ModelCompiler.compile(BuiltinModels.text(named: "mlp") ?? "", file: "mlp")
    let derivation = try derive(model)
    let p = NumericParameters(
      couplings: ["C_b": 0.1, "C_W": 1.2], widths: [8, 8, 8], inputs: inputs, activation: .tanh,
      tolerance: tolerance)
    return try RecursionEvaluator(model: model, derivation: derivation).evaluate(p)
  }

  static func derive(_ model: Model) throws -> DerivationResult {
    try DerivationPipeline(model).run()
  }

  /// Every permutation of an entry that its symmetry allows, for rank 2 (symmetric) and the
  /// pair of pairs of rank 4.
  static func partners(_ e: [Int]) -> [[Int]] {
    if e.count == 2 { return [e, [e[1], e[0]]] }
    var result: [[Int]] = []
    for p in [[e[0], e[1]], [e[1], e[0]]] {
      for q in [[e[2], e[3]], [e[3], e[2]]] {
        result.append(p + q)
        result.append(q + p)
      }
    }
    return result
  }

  @Test func symmetricEntriesAreBitwiseEqualAndPermutedInputsPermuteEntries() throws {
    let layers = try Self.evaluate(Self.inputs)
    // Inputs in the order 2, 0, 1: entry e of the permuted run is entry π(e) of the first.
    let order = [2, 0, 1]
    let permuted = try Self.evaluate(order.map { Self.inputs[$0] })
    for (layer, other) in zip(layers, permuted) {
      for name in layer.names {
        let t = layer.values(of: name)
        let u = other.values(of: name)
        let scale = t.values.reduce(0) { max($0, abs($1)) }
        for k in t.values.indices {
          let e = t.indices(at: k)
          for partner in Self.partners(e) {
            #expect(
              t[indices: partner].bitPattern == t.values[k].bitPattern,
              "\(name)\(e) vs \(name)\(partner) at layer \(layer.layer)")
          }
          let mapped = e.map { order[$0] }
          #expect(
            abs(u.values[k] - t[indices: mapped]) <= 1e-12 * scale,
            "\(name)\(e) of the permuted run vs \(name)\(mapped) at layer \(layer.layer)")
        }
      }
    }
  }

  /// Each Gaussian average is accurate to the tolerance relative to its integrand's scale,
  /// about the kernel's; the statistics are sums of them times couplings of order one, so every
  /// number moves by less than the tolerance times the larger of its statistic's scale and the
  /// layer's largest K — and some number does move (the coarser quadrature is in use).
  @Test func aCoarserToleranceChangesNothingBeyondIt() throws {
    let fine = try Self.evaluate(Self.inputs)
    let coarse = try Self.evaluate(Self.inputs, tolerance: 1e-8)
    var moved = false
    for (a, b) in zip(fine, coarse) {
      let kernel = a.values(of: "K").values.reduce(0) { max($0, abs($1)) }
      for name in a.names {
        let t = a.values(of: name)
        let u = b.values(of: name)
        let scale = max(kernel, t.values.reduce(0) { max($0, abs($1)) })
        for k in t.values.indices {
          moved = moved || t.values[k] != u.values[k]
          #expect(
            abs(t.values[k] - u.values[k]) <= 1e-8 * scale,
            "\(name)\(t.indices(at: k)) at layer \(a.layer): \(t.values[k]) vs \(u.values[k])")
        }
      }
    }
    #expect(moved, "the tolerance changed no number")
  }

  @Test func toleranceOutOfRangeIsRefused() throws {
    for tolerance in [0, 1e-13, 1e-3, .nan] {
      #expect(throws: EvaluationError.self) { try Self.evaluate(Self.inputs, tolerance: tolerance) }
    }
  }
}
