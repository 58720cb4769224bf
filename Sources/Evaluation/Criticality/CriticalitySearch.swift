import Algebra
import Derivation
import Foundation
import Numerics
import Quadrature

/// Finds the critical points and lines of a model's derived single-input kernel map
/// (``SingleInputKernel``): couplings (b, w) — the model's bias and weight variances — and a
/// fixed point K★ = K′(K★) with χ_∥(K★) = χ_⊥(K★) = 1 (FORMULAS.md §13).
///
/// Three routes, each from the derived expressions, never from typed formulas:
///
/// 1. **Scale-invariant activations** (linear, relu, leaky_relu:s, abs): the Gaussian averages
///    are done in closed form (``ActivationSpecialization``) and ``Criticality`` solves the
///    conditions exactly: a line (b = 0, w = 1/c, any K★).
/// 2. **K★ = 0**, for an activation analytic at 0: K′, χ_∥, χ_⊥ are expanded about K = 0 with
///    σ's Taylor coefficients (``SingleInputKernelEvaluator/series(of:order:)``), and the
///    conditions K′(0) = 0, χ_⊥(0) = 1 — linear in (b, w) — are solved exactly, then χ_∥(0) = 1
///    is checked. For the MLP this is b = 0, w = 1/σ′(0)² when σ(0) = 0. The K² term of K′ − K
///    decides whether K flows into K★ = 0 (tanh, sin, erf) or away from it (GELU, SWISH).
/// 3. **K★ > 0**, numerically: at a fixed K the fixed-point and χ_⊥ = 1 conditions are linear
///    in (b, w) (``CouplingAffineForm``), so they give b(K), w(K); the remaining condition
///    χ_∥(b(K), w(K), K) = 1 is one equation in K. Its sign changes on a logarithmic grid over
///    ``Options/lowerKernel``…``Options/upperKernel`` are refined by Brent's method to
///    ``Options/tolerance`` (relative). Every root with b ≥ 0 and w > 0 is reported, stable or
///    not; roots with a negative variance are counted in the notes. A double root (touching
///    without a sign change) or two roots in one grid cell are not resolved.
public struct CriticalitySearch: Sendable {
  /// The search range and resolution of route 3.
  public struct Options: Sendable, Equatable {
    /// The smallest K★ searched (the grid's first point).
    public var lowerKernel: Double
    /// The largest K★ searched.
    public var upperKernel: Double
    /// Grid points per factor of 10 in K.
    public var pointsPerDecade: Int
    /// The relative accuracy of each root K★.
    public var tolerance: Double

    public init(
      lowerKernel: Double = 1e-6, upperKernel: Double = 1e4, pointsPerDecade: Int = 25,
      tolerance: Double = 1e-12
    ) {
      self.lowerKernel = lowerKernel
      self.upperKernel = upperKernel
      self.pointsPerDecade = pointsPerDecade
      self.tolerance = tolerance
    }
  }

  /// What a search found.
  public struct Report: Sendable {
    /// The activation, as named.
    public var activation: String
    /// The critical points and lines, K★ = 0 first, then by increasing K★.
    public var points: [CriticalPoint]
    /// Remarks: what was not found and why, discarded roots, the range searched.
    public var notes: [String]
  }

  public var kernel: SingleInputKernel
  public var options: Options

  public init(kernel: SingleInputKernel, options: Options = Options()) {
    self.kernel = kernel
    self.options = options
  }

  /// The critical points for the activation named `name`: closed form for the scale-invariant
  /// family, otherwise routes 2 and 3.
  ///
  /// - Throws: ``EvaluationError`` for an unknown activation or a failed evaluation,
  ///   `SpecializationError` for a kernel map that has no criticality in this sense (no
  ///   function, several, no weight variance, not affine in the couplings).
  public func run(activation name: String) throws -> Report {
    _ = try kernel.onlyFunction()
    _ = try kernel.weightVariance()
    if let exact = try? ActivationSpecialization.parse(name) {
      return try closedForm(exact)
    }
    let activation: Activation
    do {
      activation = try Activation.parse(name)
    } catch {
      throw EvaluationError("--activation: \(error) (and abs, with a closed form)")
    }
    return try numeric(activation, name: name)
  }

  // MARK: Route 1: closed form

  func closedForm(_ activation: ActivationSpecialization) throws -> Report {
    let exact = try kernel.specialized(to: activation)
    guard let criticality = exact.criticality else {
      return Report(
        activation: activation.name, points: [],
        notes: [
          "no closed-form critical line: the specialised χ_∥ and χ_⊥ are not equal constants times the weight variance"
        ])
    }
    let couplings = criticality.conditions.map {
      CriticalPoint.Coupling(
        name: $0.coupling.name, value: $0.value.doubleValue, exact: $0.value.description)
    }
    let values = Dictionary(couplings.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    // The closed forms have no averages left: any activation and any K evaluate them.
    let chi = try SingleInputKernelEvaluator(kernel: exact, activation: .linear).values(
      of: [exact.parallel, exact.perpendicular], at: 1, couplings: values)
    let point = CriticalPoint(
      couplings: couplings, kernel: nil, chiParallel: chi[0], chiPerpendicular: chi[1],
      kind: .line, stability: .marginal)
    return Report(activation: activation.name, points: [point], notes: [])
  }

  // MARK: Routes 2 and 3: numeric activations

  /// The couplings solved from K′ = target and χ_⊥ = 1 at one K, given the parts of the affine
  /// forms there: nil when the linear system is singular.
  struct LinearSolve {
    /// Values of the constant and the coupling coefficients of K′, χ_∥, χ_⊥ (in the forms'
    /// coupling order).
    var kernel: [Double]
    var parallel: [Double]
    var perpendicular: [Double]
    var hasBias: Bool

    /// (b, w), or (w) without a bias variance.
    func couplings(target k: Double) -> [Double]? {
      if hasBias {
        // [kb kw; pb pw] (b, w) = (k − k0, 1 − p0).
        let (k0, kb, kw) = (kernel[0], kernel[1], kernel[2])
        let (p0, pb, pw) = (perpendicular[0], perpendicular[1], perpendicular[2])
        let det = kb * pw - kw * pb
        let scale = max(abs(kb * pw), abs(kw * pb))
        guard det != 0, abs(det) > 1e-14 * scale else { return nil }
        let r1 = k - k0
        let r2 = 1 - p0
        return [(r1 * pw - kw * r2) / det, (kb * r2 - r1 * pb) / det]
      }
      let (p0, pw) = (perpendicular[0], perpendicular[1])
      guard pw != 0 else { return nil }
      return [(1 - p0) / pw]
    }

    /// e₀ + Σ c·e_c for parts `parts`.
    static func combine(_ parts: [Double], _ couplings: [Double]) -> Double {
      var v = parts[0]
      for (c, e) in zip(couplings, parts.dropFirst()) { v += c * e }
      return v
    }
  }

  func numeric(_ activation: Activation, name: String) throws -> Report {
    let forms = try kernel.affineForms()
    let evaluator = SingleInputKernelEvaluator(kernel: kernel, activation: activation)
    let names = forms.kernel.couplings.map(\.name)
    let hasBias = kernel.roles.biasVariance != nil
    func parts(_ f: CouplingAffineForm) -> [Expression] { [f.constant] + f.coefficients }
    let all = parts(forms.kernel) + parts(forms.parallel) + parts(forms.perpendicular)
    let width = forms.kernel.couplings.count + 1

    func solve(_ values: [Double]) -> LinearSolve {
      LinearSolve(
        kernel: Array(values[0..<width]), parallel: Array(values[width..<(2 * width)]),
        perpendicular: Array(values[(2 * width)...]), hasBias: hasBias)
    }
    func named(_ values: [Double]) -> [String: Double] {
      Dictionary(zip(names, values).map { ($0, $1) }, uniquingKeysWith: { a, _ in a })
    }

    var points: [CriticalPoint] = []
    var notes: [String] = []
    let m = kernel.metric.name

    // Route 2: K★ = 0 from the expansion about K = 0.
    if let series = all.map({ evaluator.series(of: $0, order: 2) }) as [[Double]?]?,
      series.allSatisfy({ $0 != nil })
    {
      let s = series.compactMap { $0 }
      let at0 = solve(s.map { $0[0] })
      if var c = at0.couplings(target: 0) {
        let kernelAt0 = LinearSolve.combine(at0.kernel, c)
        let parallel0 = LinearSolve.combine(at0.parallel, c)
        let perpendicular0 = LinearSolve.combine(at0.perpendicular, c)
        // A bias variance that is rounding noise about 0 is 0.
        if hasBias, abs(c[0]) <= 1e-14 * max(1, abs(c[1])) { c[0] = 0 }
        let valid =
          c.allSatisfy { $0 >= 0 } && (c.last ?? 0) > 0 && abs(kernelAt0) <= 1e-12
          && abs(parallel0 - 1) <= 1e-10
        if valid {
          // K′ − K = (χ_∥(0) − 1) K + a K² + …: a decides the flow near 0.
          let a = LinearSolve.combine(s[0..<width].map { $0[2] }, c)
          let stability: CriticalPoint.Stability =
            a < 0 ? .attracting : a > 0 ? .repelling : .marginal
          points.append(
            CriticalPoint(
              couplings: zip(names, c).map { CriticalPoint.Coupling(name: $0, value: $1) },
              kernel: 0, chiParallel: parallel0, chiPerpendicular: perpendicular0,
              kind: .zeroKernel, stability: stability, curvature: a))
        } else {
          notes.append(
            "\(m)* = 0 is not critical for \(name): the fixed point \(m)′(0) = 0 with χ_⊥ = 1 needs \(zip(names, c).map { "\($0) = \(Self.format($1))" }.joined(separator: ", "))\(abs(parallel0 - 1) > 1e-10 ? ", where χ_∥ = \(Self.format(parallel0))" : " (a negative variance)")"
          )
        }
      }
    } else {
      notes.append("\(m)* = 0: \(name) has no Taylor expansion about 0 usable here")
    }

    // Route 3: K★ > 0 on a logarithmic grid.
    guard hasBias else {
      notes.append(
        "the map has no bias variance: a critical point \(m)* > 0 needs two couplings for its three conditions, so none is searched"
      )
      return Report(activation: name, points: points, notes: notes)
    }
    let grid = RootFinding.logarithmicGrid(
      from: options.lowerKernel, to: options.upperKernel, pointsPerDecade: options.pointsPerDecade)
    func residual(_ k: Double) throws -> Double? {
      let system = solve(try evaluator.values(of: all, at: k))
      guard let c = system.couplings(target: k) else { return nil }
      return LinearSolve.combine(system.parallel, c) - 1
    }
    let roots = try RootFinding.roots(on: grid, tolerance: options.tolerance, residual)
    var negative = 0
    for root in roots {
      let k = root.x
      guard let c = solve(try evaluator.values(of: all, at: k)).couplings(target: k) else {
        continue
      }
      guard c[0] >= 0, c[1] > 0 else {
        negative += 1
        continue
      }
      let couplings = named(c)
      // χ from the full derived expressions (not the affine parts), and the flow about K★.
      let chi = try evaluator.values(
        of: [kernel.kernel, kernel.parallel, kernel.perpendicular], at: k, couplings: couplings)
      guard abs(chi[0] - k) <= 1e-9 * max(1, k), abs(chi[1] - 1) <= 1e-8 else { continue }
      // K′ − K = a δ² + b δ³ + … (δ = K − K★, χ_∥ = 1): central differences at δ = ±h.
      let h = 1e-3 * k
      let below = try evaluator.value(of: kernel.kernel, at: k - h, couplings: couplings) - (k - h)
      let above = try evaluator.value(of: kernel.kernel, at: k + h, couplings: couplings) - (k + h)
      let stability: CriticalPoint.Stability =
        switch (below > 0, above > 0) {
        case (true, true): .attractsFromBelow
        case (false, false): .attractsFromAbove
        case (true, false): .attracting
        case (false, true): .repelling
        }
      points.append(
        CriticalPoint(
          couplings: zip(names, c).map { CriticalPoint.Coupling(name: $0, value: $1) },
          kernel: k, chiParallel: chi[1], chiPerpendicular: chi[2], kind: .positiveKernel,
          stability: stability, curvature: (below + above) / (2 * h * h),
          cubic: (above - below) / (2 * h * h * h)))
    }
    if negative > 0 {
      notes.append(
        "\(negative) solution\(negative == 1 ? "" : "s") with a negative variance discarded")
    }
    notes.append(
      "\(m)* > 0 searched on [\(Self.format(options.lowerKernel)), \(Self.format(options.upperKernel))]: \(options.pointsPerDecade) points per decade, sign changes of χ_∥ − 1 refined by Brent's method to \(Self.format(options.tolerance)) relative"
    )
    return Report(activation: name, points: points, notes: notes)
  }

  /// A number for a note: up to 6 significant digits.
  static func format(_ x: Double) -> String { String(format: "%.6g", x) }
}
