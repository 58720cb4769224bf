import Algebra
import GaussianCalculus
import Rational

/// The continuum limit t = ℓ/L of a model's derived recursions when the activation's shape is
/// scaled with the depth L, so that one layer changes the statistics by O(1/L) (DESIGN.md
/// "Depth as time"; the shaped networks of Li, Nica and Roy 2022).
///
/// The expansion parameter is ε = L^{-1/2}. The couplings named as *shape couplings* are
/// replaced by γ → γ̂ ε (the symbol keeps its name and stands for γ̂ = √L γ from then on). The
/// weight variance is derived, not given: at one input the exact closed-form kernel map of the
/// activation is K′ = C_W K A(ε) with A a polynomial in ε (scale-invariant activations), and
/// C_W = Σ_k w_k ε^k is solved order by order so that C_W A(ε) = 1 + O(ε⁴) — the single-input
/// kernel is stationary through O(L^{-3/2}), the continuum form of criticality χ_∥ = χ_⊥ = 1.
///
/// Every derived recursion X′ = R(K, G¹, V) is then expanded in ε with equal widths. A
/// statistic of order 1/n^s (G¹ and V: s = 1) grows like the depth, so it is rescaled,
/// X = L^s x: its 1/n term reads X/n^s = (L/n)^s x — depth/width is the explicit expansion
/// parameter. The increment L^{-s}·R − x is a polynomial in ε (Laurent, from the rescaling)
/// whose coefficients are the model's own Gaussian averages; averages that vanish because
/// their integrand is odd (``ActivationSpecialization/vanishesByParity(_:function:)``) are
/// dropped exactly. The terms of order ε⁰ and ε¹ must vanish (the step is the identity plus
/// O(1/L), else the limit is refused), the ε² coefficient is dx/dt, and the ε³ coefficient is
/// kept: when it vanishes too, the discrete recursion approaches the ODE solution like 1/L
/// (otherwise like 1/√L).
public struct ContinuumLimit: Sendable {
  /// dx/dt = rhs for one statistic, x = X / L^depthPower.
  public struct Equation: Sendable {
    /// The statistic the equation is for.
    public var statistic: Statistic
    /// The free sample indices, one per slot of the statistic.
    public var freeIndices: [Index]
    /// The power of the depth the statistic is divided by: its order in 1/n.
    public var depthPower: Int
    /// x at time t, written as the statistic at layer ℓ.
    public var variable: Expression
    /// dx/dt, in the statistics at layer ℓ (read: at time t; the 1/n statistics stand for
    /// their rescaled x) and the shape couplings γ̂.
    public var rhs: Expression
    /// The coefficient of L^{-3/2} in the per-layer increment of x: zero when the discrete
    /// recursion approaches the ODE like 1/L.
    public var nextOrder: Expression
  }

  /// A coupling as a polynomial in ε = L^{-1/2}.
  public struct Scaling: Sendable {
    public var coupling: Symbol
    /// Coefficients of ε⁰, ε¹, …, in the shape couplings γ̂.
    public var series: [Expression]
    /// Whether the series was derived (the weight variance) rather than given (a shape
    /// coupling γ = γ̂ ε).
    public var derived: Bool
  }

  /// The ODEs, in the order of the model's recursions.
  public var equations: [Equation]
  /// The weight variance's derived series and the shape couplings' scaling.
  public var scalings: [Scaling]
  /// The model's metric (K), whose averages the equations contain.
  public var metric: TensorHead
  /// The activation whose closed forms and parity were used.
  public var activation: ActivationSpecialization
  /// The function of the model the activation stands for.
  public var function: FunctionHead

  /// Whether every equation's L^{-3/2} term vanishes (convergence like 1/L).
  public var convergesLikeInverseDepth: Bool { equations.allSatisfy(\.nextOrder.isZero) }

  /// The symbol standing for L^{-1/2} during the expansion; it never reaches an output (no
  /// model name contains '√').
  static let epsilon = Symbol.parameter("1/√L")
  /// The weight variance's series is solved through ε³ (stationary kernel through L^{-3/2}).
  static let seriesOrder = 3

  /// The continuum limit of `model` (from its full derivation `result`) with the function's
  /// averages those of `activation` and the couplings `shape` scaled as γ = γ̂/√L.
  ///
  /// - Throws: ``SpecializationError`` when the model has no single-input kernel map with one
  ///   function and a weight variance, a coupling is neither scaled nor the weight variance,
  ///   the single-input kernel map is not C_W K times a polynomial in the shape couplings, or a
  ///   step is not the identity plus O(1/L).
  public init(
    model: Model, result: DerivationResult, activation: ActivationSpecialization,
    shape: [String]
  ) throws {
    let kernel = try SingleInputKernel(model: model, result: result)
    let function = try kernel.onlyFunction()
    let weight = try kernel.weightVariance()
    guard !shape.isEmpty else {
      throw SpecializationError(
        "nothing is scaled with the depth: name the couplings of the activation's shape (--scale NAME makes NAME = c/√L)"
      )
    }
    for name in shape {
      guard model.couplings.contains(name) else {
        throw SpecializationError(
          "--scale \(name): the model has no coupling \(name) (it declares \(model.couplings.joined(separator: ", ")))"
        )
      }
      guard name != weight.name else {
        throw SpecializationError(
          "--scale \(name): \(name) is the weight variance, which the continuum limit derives (the single-input kernel stays fixed)"
        )
      }
    }
    for name in model.couplings where name != weight.name && !shape.contains(name) {
      throw SpecializationError(
        "the coupling \(name) is neither scaled with the depth (--scale \(name)) nor the weight variance \(weight.name), which is derived; the continuum limit needs every coupling's dependence on L"
      )
    }
    let shapeSymbols = shape.sorted().map { Symbol.parameter($0) }
    let epsilon = Self.epsilon
    func scaledShape(_ e: Expression) -> Expression {
      shapeSymbols.reduce(e) { $0.substituting($1, by: .symbol($1) * .symbol(epsilon)) }
    }

    // The weight variance: C_W A(ε) = 1 + O(ε⁴) at one input.
    let exact = try kernel.specialized(to: activation)
    let series = try Self.weightSeries(
      scaledShape(exact.kernel), weight: weight, metric: kernel.metricSymbol)
    let weightSum = series.enumerated().reduce(Expression.zero) {
      $0 + $1.element * .symbol(epsilon, power: $1.offset)
    }

    let orders = Dictionary(uniqueKeysWithValues: model.statistics.map { ($0.name, $0.order) })
    var equations: [Equation] = []
    for recursion in result.recursions {
      var e = scaledShape(recursion.rhs).substituting(weight, by: weightSum)
      let widths = Set(e.terms.flatMap { $0.monomial.scalars.map(\.symbol) }).filter {
        $0.kind == .width
      }
      for w in widths.sorted() { e = e.substituting(w, by: .one) }
      let power = orders[recursion.quantity] ?? 0
      let variable = Expression.tensor(
        recursion.statistic.head(layer: .ell), recursion.freeIndices)
      // x′ = L^{-s} R(K, L x): each 1/n statistic in a term brings L^{order} = ε^{-2·order}.
      let rescaled = Expression(
        e.expanded().terms.map { t in
          var k = 2 * power
          for f in t.monomial.factors {
            if case .tensor(let x) = f, let order = orders[x.head.name] { k -= 2 * order }
          }
          return Term(t.coefficient, t.monomial.multiplyingScalars(by: [SymbolPower(epsilon, k)]))
        })
      let increment = (rescaled - variable).canonicalized().droppingTerms { m in
        m.factors.contains { f in
          if case .average(let g) = f { return activation.vanishesByParity(g, function: function) }
          return false
        }
      }.canonicalized()
      let parts = Self.coefficients(increment, in: epsilon)
      for k in parts.keys.sorted() where k < 2 {
        let part = parts[k] ?? .zero
        throw SpecializationError(
          "the per-layer update of \(recursion.quantity) is not O(1/L) with these scalings: its term of order L^\(Self.halfPower(-k)) does not vanish (\(part.terms.count) term\(part.terms.count == 1 ? "" : "s")); the continuum limit needs each step to be the identity plus O(1/L) (averages of odd integrands are dropped for an activation with a parity: abs, linear)"
        )
      }
      equations.append(
        Equation(
          statistic: recursion.statistic, freeIndices: recursion.freeIndices, depthPower: power,
          variable: variable, rhs: parts[2] ?? .zero, nextOrder: parts[3] ?? .zero))
    }
    self.equations = equations
    self.scalings =
      [Scaling(coupling: weight, series: series, derived: true)]
      + shapeSymbols.map { Scaling(coupling: $0, series: [.zero, .symbol($0)], derived: false) }
    self.metric = kernel.metric
    self.activation = activation
    self.function = function
  }

  /// L^{p/2} written as a power of L: `0`, `-1/2`, `-1`.
  static func halfPower(_ p: Int) -> String {
    p % 2 == 0 ? "\(p / 2)" : "\(p)/2"
  }

  /// The coefficients of the powers of `symbol` in `e` (every power present, zero ones
  /// omitted), each canonical.
  static func coefficients(_ e: Expression, in symbol: Symbol) -> [Int: Expression] {
    var parts: [Int: [Term]] = [:]
    for t in e.expanded().terms {
      let k = t.monomial.exponent(of: symbol)
      let rest = t.monomial.replacingScalars(
        with: t.monomial.scalars.filter { $0.symbol != symbol })
      parts[k, default: []].append(Term(t.coefficient, rest))
    }
    return parts.mapValues { Expression($0).canonicalized() }.filter { !$0.value.isZero }
  }

  /// w₀ … w₃ with (Σ w_k ε^k) A(ε) = 1 + O(ε⁴), where the single-input kernel map is
  /// `kernel` = C_W K A(ε).
  static func weightSeries(_ kernel: Expression, weight: Symbol, metric: Symbol) throws
    -> [Expression]
  {
    let refusal = SpecializationError(
      "the single-input kernel map is not \(weight.name) times the kernel times a polynomial in the shape couplings (a scale-invariant activation), so the weight variance that keeps it fixed is not derived here"
    )
    var a: [Int: [Term]] = [:]
    for t in kernel.expanded().terms {
      guard t.monomial.factors.isEmpty, t.monomial.summed.isEmpty,
        t.monomial.exponent(of: weight) == 1, t.monomial.exponent(of: metric) == 1
      else { throw refusal }
      let k = t.monomial.exponent(of: epsilon)
      let rest = t.monomial.scalars.filter {
        $0.symbol != weight && $0.symbol != metric && $0.symbol != epsilon
      }
      guard k >= 0, rest.allSatisfy({ $0.symbol.kind == .parameter && $0.exponent > 0 }) else {
        throw refusal
      }
      a[k, default: []].append(Term(t.coefficient, t.monomial.replacingScalars(with: rest)))
    }
    let parts = a.mapValues { Expression($0).canonicalized() }
    let leading = parts[0] ?? .zero
    guard leading.terms.count == 1, let t = leading.terms.first, t.monomial == .one,
      !t.coefficient.isZero
    else { throw refusal }
    let inverse = Rational.one / t.coefficient
    var w: [Expression] = [Expression(inverse)]
    for k in 1...seriesOrder {
      var sum = Expression.zero
      for j in 1...k { sum = sum + (parts[j] ?? .zero) * w[k - j] }
      w.append((sum.scaled(by: -inverse)).canonicalized())
    }
    return w
  }

  /// An expression with every layer label removed (the statistics at time t), for display.
  public static func atTime(_ e: Expression) -> Expression {
    func strip(_ f: Factor) -> Factor {
      switch f {
      case .tensor(let t):
        return .tensor(Tensor(TensorHead(t.head.name, symmetry: t.head.symmetry), t.indices))
      case .average(let g):
        return .average(
          GaussianAverage(
            metric: TensorHead(g.metric.name, symmetry: g.metric.symmetry),
            derivatives: g.derivatives, integrand: g.integrand, feedback: g.feedback))
      default:
        return f
      }
    }
    return Expression(
      e.terms.map {
        Term($0.coefficient, $0.monomial.replacingFactors(with: $0.monomial.factors.map(strip)))
      }
    ).canonicalized()
  }
}
