import Numerics
import Quadrature

/// Gaussian quadrature: one evaluation of ⟨F⟩_K per timed body, closed-form fast paths off so
/// that the quadrature itself is measured, default accuracy (tolerance 5e-14, ≤ 1e-12 relative).
///
/// Cases: ⟨σσ⟩_K in two dimensions for tanh (smooth; target ≤ 50 µs), ReLU (kinked) and GELU at
/// K = [[1, 0.6], [0.6, 1.3]] (ρ = 0.53: Mehler's series); tanh at ρ = 0.95 (beyond the
/// series' ρ ≤ 0.9: the nested quadrature); ReLU at ρ = 0.999 (the strongly correlated, near-kink case); a
/// Hermite-form ⟨∂₁²(relu relu)⟩; ⟨σσσσ⟩ in four dimensions for ReLU and tanh; four products
/// that share all but one coordinate, integrated as one group (`ExpectationBatch`) and one by
/// one in the same run; and the one-time cost of creating a `GaussianExpectation` (its table
/// of Gauss–Legendre rules).
func quadratureBenchmarks() -> [BenchmarkCase] {
  let quadrature = GaussianExpectation(options: .init(useClosedForms: false))
  // The same without the uniform rule: graded Gauss–Legendre pieces on every level, the
  // algorithm before it, measured in the same run.
  let graded = GaussianExpectation(options: .init(useClosedForms: false, useUniformRule: false))
  guard
    let k2 = try? CovarianceMatrix(k11: 1.0, k12: 0.6, k22: 1.3),
    let correlated = try? CovarianceMatrix(k11: 1.0, k12: 0.999, k22: 1.0),
    let nested = try? CovarianceMatrix(k11: 1.0, k12: 0.95 * 1.3.squareRoot(), k22: 1.3),
    let k4 = try? CovarianceMatrix([
      [1.0, 0.5, 0.3, 0.2], [0.5, 1.2, 0.4, 0.1], [0.3, 0.4, 0.9, 0.3], [0.2, 0.1, 0.3, 1.1],
    ]),
    // Layer 5 of the 8-input tanh eval of Benchmarks/README.md (C_b 0.1, C_W 1), four inputs:
    // variances ≈ 0.3, correlations ≈ 0.87.
    let deep = try? CovarianceMatrix([
      [0.29680371564946, 0.262738675640075, 0.259474475432165, 0.259369932078578],
      [0.262738675640075, 0.29826109376587, 0.254624610452556, 0.2523548736835],
      [0.259474475432165, 0.254624610452556, 0.301243048608274, 0.267985204418297],
      [0.259369932078578, 0.2523548736835, 0.267985204418297, 0.295199154591483],
    ])
  else { return [] }
  // Seven inputs of a deep layer like `deep`'s (variances ≈ 0.3, correlations ≈ 0.87): the
  // products a layer's averages share all but one coordinate of.
  var seven = [[Double]](repeating: [Double](repeating: 0, count: 7), count: 7)
  for i in 0..<7 {
    for j in 0..<7 {
      let diagonal: Double = i == j ? 0.04 : 0
      seven[i][j] = 0.26 + diagonal + 0.002 * Double(i + j) / 7
    }
  }
  guard let wide = try? CovarianceMatrix(seven) else { return [] }
  /// ⟨σ₀σ₁σ₂σₓ⟩ for x = 3…6, and ⟨σ₀²σ₁σₓ⟩ for x = 2…5: one group each.
  let quadruples = (3..<7).map { x in
    [0, 1, 2, x].map { GaussianFactor.activation(.tanh, coordinate: $0) }
  }
  let triples = (2..<6).map { x in
    [0, 0, 1, x].map { GaussianFactor.activation(.tanh, coordinate: $0) }
  }
  func batch(_ products: [[GaussianFactor]]) -> () -> Void {
    let plan = ExpectationBatch(products: products)
    precondition(plan.groups.count == 1 && plan.singles.isEmpty, "not one group")
    return {
      let values = (try? quadrature.expectations(of: plan.groups[0], covariance: wide)) ?? nil
      precondition(values?.allSatisfy(\.isFinite) ?? false, "quadrature failed")
    }
  }
  func oneByOne(_ products: [[GaussianFactor]]) -> () -> Void {
    {
      for factors in products {
        let value = (try? quadrature.expectation(of: factors, covariance: wide)) ?? .nan
        precondition(value.isFinite, "quadrature failed")
      }
    }
  }
  func pair(_ activation: Activation) -> [GaussianFactor] {
    [.activation(activation, coordinate: 0), .activation(activation, coordinate: 1)]
  }
  func four(_ activation: Activation) -> [GaussianFactor] {
    (0..<4).map { .activation(activation, coordinate: $0) }
  }
  func expectation(
    _ factors: [GaussianFactor], _ k: CovarianceMatrix, _ integrator: GaussianExpectation? = nil
  ) -> () -> Void {
    let integrator = integrator ?? quadrature
    return {
      let value = (try? integrator.expectation(of: factors, covariance: k)) ?? .nan
      precondition(value.isFinite, "quadrature failed")
    }
  }
  // ⟨σ₀² σ₁ σ₂⟩: the three-input average of V's entries V[(aa)(bc)].
  let squareAndPair: [GaussianFactor] = [
    .activation(.tanh, coordinate: 0), .activation(.tanh, coordinate: 0),
    .activation(.tanh, coordinate: 1), .activation(.tanh, coordinate: 2),
  ]
  let hermite: () -> Void = {
    let value =
      (try? quadrature.derivativeExpectation(
        of: pair(.relu), derivatives: [0, 0], covariance: k2)) ?? .nan
    precondition(value.isFinite, "quadrature failed")
  }
  let inputs = (0..<4096).map { -6 + 12 * Double($0) / 4096 }
  var outputs = [Double](repeating: 0, count: 4096)
  return [
    BenchmarkCase(
      group: "quadrature", name: "tanh-apply-x4096", repeats: 101,
      body: {
        inputs.withUnsafeBufferPointer { input in
          outputs.withUnsafeMutableBufferPointer { Activation.tanh.apply(input, into: $0) }
        }
        precondition(outputs[7].isFinite)
      }),
    BenchmarkCase(
      group: "quadrature", name: "init-rules", repeats: 11,
      body: { precondition(GaussianExpectation().options.tolerance > 0) }),
    BenchmarkCase(
      group: "quadrature", name: "tanh-2d", repeats: 101, body: expectation(pair(.tanh), k2)),
    BenchmarkCase(
      group: "quadrature", name: "tanh-2d-rho0.95", repeats: 101,
      body: expectation(pair(.tanh), nested)),
    BenchmarkCase(
      group: "quadrature", name: "relu-2d", repeats: 101, body: expectation(pair(.relu), k2)),
    BenchmarkCase(
      group: "quadrature", name: "gelu-2d", repeats: 101, body: expectation(pair(.gelu), k2)),
    BenchmarkCase(
      group: "quadrature", name: "relu-2d-rho0.999", repeats: 101,
      body: expectation(pair(.relu), correlated)),
    BenchmarkCase(group: "quadrature", name: "relu-2d-hermite-d11", repeats: 101, body: hermite),
    BenchmarkCase(
      group: "quadrature", name: "relu-4d", repeats: 7, body: expectation(four(.relu), k4)),
    BenchmarkCase(
      group: "quadrature", name: "tanh-4d", repeats: 3, body: expectation(four(.tanh), k4)),
    BenchmarkCase(
      group: "quadrature", name: "tanh-4d-graded", repeats: 3,
      body: expectation(four(.tanh), k4, graded)),
    BenchmarkCase(
      group: "quadrature", name: "tanh-4d-deep", repeats: 21,
      body: expectation(four(.tanh), deep)),
    BenchmarkCase(
      group: "quadrature", name: "tanh-4d-deep-graded", repeats: 21,
      body: expectation(four(.tanh), deep, graded)),
    BenchmarkCase(
      group: "quadrature", name: "tanh-3d-deep", repeats: 21,
      body: expectation(squareAndPair, deep)),
    BenchmarkCase(
      group: "quadrature", name: "tanh-3d-deep-graded", repeats: 21,
      body: expectation(squareAndPair, deep, graded)),
    BenchmarkCase(
      group: "quadrature", name: "tanh-4d-deep-x4-group", repeats: 21, body: batch(quadruples)),
    BenchmarkCase(
      group: "quadrature", name: "tanh-4d-deep-x4-singly", repeats: 21,
      body: oneByOne(quadruples)),
    BenchmarkCase(
      group: "quadrature", name: "tanh-3d-deep-x4-group", repeats: 21, body: batch(triples)),
    BenchmarkCase(
      group: "quadrature", name: "tanh-3d-deep-x4-singly", repeats: 21, body: oneByOne(triples)),
  ]
}
