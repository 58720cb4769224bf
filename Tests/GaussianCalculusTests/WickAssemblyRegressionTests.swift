import Algebra
import GaussianCalculus
import Rational
import Testing

/// The fast Wick strategies agree with the reference algorithm on the layer maps' own products:
/// parameters with free neuron indices only, constant factors beside them, and width symbols
/// (which feed the term-order keys). Catches a sort key and its decoder falling out of step —
/// the first-layer E[z z] once lost its δ_{i₁i₂} and its inputs that way.
@Test func fastStrategiesKeepConstantsFreeDeltasAndWidths() {
  let layer = Layer.relative(1)
  let inner = Layer.relative(0)
  let b = TensorHead("b", layer: layer)
  let W = TensorHead("W", layer: layer)
  let p = Index(.neuron(layer), .named("i#1")), q = Index(.neuron(layer), .named("i#2"))
  let r = Index(.neuron(inner), .named("j#1")), s = Index(.neuron(inner), .named("j#2"))
  let fb = GaussianFamily(
    b, first: [p], second: [q], covariance: .symbol(.parameter("C_b")) * .delta(p, q))
  let fw = GaussianFamily(
    W, first: [p, r], second: [q, s],
    covariance: .symbol(.parameter("C_W")) * .delta(p, q) * .delta(r, s))
  let i1 = Index(.neuron(layer), .named("i1")), i2 = Index(.neuron(layer), .named("i2"))
  let j = Index(.neuron(inner), .named("j")), k = Index(.neuron(inner), .named("k"))
  let x = TensorHead("x")
  let cases: [Expression] = [
    Expression.tensor(b, [i1]) * .tensor(b, [i2]),
    Expression.tensor(b, [i1]) * .tensor(b, [i2]) * .tensor(x, [i1]),
    (Expression.tensor(W, [i1, j]) * .tensor(W, [i2, j])).summed(over: [j]),
    (Expression.tensor(W, [i1, j]) * .tensor(W, [i2, k]) * .tensor(x, [j]) * .tensor(x, [k]))
      .summed(over: [j, k]),
    Expression.tensor(b, [i1]) * .tensor(b, [i2])
      + (Expression.tensor(W, [i1, j]) * .tensor(W, [i2, k]) * .tensor(x, [j]) * .tensor(x, [k]))
      .summed(over: [j, k]),
  ]
  for (n, e) in cases.enumerated() {
    let fast = WickContraction([fb, fw]).expectation(of: e)
    let ref = WickContraction([fb, fw], options: .init(strategy: .reference)).expectation(of: e)
    #expect(fast == ref, "case \(n): \(fast) vs \(ref)")
  }
}
