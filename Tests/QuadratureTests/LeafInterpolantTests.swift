import Foundation
import Numerics
import Testing

@testable import Quadrature

/// The interpolated innermost level (``LeafInterpolant``, three or more Cholesky levels) against
/// the adaptive nested quadrature at its reference setting, for kinked integrands (sampled with
/// the adaptive leaf) and mixed ones; and the interpolant itself on a function known exactly.
@Suite("Leaf interpolant")
struct LeafInterpolantTests {
  static let interpolated = GaussianExpectation(
    options: .init(useClosedForms: false, useHermiteSeries: false))
  static let reference = GaussianExpectation(options: .reference)

  @Test("3-D kinked and mixed products agree with the reference")
  func agreesWithReference() throws {
    let kernels = [
      try CovarianceMatrix([[1, 0.5, 0.3], [0.5, 1.2, 0.4], [0.3, 0.4, 0.9]]),
      try CovarianceMatrix([[2, 1.9, 1.8], [1.9, 2, 1.9], [1.8, 1.9, 2.1]]),
    ]
    let integrands: [[GaussianFactor]] = [
      (0..<3).map { .activation(.relu, coordinate: $0) },
      [
        .activation(.relu, coordinate: 0), .activation(.tanh, coordinate: 1),
        .activation(.relu, derivative: 1, coordinate: 2),
      ],
      [
        .activation(.leakyRelu(slope: 0.1), coordinate: 0), .power(2, coordinate: 1),
        .activation(.relu, coordinate: 2),
      ],
    ]
    for factors in integrands {
      for k in kernels {
        let value = try Self.interpolated.expectation(of: factors, covariance: k)
        let exact = try Self.reference.expectation(of: factors, covariance: k)
        let scale = try Self.reference.expectation(of: factors + factors, covariance: k)
          .squareRoot()
        #expect(
          abs(value - exact) <= max(1e-12 * abs(exact), 1e-13 * scale),
          "\(factors.map(\.function)) K = \(k): \(value) vs \(exact)")
      }
    }
  }

  /// g(c) = E[relu(c + 0.7u)] = c Φ(c/0.7) + 0.7 φ(c/0.7), interpolated on [−9, 9].
  @Test func interpolatesASmoothedKinkToTheTolerance() throws {
    let s = 0.7
    func g(_ c: Double) -> Double {
      let x = c / s
      return c * 0.5 * erfc(-x / 2.0.squareRoot()) + s * exp(-0.5 * x * x)
        / (2 * Double.pi).squareRoot()
    }
    let interpolant = try #require(
      LeafInterpolant(radius: 9, initialPieces: 8, tolerance: 5e-14, g))
    defer { interpolant.deallocate() }
    for i in 0...1000 {
      let c = -9 + 18 * Double(i) / 1000
      #expect(abs(interpolant(c) - g(c)) <= 1e-12 * max(abs(g(c)), 0.01), "c = \(c)")
    }
  }

  /// The batched evaluation (four Clenshaw sums interleaved) gives the scalar values bit for
  /// bit, with and without a parity, for counts that leave a remainder of 0…3 and offsets
  /// beyond the interval (clamped).
  @Test func batchedValuesEqualScalarValues() throws {
    for parity in [nil, 1, -1] as [Int?] {
      let interpolant = try #require(
        LeafInterpolant(radius: 5, initialPieces: 8, tolerance: 5e-14, parity: parity) { c in
          parity == -1 ? tanh(c) : 1 / (1 + c * c)
        })
      defer { interpolant.deallocate() }
      for n in [0, 1, 4, 7, 33, 102] {
        let offsets = (0..<n).map { -6 + 12 * Double($0) / Double(max(n - 1, 1)) }
        var out = [Double](repeating: .nan, count: n)
        offsets.withUnsafeBufferPointer { c in
          out.withUnsafeMutableBufferPointer { o in
            guard let c = c.baseAddress, let o = o.baseAddress else { return }
            interpolant.values(at: c, count: n, into: o)
          }
        }
        for i in 0..<n {
          #expect(
            out[i].bitPattern == interpolant(offsets[i]).bitPattern,
            "parity \(String(describing: parity)), n = \(n), c = \(offsets[i])")
        }
      }
    }
  }

  /// The trouble of tanh: poles at ±iπ/2.
  static let tanhTrouble = LeafInterpolant.Trouble(
    location: 0, width: Double.pi / 2, strength: 1)

  /// tanh interpolated on [−6, 6] as an odd function to 5·10⁻¹⁴, with the number of samples
  /// it took; the caller deallocates it.
  static func tanhInterpolant(
    troubles: [LeafInterpolant.Trouble] = [], spread: Double? = nil
  ) throws -> (interpolant: LeafInterpolant, samples: Int) {
    var samples = 0
    let interpolant = try #require(
      LeafInterpolant(
        radius: 6, initialPieces: 8, tolerance: 5e-14, parity: -1, troubles: troubles,
        spread: spread
      ) { c in
        samples += 1
        return tanh(c)
      })
    return (interpolant, samples)
  }

  /// tanh on [−6, 6] (poles at ±iπ/2), odd: initial pieces graded by its trouble (the
  /// a-priori widths, then the acceptance test) meet the tolerance everywhere, with fewer
  /// samples than equal pieces bisected until accepted (which discards every parent's samples).
  @Test func gradedPiecesMeetTheToleranceWithFewerSamples() throws {
    let equal = try Self.tanhInterpolant()
    equal.interpolant.deallocate()
    let graded = try Self.tanhInterpolant(troubles: [Self.tanhTrouble])
    defer { graded.interpolant.deallocate() }
    #expect(
      graded.samples < equal.samples, "\(graded.samples) vs \(equal.samples) samples")
    for i in 0...1200 {
      let c = -6 + 12 * Double(i) / 1200
      #expect(
        abs(graded.interpolant(c) - tanh(c)) <= 1e-12 * max(abs(tanh(c)), 0.01), "c = \(c)")
    }
  }

  /// With a spread σ the error may grow like e^{c²/2σ²} (the weight with which offsets reach c
  /// falls as fast) and no faster, and the relaxation saves samples; within one σ of 0 the
  /// strict tolerance holds.
  @Test func spreadRelaxesOnlyWhereTheWeightIsSmall() throws {
    let sigma = 0.8
    let strict = try Self.tanhInterpolant(troubles: [Self.tanhTrouble])
    strict.interpolant.deallocate()
    let relaxed = try Self.tanhInterpolant(troubles: [Self.tanhTrouble], spread: sigma)
    defer { relaxed.interpolant.deallocate() }
    #expect(
      relaxed.samples < strict.samples, "\(relaxed.samples) vs \(strict.samples) samples")
    for i in 0...1200 {
      let c = -6 + 12 * Double(i) / 1200
      let allowed = abs(c) <= sigma ? 1 : exp(min(0.5 * c * c / (sigma * sigma), 60))
      #expect(
        abs(relaxed.interpolant(c) - tanh(c)) <= 1e-12 * allowed * max(abs(tanh(c)), 0.01),
        "c = \(c)")
    }
  }
}
