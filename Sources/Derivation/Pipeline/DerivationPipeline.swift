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
  func freeIndices(_ map: LayerMap, count: Int = 4) -> (neurons: [Index], samples: [Index]) {
    (
      (1...count).map { Index(map.neuron.space, .named("i\($0)")) },
      (1...count).map { Index(.sample, .named("alpha\($0)")) }
    )
  }

  public func run() throws -> DerivationResult {
    var steps: [DerivationStep] = []
    var initial: [Recursion] = []
    var recursions: [Recursion] = []
    var firstMetric: Expression? = nil
    var metric: Expression? = nil
    if let first = model.first {
      let kernelMap = model.tangentKernel.map {
        TangentKernelMap(
          first, families: model.firstFamilies, learningRates: model.firstLearningRates,
          incoming: nil, kernel: nil, output: TensorHead($0.name, layer: first.output.layer))
      }
      initial = try derive(
        first, families: model.firstFamilies, incoming: nil, kernelMap: kernelMap, steps: &steps,
        label: "first layer")
      firstMetric = try? stochasticMetric(first, families: model.firstFamilies)
    }
    var path: PathClosure? = nil
    if let map = model.map, let incoming = model.incoming, model.pathDeclaration != nil {
      try refuseUncarriedPath(map)
      let derived = try derivePath(
        map, families: model.families, incoming: incoming, steps: &steps, label: "layer map")
      recursions = derived.recursions
      path = derived.closure
      metric = derived.metric
      try checkClosedUnderTargets(recursions, at: map.location)
    } else if let map = model.map {
      try refuseCarriedPreactivation(map)
      let kernelMap = model.tangentKernel.map {
        TangentKernelMap(
          map, families: model.families, learningRates: model.learningRates,
          incoming: model.incoming?.variable, kernel: $0,
          output: TensorHead($0.name, layer: map.output.layer))
      }
      recursions = try derive(
        map, families: model.families, incoming: model.incoming, kernelMap: kernelMap,
        steps: &steps, label: "layer map")
      metric = try? stochasticMetric(map, families: model.families)
      try checkClosedUnderTargets(recursions, at: map.location)
    }
    return DerivationResult(
      initialConditions: initial, recursions: recursions, steps: steps,
      firstConditionalCovariance: firstMetric, conditionalCovariance: metric, path: path)
  }

  /// Step 1 alone for the two-point function: E over the parameters of z_{i₁;α₁} z_{i₂;α₂} is
  /// δ_{i₁i₂} Ĝ_{α₁α₂}; returns Ĝ (with free α₁, α₂).
  func stochasticMetric(_ map: LayerMap, families: [GaussianFamily]) throws -> Expression {
    let (i, a) = freeIndices(map)
    let product =
      map.instance(neuron: i[0], sample: a[0]) * map.instance(neuron: i[1], sample: a[1])
    let e = WickContraction(families).expectation(of: product)
    return try coefficient(
      of: [.delta(i[0], i[1])], in: e, space: i[0].space,
      what: "the conditional two-point function",
      at: map.location)
  }

  /// Steps 1–3 for a product of copies of the map with the given free indices.
  func correlator(
    _ map: LayerMap, _ indices: [(Index, Index)], families: [GaussianFamily],
    incoming: NearlyGaussianLayer?, steps: inout [DerivationStep], label: String
  ) throws -> Expression {
    var product = Expression.one
    for (i, a) in indices { product = product * map.instance(neuron: i, sample: a) }
    return try average(
      product, what: "\(indices.count)-point function", map: map, families: families,
      incoming: incoming, steps: &steps, label: label)
  }

  /// Steps 1–3 for any product of copies of the maps: Wick over the parameters, the neuron sums
  /// split, the expectation over the incoming layer.
  func average(
    _ product: Expression, what: String, map: LayerMap, families: [GaussianFamily],
    incoming: NearlyGaussianLayer?, steps: inout [DerivationStep], label: String
  ) throws -> Expression {
    let afterParameters = WickContraction(families).expectation(of: product)
    steps.append(
      DerivationStep(
        title: "\(label): \(what), parameters integrated out",
        expression: afterParameters))
    guard let incoming else { return afterParameters }
    guard case .neuron(let inLayer) = incomingNeuronSpace(incoming) else { return afterParameters }
    let split = afterParameters.splittingNeuronSums(layer: inLayer)
    steps.append(
      DerivationStep(
        title: "\(label): \(what), neuron sums split", expression: split.canonicalized()
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
        title: "\(label): \(what), incoming layer averaged (order \(model.order))",
        expression: result))
    return result
  }

  func incomingNeuronSpace(_ l: NearlyGaussianLayer) -> IndexSpace {
    if let layer = l.variable.layer { return .neuron(layer) }
    return .sample
  }

  /// The number words of the correlators' titles ("four-point function").
  static let pointWords = ["zero", "one", "two", "three", "four", "five", "six"]

  func derive(
    _ map: LayerMap, families: [GaussianFamily], incoming: NearlyGaussianLayer?,
    kernelMap: TangentKernelMap? = nil, steps: inout [DerivationStep], label: String
  ) throws -> [Recursion] {
    guard let state = model.state else { return [] }
    let maximumRank = 2 * (model.order + 1)
    let (i, a) = freeIndices(
      map, count: max(maximumRank, state.ansatze.map(\.slotCount).max() ?? 0))
    guard case .neuron(let outLayer) = map.neuron.space else {
      throw DerivationError("the output index is not a neuron index", at: map.location)
    }
    // The width feeding the output layer: the incoming neuron layer's width.
    let feeding = Symbol.width(outLayer.shifted(by: -1))
    let n = Expression.symbol(feeding)
    // The first layer acts on fixed inputs and is exact: the input dimension n₀ is not an
    // expansion parameter, so it is not counted in orders of 1/n.
    let orders = OrderCounting(exactLayers: incoming == nil ? [inputLayer(of: map)] : [])
    func refuse(_ message: String) -> DerivationError {
      DerivationError("\(label): \(message)", at: map.location)
    }
    let listed = state.statistics.map(\.name).joined(separator: ", ")

    // Which correlators are computed: every declared cumulant with a statistic to derive, and
    // every undeclared one up to the four-point function (at order 1/n a nearly-Gaussian
    // layer's undeclared cumulants must vanish). The connected six-point function is assumed,
    // not checked, to be O(1/n²): checking it (`count: 6` and ranks up to 6 here) costs about
    // 25× the whole derivation of the MLP (7.6 s against 0.3 s in a debug build).
    let declaredRanks = Set(state.ansatze.filter(state.isPreactivationOnly).map(\.rank))
    let derivedAnsatze = state.ansatze.filter { a in
      a.terms.contains { model.targets.contains($0.statistic) }
    }
    let undeclared = (1...maximumRank).filter { !declaredRanks.contains($0) }
    // A kernel factor is a product of two copies of the map's derivatives: it counts as two
    // points (the slots of the ansatz).
    let largest = max(
      derivedAnsatze.map(\.slotCount).max() ?? 0,
      undeclared.filter { $0 % 2 == 1 }.max() ?? 0,
      undeclared.max() ?? 0)
    let work = DerivationWork(map: map, incoming: incoming)
    if work.estimate(points: largest) > DerivationWork.maximum {
      throw refuse(
        "the \(largest)-point function of this map is too large to derive (\(work.summary(points: largest))); the limit is \(Int(DerivationWork.maximum)) units. Use fewer terms, or fewer sums over the incoming layer or functions of it per term"
      )
    }

    // Moments of the outgoing field, computed once per rank (free i₁…i_k, α₁…α_k).
    var moments: [Int: Expression] = [:]
    func moment(_ k: Int) throws -> Expression {
      if let m = moments[k] { return m }
      let m = try correlator(
        map, (0..<k).map { (i[$0], a[$0]) }, families: families, incoming: incoming,
        steps: &steps, label: label)
      moments[k] = m
      return m
    }
    /// The truncated connected correlator of slots `slots` (a subset of 0..<k), from the
    /// moments by the moment–cumulant relation, and whether anything was subtracted.
    var cumulants: [[Int]: Expression] = [:]
    func cumulant(_ slots: [Int]) throws -> Expression {
      if let c = cumulants[slots] { return c }
      let k = slots.count
      var rename: [Index: Index] = [:]
      for (m, s) in slots.enumerated() where m != s {
        rename[i[m]] = i[s]
        rename[a[m]] = a[s]
      }
      var c = try moment(k).renamingFreeIndices(rename)
      // κ(S) = M(S) − Σ_{partitions π of S, π ≠ {S}} Π_{B∈π} κ(B).
      for partition in Self.partitions(slots) where partition.count > 1 {
        var product = Expression.one
        for block in partition { product = product * (try cumulant(block)) }
        if !product.isZero { subtracted.insert(slots) }
        c = c - product
      }
      let result = orders.truncated(c.canonicalized(), toOrder: model.order)
      cumulants[slots] = result
      return result
    }
    var subtracted: Set<[Int]> = []

    // Undeclared cumulants of odd rank first (a centred layer), then the even ones.
    for k in undeclared.filter({ $0 % 2 == 1 }) + undeclared.filter({ $0 % 2 == 0 }) {
      let kept = try cumulant(Array(0..<k))
      guard let t = kept.terms.first else { continue }
      if k % 2 == 1 && k <= 3 {
        throw refuse(
          "the \(k)-point function (an odd cumulant) does not vanish at order \(orders.describe(t)) (e.g. the term \(t)); the statistics (\(listed)) describe a centred layer whose odd correlators vanish at the order kept. Make every term of the map odd in a centred Gaussian parameter"
        )
      }
      throw refuse(
        "the connected \(Self.pointWords[k])-point function does not vanish at \(orders.describe(t)) (e.g. the term \(t)), and no declared statistic carries it (the statistics are \(listed)): declare a cumulant of \(k) factors for it"
      )
    }

    var correlators = JointCorrelators()
    try checkOddKernelCumulant(
      state, derivedAnsatze, neurons: i, samples: a, map: map, kernelMap: kernelMap,
      families: families, incoming: incoming, orders: orders, correlators: &correlators,
      steps: &steps, label: label)

    var derived: [String: Expression] = [:]
    for ansatz in state.ansatze {
      guard derivedAnsatze.contains(where: { $0.fields == ansatz.fields }) else { continue }
      // A cumulant involving the tangent kernel: a joint correlator of the two fields' maps.
      let joint = !state.isPreactivationOnly(ansatz)
      let k = joint ? ansatz.slotCount : ansatz.rank
      let slots = Array(0..<k)
      let function =
        joint ? "the cumulant of \(ansatz.written)" : "the \(Self.pointWords[k])-point function"
      let connected: Expression
      if joint {
        connected = try jointCumulant(
          ansatz, neurons: i, samples: a, map: map, kernelMap: kernelMap, families: families,
          incoming: incoming, orders: orders, correlators: &correlators, steps: &steps,
          label: label)
      } else {
        connected = try cumulant(slots)
      }
      if !joint && subtracted.contains(slots) {
        steps.append(
          DerivationStep(
            title: "\(label): connected \(Self.pointWords[k])-point function",
            expression: connected))
      }
      if let t = connected.terms.first(where: { orders.order(of: $0) < 0 }) {
        throw refuse(
          "\(function) has a term that grows with the width (\(orders.describe(t)): \(t)), so it has no expansion in 1/n; scale the variance of the weights summed over a layer by its fan-in, e.g. 'gaussian W[i,j] : C_W / n(j)'"
        )
      }
      if incoming == nil && joint {
        // The first layer's kernel is deterministic given the inputs.
        if let t = connected.terms.first(where: {
          orders.order(of: $0) != 0 || ansatz.leadingOrder > 0
        }) {
          throw refuse(
            "the first layer's tangent kernel is not deterministic given the inputs: \(function) has the term \(t) (\(orders.describe(t))); the first layer must be exact, so it may only be linear in each Gaussian parameter family"
          )
        }
      } else if incoming == nil {
        // The first layer is exact given the inputs.
        if k == 2, let t = connected.terms.first(where: { orders.order(of: $0) != 0 }) {
          throw refuse(
            "the first layer's two-point function depends on a hidden width (\(orders.describe(t)): \(t)); the first layer must be exact given the inputs"
          )
        }
        if k > 2, let t = connected.terms.first {
          let zero = ansatz.terms.map(\.statistic).joined(separator: ", ")
          throw refuse(
            "the first layer is not Gaussian given the inputs: its connected \(Self.pointWords[k])-point function does not vanish (e.g. the term \(t)); the first layer must be exact, with \(zero) = 0, so it may only be linear in each Gaussian parameter family"
          )
        }
      }
      if let t = connected.terms.first(where: { orders.order(of: $0) < ansatz.leadingOrder }) {
        throw refuse(
          "\(joint ? function : "the connected \(Self.pointWords[k])-point function") is not suppressed by 1/n (\(orders.describe(t)): \(t)), so the layer is not nearly Gaussian; scale the variance of the weights summed over a layer by its fan-in, e.g. 'gaussian W[i,j] : C_W / n(j)'"
        )
      }
      // Read each statistic off its neuron structure and order.
      var values: [String: Expression] = [:]
      for term in ansatz.terms where values[term.statistic] == nil {
        let deltas = term.neuronBlocks.filter { $0.count > 1 }.flatMap { block in
          block.dropFirst().map { Factor.delta(i[block[0]], i[$0]) }
        }
        let coefficient = try self.coefficient(
          of: deltas, in: connected, space: i[0].space, what: "the correlator",
          at: map.location, requireAll: false)
        var value = orders.part(coefficient, ofOrder: term.order)
        for _ in 0..<term.order { value = n * value }
        values[term.statistic] = read(value, term: term, samples: a)
      }
      // Closure: the correlator must be exactly the ansatz with the statistics read off.
      var rebuilt = Expression.zero
      for term in ansatz.terms {
        var e = Expression(term.coefficient)
        for block in term.neuronBlocks where block.count > 1 {
          for s in block.dropFirst() { e = e * .delta(i[block[0]], i[s]) }
        }
        for _ in 0..<term.order { e = e * .symbol(feeding, power: -1) }
        var rename: [Index: Index] = [:]
        for (m, s) in term.arguments.enumerated() where m != s { rename[a[m]] = a[s] }
        rebuilt = rebuilt + e * (values[term.statistic] ?? .zero).renamingFreeIndices(rename)
      }
      let residual = orders.truncated((connected - rebuilt).canonicalized(), toOrder: model.order)
      if let t = residual.terms.first {
        throw refuse(
          "\(function) is not of the declared form (the cumulant of \(ansatz.written)\(ansatz.location.map { " at \($0)" } ?? "")) at order 1/n, so the statistics (\(listed)) do not close for this model (e.g. a neuron's own previous preactivation is carried forward): no declared statistic carries the term \(t) (neuron structure \(Self.neuronStructure(t, i))). Residual: \(residual.terms.count) term(s)."
        )
      }
      derived.merge(values) { x, _ in x }
    }
    return model.derivedStatistics.compactMap { s in
      guard let rhs = derived[s.name] else { return nil }
      let free = Array(a[0..<s.rank])
      return Recursion(
        statistic: s, freeIndices: free, lhs: .tensor(s.head(layer: outLayer), free), rhs: rhs)
    }
  }

  /// The δ's of the free neuron indices in a term, for messages ("δ(i1,i3)" or "no δ").
  static func neuronStructure(_ t: Term, _ neurons: [Index]) -> String {
    let deltas = t.monomial.factors.compactMap { f -> String? in
      if case .delta(let p, let q) = f, neurons.contains(p), neurons.contains(q) {
        return "δ(\(p),\(q))"
      }
      return nil
    }
    return deltas.isEmpty ? "no δ" : deltas.joined()
  }

  /// Every set partition of `slots`, blocks in order of their first element.
  static func partitions(_ slots: [Int]) -> [[[Int]]] {
    guard let first = slots.first else { return [[]] }
    var out: [[[Int]]] = []
    for rest in partitions(Array(slots.dropFirst())) {
      out.append([[first]] + rest)
      for k in rest.indices {
        var p = rest
        p[k] = [first] + p[k]
        out.append(p)
      }
    }
    return out.map { $0.sorted { $0[0] < $1[0] } }
  }

  /// Every statistic a derived recursion reads must itself be derived: a recursion for G¹ reads
  /// V, so `derive K G1` without V would be iterated with V silently zero.
  func checkClosedUnderTargets(_ recursions: [Recursion], at location: SourceLocation?) throws {
    let statistics = model.statistics.map(\.name)
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
    of deltas: [Factor], in e: Expression, space: IndexSpace, what: String,
    at location: SourceLocation?, requireAll: Bool = true
  ) throws -> Expression {
    var out: [Term] = []
    let wanted = deltas.map { $0.canonicalSlots() }
    for t in e.terms {
      var m = t.monomial
      var ok = true
      for d in wanted {
        if let k = m.factors.firstIndex(of: d) { m = m.removingFactor(at: k) } else { ok = false }
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
