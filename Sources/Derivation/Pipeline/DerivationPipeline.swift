import Algebra
import GaussianCalculus
import Rational

/// The generic derivation (DESIGN.md, steps 1–5), applied to any compiled ``Model``:
///
/// 1. **integrate out the parameters**: Wick contraction over the model's Gaussian families of
///    products of two and four copies of the layer map;
/// 2. **split neuron sums** of the incoming layer into coincident/distinct classes;
/// 3. **expectation over the incoming layer** by the cumulant expansion to the requested order,
///    then sum out neuron indices (n, n(n−1), …) and truncate in 1/n;
/// 4. **connected parts and matching**: the two-point function must be δ_{i₁i₂}·S and gives
///    K′ (order 0) and G¹′ (n × order 1); the connected four-point function must be
///    (1/n)[δδV′ + 2 perms] and gives V′ — any other structure means (K, G¹, V) do not close for
///    this model, and the derivation refuses rather than print a wrong recursion;
/// 5. **canonicalise** every result.
///
/// Nothing here knows what an MLP is: the model file supplies the map, priors and statistics.
public struct DerivationPipeline: Sendable {
  public var model: Model

  public init(_ model: Model) { self.model = model }

  /// Free indices used for the n-point functions: neuron i₁…i₄ of the output layer, samples
  /// α₁…α₄.
  func freeIndices(_ map: LayerMap) -> (neurons: [Index], samples: [Index]) {
    (
      (1...4).map { Index(map.neuron.space, .named("i\($0)")) },
      (1...4).map { Index(.sample, .named("alpha\($0)")) }
    )
  }

  public func run() throws -> DerivationResult {
    var steps: [DerivationStep] = []
    var initial: [Recursion] = []
    var recursions: [Recursion] = []
    var firstMetric: Expression? = nil
    var metric: Expression? = nil
    if let first = model.first {
      initial = try derive(
        first, families: model.firstFamilies, incoming: nil, steps: &steps, label: "first layer")
      firstMetric = try stochasticMetric(first, families: model.firstFamilies)
    }
    if let map = model.map {
      recursions = try derive(
        map, families: model.families, incoming: model.incoming, steps: &steps, label: "layer map")
      metric = try stochasticMetric(map, families: model.families)
      try checkClosedUnderTargets(recursions, at: map.location)
    }
    return DerivationResult(
      initialConditions: initial, recursions: recursions, steps: steps,
      firstConditionalCovariance: firstMetric, conditionalCovariance: metric)
  }

  /// Step 1 alone for the two-point function: E over the parameters of z_{i₁;α₁} z_{i₂;α₂} is
  /// δ_{i₁i₂} Ĝ_{α₁α₂}; returns Ĝ (with free α₁, α₂).
  func stochasticMetric(_ map: LayerMap, families: [GaussianFamily]) throws -> Expression {
    let (i, a) = freeIndices(map)
    let product =
      map.instance(neuron: i[0], sample: a[0]) * map.instance(neuron: i[1], sample: a[1])
    let e = WickContraction(families).expectation(of: product)
    return try coefficient(
      of: [.delta(i[0], i[1])], in: e, what: "the conditional two-point function",
      at: map.location)
  }

  /// Steps 1–3 for a product of copies of the map with the given free indices.
  func correlator(
    _ map: LayerMap, _ indices: [(Index, Index)], families: [GaussianFamily],
    incoming: NearlyGaussianLayer?, steps: inout [DerivationStep], label: String
  ) throws -> Expression {
    var product = Expression.one
    for (i, a) in indices { product = product * map.instance(neuron: i, sample: a) }
    let k = indices.count
    let afterParameters = WickContraction(families).expectation(of: product)
    steps.append(
      DerivationStep(
        title: "\(label): \(k)-point function, parameters integrated out",
        expression: afterParameters))
    guard let incoming else { return afterParameters }
    guard case .neuron(let inLayer) = incomingNeuronSpace(incoming) else { return afterParameters }
    let split = afterParameters.splittingNeuronSums(layer: inLayer)
    steps.append(
      DerivationStep(
        title: "\(label): \(k)-point function, neuron sums split", expression: split.canonicalized()
      ))
    let averaged: Expression
    do {
      averaged = try incoming.expectation(of: split, toOrder: model.order)
    } catch let e as NearlyGaussianLayer.NeuronsNotDistinct {
      throw DerivationError(
        "\(label): the expectation over the incoming layer needs the neurons of each product to be distinct, and they are not known to be (\(e.description))",
        at: map.location)
    }
    let result = averaged.contractingDeltas().evaluatingPolynomialAverages().truncated(
      toOrder: model.order)
    steps.append(
      DerivationStep(
        title: "\(label): \(k)-point function, incoming layer averaged (order \(model.order))",
        expression: result))
    return result
  }

  func incomingNeuronSpace(_ l: NearlyGaussianLayer) -> IndexSpace {
    if let layer = l.variable.layer { return .neuron(layer) }
    return .sample
  }

  func derive(
    _ map: LayerMap, families: [GaussianFamily], incoming: NearlyGaussianLayer?,
    steps: inout [DerivationStep], label: String
  ) throws -> [Recursion] {
    let (i, a) = freeIndices(map)
    guard case .neuron(let outLayer) = map.neuron.space else {
      throw DerivationError("the output index is not a neuron index", at: map.location)
    }
    // The width feeding the output layer: the incoming neuron layer's width.
    let feeding = Symbol.width(outLayer.shifted(by: -1))
    let n = Expression.symbol(feeding)
    let names = model.names
    let metricOut = TensorHead(names.metric, layer: outLayer, symmetry: .symmetric)
    // The first layer acts on fixed inputs and is exact: the input dimension n₀ is not an
    // expansion parameter, so it is not counted in orders of 1/n.
    let orders = OrderCounting(exactLayers: incoming == nil ? [inputLayer(of: map)] : [])
    let work = DerivationWork(map: map, incoming: incoming)
    let largest = model.names.vertex.map { model.targets.contains($0) } == true ? 4 : 3
    if work.estimate(points: largest) > DerivationWork.maximum {
      throw DerivationError(
        "\(label): the \(largest)-point function of this map is too large to derive (\(work.summary(points: largest))); the limit is \(Int(DerivationWork.maximum)) units. Use fewer terms, or fewer sums over the incoming layer or functions of it per term",
        at: map.location)
    }
    func refuse(_ message: String) -> DerivationError {
      DerivationError("\(label): \(message)", at: map.location)
    }

    // Odd correlators: the statistics describe a centred layer whose odd cumulants vanish at
    // the order kept (the Gaussian integrals of the next layer would otherwise need them).
    for k in [1, 3] {
      let odd = try correlator(
        map, (0..<k).map { (i[$0], a[$0]) }, families: families, incoming: incoming,
        steps: &steps, label: label)
      let kept = orders.truncated(odd.canonicalized(), toOrder: model.order)
      if let t = kept.terms.first {
        throw refuse(
          "the \(k)-point function (an odd cumulant) does not vanish at order \(orders.describe(t)) (e.g. the term \(t)); the statistics (\(names.listed)) describe a centred layer whose odd correlators vanish at the order kept. Make every term of the map odd in a centred Gaussian parameter"
        )
      }
    }

    // Two-point function.
    let two = try correlator(
      map, [(i[0], a[0]), (i[1], a[1])], families: families, incoming: incoming, steps: &steps,
      label: label)
    let s = try coefficient(
      of: [.delta(i[0], i[1])], in: two, what: "the two-point function", at: map.location)
    if let t = s.terms.first(where: { orders.order(of: $0) < 0 }) {
      throw refuse(
        "the two-point function has a term that grows with the width (\(orders.describe(t)): \(t)), so it has no expansion in 1/n; scale the variance of the weights summed over a layer by its fan-in, e.g. 'gaussian W[i,j] : C_W / n(j)'"
      )
    }
    if incoming == nil, let t = s.terms.first(where: { orders.order(of: $0) != 0 }) {
      throw refuse(
        "the first layer's two-point function depends on a hidden width (\(orders.describe(t)): \(t)); the first layer must be exact given the inputs"
      )
    }
    var out: [Recursion] = []
    let lhsK = Expression.tensor(metricOut, [a[0], a[1]])
    if model.targets.contains(names.metric) {
      out.append(
        Recursion(quantity: names.metric, lhs: lhsK, rhs: orders.part(s, ofOrder: 0)))
    }
    if let c = names.correction, model.targets.contains(c) {
      let g1 = (n * orders.part(s, ofOrder: 1)).canonicalized()
      out.append(
        Recursion(
          quantity: c,
          lhs: .tensor(TensorHead(c, layer: outLayer, symmetry: .symmetric), [a[0], a[1]]), rhs: g1)
      )
    }
    if let v = names.vertex, model.targets.contains(v) {
      let four = try correlator(
        map, (0..<4).map { (i[$0], a[$0]) }, families: families, incoming: incoming, steps: &steps,
        label: label)
      func twoPoint(_ p: Int, _ q: Int) -> Expression {
        two.renamingFreeIndices([i[0]: i[p], a[0]: a[p], i[1]: i[q], a[1]: a[q]])
      }
      let gaussian =
        twoPoint(0, 1) * twoPoint(2, 3) + twoPoint(0, 2) * twoPoint(1, 3) + twoPoint(0, 3)
        * twoPoint(1, 2)
      let connected = orders.truncated((four - gaussian).canonicalized(), toOrder: model.order)
      steps.append(
        DerivationStep(title: "\(label): connected four-point function", expression: connected))
      if incoming == nil, let t = connected.terms.first {
        throw refuse(
          "the first layer is not Gaussian given the inputs: its connected four-point function does not vanish (e.g. the term \(t)); the first layer must be exact, with \(v) = 0, so it may only be linear in each Gaussian parameter family"
        )
      }
      if let t = connected.terms.first(where: { orders.order(of: $0) < 1 }) {
        throw refuse(
          "the connected four-point function is not suppressed by 1/n (\(orders.describe(t)): \(t)), so the layer is not nearly Gaussian; scale the variance of the weights summed over a layer by its fan-in, e.g. 'gaussian W[i,j] : C_W / n(j)'"
        )
      }
      let vOverN =
        connected.isZero
        ? Expression.zero
        : try coefficient(
          of: [.delta(i[0], i[1]), .delta(i[2], i[3])], in: connected,
          what: "the connected four-point function", at: map.location, requireAll: false)
      let vRHS = (n * vOverN).canonicalized()
      let vHead = TensorHead(v, layer: outLayer, symmetry: .pairOfPairs)
      // Closure: the connected function must be exactly (1/n)[δδV + 2 perms].
      func vInstance(_ p: Int, _ q: Int, _ r: Int, _ t: Int) -> Expression {
        vRHS.renamingFreeIndices([a[0]: a[p], a[1]: a[q], a[2]: a[r], a[3]: a[t]])
      }
      let rebuilt =
        Expression.symbol(feeding, power: -1)
        * (Expression.delta(i[0], i[1]) * .delta(i[2], i[3]) * vInstance(0, 1, 2, 3)
          + Expression.delta(i[0], i[2]) * .delta(i[1], i[3]) * vInstance(0, 2, 1, 3)
          + Expression.delta(i[0], i[3]) * .delta(i[1], i[2]) * vInstance(0, 3, 1, 2))
      let residual = orders.truncated(
        (connected - rebuilt).canonicalized(), toOrder: model.order)
      if !residual.isZero {
        throw DerivationError(
          "\(label): the connected four-point function is not of the form (1/n)[δδV + 2 perms] at order 1/n, so (\(names.metric), \(names.correction ?? "-"), \(v)) do not close for this model (e.g. a neuron's own previous preactivation is carried forward). Residual: \(residual.terms.count) term(s).",
          at: map.location)
      }
      out.append(Recursion(quantity: v, lhs: .tensor(vHead, [a[0], a[1], a[2], a[3]]), rhs: vRHS))
    }
    return out
  }

  /// Every statistic a derived recursion reads must itself be derived: a recursion for G¹ reads
  /// V, so `derive K G1` without V would be iterated with V silently zero.
  func checkClosedUnderTargets(_ recursions: [Recursion], at location: SourceLocation?) throws {
    let names = model.names
    let statistics = [names.metric, names.correction, names.vertex].compactMap { $0 }
    for r in recursions {
      let read = Self.tensorNames(in: r.rhs).filter { statistics.contains($0) }
      for name in statistics where read.contains(name) && !model.targets.contains(name) {
        throw DerivationError(
          "the recursion for \(r.quantity) involves \(name), which the model does not derive: add \(name) to the 'derive' statement (\(statistics.filter { model.targets.contains($0) || $0 == name }.joined(separator: " ")))",
          at: location)
      }
    }
  }

  /// The names of the tensors an expression reads, Gaussian averages' metrics included.
  static func tensorNames(in e: Expression) -> Set<String> {
    Set(
      e.nestedFactors.compactMap { f in
        switch f {
        case .tensor(let t): return t.head.name
        case .average(let g): return g.metric.name
        default: return nil
        }
      })
  }

  /// The input layer of a first-layer map: the layer feeding its output.
  func inputLayer(of map: LayerMap) -> Layer {
    guard case .neuron(let l) = map.neuron.space else { return .absolute(0) }
    return l.shifted(by: -1)
  }

  /// The coefficient of a product of free δ's: every term must contain exactly these δ's
  /// (else the correlator's neuron structure is not the assumed one).
  func coefficient(
    of deltas: [Factor], in e: Expression, what: String, at location: SourceLocation?,
    requireAll: Bool = true
  ) throws -> Expression {
    var out: [Term] = []
    let wanted = deltas.map { $0.canonicalSlots() }
    let space: IndexSpace? = wanted.first.flatMap {
      if case .delta(let p, _) = $0 { return p.space }
      return nil
    }
    for t in e.terms {
      var m = t.monomial
      var ok = true
      for d in wanted {
        if let k = m.factors.firstIndex(of: d) { m.factors.remove(at: k) } else { ok = false }
      }
      // Any other δ of the same (neuron) space means a different neuron structure.
      let leftover = m.factors.contains {
        if case .delta(let x, _) = $0 { return x.space == space }
        return false
      }
      if ok && !leftover {
        out.append(Term(t.coefficient, m))
      } else if requireAll {
        throw DerivationError(
          "\(what) is not proportional to \(wanted.map(\.description).joined()) (term: \(t))",
          at: location)
      }
    }
    return Expression(out).canonicalized()
  }
}
