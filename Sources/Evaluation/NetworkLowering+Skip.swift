import Algebra
import Derivation
import GaussianCalculus
import Sampling

/// A skip connection as the conditional sampler sees it: the map's terms without a Gaussian
/// parameter that are a scalar times the output neuron's own incoming preactivation
/// (`xi z[i;a]`) form the conditional *mean* `c · z_{i;α}`; the other terms (the *branch*) are,
/// given layer ℓ, Gaussian with covariance `δ Ĝ`, derived here by step 1 of the pipeline applied
/// to the branch alone (Wick over the map's families of two copies of the branch; the coefficient
/// of `δ_{i₁i₂}`). The skip's own square `c² z_{i₁} z_{i₂}` has no δ and is not part of `Ĝ`.
extension NetworkLowering {
  /// Whether `t` is a skip term of `map`: numbers and scalars (couplings, widths) times exactly
  /// the incoming variable at the map's output neuron and sample, nothing summed.
  static func isSkipTerm(_ t: Term, of map: LayerMap, incoming: TensorHead?) -> Bool {
    guard let incoming, t.monomial.summed.isEmpty, t.monomial.distinct.isEmpty,
      t.monomial.factors.count == 1, case .tensor(let x) = t.monomial.factors[0]
    else { return false }
    return x.head == incoming && x.indices == [map.neuron, map.sample]
  }

  /// The map's terms split into the skip terms (``isSkipTerm(_:of:incoming:)``) and the branch.
  func splitSkip(_ map: LayerMap) -> (skip: [Term], branch: [Term]) {
    let incoming = model.incoming?.variable
    var skip: [Term] = []
    var branch: [Term] = []
    for t in map.rhs.expanded().terms {
      if Self.isSkipTerm(t, of: map, incoming: incoming) {
        skip.append(t)
      } else {
        branch.append(t)
      }
    }
    return (skip, branch)
  }

  /// Step 1 for the branch of `map`: `E[z′_{i₁;α₁} z′_{i₂;α₂}]` over the parameters, without the
  /// skip terms, must be `δ_{i₁i₂} Ĝ_{α₁α₂}`; returns `Ĝ` (free `α₁`, `α₂`, as the pipeline's).
  func branchCovariance(_ map: LayerMap, families: [GaussianFamily]) throws -> Expression {
    let branch = Expression(splitSkip(map).branch)
    let (i1, i2) = (Index(map.neuron.space, .named("i1")), Index(map.neuron.space, .named("i2")))
    let (a1, a2) = (Index.sample("alpha1"), Index.sample("alpha2"))
    let product =
      branch.renamingFreeIndices([map.neuron: i1, map.sample: a1])
      * branch.renamingFreeIndices([map.neuron: i2, map.sample: a2])
    let e = WickContraction(families).expectation(of: product)
    let delta = Factor.delta(i1, i2).canonicalSlots()
    var out: [Term] = []
    for t in e.terms {
      guard let k = t.monomial.factors.firstIndex(of: delta) else {
        throw EvaluationError(
          "given layer ℓ the branch's two-point function is not proportional to δ_{i1 i2} (term: \(t))",
          at: map.location)
      }
      let m = t.monomial.removingFactor(at: k)
      let neuronDelta = m.factors.contains {
        if case .delta(let x, _) = $0 { return x.space == i1.space }
        return false
      }
      guard !neuronDelta else {
        throw EvaluationError(
          "given layer ℓ the branch's two-point function has another neuron structure (term: \(t))",
          at: map.location)
      }
      out.append(Term(t.coefficient, m))
    }
    return Expression(out).canonicalized()
  }

  /// The skip coefficient `c` of layer `layer` (0-based, the map with ℓ = `layer`): the sum of the
  /// skip terms' scalars. Refuses a skip between layers of different widths.
  func skipCoefficient(_ map: LayerMap, layer: Int, _ p: NumericParameters) throws -> Double {
    let skip = splitSkip(map).skip
    guard !skip.isEmpty else { return 0 }
    try checkSkipWidths(p)
    var c = 0.0
    for t in skip { c += try scalarValue(t, layer: layer, p) }
    return c
  }

  /// Refuses a skip term of the model's map between hidden layers of different widths (the
  /// message of the weights sampler's lowering).
  public func checkSkipWidths(_ p: NumericParameters) throws {
    guard let map = model.map, let skip = splitSkip(map).skip.first else { return }
    for layer in 1..<Swift.max(1, p.widths.count) {
      let (previous, width) = (p.widths[layer - 1], p.widths[layer])
      guard previous == width else {
        throw EvaluationError(
          "the term \(Self.modelSyntax(skip)) carries a neuron's own preactivation from layer \(layer) (width \(previous)) to layer \(layer + 1) (width \(width)): a skip connection needs equal widths",
          at: map.location)
      }
    }
  }

  /// The conditional laws of a model whose map carries a skip: layer 1 from the derived Ĝ of
  /// the first map (or step 1 on it when there is no derivation), every later layer from the
  /// branch's Ĝ with the skip coefficient as its mean.
  func skipConditionalCovariances(_ map: LayerMap, _ p: NumericParameters) throws
    -> [ConditionalCovariance]
  {
    guard let first = model.first else {
      throw EvaluationError("the model has no 'first' map", at: model.location)
    }
    var out: [ConditionalCovariance] = []
    do {
      if let skip = splitSkip(first).skip.first {
        throw EvaluationError(
          "the first layer's term \(Self.modelSyntax(skip)) carries a preactivation, but before layer 1 there are only the inputs"
        )
      }
      let g1 =
        try derivation?.firstConditionalCovariance
        ?? branchCovariance(first, families: model.firstFamilies)
      out.append(try lower(g1, layer: 0, p))
    } catch let e as EvaluationError {
      throw e.located(first.location)
    }
    guard p.depth > 1 else { return out }
    do {
      let g = try branchCovariance(map, families: model.families)
      for l in 1..<p.depth {
        var law = try lower(g, layer: l, p)
        law.skip = try skipCoefficient(map, layer: l, p)
        out.append(law)
      }
    } catch let e as EvaluationError {
      throw e.located(map.location)
    }
    return out
  }
}
