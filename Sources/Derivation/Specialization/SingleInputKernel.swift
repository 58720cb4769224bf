import Algebra
import GaussianCalculus

/// A model's kernel map at a single input, K′ = F(K), with its susceptibilities χ_∥ and χ_⊥ —
/// the three derived expressions criticality is about (FORMULAS.md §7, §13).
///
/// All three come from the derivation: the kernel recursion is the derived recursion of the
/// model's metric (``LayerStatistics/metric``, found by structure, never by name) specialised to
/// one input by ``SingleInput``, and χ_∥, χ_⊥ are ``Susceptibilities`` (derivatives of the
/// derived recursion with respect to the metric). The couplings they are written in are the
/// model's own, with the bias and weight variances found by ``CouplingRoles`` from the map.
public struct SingleInputKernel: Sendable {
  /// The incoming metric K^{(ℓ)} (its single-input scalar is ``metricSymbol``).
  public var metric: TensorHead
  /// The one input's sample index, the index of every Gaussian average's integrand.
  public var input: Index
  /// K^{(ℓ+1)} as a function of K^{(ℓ)} at one input.
  public var kernel: Expression
  /// χ_∥ = ∂K^{(ℓ+1)}/∂K^{(ℓ)} at one input.
  public var parallel: Expression
  /// χ_⊥: twice the derivative of the off-diagonal kernel with respect to the off-diagonal
  /// metric, at coincident inputs.
  public var perpendicular: Expression
  /// The functions the kernel map applies, sorted by name.
  public var functions: [FunctionHead]
  /// The bias and weight variances of the model's map.
  public var roles: CouplingRoles
  /// The names of every coupling the model declares.
  public var couplings: Set<String>
  /// The specialisation to one input (which statistics become scalars).
  var singleInput: SingleInput

  /// The single-input scalar K^{(ℓ)} standing for the metric.
  public var metricSymbol: Symbol { SingleInput.scalar(metric) }

  /// The kernel map of `model` from its derivation `result`.
  ///
  /// - Throws: ``SpecializationError`` when the model has no recursion step (`map`), declares
  ///   no statistics, or does not derive its metric.
  public init(model: Model, result: DerivationResult) throws {
    guard model.map != nil, let incoming = model.incoming, let state = model.state else {
      throw SpecializationError(
        "the model \(model.name) has no recursion step ('map' statement with declared statistics), so it has no kernel map"
      )
    }
    guard let recursion = result.recursions.first(where: { $0.quantity == state.metric.name })
    else {
      throw SpecializationError(
        "the model \(model.name) does not derive its metric \(state.metric.name) (add it to 'derive')"
      )
    }
    let single = SingleInput(statistics: Set(model.statistics.map(\.name)))
    let chi = Susceptibilities(
      kernel: recursion.rhs, metric: incoming.metric,
      samples: (.sample("alpha1"), .sample("alpha2")), singleInput: single)
    metric = incoming.metric
    singleInput = single
    input = single.input
    kernel = single.apply(recursion.rhs)
    parallel = chi.parallel
    perpendicular = chi.perpendicular
    roles = model.map.map { CouplingRoles($0, families: model.families) } ?? CouplingRoles()
    couplings = Set(model.couplings)
    let applied = kernel.nestedFactors.compactMap { f -> FunctionHead? in
      if case .function(let g) = f { return g.head }
      return nil
    }
    functions = Set(applied).sorted()
  }

  /// The kernel map of `model`, deriving only what it needs: the recursion of the metric
  /// (the model's `derive` targets restricted to it, which skips the four-point work of the
  /// 1/n statistics), or — when that recursion reads another statistic, so that the restricted
  /// derivation is refused — every target.
  ///
  /// - Throws: `DerivationError` from the pipeline, ``SpecializationError`` as
  ///   ``init(model:result:)``.
  public static func derive(_ model: Model) throws -> SingleInputKernel {
    if let metric = model.state?.metric.name, model.targets.contains(metric) {
      var metricOnly = model
      metricOnly.targets = [metric]
      if let result = try? DerivationPipeline(metricOnly).run() {
        return try SingleInputKernel(model: model, result: result)
      }
    }
    return try SingleInputKernel(model: model, result: try DerivationPipeline(model).run())
  }

  /// The three expressions with the Gaussian averages of the map's one function done in closed
  /// form for `activation` (``ActivationSpecialization/applySingleInput(_:function:)``).
  ///
  /// - Throws: ``SpecializationError`` when the map applies no function or several, or the
  ///   closed form meets a distributional integrand.
  public func specialized(to activation: ActivationSpecialization) throws -> SingleInputKernel {
    var s = self
    s.kernel = try closedForm(kernel, activation)
    s.parallel = try closedForm(parallel, activation)
    s.perpendicular = try closedForm(perpendicular, activation)
    return s
  }

  /// Any single-input expression of the model (another statistic's recursion, say) with the
  /// Gaussian averages of the map's one function done in closed form for `activation`.
  ///
  /// - Throws: ``SpecializationError`` as ``specialized(to:)``.
  public func closedForm(_ e: Expression, _ activation: ActivationSpecialization) throws
    -> Expression
  {
    let function = try onlyFunction()
    do {
      // The linear closed forms are polynomial moments of the metric tensor: back to its
      // single-input scalar.
      return singleInput.apply(try activation.applySingleInput(e, function: function))
    } catch let e as ActivationSpecialization.DistributionalIntegrand {
      throw SpecializationError(description: e.description)
    }
  }

  /// The single-input form of any derived expression of the model (``SingleInput``).
  public func atSingleInput(_ e: Expression) -> Expression { singleInput.apply(e) }

  /// The one function the kernel map applies.
  ///
  /// - Throws: ``SpecializationError`` when it applies none or several.
  public func onlyFunction() throws -> FunctionHead {
    guard let function = functions.first else {
      throw SpecializationError("the kernel map applies no activation function")
    }
    guard functions.count == 1 else {
      throw SpecializationError(
        "the kernel map applies \(functions.count) functions (\(functions.map(\.name).joined(separator: ", "))); criticality is defined here for one activation"
      )
    }
    return function
  }

  /// The closed-form criticality conditions (``Criticality``) when the expressions, after
  /// ``specialized(to:)``, are those of a scale-invariant activation; nil otherwise.
  public var criticality: Criticality? {
    Criticality(
      kernel: kernel, parallel: parallel, perpendicular: perpendicular, metric: metricSymbol,
      roles: roles)
  }

  /// The map's weight variance (C_W in the MLP), the coupling that sets χ.
  ///
  /// - Throws: ``SpecializationError`` when the map has none (``CouplingRoles``).
  public func weightVariance() throws -> Symbol {
    guard let weight = roles.weightVariance else {
      throw SpecializationError(
        "the map has no weight variance (one coupling C with the weights' variance C / n(j)), the coupling that sets χ"
      )
    }
    return weight
  }

  /// The affine forms of K′, χ_∥ and χ_⊥ in the bias and weight variances (the bias variance
  /// left out when the map has none).
  ///
  /// - Throws: ``SpecializationError`` when the map has no weight variance, or an expression is
  ///   not affine in these couplings (another coupling, a product of couplings, a width).
  public func affineForms() throws -> (
    kernel: CouplingAffineForm, parallel: CouplingAffineForm, perpendicular: CouplingAffineForm
  ) {
    let weight = try weightVariance()
    let chosen = [roles.biasVariance, weight].compactMap { $0 }
    func form(_ e: Expression, _ what: String) throws -> CouplingAffineForm {
      do {
        return try CouplingAffineForm(e, in: chosen, modelCouplings: couplings)
      } catch let failure as CouplingAffineForm.Failure {
        let names = chosen.map(\.name).joined(separator: " and ")
        switch failure {
        case .otherCoupling(let c):
          throw SpecializationError(
            "\(what) depends on the coupling \(c), which is neither the bias nor the weight variance (\(names))"
          )
        case .nonlinear(let p):
          throw SpecializationError("\(what) is not affine in \(names) (it has a term in \(p))")
        case .width:
          throw SpecializationError("\(what) depends on the widths")
        }
      }
    }
    return (
      try form(kernel, "the single-input kernel map"), try form(parallel, "χ_∥"),
      try form(perpendicular, "χ_⊥")
    )
  }
}
