import Algebra
import Rational

extension Expression {
  /// **Pass: polynomial Gaussian averages.** Replaces every atom ⟨∂_{β₁}⋯∂_{β_k} Π_m z_{α_m}⟩_K
  /// whose integrand is a product of the variable itself (no opaque functions) by its exact
  /// value: the derivatives are applied by the product rule (giving sample δ's) and the
  /// remaining Gaussian moment is Wick-contracted with covariance K. Other atoms are kept.
  /// The result is canonical.
  public func evaluatingPolynomialAverages() -> Expression {
    replacingAverages { $0.polynomialValue() }
  }
}

extension GaussianAverage {
  /// The exact value if the integrand is a polynomial in the variable (and the atom an
  /// average), else nil.
  func polynomialValue() -> Expression? {
    // A self-feedback atom is a covariance over a neuron's path, not a Gaussian moment.
    if isFeedback { return nil }
    var variable: TensorHead? = nil
    for f in integrand {
      guard case .tensor(let t) = f, t.indices.count == 1 else { return nil }
      if let v = variable, v != t.head { return nil }
      variable = t.head
    }
    guard let head = variable ?? (integrand.isEmpty ? TensorHead("z") : nil) else { return nil }
    var body = Expression.one
    for f in integrand { body = body * .factor(f) }
    for β in derivatives { body = body.differentiated(by: Tensor(head, [β])) }
    let p = Index(.sample, .named("#p")), q = Index(.sample, .named("#q"))
    let family = GaussianFamily(head, first: [p], second: [q], covariance: .tensor(metric, [p, q]))
    return WickContraction([family]).expectation(of: body.contractingDeltas())
  }
}
