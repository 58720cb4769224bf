import Algebra
import Derivation
import Foundation
import Numerics

/// The leading large-depth behaviour of a model's single-input statistics at a critical point,
/// derived from its derived recursions at one input and equal widths:
///
///     K′ = F(K),   V′ = S(K) + T(K) V,   G′ = R(K) + P(K) G + Q(K) V
///
/// (K the metric, V the four-point vertex, G the metric's 1/n correction — whatever the model
/// calls them; the split into S, T, R, P, Q is read off the derived expressions by
/// ``CouplingAffineForm``).
///
/// - **Scale-invariant activations** (closed-form averages): at criticality F(K) = K, so K
///   keeps its first-layer value, S = A K² and T = 1 exactly, hence V = A K² (ℓ − 1) when the
///   first layer's V vanishes: V/K² grows with power 1 and coefficient A. G stays 0 when R and
///   Q vanish (for the MLP ⟨∂⁴σ²⟩ = 0 for every scale-invariant σ).
/// - **The K★ = 0 class**: F, S, T, R, P, Q are expanded about K = 0 with σ's Taylor
///   coefficients: F = K + a K² + a₃ K³ + …, S = s K² + …, T = 1 + e K + …, P = 1 + f K + …,
///   Q = h + …, R = O(K²). With a < 0, K ≃ −1/(a ℓ) (the next term is the relative correction
///   ((a₃ − a²)/a²) log ℓ / ℓ); the power-law ansatz V ≃ v/ℓ solves
///   dV/dℓ = s K² − (e/a) V/ℓ when e/a > 1, v = s/(a (e − a)), so V/K² ≃ (s a/(e − a)) ℓ; and
///   G ≃ g with g = a h v / f when f/a > 0. For the MLP e = 4a, f = 2a, h = a, so
///   V/K² ≃ (s/3) ℓ and G ≃ s/(6a); tanh: K ≃ 1/(2ℓ), V/K² ≃ 2ℓ/3, G¹ ≃ −1/6.
///
/// Couplings away from such a point (χ ≠ 1 at the fixed point, K growing away from K★ = 0)
/// give exponential, not power-law, behaviour and are refused; so are isolated critical
/// points K★ > 0, whose approach is not derived here.
public struct LargeDepthAsymptotics: Sendable {
  /// X^{(ℓ)} ≃ coefficient · ℓ^power.
  public struct PowerLaw: Sendable, Equatable {
    public var power: Int
    /// nil when it depends on the first layer (the input), not on the recursion alone.
    public var coefficient: Double?
    /// The exact law or the next term, for display (`5 (ℓ − 1) exactly`).
    public var remark: String?

    public init(power: Int, coefficient: Double?, remark: String? = nil) {
      self.power = power
      self.coefficient = coefficient
      self.remark = remark
    }
  }

  /// What was derived.
  public struct Report: Sendable {
    /// The class of the critical point: `scale-invariant` or `K*=0`.
    public var criticalClass: String
    /// The laws keyed by the model's names: the metric, the correction (if the model derives
    /// one) and `V/K^2` written with the vertex's and the metric's names.
    public var laws: [(key: String, law: PowerLaw)]
    /// The relative correction to the metric's law, c₁ in K ≃ c ℓ^p (1 + c₁ log ℓ / ℓ), when
    /// derived.
    public var metricLogCorrection: Double?
  }

  public var kernel: SingleInputKernel
  /// The single-input recursions of the vertex and the correction (widths equal).
  var vertex: (name: String, recursion: Expression)
  var correction: (name: String, recursion: Expression)?
  /// Whether the first layer's vertex and correction vanish.
  var vanishingInitialConditions: Bool

  /// The recursions of `model` from its full derivation `result`.
  ///
  /// - Throws: `SpecializationError` from ``SingleInputKernel``, ``EvaluationError`` for a
  ///   model that does not derive exactly a metric, a four-point vertex and at most one
  ///   correction.
  public init(model: Model, result: DerivationResult) throws {
    let kernel = try SingleInputKernel(model: model, result: result)
    let metric = kernel.metric.name
    let others = model.derivedStatistics.filter { $0.name != metric }
    let vertices = others.filter { $0.rank == 4 }
    let corrections = others.filter { $0.rank == 2 }
    guard vertices.count == 1, corrections.count <= 1,
      vertices.count + corrections.count == others.count
    else {
      throw EvaluationError(
        "large-depth asymptotics are derived for a metric, one four-point vertex and at most one correction; the model derives \(model.derivedStatistics.map(\.name).joined(separator: ", "))",
        at: model.location)
    }
    func singleInput(_ name: String) throws -> Expression {
      guard let r = result.recursions.first(where: { $0.quantity == name }) else {
        throw EvaluationError("the model has no recursion for \(name)", at: model.location)
      }
      // Equal widths: every width ratio is 1.
      var e = kernel.atSingleInput(r.rhs)
      let widths = Set(e.terms.flatMap { $0.monomial.scalars.map(\.symbol) }).filter {
        $0.kind == .width
      }
      for w in widths.sorted() { e = e.substituting(w, by: .one) }
      return e.canonicalized()
    }
    self.kernel = kernel
    vertex = (vertices[0].name, try singleInput(vertices[0].name))
    correction = try corrections.first.map { ($0.name, try singleInput($0.name)) }
    vanishingInitialConditions = others.allSatisfy { s in
      result.initialConditions.first { $0.quantity == s.name }?.rhs.isZero ?? true
    }
  }

  /// The symbols of the vertex and the correction at layer ℓ, and the affine forms of their
  /// recursions in them.
  func forms() throws -> (vertex: CouplingAffineForm, correction: CouplingAffineForm?) {
    let layer = kernel.metric.layer
    let v = Symbol.parameter(vertex.name, layer: layer)
    let g = correction.map { Symbol.parameter($0.name, layer: layer) }
    let symbols = [g, v].compactMap { $0 }
    let names = Set(symbols.map(\.name))
    func form(_ e: Expression) throws -> CouplingAffineForm {
      do {
        return try CouplingAffineForm(e, in: symbols, modelCouplings: names)
      } catch {
        throw EvaluationError(
          "the single-input recursions are not linear in \(symbols.map(\.name).joined(separator: " and ")) (\(error))"
        )
      }
    }
    return (try form(vertex.recursion), try correction.map { try form($0.recursion) })
  }

  /// The laws for the activation named `name` at `couplings` (by the model's names).
  ///
  /// - Throws: ``EvaluationError`` when the couplings are not at a critical point of a class
  ///   with a derived power law.
  public func run(activation name: String, couplings: [String: Double]) throws -> Report {
    let metric = kernel.metric.name
    let key = "\(vertex.name)/\(metric)^2"
    if let exact = try? ActivationSpecialization.parse(name) {
      return try scaleInvariant(exact, couplings: couplings, key: key)
    }
    let activation: Activation
    do {
      activation = try Activation.parse(name)
    } catch {
      throw EvaluationError("--activation: \(error)")
    }
    return try zeroKernel(activation, name: name, couplings: couplings, key: key)
  }

  func scaleInvariant(
    _ activation: ActivationSpecialization, couplings: [String: Double], key: String
  ) throws -> Report {
    let m = kernel.metric.name
    let (vForm, gForm) = try forms()
    let exact = try kernel.specialized(to: activation)
    let evaluator = SingleInputKernelEvaluator(kernel: exact, activation: .linear)
    func at(_ k: Double, _ es: [Expression]) throws -> [Double] {
      try evaluator.values(
        of: es.map { try exact.closedForm($0, activation) }, at: k, couplings: couplings)
    }
    // Criticality: K′(K) = K at two kernels (χ_∥ = 1 and no bias).
    let kernels = try [1.0, 2.0].map {
      try evaluator.value(of: exact.kernel, at: $0, couplings: couplings)
    }
    guard abs(kernels[0] - 1) <= 1e-12, abs(kernels[1] - 2) <= 1e-12 else {
      throw notCritical(
        "\(m)' = \(Self.format(kernels[0])) at \(m) = 1 and \(Self.format(kernels[1])) at \(m) = 2, not \(m)' = \(m)"
      )
    }
    let v = try at(1, [vForm.constant, vForm.coefficients.last ?? .zero])
    guard abs(v[1] - 1) <= 1e-12 else {
      throw notCritical("the vertex grows by \(Self.format(v[1])) per layer, not 1")
    }
    let a = v[0]  // S = A K² at K = 1.
    let exactNote =
      vanishingInitialConditions
      ? "\(Self.display(a)) (ℓ - 1) exactly" : "\(Self.display(a)) ℓ + const"
    var laws: [(String, PowerLaw)] = [
      (
        kernel.metric.name,
        PowerLaw(power: 0, coefficient: nil, remark: "\(m)(ℓ) = \(m)(1) at every layer")
      )
    ]
    if let gForm, let correction {
      let parts = try at(1, [gForm.constant] + gForm.coefficients)
      // (R, P, Q) at K = 1: G′ = R + P G + Q V.
      if abs(parts[0]) <= 1e-12, abs(parts[2]) <= 1e-12, vanishingInitialConditions {
        laws.append(
          (correction.name, PowerLaw(power: 0, coefficient: 0, remark: "0 at every layer")))
      } else {
        throw EvaluationError(
          "the correction \(correction.name) is sourced at this point (R = \(Self.format(parts[0])), Q = \(Self.format(parts[2]))); its law is not derived here"
        )
      }
    }
    laws.append((key, PowerLaw(power: 1, coefficient: a, remark: exactNote)))
    return Report(criticalClass: "scale-invariant", laws: laws, metricLogCorrection: nil)
  }

  func zeroKernel(
    _ activation: Activation, name: String, couplings: [String: Double], key: String
  ) throws -> Report {
    let m = kernel.metric.name
    let (vForm, gForm) = try forms()
    let evaluator = SingleInputKernelEvaluator(kernel: kernel, activation: activation)
    func series(_ e: Expression, _ order: Int) throws -> [Double] {
      guard let s = evaluator.series(of: e, order: order, couplings: couplings) else {
        throw EvaluationError(
          "\(name) has no expansion about \(m) = 0 here (not analytic at 0, or a coupling without a value): no power law is derived; large-depth asymptotics are derived at scale-invariant and K*=0 critical points"
        )
      }
      return s
    }
    let f = try series(kernel.kernel, 3)
    guard abs(f[0]) <= 1e-12, abs(f[1] - 1) <= 1e-10 else {
      throw notCritical(
        "K*=0 needs \(m)'(0) = 0 and χ∥(0) = 1; here \(m)'(0) = \(Self.format(f[0])), χ∥(0) = \(Self.format(f[1])) (derive criticality --activation \(name) gives the critical couplings)"
      )
    }
    let a = f[2]
    guard a < 0 else {
      throw notCritical(
        "\(m)' - \(m) ≈ \(Self.format(a)) \(m)² near 0: \(m) does not decay to 0, so there is no K*=0 power law"
      )
    }
    let s = try series(vForm.constant, 2)
    let t = try series(vForm.coefficients.last ?? .zero, 1)
    guard abs(s[0]) <= 1e-12, abs(s[1]) <= 1e-12, abs(t[0] - 1) <= 1e-10 else {
      throw EvaluationError(
        "the recursion of \(vertex.name) near \(m) = 0 is not \(vertex.name)' = s \(m)² + (1 + e \(m)) \(vertex.name) + …; no power law is derived"
      )
    }
    let e = t[1]
    guard e / a > 1 else {
      throw EvaluationError(
        "the vertex's homogeneous solution ℓ^(-e/a) = ℓ^\(Self.format(-e / a)) decays no faster than the sourced 1/ℓ: its coefficient depends on the first layer"
      )
    }
    let v = s[2] / (a * (e - a))
    var laws: [(String, PowerLaw)] = [
      (kernel.metric.name, PowerLaw(power: -1, coefficient: -1 / a))
    ]
    if let gForm, let correction {
      let r = try series(gForm.constant, 1)
      let p = try series(gForm.coefficients[0], 1)
      let q = try series(gForm.coefficients.last ?? .zero, 0)
      guard abs(r[0]) <= 1e-12, abs(r[1]) <= 1e-12, abs(p[0] - 1) <= 1e-10, p[1] / a > 0 else {
        throw EvaluationError(
          "the recursion of \(correction.name) near \(m) = 0 is not \(correction.name)' = (1 + f \(m)) \(correction.name) + h \(vertex.name) + O(\(m)²) with f/a > 0; its law is not derived"
        )
      }
      laws.append((correction.name, PowerLaw(power: 0, coefficient: a * q[0] * v / p[1])))
    }
    laws.append((key, PowerLaw(power: 1, coefficient: v * a * a)))
    return Report(
      criticalClass: "K*=0", laws: laws, metricLogCorrection: (f[3] - a * a) / (a * a))
  }

  func notCritical(_ reason: String) -> EvaluationError {
    EvaluationError(
      "not at a critical point with a derived power law: \(reason); large-depth asymptotics are derived at scale-invariant and K*=0 critical points only, not at isolated K* > 0 points (derive criticality lists them)"
    )
  }

  static func format(_ x: Double) -> String { String(format: "%.6g", x) }

  /// A number as a fraction p/q (q ≤ 10⁴) when it is one to 1e-12 relative, else %.15g.
  public static func display(_ x: Double) -> String {
    if let (p, q) = fraction(x) { return q == 1 ? "\(p)" : "\(p)/\(q)" }
    return String(format: "%.15g", x)
  }

  /// The fraction p/q with the smallest q ≤ 10⁴ within 1e-12 relative of x (continued
  /// fractions), or nil.
  public static func fraction(_ x: Double) -> (Int, Int)? {
    guard x.isFinite, abs(x) < 1e9 else { return nil }
    var (h0, h1) = (0, 1)
    var (k0, k1) = (1, 0)
    var y = x
    for _ in 0..<40 {
      let a = y.rounded(.down)
      guard abs(a) < 1e9 else { return nil }
      let ai = Int(a)
      (h0, h1) = (h1, ai * h1 + h0)
      (k0, k1) = (k1, ai * k1 + k0)
      if k1 > 10_000 { return nil }
      if abs(Double(h1) / Double(k1) - x) <= 1e-12 * max(1, abs(x)) { return (h1, k1) }
      let frac = y - a
      if frac == 0 { return nil }
      y = 1 / frac
    }
    return nil
  }
}
