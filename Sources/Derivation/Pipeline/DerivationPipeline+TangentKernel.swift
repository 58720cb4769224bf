import Algebra
import GaussianCalculus
import Rational

/// The joint moments and cumulants computed for one map, shared by the cumulants that involve
/// the kernel: a correlator of factors at given slots is the same in every ansatz (the kernel's
/// mean is a part of its variance and of its correlation with z).
struct JointCorrelators {
  var moments: [String: Expression] = [:]
  var cumulants: [String: Expression] = [:]
}

extension DerivationPipeline {
  /// The connected correlator of a cumulant that involves the tangent kernel (Ĥ′, or Ĥ′ with
  /// preactivations z′), truncated at the model's order: the joint moments of the factors' maps
  /// — the layer map for z′, the kernel's forward equation (``TangentKernelMap``) for Ĥ′ —
  /// averaged like the preactivation's (Wick over the parameters, then the joint state of
  /// (z, Ĥ)), and connected by the moment–cumulant relation over the factors.
  ///
  /// Factor p occupies the free slots from its start: i_s, α_s for z′, (i_s, i_{s+1};
  /// α_s, α_{s+1}) for Ĥ′, the slot numbering of the ansatz.
  func jointCumulant(
    _ ansatz: CumulantAnsatz, neurons i: [Index], samples a: [Index], map: LayerMap,
    kernelMap: TangentKernelMap?, families: [GaussianFamily], incoming: NearlyGaussianLayer?,
    orders: OrderCounting, correlators: inout JointCorrelators, steps: inout [DerivationStep],
    label: String
  ) throws -> Expression {
    guard let kernelMap else {
      throw DerivationError(
        "\(label): the cumulant of \(ansatz.written) involves a tangent kernel the model does not declare",
        at: map.location)
    }
    let starts = ansatz.factorStarts
    func instance(_ p: Int) -> Expression {
      let s = starts[p]
      if ansatz.slotsPerField[p] == 2 {
        return kernelMap.instance([i[s], i[s + 1], a[s], a[s + 1]])
      }
      return map.instance(neuron: i[s], sample: a[s])
    }
    /// The factors of `positions` with their slots, "H@0 z@2": the key of their correlators.
    func key(_ positions: [Int]) -> String {
      positions.map { "\(ansatz.fields[$0])@\(starts[$0])" }.joined(separator: " ")
    }
    func moment(_ positions: [Int]) throws -> Expression {
      if let m = correlators.moments[key(positions)] { return m }
      var product = Expression.one
      for p in positions { product = product * instance(p) }
      let what = "moment of " + positions.map { ansatz.fields[$0] }.joined(separator: " ")
      let m = orders.truncated(
        try average(
          product, what: what, map: map, families: families, incoming: incoming, steps: &steps,
          label: label
        ).canonicalized(), toOrder: model.order)
      correlators.moments[key(positions)] = m
      return m
    }
    func cumulant(_ positions: [Int]) throws -> Expression {
      if let c = correlators.cumulants[key(positions)] { return c }
      var c = try moment(positions)
      // κ(S) = M(S) − Σ_{partitions π of S, π ≠ {S}} Π_{B∈π} κ(B).
      for partition in Self.partitions(positions) where partition.count > 1 {
        var product = Expression.one
        for block in partition { product = product * (try cumulant(block)) }
        c = c - product
      }
      let result = orders.truncated(c.canonicalized(), toOrder: model.order)
      correlators.cumulants[key(positions)] = result
      return result
    }
    let connected = try cumulant(Array(0..<ansatz.rank))
    steps.append(
      DerivationStep(title: "\(label): the cumulant of \(ansatz.written)", expression: connected))
    return connected
  }

  /// The joint cumulant of one kernel and one preactivation, κ(Ĥ′, z′), is odd in the centred
  /// layer: like the odd cumulants of z′ alone it must vanish at the order kept (checked when the
  /// model derives a statistic of the kernel and does not declare that cumulant).
  func checkOddKernelCumulant(
    _ state: LayerStatistics, _ derivedAnsatze: [CumulantAnsatz], neurons i: [Index],
    samples a: [Index], map: LayerMap, kernelMap: TangentKernelMap?, families: [GaussianFamily],
    incoming: NearlyGaussianLayer?, orders: OrderCounting, correlators: inout JointCorrelators,
    steps: inout [DerivationStep], label: String
  ) throws {
    guard let kernel = state.kernel?.name,
      derivedAnsatze.contains(where: { !state.isPreactivationOnly($0) })
    else { return }
    let fields = [kernel, state.variable.name]
    if state.ansatze.contains(where: { $0.fields == fields }) { return }
    let odd = CumulantAnsatz(fields: fields, slotsPerField: [2, 1], terms: [])
    let kept = try jointCumulant(
      odd, neurons: i, samples: a, map: map, kernelMap: kernelMap, families: families,
      incoming: incoming, orders: orders, correlators: &correlators, steps: &steps, label: label)
    if let t = kept.terms.first {
      throw DerivationError(
        "\(label): the cumulant of \(odd.written) (odd in the preactivation) does not vanish at \(orders.describe(t)) (e.g. the term \(t)); the statistics describe a centred layer whose odd correlators vanish at the order kept. Make every term of the map odd in a centred Gaussian parameter",
        at: map.location)
    }
  }
}
