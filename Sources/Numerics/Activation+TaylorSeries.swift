import Foundation

extension Activation {
  /// The Taylor coefficients a₀…a_N of σ about z = 0, σ(z) = Σₙ aₙ zⁿ (so aₙ = σ⁽ⁿ⁾(0)/n!),
  /// for an activation that is analytic at 0; nil for ReLU and leaky ReLU (kinked at 0, unless
  /// the slope is 1, the identity).
  ///
  /// The coefficients come from each function's defining series or differential equation, not
  /// from ``derivative(_:order:)`` (which stops at order 4):
  ///
  /// - tanh: t′ = 1 − t², so (n+1) t_{n+1} = δ_{n0} − Σ_{k≤n} t_k t_{n−k}; t = z − z³/3 + 2z⁵/15 − …
  /// - sin: aₙ = (−1)^{(n−1)/2}/n! for odd n.
  /// - erf(bz) = (2/√π) Σ_m (−1)^m (bz)^{2m+1} / (m! (2m+1)).
  /// - GELU z Φ(z) = z/2 + (1/√(2π)) Σ_m (−1)^m z^{2m+2} / (2^m m! (2m+1)).
  /// - SWISH z s(z) and softplus ∫s, with the logistic s′ = s − s², s(0) = ½.
  ///
  /// Used for the small-kernel expansion of Gaussian averages,
  /// ⟨F⟩_K = Σ_m F^{(2m)}(0) K^m / (2^m m!), which decides the K★ = 0 criticality class.
  ///
  /// - Precondition: `order` ≥ 0.
  public func taylorCoefficients(through order: Int) -> [Double]? {
    precondition(order >= 0, "the order of a Taylor polynomial is non-negative")
    var a = [Double](repeating: 0, count: order + 1)
    switch self {
    case .relu:
      return nil
    case .leakyRelu(let slope):
      guard slope == 1 else { return nil }
      if order >= 1 { a[1] = 1 }
    case .linear:
      if order >= 1 { a[1] = 1 }
    case .tanh:
      for n in 0..<order {
        var convolution = 0.0
        for k in 0...n { convolution += a[k] * a[n - k] }
        a[n + 1] = ((n == 0 ? 1 : 0) - convolution) / Double(n + 1)
      }
    case .sin:
      var factorial = 1.0
      for n in 0...order {
        if n > 0 { factorial *= Double(n) }
        if n % 2 == 1 { a[n] = (n % 4 == 1 ? 1 : -1) / factorial }
      }
    case .erf(let scale):
      var term = 2 / Foundation.sqrt(Double.pi) * scale  // (2/√π) b^{2m+1} (−1)^m / m!
      var m = 0
      while 2 * m + 1 <= order {
        a[2 * m + 1] = term / Double(2 * m + 1)
        m += 1
        term *= -scale * scale / Double(m)
      }
    case .gelu:
      if order >= 1 { a[1] = 0.5 }
      var term = 1 / Foundation.sqrt(2 * Double.pi)  // (−1)^m / (2^m m!) / √(2π)
      var m = 0
      while 2 * m + 2 <= order {
        a[2 * m + 2] = term / Double(2 * m + 1)
        m += 1
        term *= -0.5 / Double(m)
      }
    case .swish:
      let s = Self.logisticCoefficients(through: order)
      for n in 0..<order { a[n + 1] = s[n] }
    case .softplus:
      let s = Self.logisticCoefficients(through: order)
      a[0] = Foundation.log(2)
      for n in 0..<order { a[n + 1] = s[n] / Double(n + 1) }
    }
    return a
  }

  /// σ⁽ⁿ⁾(0) for n = 0…`order`, from ``taylorCoefficients(through:)`` (nil where those are).
  public func derivativesAtZero(through order: Int) -> [Double]? {
    guard let a = taylorCoefficients(through: order) else { return nil }
    var factorial = 1.0
    return a.indices.map { n in
      if n > 0 { factorial *= Double(n) }
      return a[n] * factorial
    }
  }

  /// The Taylor coefficients of the logistic function s = 1/(1 + e^{−z}) about 0, from
  /// s′ = s − s²: (n+1) s_{n+1} = s_n − Σ_{k≤n} s_k s_{n−k}.
  static func logisticCoefficients(through order: Int) -> [Double] {
    var s = [Double](repeating: 0, count: order + 1)
    s[0] = 0.5
    for n in 0..<order {
      var convolution = 0.0
      for k in 0...n { convolution += s[k] * s[n - k] }
      s[n + 1] = (s[n] - convolution) / Double(n + 1)
    }
    return s
  }
}
