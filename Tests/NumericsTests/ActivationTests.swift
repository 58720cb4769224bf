import Foundation
import Testing

@testable import Numerics

/// Every activation, with parameters that exercise the parameterised cases.
let allActivations: [Activation] = [
  .linear, .relu, .leakyRelu(slope: 0.1), .tanh, .erf(scale: 1), .erf(scale: 2.5), .gelu, .swish,
  .sin, .softplus,
]

@Suite("Activation values, derivatives and names")
struct ActivationTests {
  @Test(
    "derivatives of order 1…4 match central differences of the order below",
    arguments: allActivations)
  func derivativesMatchFiniteDifferences(_ activation: Activation) {
    let step = 1e-5
    for z in [-2.3, -0.7, 0.4, 1.9] {
      for order in 1...4 {
        let difference =
          (activation.derivative(z + step, order: order - 1)
            - activation.derivative(z - step, order: order - 1)) / (2 * step)
        let exact = activation.derivative(z, order: order)
        #expect(
          abs(difference - exact) <= 1e-7 * max(1, abs(exact)),
          "\(activation.name) order \(order) at \(z): \(exact) vs \(difference)")
      }
    }
  }

  @Test("closed-form values at chosen points")
  func knownValues() {
    #expect(Activation.relu.value(-1) == 0)
    #expect(Activation.relu.value(2) == 2)
    #expect(Activation.leakyRelu(slope: 0.1).value(-2) == -0.2)
    #expect(abs(Activation.gelu.value(1) - 0.8413447460685429) < 1e-15)
    #expect(abs(Activation.swish.value(1) - 0.7310585786300049) < 1e-15)
    #expect(abs(Activation.softplus.value(0) - log(2)) < 1e-15)
    #expect(Activation.erf(scale: 2).value(0.5) == erf(1.0))
    #expect(Activation.relu.derivative(0.5, order: 1) == 1)
    #expect(Activation.leakyRelu(slope: 0.1).derivative(-0.5, order: 1) == 0.1)
    #expect(Activation.relu.derivative(0.5, order: 2) == 0)
  }

  @Test("values stay finite and accurate far out in the tails")
  func tails() {
    #expect(Activation.softplus.value(1000) == 1000)
    #expect(Activation.softplus.value(-1000) == 0)
    #expect(abs(Activation.softplus.value(-40) - exp(-40)) < 1e-30)
    #expect(Activation.swish.value(-1000) == 0)
    #expect(Activation.swish.value(1000) == 1000)
    #expect(abs(Activation.gelu.value(-10) / (-10 * 7.619853024160527e-24) - 1) < 1e-12)
    for activation in allActivations {
      for z in [-800.0, 800.0] {
        for order in 0...4 { #expect(activation.derivative(z, order: order).isFinite) }
      }
    }
  }

  @Test("batch apply equals value elementwise", arguments: allActivations)
  func batchApply(_ activation: Activation) {
    let input = stride(from: -6.0, through: 6.0, by: 0.37).map { $0 }
    var output = [Double](repeating: .nan, count: input.count)
    input.withUnsafeBufferPointer { source in
      output.withUnsafeMutableBufferPointer { activation.apply(source, into: $0) }
    }
    for (z, y) in zip(input, output) { #expect(y == activation.value(z)) }
  }

  @Test("kinks")
  func kinks() {
    #expect(Activation.relu.kinks == [0])
    #expect(Activation.leakyRelu(slope: 0.2).kinks == [0])
    #expect(Activation.leakyRelu(slope: 1).kinks.isEmpty)
    for activation in [Activation.linear, .tanh, .erf(scale: 1), .gelu, .swish, .sin, .softplus] {
      #expect(activation.kinks.isEmpty)
    }
  }

  @Test("names parse back to the same activation", arguments: allActivations)
  func nameRoundTrip(_ activation: Activation) throws {
    #expect(try Activation.parse(activation.name) == activation)
  }

  @Test("accepted spellings")
  func spellings() throws {
    #expect(try Activation.parse("ReLU") == .relu)
    #expect(try Activation.parse("  leaky_relu:0.01 ") == .leakyRelu(slope: 0.01))
    #expect(try Activation.parse("erf") == .erf(scale: 1))
    #expect(try Activation.parse("erf:2") == .erf(scale: 2))
    #expect(Activation.erf(scale: 2).name == "erf:2")
    #expect(Activation.leakyRelu(slope: 0.1).name == "leaky_relu:0.1")
  }

  @Test("parse errors say what is wrong")
  func parseErrors() {
    #expect(throws: ActivationParseError.unknownName("relu6")) { try Activation.parse("relu6") }
    #expect(throws: ActivationParseError.empty) { try Activation.parse("   ") }
    #expect(throws: ActivationParseError.missingParameter(name: "leaky_relu")) {
      try Activation.parse("leaky_relu")
    }
    #expect(throws: ActivationParseError.unexpectedParameter(name: "tanh", parameter: "2")) {
      try Activation.parse("tanh:2")
    }
    #expect(throws: ActivationParseError.self) { try Activation.parse("leaky_relu:abc") }
    #expect(throws: ActivationParseError.self) { try Activation.parse("erf:-1") }
    #expect(throws: ActivationParseError.self) { try Activation.parse("erf:inf") }

    let message = ActivationParseError.unknownName("relu6").description
    #expect(message.contains("relu6"))
    #expect(message.contains("did you mean 'relu'?"))
    for name in ["linear", "relu", "leaky_relu", "tanh", "erf", "gelu", "swish", "sin", "softplus"]
    {
      #expect(message.contains(name))
    }
  }

  /// A misspelt name gets the closest known one (at most two edits, case ignored), and a word
  /// that is close to nothing gets none (so `sigmoid` is not "corrected" to `sin`).
  @Test func suggestionsForMisspeltNames() {
    #expect(ActivationParseError.suggestion(for: "tahn") == "tanh")
    #expect(ActivationParseError.suggestion(for: "RELU") == "relu")
    #expect(ActivationParseError.suggestion(for: "leaky-relu") == "leaky_relu")
    #expect(ActivationParseError.suggestion(for: "softpuls") == "softplus")
    #expect(ActivationParseError.suggestion(for: "sigmoid") == nil)
    #expect(ActivationParseError.suggestion(for: "x") == nil)
    #expect(!ActivationParseError.unknownName("sigmoid").description.contains("did you mean"))
  }
}
