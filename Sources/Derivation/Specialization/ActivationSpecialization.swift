import Algebra
import GaussianCalculus
import Rational

/// Activations whose Gaussian integrals the engine does exactly, with rational coefficients.
///
/// - `linear` (σ(z) = z): every average becomes a polynomial Gaussian moment — exact for any
///   number of inputs.
/// - the scale-invariant family σ(z) = a·min(z,0) + b·max(z,0) (`relu`: a=0, b=1;
///   `leaky_relu:s`: a=s, b=1; `abs`: a=−1, b=1): single input only. An average
///   ⟨∂^k F⟩_K is written in Hermite form ⟨F·He_k(z;K)⟩/K^k (no distributional derivatives),
///   and ⟨z^p 1_{z≷0}⟩_K = ½(p−1)!! K^{p/2} for even p. Odd total degree would bring √(K/2π)
///   and is left as an atom; σ^{(m≥2)} inside an integrand is a distribution and is refused.
public enum ActivationSpecialization: Hashable, Sendable {
  case linear
  case piecewiseLinear(name: String, negativeSlope: Rational, positiveSlope: Rational)

  public struct UnknownActivation: Error, CustomStringConvertible {
    public var text: String
    public var description: String {
      "error: unknown or non-exact activation '\(text)'; exact closed forms exist for: linear, relu, leaky_relu:SLOPE (e.g. leaky_relu:0.1 or leaky_relu:1/10), abs"
    }
  }

  public static func parse(_ text: String) throws -> ActivationSpecialization {
    switch text {
    case "linear", "identity": return .linear
    case "relu": return .piecewiseLinear(name: "relu", negativeSlope: .zero, positiveSlope: .one)
    case "abs":
      return .piecewiseLinear(name: "abs", negativeSlope: Rational(-1), positiveSlope: .one)
    default:
      let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
      if parts.count == 2, parts[0] == "leaky_relu" || parts[0] == "leakyrelu",
        let s = rational(parts[1])
      {
        return .piecewiseLinear(name: text, negativeSlope: s, positiveSlope: .one)
      }
      throw UnknownActivation(text: text)
    }
  }

  /// A decimal ("0.1", "-2.5") or fraction ("1/10") as an exact rational.
  static func rational(_ s: String) -> Rational? {
    if let r = try? Rational.parse(s) { return r }
    let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(
      String.init)
    guard parts.count == 2, !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
      parts[1].count <= 18,
      let whole = try? Rational.parse(
        parts[0].isEmpty || parts[0] == "-" ? parts[0] + "0" : parts[0]),
      let frac = Int(parts[1])
    else { return nil }
    var scale = 1
    for _ in 0..<parts[1].count { scale *= 10 }
    let f = Rational(frac, scale)
    return parts[0].hasPrefix("-") ? whole - f : whole + f
  }

  public var requiresSingleInput: Bool {
    if case .piecewiseLinear = self { return true }
    return false
  }

  public var name: String {
    switch self {
    case .linear: return "linear"
    case .piecewiseLinear(let name, _, _): return name
    }
  }

  /// Substitutes σ(z) = z in the averages and evaluates them (multi-input, exact).
  public func applyLinear(_ e: Expression, function: FunctionHead) -> Expression {
    e.replacingAverages { g in
      if g.isFeedback { return nil }
      var integrand: [Factor] = []
      for f in g.integrand {
        if case .function(let app) = f, app.head == function {
          switch app.derivative {
          case 0: integrand.append(.tensor(app.argument))
          case 1: continue
          default: return .zero
          }
        } else {
          integrand.append(f)
        }
      }
      return .average(
        GaussianAverage(metric: g.metric, derivatives: g.derivatives, integrand: integrand))
    }.evaluatingPolynomialAverages()
  }

  /// Closed forms of single-input averages (after ``SingleInput``) for the piecewise-linear
  /// family. Averages that cannot be done with rational coefficients are kept.
  public func applySingleInput(_ e: Expression, function: FunctionHead) throws -> Expression {
    guard case .piecewiseLinear(_, let a, let b) = self else {
      return applyLinear(e, function: function)
    }
    return try e.replacingAverages { g in
      try Self.piecewiseValue(g, function: function, slopes: (a, b))
    }
  }

  public struct DistributionalIntegrand: Error, CustomStringConvertible {
    public var description: String
  }

  static func piecewiseValue(
    _ g: GaussianAverage, function: FunctionHead, slopes: (Rational, Rational)
  ) throws -> Expression? {
    if g.isFeedback { return nil }
    // Integrand on each side: coefficient · z^power.
    var power = 0
    var negative = Rational.one
    var positive = Rational.one
    for f in g.integrand {
      switch f {
      case .function(let app) where app.head == function:
        switch app.derivative {
        case 0:
          power += 1
          negative = negative * slopes.0
          positive = positive * slopes.1
        case 1:
          negative = negative * slopes.0
          positive = positive * slopes.1
        default:
          throw DistributionalIntegrand(
            description:
              "error: \(function.name)^(\(app.derivative)) of a piecewise-linear activation is a distribution; the engine keeps derivatives outside averages (Hermite form)"
          )
        }
      case .tensor:
        power += 1
      default:
        return nil
      }
    }
    let k = g.derivatives.count
    let K = SingleInput.scalar(g.metric)
    // He_k(z; K) = Σ_q c_q K^{(k−q)/2} z^q, by He_{k+1} = z He_k − k K He_{k−1}.
    var previous: [Int: Rational] = [:]
    var current: [Int: Rational] = [0: .one]
    for m in 0..<k {
      var next: [Int: Rational] = [:]
      for (q, c) in current { next[q + 1, default: .zero] += c }
      for (q, c) in previous { next[q, default: .zero] -= c * Rational(m) }
      (previous, current) = (current, next)
    }
    var result = Expression.zero
    for (q, c) in current.sorted(by: { $0.key < $1.key }) where !c.isZero {
      let p = q + power
      if p % 2 == 1 {
        // ⟨z^p 1_{z<0}⟩ = −⟨z^p 1_{z>0}⟩ ∝ √(K/2π): cancels only if both sides agree.
        if !(positive - negative).isZero { return nil }
        continue
      }
      // ⟨z^p 1_{z>0}⟩ = ⟨z^p 1_{z<0}⟩ = ½(p−1)!! K^{p/2}.
      var doubleFactorial = Rational.one
      var j = p - 1
      while j > 1 {
        doubleFactorial = doubleFactorial * Rational(j)
        j -= 2
      }
      let value = (negative + positive) * Rational(1, 2) * doubleFactorial * c
      // K powers: from He_k: (k − q)/2; from the moment: p/2; from the Hermite prefactor: −k.
      let kPower = (k - q) / 2 + p / 2 - k
      result = result + value * Expression.symbol(K, power: kPower)
    }
    return result
  }
}
