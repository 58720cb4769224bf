import Foundation

@testable import Quadrature

/// A 2×2 covariance from variances and a correlation coefficient.
func covariance(_ k11: Double, _ k22: Double, rho: Double) throws -> CovarianceMatrix {
  try CovarianceMatrix(k11: k11, k12: rho * (k11 * k22).squareRoot(), k22: k22)
}

/// |a − b| / |b| (or |a − b| when b = 0).
func relativeError(_ a: Double, _ b: Double) -> Double {
  b == 0 ? abs(a) : abs(a - b) / abs(b)
}

/// ⟨Πₐ fₐ(z_a)⟩_K for fₐ ∈ {sin, cos}, one per coordinate, from the characteristic function:
/// sin z = (e^{iz} − e^{−iz})/2i and cos z = (e^{iz} + e^{−iz})/2 give
/// E[Π fₐ] = Σ_{ε∈{±1}^d} Πₐ cₐ(εₐ) · E[e^{i ε·z}] with E[e^{i ε·z}] = e^{−εᵀKε/2},
/// c = ε/(2i) for sin and 1/2 for cos. With an even number s of sines, (1/2i)^s = (−1/4)^{s/2}.
func trigonometricProduct(sines: [Bool], covariance k: CovarianceMatrix) -> Double {
  let d = sines.count
  let sineCount = sines.filter { $0 }.count
  if sineCount % 2 == 1 { return 0 }
  var total = 0.0
  for mask in 0..<(1 << d) {
    let epsilon = (0..<d).map { (mask >> $0) & 1 == 1 ? 1.0 : -1.0 }
    var quadratic = 0.0
    for a in 0..<d { for b in 0..<d { quadratic += epsilon[a] * k[a, b] * epsilon[b] } }
    var sign = 1.0
    for a in 0..<d where sines[a] { sign *= epsilon[a] }
    total += sign * exp(-0.5 * quadratic)
  }
  let prefactor = pow(-0.25, Double(sineCount / 2)) * pow(0.5, Double(d - sineCount))
  return prefactor * total
}

/// An integrator that never takes a closed-form shortcut, so the quadrature itself is tested.
let quadratureOnly = GaussianExpectation(options: .init(useClosedForms: false))
