/// The Gauss–Legendre rules the quadrature may choose from, computed once per
/// ``GaussianExpectation`` value.
struct GaussLegendreRuleTable: Hashable, Sendable {
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
  }

  var maximumOrder: Int { rules[rules.count - 1].order }

  /// The index of the smallest rule with at least `order` nodes (the largest rule if none).
  func index(atLeast order: Int) -> Int {
    for (i, rule) in rules.enumerated() where rule.order >= order { return i }
    return rules.count - 1
  }
}
