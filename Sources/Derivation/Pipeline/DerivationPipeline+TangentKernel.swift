import Algebra
import GaussianCalculus
import Rational

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
    orders: OrderCounting, steps: inout [DerivationStep], label: String
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
    var moments: [[Int]: Expression] = [:]
    func moment(_ positions: [Int]) throws -> Expression {
      if let m = moments[positions] { return m }
      var product = Expression.one
      for p in positions { product = product * instance(p) }
      let what = "moment of " + positions.map { ansatz.fields[$0] }.joined(separator: " ")
      let m = orders.truncated(
        try average(
          product, what: what, map: map, families: families, incoming: incoming, steps: &steps,
          label: label
        ).canonicalized(), toOrder: model.order)
      moments[positions] = m
      return m
    }
    var cumulants: [[Int]: Expression] = [:]
    func cumulant(_ positions: [Int]) throws -> Expression {
      if let c = cumulants[positions] { return c }
      var c = try moment(positions)
      // κ(S) = M(S) − Σ_{partitions π of S, π ≠ {S}} Π_{B∈π} κ(B).
      for partition in Self.partitions(positions) where partition.count > 1 {
        var product = Expression.one
        for block in partition { product = product * (try cumulant(block)) }
        c = c - product
      }
      let result = orders.truncated(c.canonicalized(), toOrder: model.order)
      cumulants[positions] = result
      return result
    }
    let connected = try cumulant(Array(0..<ansatz.rank))
    steps.append(
      DerivationStep(title: "\(label): the cumulant of \(ansatz.written)", expression: connected))
    return connected
  }
}
