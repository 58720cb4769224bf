import Numerics

/// Gaussian-quadrature cases: ⟨σσ⟩_K in two dimensions for a smooth and a kinked activation at
/// the default 1e-13 tolerance (closed forms off, so the quadrature itself is timed), and a
/// four-dimensional product. Each case repeats the evaluation to get stable per-call times;
/// the printed median is per batch (see the case name for the batch size).
func quadratureBenchmarks() -> [BenchmarkCase] {
  let quadrature = GaussianExpectation(options: .init(useClosedForms: false))
  func pair(_ activation: Activation) -> [GaussianFactor] {
    [.activation(activation, coordinate: 0), .activation(activation, coordinate: 1)]
  }
  guard
    let k2 = try? CovarianceMatrix(k11: 1.0, k12: 0.6, k22: 1.3),
    let k4 = try? CovarianceMatrix([
      [1.0, 0.5, 0.3, 0.2], [0.5, 1.2, 0.4, 0.1], [0.3, 0.4, 0.9, 0.3], [0.2, 0.1, 0.3, 1.1],
    ])
  else { return [] }
  func evaluate(_ factors: [GaussianFactor], _ k: CovarianceMatrix, times: Int) -> () -> Void {
    {
      var sink = 0.0
      for _ in 0..<times { sink += (try? quadrature.expectation(of: factors, covariance: k)) ?? 0 }
      precondition(sink.isFinite)
    }
  }
  let four: [GaussianFactor] = (0..<4).map { .activation(.tanh, coordinate: $0) }
  let fourRelu: [GaussianFactor] = (0..<4).map { .activation(.relu, coordinate: $0) }
  return [
    BenchmarkCase(group: "quadrature", name: "tanh-2d-x100", body: evaluate(pair(.tanh), k2, times: 100)),
    BenchmarkCase(group: "quadrature", name: "relu-2d-x100", body: evaluate(pair(.relu), k2, times: 100)),
    BenchmarkCase(group: "quadrature", name: "gelu-2d-x100", body: evaluate(pair(.gelu), k2, times: 100)),
    BenchmarkCase(group: "quadrature", name: "tanh-4d-x1", repeats: 5, body: evaluate(four, k4, times: 1)),
    BenchmarkCase(group: "quadrature", name: "relu-4d-x1", repeats: 5, body: evaluate(fourRelu, k4, times: 1)),
  ]
}
