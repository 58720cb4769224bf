import Algebra
import GaussianCalculus
import Rational

/// The derivation for a map that carries each neuron's own preactivation forward (a skip
/// connection, z′_i = c·z_i + branch_i), whose incoming layer is declared a path.
///
/// Nothing here is specific to one architecture: the skip coefficient c and the stochastic metric
/// Ĝ are read off the map, the branch is checked to be centred and Gaussian given layer ℓ (so
/// that, given the stochastic metrics of all earlier layers, a neuron's state is Gaussian), and
/// the declared statistics are read off the correlators of the outgoing layer computed by the
/// usual steps 1–3, with the expectation over the incoming layer including the self-feedback
/// (``GaussianCalculus/NearlyGaussianLayer/withSelfFeedback(width:)``):
///
/// - the two-point function of one neuron, (1/n) Σ_p E[z′_{p;α₁} z′_{p;α₂}] = K′ + G¹′/n;
/// - the connected four-point function of two distinct neurons,
///   (1/(n(n−1))) Σ_{p≠q} E[z′_p z′_p z′_q z′_q] − (two-point)² = V′/n,
///
/// the neuron sums over the incoming layer (the own neurons p, q included) split into coincident
/// and distinct classes as for any map. The self-feedback atoms of the result are evaluated from
/// the ``PathClosure`` returned alongside.
extension DerivationPipeline {
  func derivePath(
    _ map: LayerMap, families: [GaussianFamily], incoming: NearlyGaussianLayer,
    steps: inout [DerivationStep], label: String
  ) throws -> (recursions: [Recursion], closure: PathClosure, metric: Expression) {
    func refuse(_ message: String) -> DerivationError {
      DerivationError("\(label): \(message)", at: map.location)
    }
    guard let state = model.state else { throw refuse("a path layer needs declared statistics") }
    if model.tangentKernel != nil {
      throw refuse(
        "the tangent kernel of a map that carries a neuron's own preactivation is not derived: its closure needs the two-layer statistics of the kernel as well as of z; derive K, G1, V of this map without the tangent kernel"
      )
    }
    if model.order > 1 {
      throw refuse("a path layer is derived to order 1/n only (asked: order \(model.order))")
    }
    guard case .neuron(let outLayer) = map.neuron.space, let inLayer = incoming.variable.layer
    else { throw refuse("the output index is not a neuron index") }
    let feeding = Symbol.width(outLayer.shifted(by: -1))
    let n = Expression.symbol(feeding)
    let (skip, branch) = try splitSkip(map, incoming: incoming, refuse: refuse)
    let metric = try branchMetric(branch, families: families, refuse: refuse)
    let integrand = try metricIntegrand(
      metric, incoming: incoming, layer: inLayer, width: feeding, refuse: refuse)

    // The correlators of the outgoing layer, with the own neurons p, q summed over the incoming
    // layer (they are neurons of it, carried forward).
    let space = IndexSpace.neuron(inLayer)
    let p = Index(space, .named("p")), q = Index(space, .named("q"))
    let a = (1...4).map { Index(.sample, .named("alpha\($0)")) }
    func own(_ k: Index, _ alpha: Index) -> Expression { map.instance(neuron: k, sample: alpha) }
    let inverse = Expression.symbol(feeding, power: -1)
    let orders = OrderCounting(exactLayers: [])
    func correlator(_ product: Expression, _ what: String) throws -> Expression {
      let e = try average(
        product, what: what, map: map, families: families, incoming: incoming, steps: &steps,
        label: label)
      return orders.truncated(e.simplifyingFeedback(), toOrder: model.order)
    }
    let one = try correlator(
      (inverse * own(p, a[0])).summed(over: [p]), "one-point function of a neuron")
    if let t = one.terms.first {
      throw refuse(
        "the one-point function of a neuron does not vanish at \(orders.describe(t)) (e.g. the term \(t)); the statistics describe a centred layer"
      )
    }
    let two = try correlator(
      (inverse * own(p, a[0]) * own(p, a[1])).summed(over: [p]), "two-point function of a neuron")
    var derived: [String: Expression] = [:]
    var four: Expression? = nil
    for ansatz in state.ansatze {
      guard ansatz.terms.contains(where: { model.targets.contains($0.statistic) }) else { continue }
      switch ansatz.rank {
      case 2:
        for term in ansatz.terms {
          guard term.neuronBlocks == [[0, 1]], term.order <= 1 else {
            throw refuse(
              "a path layer's two-point function is δ(K + G1/n); the declared term \(term.statistic) of \(ansatz.written) is not of that form"
            )
          }
          var value = orders.part(two, ofOrder: term.order)
          if term.order == 1 { value = n * value }
          derived[term.statistic] = read(value, term: term, samples: a)
        }
      case 4:
        let pairings = [[[0, 1], [2, 3]], [[0, 2], [1, 3]], [[0, 3], [1, 2]]]
        guard ansatz.terms.count == 3, Set(ansatz.terms.map(\.statistic)).count == 1,
          Set(ansatz.terms.map(\.neuronBlocks)) == Set(pairings),
          ansatz.terms.allSatisfy({ $0.order == 1 && $0.coefficient == .one }),
          let term = ansatz.terms.first(where: { $0.neuronBlocks == pairings[0] })
        else {
          throw refuse(
            "a path layer's four-point statistic must be the distinct-neuron covariance of pairs, declared as (1/n)(δδV + 2 perms); \(ansatz.written) is not"
          )
        }
        if four == nil {
          // 1/(n(n−1)) = n⁻² + n⁻³ + O(n⁻⁴), enough for order 1/n of an O(1) moment.
          let normalisation =
            Expression.symbol(feeding, power: -2) + Expression.symbol(feeding, power: -3)
          let pair =
            normalisation * own(p, a[0]) * own(p, a[1]) * own(q, a[2])
            * own(q, a[3])
          let moment = try correlator(
            pair.summed(over: [p, q], distinct: true), "four-point function of two neurons")
          let square = two * two.renamingFreeIndices([a[0]: a[2], a[1]: a[3]])
          four = orders.truncated((moment - square).canonicalized(), toOrder: 1)
        }
        guard let connected = four else { continue }
        if let t = orders.part(connected, ofOrder: 0).terms.first {
          throw refuse(
            "the connected four-point function of two neurons is not suppressed by 1/n (e.g. the term \(t)), so the layer is not nearly Gaussian"
          )
        }
        derived[term.statistic] = read(
          n * orders.part(connected, ofOrder: 1), term: term, samples: a)
      default:
        throw refuse(
          "a path layer carries a two-point and a four-point statistic; the cumulant of \(ansatz.written) is not supported"
        )
      }
    }
    let recursions = model.derivedStatistics.compactMap { s -> Recursion? in
      guard let rhs = derived[s.name] else { return nil }
      let free = Array(a[0..<s.rank])
      return Recursion(
        statistic: s, freeIndices: free, lhs: .tensor(s.head(layer: outLayer), free), rhs: rhs)
    }
    let kernel = orders.part(two, ofOrder: 0)
    let b = [Index(.sample, .named("beta1")), Index(.sample, .named("beta2"))]
    let closure = PathClosure(
      skip: skip, integrand: integrand, integrandIndices: [a[0], a[1]],
      response: kernel.differentiatedByMetric(incoming.metric, b[0], b[1]),
      responseIndices: [a[0], a[1], b[0], b[1]], metric: incoming.metric,
      variable: incoming.variable)
    return (recursions, closure, metric)
  }

  /// A statistic's value from the correlator's part (already multiplied by n^order): divided by
  /// the term's coefficient, its slot m holding the sample index α_{arguments[m]}.
  func read(_ value: Expression, term: CumulantTerm, samples a: [Index]) -> Expression {
    var v = value
    if term.coefficient != .one { v = Expression(Rational.one / term.coefficient) * v }
    var rename: [Index: Index] = [:]
    for (m, s) in term.arguments.enumerated() where m != s { rename[a[s]] = a[m] }
    return v.renamingFreeIndices(rename).canonicalized()
  }

  /// The skip coefficient c (the terms c·z[i;a] of the map) and the other terms (the branch).
  /// A term that mentions the own neuron's preactivation in any other way is refused.
  func splitSkip(
    _ map: LayerMap, incoming: NearlyGaussianLayer, refuse: (String) -> DerivationError
  ) throws -> (skip: Expression, branch: LayerMap) {
    let variable = incoming.variable
    var skip = Expression.zero
    var branch: [Term] = []
    for t in map.rhs.expanded().terms {
      guard t.monomial.factors.contains(where: { incoming.neuron(of: $0) == map.neuron }) else {
        branch.append(t)
        continue
      }
      let linear =
        t.monomial.factors == [.tensor(Tensor(variable, [map.neuron, map.sample]))]
        && t.monomial.summed.isEmpty
        && t.monomial.scalars.allSatisfy { $0.symbol.kind == .parameter }
      guard linear else {
        throw refuse(
          "the term \(t) carries the neuron's own preactivation other than linearly: a skip term must be c·z[i;a] with c a product of couplings and numbers (a nonlinear skip makes a neuron's leading-order path non-Gaussian, which the path closure does not cover)"
        )
      }
      skip = skip + Expression(Term(t.coefficient, t.monomial.replacingFactors(with: [])))
    }
    let rest = LayerMap(
      output: map.output, neuron: map.neuron, sample: map.sample, rhs: Expression(branch),
      location: map.location)
    return (skip.canonicalized(), rest)
  }

  /// The branch's stochastic metric Ĝ, after checking that given layer ℓ the branch is centred
  /// and Gaussian over the parameters (its four-point function is the sum over pairings of its
  /// two-point functions).
  func branchMetric(
    _ branch: LayerMap, families: [GaussianFamily], refuse: (String) -> DerivationError
  ) throws -> Expression {
    let (i, a) = freeIndices(branch)
    let wick = WickContraction(families)
    let b = (0..<4).map { branch.instance(neuron: i[$0], sample: a[$0]) }
    if let t = wick.expectation(of: b[0]).canonicalized().terms.first {
      throw refuse(
        "given layer ℓ, the terms besides the skip have a mean over the parameters (e.g. \(t)); they must be odd in centred Gaussian parameters"
      )
    }
    func pair(_ x: Int, _ y: Int) -> Expression { wick.expectation(of: b[x] * b[y]) }
    let gaussian = pair(0, 1) * pair(2, 3) + pair(0, 2) * pair(1, 3) + pair(0, 3) * pair(1, 2)
    let excess = (wick.expectation(of: b[0] * b[1] * b[2] * b[3]) - gaussian).canonicalized()
    if let t = excess.terms.first {
      throw refuse(
        "given layer ℓ, the terms besides the skip are not Gaussian over the parameters (their connected four-point function has the term \(t)): the path closure needs each layer Gaussian given the previous one, with one Gaussian family per term (a block of two weight layers, U σ(W σ(z)), needs statistics this engine does not carry)"
      )
    }
    let metric = try stochasticMetric(branch, families: families)
    if let t = metric.terms.first(where: { t in
      t.monomial.factors.contains { $0.slots.contains(i[0]) }
    }) {
      throw refuse(
        "the conditional variance of a neuron depends on the neuron itself (the term \(t) of Ĝ): the path closure needs one stochastic metric shared by all neurons"
      )
    }
    return metric
  }

  /// φ_{α₁α₂} of Ĝ = c₀ + (1/n) Σ_j φ(z_j): every term of Ĝ is either free of the incoming layer
  /// or one sum over its neurons, weighted 1/n, of functions of that neuron's preactivation.
  func metricIntegrand(
    _ metric: Expression, incoming: NearlyGaussianLayer, layer: Layer, width: Symbol,
    refuse: (String) -> DerivationError
  ) throws -> Expression {
    var integrand = Expression.zero
    for t in metric.expanded().terms {
      let sums = t.monomial.summed
      let neurons = t.monomial.factors.map(incoming.neuron(of:))
      if sums.isEmpty && neurons.allSatisfy({ $0 == nil }) { continue }
      guard sums.count == 1, let j = sums.first, j.space == .neuron(layer),
        t.monomial.exponent(of: width) == -1, neurons.allSatisfy({ $0 == j })
      else {
        throw refuse(
          "the stochastic metric's term \(t) is not of the form (1/n) Σ_j f(z_j): the path closure needs Ĝ = c₀ + (1/n) Σ_j φ(z_j)"
        )
      }
      let m = t.monomial.replacingFactors(with: t.monomial.factors.map(incoming.stripped))
        .replacingSums([], constraints: [])
      integrand = integrand + .symbol(width) * Expression(Term(t.coefficient, m))
    }
    return integrand.canonicalized()
  }
}
