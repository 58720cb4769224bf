import Algebra
import Dispatch
import Foundation
import Quadrature
import Rational

/// Evaluates derived expressions numerically at one step of the recursion: layer labels
/// relative to ℓ are resolved with ℓ = `layer`; statistics tensors (K, G¹, V) are looked up in
/// `tensors`; inputs x in `parameters.inputs`; Gaussian averages are computed by quadrature in
/// the derivative-free Hermite form and cached per concrete atom.
///
/// Every sum is carried out explicitly (sample sums over the S inputs, neuron sums over the
/// width of their layer), so this is a direct reading of the expression, not a re-typed
/// formula.
final class ExpressionEvaluator {
  let parameters: NumericParameters
  let layer: Int
  /// Statistic tensors by (name, absolute layer), values flattened row-major over sample indices.
  var tensors: [TensorKey: [Double]]
  /// The integrator, shared between evaluators (building its rule table costs about a
  /// millisecond); created on first use, so scalar-only evaluations never build one.
  private(set) lazy var quadrature = sharedQuadrature ?? GaussianExpectation()
  private let sharedQuadrature: GaussianExpectation?
  private var averageCache: [AverageKey: Double] = [:]
  /// The caches of the compiled average sites, by shape (see ``AverageSite/Shape``).
  private var siteCaches: [AverageSite.Shape: AverageSiteCache] = [:]
  /// While set, an average not yet known is recorded in ``pending`` and taken as 1 instead of
  /// computed: a first pass over the entries finds every average a layer needs, so that
  /// ``computePending()`` can compute them all at once, in parallel.
  var collecting = false
  private var pending: [GaussianAverageMemo.Key: PendingAverage] = [:]

  struct PendingAverage {
    var factors: [GaussianFactor]
    var derivatives: [Int]
    var metricLayer: Int
    var metric: String
  }
  /// The self-feedback atoms of a path layer (nil for any other model).
  var feedback: PathFeedback?
  /// Averages by the sub-block of the metric they involve, shared with other evaluators.
  private let memo: GaussianAverageMemo
  /// The metric of each layer as a covariance matrix, built on first use.
  private var covariances: [Int: CovarianceMatrix] = [:]

  struct TensorKey: Hashable {
    var name: String
    var layer: Int
  }

  struct AverageKey: Hashable {
    var metricLayer: Int
    var derivatives: [Int]
    var integrand: [FactorKey]
  }

  struct FactorKey: Hashable, Comparable {
    /// The function applied (its name in the model), or nil for the variable z itself.
    var function: String?
    var derivative: Int
    var sample: Int
    static func < (a: FactorKey, b: FactorKey) -> Bool {
      (a.function == nil ? 1 : 0, a.function ?? "", a.derivative, a.sample) < (
        b.function == nil ? 1 : 0, b.function ?? "", b.derivative, b.sample
      )
    }
  }

  init(
    parameters: NumericParameters, layer: Int, tensors: [TensorKey: [Double]],
    quadrature: GaussianExpectation? = nil, memo: GaussianAverageMemo = GaussianAverageMemo()
  ) {
    self.sharedQuadrature = quadrature
    self.memo = memo
    self.parameters = parameters
    self.layer = layer
    self.tensors = tensors
  }

  func absolute(_ l: Layer?) throws -> Int {
    switch l {
    case .relative(let k)?: return layer + k
    case .absolute(let a)?: return a
    case nil: throw EvaluationError("a layer-free statistic cannot be evaluated")
    }
  }

  func range(of i: Index) throws -> Int {
    switch i.space {
    case .sample: return parameters.sampleCount
    case .neuron(let l):
      let a = try absolute(l)
      guard let n = parameters.width(ofLayer: a) else {
        throw EvaluationError("no width for layer \(a)")
      }
      return n
    }
  }

  func scalar(_ s: Symbol) throws -> Double {
    switch s.kind {
    case .width:
      let a = try absolute(s.layer)
      guard let n = parameters.width(ofLayer: a) else {
        throw EvaluationError("no width n_\(a) (depth \(parameters.depth))")
      }
      return Double(n)
    case .sampleCount: return Double(parameters.sampleCount)
    case .parameter:
      if let v = parameters.couplings[s.name] { return v }
      if let l = s.layer, let t = tensors[TensorKey(name: s.name, layer: try absolute(l))],
        t.count == 1
      {
        return t[0]
      }
      throw EvaluationError(
        "no value for the coupling \(s.name) (pass it with --set \(s.name)=VALUE)")
    }
  }

  /// The value of `e` with the free indices set by `free` (0-based values).
  func value(of e: Expression, free: [Index: Int]) throws -> Double {
    let order = Array(free.keys)
    let compiled = try compile(e, free: order)
    return try value(of: compiled, free: order.map { free[$0] ?? 0 })
  }

  /// The value of one term with the free indices set by `free`.
  func value(of t: Term, free: [Index: Int]) throws -> Double {
    let order = Array(free.keys)
    guard let compiled = try compile(t, free: order) else { return 0 }
    return try value(of: compiled, free: order.map { free[$0] ?? 0 })
  }

  /// `e`'s terms compiled against the free indices `free` (their values are passed, in this
  /// order, to ``value(of:free:)-(CompiledExpression,_)``): compile once, evaluate for every
  /// entry of a tensor.
  func compile(_ e: Expression, free: [Index]) throws -> CompiledExpression {
    CompiledExpression(terms: try e.terms.compactMap { try compile($0, free: free) })
  }

  /// The sum of the compiled terms with the free indices set to `values`.
  func value(of e: CompiledExpression, free values: [Int]) throws -> Double {
    var total = 0.0
    for t in e.terms { total += try value(of: t, free: values) }
    return total
  }

  /// A term compiled against an array of index slots (the free indices, then the summed ones):
  /// its scalar prefactor, the ranges of its sums, and every factor compiled once
  /// (``CompiledFactor``), so that evaluating it does no hashing and no allocation in its inner
  /// loop, and its averages' per-site caches serve every entry it is evaluated for.
  final class CompiledTerm {
    let prefactor: Double
    let slots: [Index: Int]
    let firstSummed: Int
    let ranges: [Int]
    /// Slots whose values must be pairwise distinct (the term's distinctness constraints).
    let groups: [[Int]]
    let factors: [CompiledFactor]
    /// See ``ExpressionEvaluator/derivativeDomains(_:firstSummed:count:)``.
    let domains: [[Int]?]
    /// The current values of every slot.
    var assignment: [Int]

    init(
      prefactor: Double, slots: [Index: Int], firstSummed: Int, ranges: [Int], groups: [[Int]],
      factors: [CompiledFactor]
    ) {
      self.prefactor = prefactor
      self.slots = slots
      self.firstSummed = firstSummed
      self.ranges = ranges
      self.groups = groups
      self.factors = factors
      self.domains = ExpressionEvaluator.derivativeDomains(
        factors, firstSummed: firstSummed, count: ranges.count)
      self.assignment = [Int](repeating: 0, count: firstSummed + ranges.count)
    }
  }

  /// The terms of an expression, compiled (those with a zero prefactor left out).
  struct CompiledExpression {
    var terms: [CompiledTerm]
  }

  /// `t` compiled against the free indices `free`, or nil when its prefactor is zero.
  func compile(_ t: Term, free: [Index]) throws -> CompiledTerm? {
    var prefactor = t.coefficient.doubleValue
    for p in t.monomial.scalars { prefactor *= pow(try scalar(p.symbol), Double(p.exponent)) }
    if prefactor == 0 { return nil }
    var slotOf: [Index: Int] = [:]
    for (slot, index) in free.enumerated() { slotOf[index] = slot }
    let summed = t.monomial.summed
    for (k, index) in summed.enumerated() {
      // A summed index shadows a free one of the same name.
      slotOf[index] = free.count + k
    }
    let ranges = try summed.map { try range(of: $0) }
    let groups = t.monomial.distinct.map { $0.compactMap { slotOf[$0] } }.filter {
      $0.count > 1
    }
    let factors = try t.monomial.factors.map { try compile($0, slots: slotOf) }
    return CompiledTerm(
      prefactor: prefactor, slots: slotOf, firstSummed: free.count, ranges: ranges,
      groups: groups, factors: factors)
  }

  /// The value of a compiled term with its free slots set to `values`.
  func value(of t: CompiledTerm, free values: [Int]) throws -> Double {
    if t.ranges.contains(0) { return 0 }
    // The term's assignment array is moved out for the evaluation (no copy; a local array is
    // read and written without the exclusivity checks of a class's property) and put back.
    var a: [Int] = []
    swap(&a, &t.assignment)
    defer { swap(&a, &t.assignment) }
    for (slot, v) in values.enumerated() { a[slot] = v }
    var total = 0.0
    let prefactor = t.prefactor
    let groups = t.groups
    let factors = t.factors
    let ranges = t.ranges
    let domains = t.domains
    let firstSummed = t.firstSummed
    let count = ranges.count
    let slots = t.slots
    func evaluate() throws {
      for group in groups {
        for i in 1..<group.count {
          for j in 0..<i where a[group[i]] == a[group[j]] { return }
        }
      }
      var product = prefactor
      for f in factors {
        product *= try value(of: f, a, slots: slots)
        if product == 0 { return }
      }
      total += product
    }
    // The summed slots in lexicographic order, the first outermost; a slot constrained by an
    // average runs over its domain only, in increasing order (each next value the least one of
    // its sources above the previous), so the non-zero products are added in the same order as
    // over the full ranges.
    func enumerate(_ k: Int) throws {
      if k == count {
        try evaluate()
        return
      }
      let slot = firstSummed + k
      let range = ranges[k]
      if let sources = domains[k] {
        var previous = -1
        while true {
          var next = range
          for source in sources {
            let v = a[source]
            if v > previous && v < next { next = v }
          }
          if next == range { break }
          a[slot] = next
          try enumerate(k + 1)
          previous = next
        }
      } else {
        for v in 0..<range {
          a[slot] = v
          try enumerate(k + 1)
        }
      }
    }
    try enumerate(0)
    return total
  }

  /// For each summed slot (`firstSummed` + k), the slots whose values are the only ones it can
  /// take without making the term vanish, or nil for its full range: a Gaussian average
  /// ⟨∂_β F⟩ is zero unless z_β is a coordinate F depends on, so a summed slot that is a
  /// derivative index of an average runs over the values of that average's integrand slots —
  /// provided they are all assigned before it (free, or summed earlier). Of several such
  /// averages the one with the fewest integrand slots is taken. The skipped assignments are
  /// exact zeros of the product, so the sum is unchanged bit for bit.
  static func derivativeDomains(_ factors: [CompiledFactor], firstSummed: Int, count: Int)
    -> [[Int]?]
  {
    var domains = [[Int]?](repeating: nil, count: count)
    for case .average(let site) in factors {
      let sources = site.integrand.map(\.slot)
      for slot in site.derivativeSlots where slot >= firstSummed {
        guard sources.allSatisfy({ $0 < slot }) else { continue }
        let k = slot - firstSummed
        if domains[k] == nil || sources.count < domains[k]?.count ?? 0 { domains[k] = sources }
      }
    }
    return domains
  }

  /// A factor resolved against index slots: tensor values and layers looked up once, averages
  /// with a per-site cache keyed by the raw values of their index slots.
  enum CompiledFactor {
    case delta(Int, Int)
    case input(component: Int, sample: Int)
    case tensor(values: [Double], slots: [Int])
    case average(AverageSite)
    /// A parenthesised sum, evaluated as an expression with the term's indices as free ones.
    case parenthesized(Expression)
  }

  /// One Gaussian-average factor of a term: its metric, the slots of its derivative and
  /// integrand indices, and the values already computed for assignments of those slots.
  final class AverageSite {
    let metricLayer: Int
    let metricName: String
    let derivativeSlots: [Int]
    /// (the function applied, nil for the variable z itself; derivative order; slot) per
    /// integrand factor.
    let integrand: [(function: String?, derivative: Int, slot: Int)]
    /// The slots of a self-feedback atom's pair (γ, δ); empty for an average.
    let feedbackSlots: [Int]
    /// The slots whose values are the digits of an assignment's code: the derivative slots, the
    /// integrand's, then the feedback pair's.
    let codeSlots: [Int]
    /// The values known and the assignments recorded while collecting, by code; shared by the
    /// evaluator's sites of the same ``shape`` (not by those of a self-feedback atom).
    let cache: AverageSiteCache

    /// What determines an average site's value as a function of its code: sites of one shape
    /// whose codes are equal compute the same average (the same ``AverageKey``).
    struct Shape: Hashable {
      var metricLayer: Int
      var metricName: String
      var derivativeCount: Int
      var functions: [FunctionShape]
    }

    /// The function an integrand factor applies (nil for z itself) and its derivative order.
    struct FunctionShape: Hashable {
      var function: String?
      var derivative: Int
    }

    var shape: Shape {
      Shape(
        metricLayer: metricLayer, metricName: metricName, derivativeCount: derivativeSlots.count,
        functions: integrand.map { FunctionShape(function: $0.function, derivative: $0.derivative) }
      )
    }

    /// A site with the cache `cache` (a new one when nil).
    init(
      metricLayer: Int, metricName: String, derivativeSlots: [Int],
      integrand: [(function: String?, derivative: Int, slot: Int)], feedbackSlots: [Int] = [],
      sampleCount: Int, cache: AverageSiteCache? = nil
    ) {
      self.metricLayer = metricLayer
      self.metricName = metricName
      self.derivativeSlots = derivativeSlots
      self.integrand = integrand
      self.feedbackSlots = feedbackSlots
      let codeSlots = derivativeSlots + integrand.map(\.slot) + feedbackSlots
      self.codeSlots = codeSlots
      self.cache = cache ?? AverageSiteCache(sampleCount: sampleCount, slots: codeSlots.count)
    }
  }

  func compile(_ f: Factor, slots: [Index: Int]) throws -> CompiledFactor {
    func slot(_ i: Index) throws -> Int {
      guard let s = slots[i] else { throw EvaluationError("unbound index \(i)") }
      return s
    }
    switch f {
    case .delta(let x, let y): return .delta(try slot(x), try slot(y))
    case .tensor(let t):
      let indexSlots = try t.indices.map(slot)
      if t.head.layer == nil {
        // An input x_{j;α}: component j of sample α.
        guard indexSlots.count == 2 else {
          throw EvaluationError("input \(t.head.name) needs [j;a]")
        }
        return .input(component: indexSlots[0], sample: indexSlots[1])
      }
      let key = TensorKey(name: t.head.name, layer: try absolute(t.head.layer))
      guard let values = tensors[key] else {
        throw EvaluationError("no values for \(t.head.name) at layer \(key.layer)")
      }
      return .tensor(values: values, slots: indexSlots)
    case .average(let g):
      let integrand = try g.integrand.map { f -> (function: String?, derivative: Int, slot: Int) in
        switch f {
        case .function(let app):
          return (app.head.name, app.derivative, try slot(app.argument.indices[0]))
        case .tensor(let x):
          return (nil, 0, try slot(x.indices[0]))
        default:
          throw EvaluationError("unsupported factor inside an average")
        }
      }
      let site = AverageSite(
        metricLayer: try absolute(g.metric.layer), metricName: g.metric.name,
        derivativeSlots: try g.derivatives.map(slot), integrand: integrand,
        feedbackSlots: try g.feedback.map(slot), sampleCount: parameters.sampleCount)
      guard site.feedbackSlots.isEmpty else { return .average(site) }
      // Sites of one shape share their cache: an average one term has computed is known to
      // every other term (and to every evaluation of a parenthesised sum) without a key.
      let shape = site.shape
      guard let shared = siteCaches[shape] else {
        siteCaches[shape] = site.cache
        return .average(site)
      }
      return .average(
        AverageSite(
          metricLayer: site.metricLayer, metricName: site.metricName,
          derivativeSlots: site.derivativeSlots, integrand: site.integrand,
          sampleCount: parameters.sampleCount, cache: shared))
    case .function:
      throw EvaluationError("a function of a neuron's preactivation is left after averaging")
    case .parenthesized(let e):
      return .parenthesized(e)
    }
  }

  func value(of f: CompiledFactor, _ a: [Int], slots: [Index: Int]) throws -> Double {
    switch f {
    case .delta(let x, let y): return a[x] == a[y] ? 1 : 0
    case .input(let j, let alpha): return parameters.inputs[a[alpha]][a[j]]
    case .tensor(let values, let indexSlots):
      var flat = 0
      for s in indexSlots { flat = flat * parameters.sampleCount + a[s] }
      return values[flat]
    case .average(let site):
      let s = parameters.sampleCount
      var code = 0
      for slot in site.codeSlots { code = code * s + a[slot] }
      if let hit = site.cache.value(at: code) { return hit }
      if collecting && !site.cache.request(code) { return 1 }
      let key = AverageKey(
        metricLayer: site.metricLayer, derivatives: site.derivativeSlots.map { a[$0] }.sorted(),
        integrand: site.integrand.map {
          FactorKey(function: $0.function, derivative: $0.derivative, sample: a[$0.slot])
        }.sorted())
      if !site.feedbackSlots.isEmpty {
        guard let feedback else {
          throw EvaluationError("a self-feedback atom outside a path layer's evaluation")
        }
        if collecting {
          feedback.request(
            layer: site.metricLayer, derivatives: key.derivatives, integrand: key.integrand)
          return 1
        }
        let v = try feedback.value(
          layer: site.metricLayer, derivatives: key.derivatives, integrand: key.integrand,
          pair: (a[site.feedbackSlots[0]], a[site.feedbackSlots[1]]))
        site.cache.store(v, at: code)
        return v
      }
      if collecting {
        if averageCache[key] == nil { try collect(key, metric: site.metricName) }
        return 1
      }
      let v: Double
      if let hit = averageCache[key] {
        v = hit
      } else {
        v = try average(key, metric: site.metricName)
        averageCache[key] = v
      }
      site.cache.store(v, at: code)
      return v
    case .parenthesized(let e):
      var free: [Index: Int] = [:]
      for (index, slot) in slots { free[index] = a[slot] }
      return try value(of: e, free: free)
    }
  }

  /// The factors of an average, as the quadrature takes them.
  func factors(_ key: AverageKey) -> [GaussianFactor] {
    key.integrand.map { f in
      guard let function = f.function else { return GaussianFactor.power(1, coordinate: f.sample) }
      return GaussianFactor.activation(
        parameters.activation(for: function), derivative: f.derivative, coordinate: f.sample)
    }
  }

  /// Records an average the memo does not hold yet, for ``computePending()``.
  private func collect(_ key: AverageKey, metric: String) throws {
    guard let k = tensors[TensorKey(name: metric, layer: key.metricLayer)] else {
      throw EvaluationError("no metric \(metric) at layer \(key.metricLayer)")
    }
    let factors = self.factors(key)
    let memoKey = GaussianAverageMemo.key(
      factors: factors, derivatives: key.derivatives, covariance: k,
      sampleCount: parameters.sampleCount, tolerance: parameters.tolerance)
    if memo.contains(memoKey) || pending[memoKey] != nil { return }
    pending[memoKey] = PendingAverage(
      factors: factors, derivatives: key.derivatives, metricLayer: key.metricLayer, metric: metric)
  }

  /// Computes the averages recorded while ``collecting``, on every processor (each is an
  /// independent, deterministic quadrature, so the values do not depend on the number of
  /// threads), and stores them in the memo. One that fails is left out: the evaluation that
  /// needs it computes it again and reports the error where it arises.
  func computePending() {
    feedback?.computePending()
    let work = pending.map { (key: $0.key, average: $0.value) }
    pending = [:]
    guard !work.isEmpty else { return }
    var matrices: [Int: CovarianceMatrix] = [:]
    for item in work where matrices[item.average.metricLayer] == nil {
      let layer = item.average.metricLayer
      guard let k = tensors[TensorKey(name: item.average.metric, layer: layer)] else { continue }
      let s = parameters.sampleCount
      if let matrix = try? CovarianceMatrix((0..<s).map { a in (0..<s).map { k[a * s + $0] } }) {
        // Checked once for the layer's averages (each would factorise all of it); one that
        // fails is left to the averages, which report it.
        matrices[layer] = (try? matrix.checkedPositiveSemidefinite()) ?? matrix
      }
    }
    let integrator = quadrature
    // This batch's averages share leaf interpolants (⟨σ_a²σ_bσ_c⟩ and ⟨σ_aσ_b²σ_c⟩ end on the
    // same one) and Hermite coefficients; the cache lives for this batch only.
    let cache = ExpectationCache()
    let results = PendingResults(count: work.count)
    let known = matrices
    let tasks = Self.tasks(work.map(\.average))
    let single: @Sendable (Int) -> Void = { i in
      let average = work[i].average
      guard let covariance = known[average.metricLayer] else { return }
      results.store(
        try? integrator.derivativeExpectation(
          of: average.factors, derivatives: average.derivatives, covariance: covariance,
          cache: cache), at: i)
    }
    let compute: @Sendable (Int) -> Void = { t in
      switch tasks[t] {
      case .single(let i): single(i)
      case .group(let group, let members):
        guard let covariance = known[work[members[0]].average.metricLayer],
          let values = try? integrator.expectations(
            of: group, covariance: covariance, cache: cache)
        else {
          for i in members { single(i) }
          return
        }
        for (i, value) in zip(members, values) { results.store(value, at: i) }
      }
    }
    // A few averages (one or two inputs) are not worth waking other threads for.
    if work.count < 8 {
      for t in tasks.indices { compute(t) }
    } else {
      DispatchQueue.concurrentPerform(iterations: tasks.count, execute: compute)
    }
    for (i, item) in work.enumerated() {
      if let value = results.value(at: i) { memo.store(value, for: item.key) }
    }
    results.deallocate()
  }

  /// A unit of ``computePending()``'s parallel work: one average, or a group of plain
  /// products of one metric integrated in one pass (``ExpectationBatch``; `members` are
  /// indices into the pending work, in the group's order).
  enum PendingTask: Sendable {
    case single(Int)
    case group(ExpectationBatch.Group, members: [Int])
  }

  /// The tasks of computing `work`: the plain products (no derivatives) of each metric layer
  /// planned as a batch, everything else alone. The plan depends on the set of averages only,
  /// so the values do not depend on their order.
  static func tasks(_ work: [PendingAverage]) -> [PendingTask] {
    var tasks: [PendingTask] = []
    var byLayer: [Int: [Int]] = [:]
    for (i, average) in work.enumerated() {
      if average.derivatives.isEmpty {
        byLayer[average.metricLayer, default: []].append(i)
      } else {
        tasks.append(.single(i))
      }
    }
    for layer in byLayer.keys.sorted() {
      let indices = byLayer[layer] ?? []
      let batch = ExpectationBatch(products: indices.map { work[$0].factors })
      for group in batch.groups {
        tasks.append(.group(group, members: group.members.map { indices[$0] }))
      }
      tasks += batch.singles.map { .single(indices[$0]) }
    }
    return tasks
  }

  func average(_ key: AverageKey, metric: String) throws -> Double {
    guard let k = tensors[TensorKey(name: metric, layer: key.metricLayer)] else {
      throw EvaluationError("no metric \(metric) at layer \(key.metricLayer)")
    }
    let s = parameters.sampleCount
    // The metric's rows, built only for a covariance matrix not made yet or for an error.
    func rows() -> [[Double]] { (0..<s).map { a in (0..<s).map { b in k[a * s + b] } } }
    let factors = self.factors(key)
    let memoKey = GaussianAverageMemo.key(
      factors: factors, derivatives: key.derivatives, covariance: k, sampleCount: s,
      tolerance: parameters.tolerance)
    do {
      return try memo.value(memoKey) {
        let covariance: CovarianceMatrix
        if let known = covariances[key.metricLayer] {
          covariance = known
        } else {
          do {
            covariance = try CovarianceMatrix(rows())
          } catch {
            throw EvaluationError(
              "the metric \(metric) at layer \(key.metricLayer) is not a covariance matrix: \(error)"
            )
          }
          covariances[key.metricLayer] = covariance
        }
        return try quadrature.derivativeExpectation(
          of: factors, derivatives: key.derivatives, covariance: covariance)
      }
    } catch let error as GaussianExpectationError {
      switch error {
      case .singular, .notPositiveSemidefinite:
        throw EvaluationError(
          SingularMetric.explanation(metric: metric, layer: key.metricLayer, rows: rows()))
      default:
        throw EvaluationError("Gaussian average at layer \(key.metricLayer) failed: \(error)")
      }
    }
  }
}
