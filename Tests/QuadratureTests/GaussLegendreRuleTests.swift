import Foundation
import Testing

@testable import Quadrature

@Suite("Gauss–Legendre rules")
struct GaussLegendreRuleTests {
  @Test("5-point rule matches Abramowitz & Stegun table 25.4")
  func fivePointTable() {
    let rule = GaussLegendreRule(order: 5)
    let nodes = [
      -0.906179845938663992797627, -0.538469310105683091036314, 0, 0.538469310105683091036314,
      0.906179845938663992797627,
    ]
    let weights = [
      0.236926885056189087514264, 0.478628670499366468041292, 0.568888888888888888888889,
      0.478628670499366468041292, 0.236926885056189087514264,
    ]
    for i in 0..<5 {
      #expect(abs(rule.nodes[i] - nodes[i]) <= 2e-16)
      #expect(abs(rule.weights[i] - weights[i]) <= 2e-16)
    }
  }

  @Test("10-point rule matches the published largest node and weight")
  func tenPointTable() {
    let rule = GaussLegendreRule(order: 10)
    #expect(abs(rule.nodes[9] - 0.973906528517171720077964) <= 2e-16)
    #expect(abs(rule.weights[9] - 0.066671344308688137593568) <= 2e-16)
    #expect(abs(rule.nodes[5] - 0.148874338981631210884826) <= 2e-16)
    #expect(abs(rule.weights[5] - 0.295524224714752870173893) <= 2e-16)
  }

  @Test(
    "m points integrate every monomial of degree ≤ 2m − 1 exactly",
    arguments: [1, 2, 3, 7, 16, 33, 64, 128])
  func polynomialExactness(_ m: Int) {
    let rule = GaussLegendreRule(order: m)
    #expect(rule.order == m)
    #expect(zip(rule.nodes, rule.nodes.dropFirst()).allSatisfy { $0 < $1 })
    for k in 0...(2 * m - 1) {
      let quadrature = zip(rule.nodes, rule.weights).reduce(0.0) {
        $0 + $1.1 * pow($1.0, Double(k))
      }
      let exact = k % 2 == 1 ? 0 : 2 / Double(k + 1)
      #expect(abs(quadrature - exact) <= 4e-15, "m = \(m), degree \(k)")
    }
    // Degree 2m is the first the rule gets wrong (visibly so for small m; the error
    // 2^{2m+1}(m!)⁴/((2m+1)((2m)!)²) is below rounding beyond m ≈ 20).
    guard m <= 16 else { return }
    let k = 2 * m
    let quadrature = zip(rule.nodes, rule.weights).reduce(0.0) { $0 + $1.1 * pow($1.0, Double(k)) }
    #expect(abs(quadrature - 2 / Double(k + 1)) > 1e-12)
  }

  @Test("mapped rule integrates a smooth function on an interval")
  func mappedIntegral() {
    let rule = GaussLegendreRule(order: 16)
    #expect(abs(rule.integrate(from: 0, to: 1, exp) - (M_E - 1)) <= 1e-15)
    #expect(abs(rule.integrate(from: -2, to: 3) { $0 * $0 } - 35.0 / 3) <= 1e-14)
  }
}
