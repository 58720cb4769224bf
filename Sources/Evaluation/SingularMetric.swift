/// The plain-words refusal of a metric that is singular at some layer, so that the 1/n
/// recursions, whose Gaussian averages are taken in the Hermite form with the metric's inverse,
/// cannot be evaluated there (both `derive eval` and `derive check`, whose theory is the same
/// evaluation). It says which inputs are to blame and what to change, instead of the
/// quadrature's account of a Cholesky pivot.
enum SingularMetric {
  /// Two inputs whose correlation is this close to ±1 are called perfectly correlated.
  static let correlationTolerance = 1e-9

  /// The message for the metric `name` at `layer`, whose entries are `rows` (S × S, input order).
  static func explanation(metric name: String, layer: Int, rows: [[Double]]) -> String {
    let s = rows.count
    let inverse =
      "so the 1/n recursions, whose Gaussian averages for this activation need the inverse of \(name), cannot be evaluated at the next layer"
    for a in 0..<s where rows[a][a] <= 0 {
      return
        "the metric \(name) at layer \(layer) is singular: input \(a + 1) has zero variance there (\(name)[\(a)\(a)] = 0, as for a zero input without a bias), \(inverse). Leave that input out: its preactivations are 0 at every layer."
    }
    for a in 0..<s {
      for b in (a + 1)..<s {
        let product = rows[a][a] * rows[b][b]
        let square = rows[a][b] * rows[a][b]
        guard square >= (1 - correlationTolerance) * product else { continue }
        return
          "the metric \(name) at layer \(layer) is singular: inputs \(a + 1) and \(b + 1) are perfectly correlated there (\(name)[\(a)\(b)]² = \(name)[\(a)\(a)]·\(name)[\(b)\(b)]), \(inverse). Inputs stay so from layer to layer when they coincide, or when one is a positive multiple of the other and there is no bias; activations with a kink (relu, leaky_relu) then fail, since their averages are taken with the inverse (smooth ones such as tanh need none). Give each input once (a repeated input's statistics are those of its first copy), and no input that is a positive multiple of another."
      }
    }
    return
      "the metric \(name) at layer \(layer) is singular: the preactivations of some input are a linear combination of the others' there, \(inverse). Use fewer inputs, or inputs that are not linear combinations of one another (with n₀ input components and no bias, at most n₀ inputs are independent at layer 1)."
  }
}
