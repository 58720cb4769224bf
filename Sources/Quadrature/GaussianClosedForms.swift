import Foundation
import Numerics

/// Closed-form Gaussian integrals (FORMULAS.md §9): fast paths for ``GaussianExpectation`` and
/// independent references for its quadrature.
///
/// Two-input forms take the entries of K = [[k11, k12], [k12, k22]] and use
/// ρ = k12/√(k11 k22) (clamped to [−1, 1] against rounding) and θ = arccos ρ. They require K
/// positive semidefinite (k11, k22 ≥ 0, k12² ≤ k11 k22 up to rounding); a zero variance means
/// that input is identically 0. Setting k11 = k12 = k22 = K gives the single-input ⟨σ²⟩_K.
public enum GaussianClosedForms {
  /// ReLU arc-cosine kernel:
  /// ⟨σ(z₁)σ(z₂)⟩ = √(k11 k22)/(2π) · [sin θ + (π − θ) cos θ].
  ///
  /// Evaluated stably near ρ = −1, where the bracket is a cancellation: with δ = π − θ it equals
  /// sin δ − δ cos δ = δ³/3 − δ⁵/30 + …, summed as a series for small δ.
  public static func reluCorrelation(k11: Double, k12: Double, k22: Double) -> Double {
    checkCovariance(k11, k22)
    let scale = (k11 * k22).squareRoot()
    guard scale > 0 else { return 0 }
    return scale / (2 * Double.pi) * arcCosineBracket(k11: k11, k12: k12, k22: k22)
  }

  /// ⟨σ′(z₁)σ′(z₂)⟩ for ReLU, σ′ the step function: (π − θ)/(2π).
  public static func reluDerivativeCorrelation(k11: Double, k12: Double, k22: Double) -> Double {
    checkCovariance(k11, k22)
    guard k11 > 0, k22 > 0 else { return 0 }  // σ′(0) = 0
    return (Double.pi - angle(k11: k11, k12: k12, k22: k22)) / (2 * Double.pi)
  }

  /// ⟨relu(z)ⁿ⟩ for z ~ N(0, K), n ≥ 1: ½ E|z|ⁿ, which is ½(n−1)!! Kⁿᐟ² for even n
  /// (so ⟨relu^{2m}⟩ = ½(2m−1)!! K^m) and ½ √(2/π) (n−1)!! Kⁿᐟ² for odd n.
  ///
  /// - Precondition: `n >= 1` and `variance >= 0`.
  public static func reluMoment(_ n: Int, variance: Double) -> Double {
    precondition(n >= 1, "reluMoment needs n ≥ 1 (⟨relu⁰⟩ depends on the convention at 0)")
    checkCovariance(variance, variance)
    return 0.5 * absoluteMoment(n, variance: variance)
  }

  /// ⟨σ(z₁)σ(z₂)⟩ for σ(z) = a·min(z, 0) + b·max(z, 0):
  /// (a − b)²/(2π) √(k11 k22 − k12²) + [(a² + b²)/2 − (a − b)² θ/(2π)] k12,
  /// evaluated as (a − b)²/(2π) √(k11 k22) [sin θ + (π − θ) cos θ] + ab k12 (the same
  /// expression, rearranged so that it is stable near ρ = −1).
  public static func piecewiseLinearCorrelation(
    negativeSlope a: Double, positiveSlope b: Double, k11: Double, k12: Double, k22: Double
  ) -> Double {
    checkCovariance(k11, k22)
    let scale = (k11 * k22).squareRoot()
    guard scale > 0 else { return 0 }
    return (a - b) * (a - b) / (2 * Double.pi) * scale
      * arcCosineBracket(k11: k11, k12: k12, k22: k22) + a * b * k12
  }

  /// ⟨σ(z₁)σ(z₂)⟩ for σ(z) = erf(bz): (2/π) arcsin(2b²k12 / √((1 + 2b²k11)(1 + 2b²k22))).
  public static func erfCorrelation(scale b: Double, k11: Double, k12: Double, k22: Double)
    -> Double
  {
    checkCovariance(k11, k22)
    let b2 = 2 * b * b
    let argument = b2 * k12 / ((1 + b2 * k11) * (1 + b2 * k22)).squareRoot()
    return 2 / Double.pi * Foundation.asin(Swift.min(1, Swift.max(-1, argument)))
  }

  /// ⟨sin z₁ sin z₂⟩ = e^{−(k11+k22)/2} sinh k12 (evaluated without overflow).
  public static func sinCorrelation(k11: Double, k12: Double, k22: Double) -> Double {
    checkCovariance(k11, k22)
    let mean = 0.5 * (k11 + k22)
    return 0.5 * (Foundation.exp(k12 - mean) - Foundation.exp(-k12 - mean))
  }

  /// ⟨cos z₁ cos z₂⟩ = e^{−(k11+k22)/2} cosh k12 (evaluated without overflow).
  public static func cosCorrelation(k11: Double, k12: Double, k22: Double) -> Double {
    checkCovariance(k11, k22)
    let mean = 0.5 * (k11 + k22)
    return 0.5 * (Foundation.exp(k12 - mean) + Foundation.exp(-k12 - mean))
  }

  /// ⟨σ(z₁)σ(z₂)⟩ for σ(z) = z: k12.
  public static func linearCorrelation(k11: Double, k12: Double, k22: Double) -> Double {
    checkCovariance(k11, k22)
    return k12
  }

  /// The Gaussian moment ⟨Π_s z_s^{αₛ}⟩_K by Isserlis' theorem (sum over pairings of Π K),
  /// through the recursion ⟨z_a z^β⟩ = Σ_b K_{ab} β_b ⟨z^{β−e_b}⟩. Odd total degree gives 0.
  ///
  /// - Precondition: `exponents.count == covariance.dimension`, all exponents ≥ 0.
  public static func gaussianMoment(exponents: [Int], covariance: CovarianceMatrix) -> Double {
    precondition(exponents.count == covariance.dimension, "one exponent per coordinate")
    precondition(exponents.allSatisfy { $0 >= 0 }, "exponents must be non-negative")
    var memo: [[Int]: Double] = [:]
    func moment(_ alpha: [Int]) -> Double {
      let total = alpha.reduce(0, +)
      if total == 0 { return 1 }
      if total % 2 == 1 { return 0 }
      if let known = memo[alpha] { return known }
      guard let a = alpha.firstIndex(where: { $0 > 0 }) else { return 1 }
      var rest = alpha
      rest[a] -= 1
      var sum = 0.0
      for b in 0..<alpha.count where rest[b] > 0 {
        let kab = covariance[a, b]
        if kab == 0 { continue }
        var reduced = rest
        reduced[b] -= 1
        sum += kab * Double(rest[b]) * moment(reduced)
      }
      memo[alpha] = sum
      return sum
    }
    return moment(exponents)
  }

  /// The closed form of ⟨F⟩_K for a product of factors, when this module knows one; nil
  /// otherwise.
  ///
  /// Recognised: products of powers and linear activations (any dimension, Isserlis); single
  /// input reluⁿ·(relu′)ᵐ·zᵏ with n + m ≥ 1 (½E|z|ⁿ⁺ᵏ); ⟨σσ⟩ for one or two inputs with σ ReLU,
  /// leaky ReLU, erf or sin; ⟨relu′ relu′⟩ for two inputs.
  ///
  /// - Precondition: every factor's coordinate is in `0..<covariance.dimension`, and K is
  ///   positive semidefinite.
  public static func expectation(of factors: [GaussianFactor], covariance: CovarianceMatrix)
    -> Double?
  {
    let d = covariance.dimension
    // Products of powers (σ(z) = z and its first derivative are powers).
    var exponents = [Int](repeating: 0, count: d)
    var polynomial = true
    for factor in factors {
      switch factor.function {
      case .power(let k): exponents[factor.coordinate] += k
      case .activation(.linear, 0): exponents[factor.coordinate] += 1
      case .activation(.linear, 1): break
      case .activation(.linear, _): return 0
      default: polynomial = false
      }
    }
    if polynomial { return gaussianMoment(exponents: exponents, covariance: covariance) }

    if d == 1 {
      var reluPower = 0
      var steps = 0
      var power = 0
      for factor in factors {
        switch factor.function {
        case .activation(.relu, 0): reluPower += 1
        case .activation(.relu, 1): steps += 1
        case .power(let k): power += k
        case .activation(.linear, 0): power += 1
        case .activation(.linear, 1): break
        default:
          return twoPoint(
            factors, k11: covariance[0, 0], k12: covariance[0, 0], k22: covariance[0, 0])
        }
      }
      guard reluPower + steps >= 1 else { return nil }
      if covariance[0, 0] == 0 { return 0 }
      return 0.5 * absoluteMoment(reluPower + power, variance: covariance[0, 0])
    }
    if d == 2, factors.count == 2, factors[0].coordinate != factors[1].coordinate {
      return twoPoint(factors, k11: covariance[0, 0], k12: covariance[0, 1], k22: covariance[1, 1])
    }
    return nil
  }

  /// ⟨f(z₁) f(z₂)⟩ when both factors are the same function with a known two-point form.
  private static func twoPoint(_ factors: [GaussianFactor], k11: Double, k12: Double, k22: Double)
    -> Double?
  {
    guard factors.count == 2, factors[0].function == factors[1].function else { return nil }
    switch factors[0].function {
    case .activation(.relu, 0): return reluCorrelation(k11: k11, k12: k12, k22: k22)
    case .activation(.relu, 1): return reluDerivativeCorrelation(k11: k11, k12: k12, k22: k22)
    case .activation(.leakyRelu(let slope), 0):
      return piecewiseLinearCorrelation(
        negativeSlope: slope, positiveSlope: 1, k11: k11, k12: k12, k22: k22)
    case .activation(.erf(let scale), 0):
      return erfCorrelation(scale: scale, k11: k11, k12: k12, k22: k22)
    case .activation(.sin, 0): return sinCorrelation(k11: k11, k12: k12, k22: k22)
    case .activation(.sin, 1): return cosCorrelation(k11: k11, k12: k12, k22: k22)
    default: return nil
    }
  }

  /// E|z|ⁿ for z ~ N(0, K): (n−1)!! Kⁿᐟ², times √(2/π) for odd n.
  private static func absoluteMoment(_ n: Int, variance: Double) -> Double {
    var doubleFactorial = 1.0
    var k = n - 1
    while k > 1 {
      doubleFactorial *= Double(k)
      k -= 2
    }
    let scale = Foundation.pow(variance, 0.5 * Double(n))
    return n % 2 == 0 ? doubleFactorial * scale : 0.79788456080286535588 * doubleFactorial * scale
  }

  /// θ = arccos ρ, computed as atan2(√det K, k12) (accurate at both ends, ρ → ±1).
  private static func angle(k11: Double, k12: Double, k22: Double) -> Double {
    let determinant = Swift.max(0, k11 * k22 - k12 * k12)
    return Foundation.atan2(determinant.squareRoot(), k12)
  }

  /// sin θ + (π − θ) cos θ = sin δ − δ cos δ with δ = π − θ; a series for small δ, where the
  /// two terms cancel to O(δ³).
  private static func arcCosineBracket(k11: Double, k12: Double, k22: Double) -> Double {
    let determinant = Swift.max(0, k11 * k22 - k12 * k12)
    let delta = Foundation.atan2(determinant.squareRoot(), -k12)
    guard delta < 0.5 else { return Foundation.sin(delta) - delta * Foundation.cos(delta) }
    // Σ_{k≥1} (−1)^{k+1} 2k δ^{2k+1}/(2k+1)!; at δ < 0.5 ten terms reach rounding.
    let delta2 = delta * delta
    var power = delta  // δ^{2k+1}/(2k+1)!, starting at k = 0
    var sum = 0.0
    for k in 1...10 {
      power *= delta2 / Double((2 * k) * (2 * k + 1))
      let term = Double(2 * k) * power
      sum += k % 2 == 1 ? term : -term
    }
    return sum
  }

  private static func checkCovariance(_ k11: Double, _ k22: Double) {
    precondition(k11 >= 0 && k22 >= 0, "variances must be non-negative (got \(k11), \(k22))")
  }
}
