import Algebra
import Derivation
import Foundation
import Numerics
import Quadrature

/// Numbers from a model's derived single-input kernel map (``SingleInputKernel``): K′, χ_∥,
/// χ_⊥ — or any expression in the incoming metric K — at a given K and couplings, by the same
/// expression evaluator and Gaussian quadrature as `derive eval`; and their expansion in powers
/// of K about K = 0 from the activation's Taylor coefficients.
public struct SingleInputKernelEvaluator: Sendable {
  public var kernel: SingleInputKernel
  /// The activation of every function of the map (the map of a criticality search applies one).
  public var activation: Activation
  /// Activations of particular functions, by name (as in ``NumericParameters``).
  public var functionActivations: [String: Activation]
  let quadrature: GaussianExpectation

  public init(
    kernel: SingleInputKernel, activation: Activation,
    functionActivations: [String: Activation] = [:], quadrature: GaussianExpectation = .init()
  ) {
    self.kernel = kernel
    self.activation = activation
    self.functionActivations = functionActivations
    self.quadrature = quadrature
  }

  /// The values of `expressions` at metric K and the given couplings (by name), with one
  /// cache of Gaussian averages for all of them.
  ///
  /// - Throws: ``EvaluationError`` for a coupling without a value or a failed average.
  public func values(
    of expressions: [Algebra.Expression], at k: Double, couplings: [String: Double] = [:]
  ) throws -> [Double] {
    let parameters = NumericParameters(
      couplings: couplings, widths: [1], inputs: [[1]], activation: activation,
      functionActivations: functionActivations)
    // Layer labels relative to ℓ resolve with ℓ = 1; the metric's own layer then names the
    // one tensor the expressions read.
    let evaluator = ExpressionEvaluator(
      parameters: parameters, layer: 1, tensors: [:], quadrature: quadrature)
    let layer = try evaluator.absolute(kernel.metric.layer)
    evaluator.tensors = [.init(name: kernel.metric.name, layer: layer): [k]]
    return try expressions.map { try evaluator.value(of: $0, free: [kernel.input: 0]) }
  }

  /// The value of one expression (see ``values(of:at:couplings:)``).
  public func value(of e: Algebra.Expression, at k: Double, couplings: [String: Double] = [:])
    throws
    -> Double
  {
    try values(of: [e], at: k, couplings: couplings)[0]
  }

  /// The coefficients c₀…c_order of e = Σ_m c_m K^m + O(K^{order+1}) about K = 0, or nil when
  /// the activation is not analytic at 0 or `e` is not a polynomial in K and Gaussian averages
  /// over the metric (a negative power of K, another statistic, a coupling).
  ///
  /// Each average is expanded with the Taylor coefficients of σ
  /// (``Activation/taylorCoefficients(through:)``):
  /// ⟨∂ᵏF⟩_K = Σ_m F^{(k+2m)}(0) K^m / (2^m m!), the single-input form of ∂⟨F⟩/∂K = ½⟨F″⟩.
  ///
  /// Couplings named in `couplings` take their values; any other coupling makes the series nil.
  public func series(
    of e: Algebra.Expression, order: Int, couplings: [String: Double] = [:]
  ) -> [Double]? {
    var total = [Double](repeating: 0, count: order + 1)
    for term in e.expanded().terms {
      var shift = 0
      var coefficient = term.coefficient.doubleValue
      for p in term.monomial.scalars {
        if p.symbol.kind == .parameter, p.symbol.layer == nil, let v = couplings[p.symbol.name] {
          coefficient *= Foundation.pow(v, Double(p.exponent))
          continue
        }
        guard p.symbol == kernel.metricSymbol, p.exponent >= 0 else { return nil }
        shift += p.exponent
      }
      guard shift <= order else { continue }
      var product = [Double](repeating: 0, count: order + 1)
      product[shift] = coefficient
      for f in term.monomial.factors {
        guard case .average(let g) = f, g.metric == kernel.metric,
          let s = averageSeries(g, order: order)
        else { return nil }
        product = Self.multiply(product, s, order: order)
      }
      for m in 0...order { total[m] += product[m] }
    }
    return total
  }

  /// ⟨∂ᵏF⟩_K as a series in K (see ``series(of:order:)``).
  func averageSeries(_ g: GaussianAverage, order: Int) -> [Double]? {
    let k = g.derivatives.count
    let degree = k + 2 * order
    // The Taylor polynomial of the integrand F to `degree`, factor by factor.
    var f = [Double](repeating: 0, count: degree + 1)
    f[0] = 1
    for factor in g.integrand {
      var p = [Double](repeating: 0, count: degree + 1)
      switch factor {
      case .tensor:
        if degree >= 1 { p[1] = 1 }
      case .function(let app):
        let sigma = functionActivations[app.head.name] ?? activation
        let d = app.derivative
        guard let a = sigma.taylorCoefficients(through: degree + d) else { return nil }
        // σ^{(d)}(z) = Σ_n a_{n+d} (n+d)!/n! zⁿ.
        for n in 0...degree {
          var falling = 1.0
          for j in 0..<d { falling *= Double(n + d - j) }
          p[n] = a[n + d] * falling
        }
      default:
        return nil
      }
      f = Self.multiply(f, p, order: degree)
    }
    // F^{(j)}(0) = j! f_j; the m-th coefficient is F^{(k+2m)}(0) / (2^m m!).
    var result = [Double](repeating: 0, count: order + 1)
    for m in 0...order {
      let j = k + 2 * m
      var factorial = 1.0
      for i in stride(from: 2, through: j, by: 1) { factorial *= Double(i) }
      var scale = 1.0
      for i in stride(from: 1, through: m, by: 1) { scale *= 2 * Double(i) }
      result[m] = f[j] * factorial / scale
    }
    return result
  }

  /// The product of two truncated power series.
  static func multiply(_ a: [Double], _ b: [Double], order: Int) -> [Double] {
    var c = [Double](repeating: 0, count: order + 1)
    for i in 0...order where a[i] != 0 {
      for j in 0...(order - i) { c[i + j] += a[i] * b[j] }
    }
    return c
  }
}
