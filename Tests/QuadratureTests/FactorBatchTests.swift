import Foundation
import Numerics
import Testing

@testable import Quadrature

/// The batched factor products of the quadrature's inner loops: a run of equal factors (σ·σ)
/// is evaluated once and multiplied in as often as it occurs, giving the products of separate
/// passes bit for bit.
@Suite("Factor batches")
struct FactorBatchTests {
  static let functions: [[GaussianFactor.Function]] = [
    [.activation(.tanh, derivative: 0), .activation(.tanh, derivative: 0)],
    [
      .activation(.gelu, derivative: 0), .activation(.gelu, derivative: 0),
      .activation(.gelu, derivative: 1), .activation(.gelu, derivative: 0),
    ],
    [.power(1), .power(1), .activation(.erf(scale: 1), derivative: 2)],
    [.activation(.relu, derivative: 0)],
  ]

  @Test("runs of equal factors give the products of separate passes", arguments: functions)
  func runsMatchSeparatePasses(functions: [GaussianFactor.Function]) {
    let n = 37
    let z = (0..<n).map { -3 + 6 * Double($0) / Double(n - 1) }
    var separate = [Double](repeating: 1.5, count: n)
    var batched = separate
    var scratch = [Double](repeating: 0, count: n)
    z.withUnsafeBufferPointer { z in
      scratch.withUnsafeMutableBufferPointer { scratch in
        guard let z = z.baseAddress, let scratch = scratch.baseAddress else { return }
        separate.withUnsafeMutableBufferPointer { values in
          guard let values = values.baseAddress else { return }
          for f in functions { f.multiply(values, at: z, count: n, scratch: scratch) }
        }
        batched.withUnsafeMutableBufferPointer { values in
          guard let values = values.baseAddress else { return }
          functions.withUnsafeBufferPointer {
            GaussianFactor.Function.multiply($0, into: values, at: z, count: n, scratch: scratch)
          }
        }
      }
    }
    for i in 0..<n {
      #expect(batched[i].bitPattern == separate[i].bitPattern, "z = \(z[i])")
      // And both are the pointwise product.
      let pointwise = functions.reduce(1.5) { $0 * $1(z[i]) }
      #expect(abs(batched[i] - pointwise) <= 1e-15 * max(1, abs(pointwise)))
    }
  }
}
