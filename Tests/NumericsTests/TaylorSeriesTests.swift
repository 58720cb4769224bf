import Foundation
import Testing

@testable import Numerics

/// The Taylor coefficients of the activations about 0, which decide the K★ = 0 criticality
/// class and its power laws.
@Suite("Activation Taylor series about 0")
struct TaylorSeriesTests {
  /// σ⁽ⁿ⁾(0) from the series equals the closed-form derivatives of orders 0…4 — an independent
  /// implementation (differential equations and series against explicit formulas). Catches: a
  /// wrong recurrence, an off-by-one shift (swish, softplus), a missing n! or scale power.
  @Test(arguments: allActivations.filter { $0.kinks.isEmpty })
  func derivativesAtZeroMatchClosedForms(_ activation: Activation) throws {
    let d = try #require(activation.derivativesAtZero(through: 4))
    for n in 0...4 {
      let exact = activation.derivative(0, order: n)
      #expect(
        abs(d[n] - exact) <= 1e-14 * max(1, abs(exact)),
        "\(activation.name): σ^(\(n))(0) = \(d[n]), closed form \(exact)")
    }
  }

  /// Orders beyond 4 against known expansions: tanh z = z − z³/3 + 2z⁵/15 − 17z⁷/315 + 62z⁹/2835,
  /// sin, and the logistic (swish = z s(z)) with s = ½ + z/4 − z³/48 + z⁵/480. Catches: a
  /// recurrence right to order 4 only.
  @Test func higherOrders() throws {
    let tanh = try #require(Activation.tanh.taylorCoefficients(through: 9))
    let expected = [0, 1, 0, -1.0 / 3, 0, 2.0 / 15, 0, -17.0 / 315, 0, 62.0 / 2835]
    for (a, b) in zip(tanh, expected) { #expect(abs(a - b) <= 1e-16) }
    let sin = try #require(Activation.sin.taylorCoefficients(through: 7))
    #expect(abs(sin[7] + 1.0 / 5040) <= 1e-18 && sin[6] == 0)
    let swish = try #require(Activation.swish.taylorCoefficients(through: 6))
    for (a, b) in zip(swish, [0, 0.5, 0.25, 0, -1.0 / 48, 0, 1.0 / 480]) {
      #expect(abs(a - b) <= 1e-16)
    }
    // tanh's exact derivatives at 0 are integers: 1, −2, 16, −272.
    let d = try #require(Activation.tanh.derivativesAtZero(through: 7))
    #expect([d[1], d[3], d[5], d[7]] == [1, -2, 16, -272])
  }

  /// Kinked activations have no series at their kink; leaky ReLU with slope 1 is the identity.
  @Test func kinkedActivationsHaveNone() {
    #expect(Activation.relu.taylorCoefficients(through: 3) == nil)
    #expect(Activation.leakyRelu(slope: 0.1).taylorCoefficients(through: 3) == nil)
    #expect(Activation.leakyRelu(slope: 1).taylorCoefficients(through: 2) == [0, 1, 0])
  }
}
