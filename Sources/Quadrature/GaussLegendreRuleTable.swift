/// The Gauss–Legendre rules the quadrature may choose from, computed once per
/// ``GaussianExpectation`` value.
struct GaussLegendreRuleTable: Hashable, Sendable {
  /// The rules flattened into raw buffers, once: a quadrature run reads its nodes and weights
  /// from here instead of copying the table.
  final class Flat: @unchecked Sendable {
    let count: Int
    /// Per rule, its first node's index in `nodes` and `weights`, and its order.
    let start: UnsafeMutablePointer<Int>
    let order: UnsafeMutablePointer<Int>
    let nodes: UnsafeMutablePointer<Double>
    let weights: UnsafeMutablePointer<Double>

    init(_ rules: [GaussLegendreRule]) {
      count = rules.count
      start = .allocate(capacity: rules.count)
      order = .allocate(capacity: rules.count)
      let total = rules.reduce(0) { $0 + $1.order }
      nodes = .allocate(capacity: total)
      weights = .allocate(capacity: total)
      var offset = 0
      for (i, rule) in rules.enumerated() {
        start[i] = offset
        order[i] = rule.order
        (nodes + offset).initialize(from: rule.nodes, count: rule.order)
        (weights + offset).initialize(from: rule.weights, count: rule.order)
        offset += rule.order
      }
    }

    deinit {
      start.deallocate()
      order.deallocate()
      nodes.deallocate()
      weights.deallocate()
    }
  }

  /// The default orders: every order from 6 to 48 (where the a-priori bound usually lands, so
  /// rounding up costs at most one node), sparser above.
  static let standardOrders = Array(6...48) + [56, 64, 80, 96, 128]

  let rules: [GaussLegendreRule]

  /// The standard orders, plus `extra` if it is not among them.
  init(including extra: Int?) {
    var orders = GaussLegendreRuleTable.standardOrders
    if let extra, !orders.contains(extra) { orders.append(extra) }
    orders.sort()
    rules = orders.map { GaussLegendreRule(order: $0) }
    flat = Flat(rules)
  }

  /// ``rules``, flattened.
  let flat: Flat

  static func == (a: Self, b: Self) -> Bool { a.rules == b.rules }

  func hash(into hasher: inout Hasher) { hasher.combine(rules) }

  var maximumOrder: Int { rules[rules.count - 1].order }

  /// The index of the smallest rule with at least `order` nodes (the largest rule if none).
  func index(atLeast order: Int) -> Int {
    for (i, rule) in rules.enumerated() where rule.order >= order { return i }
    return rules.count - 1
  }
}
