import Algebra
import GaussianCalculus

/// The derived equations of a model grouped in titled sections, and the specialisations of
/// them `derive` offers: to a single input (with the susceptibilities χ_∥, χ_⊥) and to an
/// activation with exact closed forms (with the criticality conditions where they exist).
///
/// Every specialisation is a pure transformation of this value; rendering is the caller's.
/// The couplings in the criticality conditions are the model's own, found by
/// ``CouplingRoles`` from its map.
public struct Specialization: Sendable {
  /// A derived equation `lhs = rhs`.
  public struct Equation: Sendable {
    public var lhs: Expression
    public var rhs: Expression

    public init(lhs: Expression, rhs: Expression) {
      self.lhs = lhs
      self.rhs = rhs
    }
  }

  /// Equations under a title.
  public struct Section: Sendable {
    public var title: String
    public var equations: [Equation]

    public init(title: String, equations: [Equation]) {
      self.title = title
      self.equations = equations
    }
  }

  public let model: Model
  public let result: DerivationResult
  public private(set) var sections: [Section]
  /// Remarks about the specialisation (a criticality without closed form).
  public private(set) var notes: [String] = []
  public private(set) var isSingleInput = false

  /// The general equations: the initial conditions and the recursions, as derived.
  public init(model: Model, result: DerivationResult) {
    self.model = model
    self.result = result
    sections = []
    if !result.initialConditions.isEmpty {
      sections.append(
        Section(
          title: "Initial conditions (first layer)",
          equations: result.initialConditions.map { Equation(lhs: $0.lhs, rhs: $0.rhs) }))
    }
    if !result.recursions.isEmpty {
      sections.append(
        Section(
          title: "Recursions (layer ℓ → ℓ+1, order 1/n)",
          equations: result.recursions.map { Equation(lhs: $0.lhs, rhs: $0.rhs) }))
    }
    if let path = result.path {
      let a = path.responseIndices
      sections.append(
        Section(
          title: "Self-feedback R of the path layer: its ingredients, derived from the map",
          equations: [
            Equation(lhs: .symbol(.parameter("c")), rhs: path.skip),
            Equation(lhs: .tensor(TensorHead("phi"), path.integrandIndices), rhs: path.integrand),
            Equation(lhs: .tensor(TensorHead("J", layer: .ell), a), rhs: path.response),
          ]))
      notes += Self.feedbackDefinitions
    }
  }

  /// What the self-feedback atoms of a path layer are (the definitions the numbers use;
  /// Derivations/residual-closure.md).
  public static let feedbackDefinitions = [
    "z′ = c z + u with u Gaussian given the layer, of covariance Ĝ = c₀ + (1/n) Σ_j φ(z_j) (c, φ above); one neuron's leading-order path is Gaussian with Cov(z^(t), z^(s)) = c^(t−s) K^(s) for t ≥ s.",
    "R_γδ[F]_K(ℓ) = Σ_{p=1…ℓ−1} Σ_{μ,ν} M^(ℓ,p+1)_{(γδ)(μν)} Cov(F(z^(ℓ)), φ_μν(z^(p))): n times the covariance of a neuron's F with the path covariance S^(ℓ) = Σ_r c^{2(ℓ−r)} Ĝ^(r) through the neuron's own share of the stochastic metrics below it (derivatives in F act on layer ℓ); R = 0 is the (K, G1, V) Gaussian closure.",
    "M^(s,s) = 1 and M^(t+1,s) = J^(t) M^(t,s): the response ∂K^(t)/∂K^(s) of the leading-order kernel, J the derivative of the K recursion above.",
  ]

  /// The symbols naming the susceptibilities χ_∥ and χ_⊥ of a layer.
  public static func chiParallel(_ layer: Layer?) -> Symbol {
    .parameter("chi_parallel", layer: layer)
  }
  public static func chiPerpendicular(_ layer: Layer?) -> Symbol {
    .parameter("chi_perp", layer: layer)
  }

  /// The names of the model's statistics, which become scalars at a single input.
  var statisticNames: Set<String> {
    Set(model.statistics.map(\.name))
  }

  /// The activation function the model's map applies (the first one found).
  var function: FunctionHead? {
    for t in (model.map?.rhs.terms ?? []) {
      for f in t.monomial.factors { if case .function(let g) = f { return g.head } }
    }
    return nil
  }

  /// Every equation at a single input, and a section with the susceptibilities of the kernel
  /// recursion (when the model has one).
  public func singleInput() -> Specialization {
    var p = self
    let s = SingleInput(statistics: statisticNames)
    p.sections = sections.map { sec in
      Section(
        title: sec.title,
        equations: sec.equations.map { Equation(lhs: s.apply($0.lhs), rhs: s.apply($0.rhs)) })
    }
    p.isSingleInput = true
    if let kernel = result.recursions.first(where: { $0.quantity == model.state?.metric.name }),
      let metric = model.incoming?.metric
    {
      let chi = Susceptibilities(
        kernel: kernel.rhs, metric: metric, samples: (.sample("alpha1"), .sample("alpha2")),
        singleInput: s)
      let layer = metric.layer
      p.sections.append(
        Section(
          title: "Susceptibilities (single input)",
          equations: [
            Equation(lhs: .symbol(Self.chiParallel(layer)), rhs: chi.parallel),
            Equation(lhs: .symbol(Self.chiPerpendicular(layer)), rhs: chi.perpendicular),
          ]))
    }
    return p
  }

  /// Every equation with the Gaussian averages of the model's function done in closed form
  /// for `activation`; at a single input also the criticality conditions, or a note that they
  /// have no closed form.
  /// Refusals are ``SpecializationError``s.
  public func specialized(to activation: ActivationSpecialization) throws -> Specialization {
    var p = self
    guard let function else {
      throw SpecializationError("the model has no activation function to specialise")
    }
    if activation.requiresSingleInput && !isSingleInput {
      throw SpecializationError(
        "exact closed forms for '\(activation.name)' need --single-input (multi-input averages of piecewise-linear activations involve arccos)"
      )
    }
    do {
      p.sections = try sections.map { sec in
        Section(
          title: sec.title,
          equations: try sec.equations.map { eq in
            // The linear closed forms are moments of the metric tensor: at one input they
            // become its scalar again.
            let rhs =
              isSingleInput
              ? SingleInput(statistics: statisticNames).apply(
                try activation.applySingleInput(eq.rhs, function: function))
              : activation.applyLinear(eq.rhs, function: function)
            return Equation(lhs: eq.lhs, rhs: rhs)
          })
      }
    } catch let e as ActivationSpecialization.DistributionalIntegrand {
      throw SpecializationError(description: e.description)
    }
    p.sections = p.sections.map { sec in
      var s = sec
      s.title += " — σ = \(activation.name)"
      return s
    }
    if isSingleInput, let metric = model.incoming?.metric {
      p.appendCriticality(metric: metric, activation: activation)
    }
    return p
  }

  /// The criticality section from the specialised kernel recursion and susceptibilities, in
  /// the couplings of the model's map, or a note that there is no closed-form solution.
  mutating func appendCriticality(metric: TensorHead, activation: ActivationSpecialization) {
    func rhs(of lhs: Symbol) -> Expression? {
      sections.flatMap(\.equations).first { $0.lhs == .symbol(lhs) }?.rhs
    }
    let roles = model.map.map { CouplingRoles($0, families: model.families) } ?? CouplingRoles()
    if let k = rhs(of: .parameter(metric.name, layer: metric.layer?.shifted(by: 1))),
      let par = rhs(of: Self.chiParallel(metric.layer)),
      let perp = rhs(of: Self.chiPerpendicular(metric.layer)),
      let crit = Criticality(
        kernel: k, parallel: par, perpendicular: perp, metric: SingleInput.scalar(metric),
        roles: roles)
    {
      sections.append(
        Section(
          title: "Criticality (χ_∥ = χ_⊥ = 1 at a fixed point K★)",
          equations: crit.conditions.map {
            Equation(lhs: .symbol($0.coupling), rhs: Expression($0.value))
          }))
    } else {
      notes.append("No closed-form criticality solution for σ = \(activation.name).")
    }
  }
}

/// A specialisation that does not apply to the model or the activation, with the reason.
public struct SpecializationError: Error, Sendable, CustomStringConvertible {
  /// The message, in the form `error: …`.
  public var description: String

  init(_ message: String) { description = "error: \(message)" }
  init(description: String) { self.description = description }
}
