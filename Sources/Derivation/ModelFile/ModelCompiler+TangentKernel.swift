import Algebra
import GaussianCalculus
import Rational

/// Compilation of what the neural tangent kernel needs: the learning rates of the parameter
/// families (`gaussian W[i,j] : C_W / n(j), learning-rate lambda_W / n(j)`) and the kernel field
/// of the incoming layer (`incoming H[j1,j2;a1,a2] : tangent-kernel of z`), whose cumulants are
/// declared like the preactivation's. The kernel's own layer map is not written: the derivation
/// obtains it by differentiating the preactivation's map.
extension Compilation {
  /// Checks the tangent-kernel declaration against the incoming preactivation and declares its
  /// name.
  func checkTangentKernel(declare: (ModelSyntax.Name) throws -> Void) throws {
    guard let k = syntax.tangentKernel else { return }
    guard let incoming = syntax.incoming else {
      throw ModelError(
        k.location,
        "a tangent kernel belongs to the incoming preactivation: declare it first ('incoming z[j;a] : nearly-gaussian, per n[l-1]')"
      )
    }
    if k.base.text != incoming.variable.head.text {
      throw ModelError(
        k.base.location,
        "the tangent kernel is the kernel of the incoming preactivation '\(incoming.variable.head.text)', not of '\(k.base.text)'"
      )
    }
    let f = k.field
    guard f.indices.count == 4, f.indicesBeforeSemicolon == 2 else {
      throw ModelError(
        f.head.location,
        "the tangent kernel needs two neuron and two sample indices: \(f.head.text)[j1,j2;a1,a2]")
    }
    try checkDistinctSlots(f, what: "the kernel's components")
    for (n, i) in f.indices.enumerated() {
      let space = try self.space(of: i, first: false)
      if n < 2 {
        guard case .neuron(let l) = space, l == .ell else {
          throw ModelError(
            i.location, "'\(i.text)' must be a neuron index of layer l (the incoming layer)")
        }
      } else if space != .sample {
        throw ModelError(i.location, "'\(i.text)' must be a sample index")
      }
    }
    try declare(f.head)
  }

  /// The cumulants that involve the kernel: only its one-point cumulant (the mean) may have a
  /// term of order 0 — the kernel is deterministic at leading order.
  func checkKernelAnsatze(
    _ ansatze: [CumulantAnsatz], declared: [String: TensorSymmetry]
  ) throws {
    guard let kernel = syntax.tangentKernel?.field.head.text else { return }
    for a in ansatze where a.fields.contains(kernel) {
      let isMean = a.fields == [kernel]
      for t in a.terms where t.order == 0 && !isMean {
        throw ModelError(
          a.location ?? fileStart,
          "'\(t.statistic)' is of order 0 in the cumulant of \(a.written): at leading order the tangent kernel is deterministic, so its connected correlators start at order 1/n"
        )
      }
    }
  }

  /// The learning rate of every family of a map that declares one: a positive scalar of numbers,
  /// couplings and widths (fan-in scaled like the variance: `lambda_W / n(j)`).
  func learningRates(of families: [GaussianFamily], first: Bool) throws -> [TensorHead:
    Expression]
  {
    var rates: [TensorHead: Expression] = [:]
    for family in families {
      guard let g = gaussians[family.head.name], let rate = g.learningRate else { continue }
      try checkScalar(rate, of: family.head.name, what: "learning rate")
      var context = TermContext(first: first, incomingName: nil)
      var unused: [TensorHead: GaussianFamily] = [:]
      var value = Expression.zero
      for term in rate.terms { value = value + (try compileTerm(term, &context, &unused)) }
      if context.indicesUsed.contains(where: { i in
        !g.tensor.indices.contains { $0.text == indexName(i) }
      }) {
        throw ModelError(
          g.tensor.head.location,
          "the learning rate of '\(family.head.name)' may only mention its own indices")
      }
      value = value.canonicalized()
      if value.isZero || value.terms.contains(where: { $0.coefficient.sign <= 0 }) {
        throw ModelError(
          g.tensor.head.location,
          "the learning rate of '\(family.head.name)' must be positive: a sum of positive multiples of couplings and widths"
        )
      }
      rates[family.head] = value
    }
    return rates
  }
}
