import Algebra
import Derivation
import Foundation
import Numerics
import Quadrature

/// Numbers for a ``ContinuumLimit``: its ODEs solved by the classical Runge–Kutta method (RK4)
/// with an error estimate from step doubling, and the discrete recursion it is the limit of,
/// iterated by ``RecursionEvaluator`` at a finite depth L with the couplings of that depth.
///
/// The state is every entry of every derived statistic at a set of inputs (the rescaled
/// x = X/L^s for the 1/n statistics). The right-hand sides are the limit's derived
/// expressions, evaluated like the recursions (Gaussian averages by quadrature or closed
/// forms). The initial state is the derived first layer at L = ∞ (the couplings' leading
/// terms); the rescaled 1/n statistics start at 0.
public struct ContinuumSolver: Sendable {
  /// The statistics by name, each a flat array in ``SampleTensor`` order.
  public typealias State = [String: [Double]]

  /// A solution at one time with its estimated error.
  public struct Solution: Sendable {
    public var state: State
    /// Richardson's estimate |y_{h/2} − y_h| / 15 of the error of `state` (the RK4 solution
    /// with the halved step), the largest over all entries.
    public var errorEstimate: Double
    /// The number of RK4 steps of `state`.
    public var steps: Int
  }

  public var limit: ContinuumLimit
  public var model: Model
  public var derivation: DerivationResult
  /// The shape couplings' values γ̂ (γ = γ̂/√L), by name.
  public var shape: [String: Double]
  public var inputs: [[Double]]
  /// The activation of the limit's function, as the numeric backend knows it.
  public var activation: Activation

  public init(
    limit: ContinuumLimit, model: Model, derivation: DerivationResult, shape: [String: Double],
    inputs: [[Double]], activation: Activation
  ) {
    self.limit = limit
    self.model = model
    self.derivation = derivation
    self.shape = shape
    self.inputs = inputs
    self.activation = activation
  }

  var sampleCount: Int { inputs.count }

  /// Parameters with `couplings`, one width per layer (the widths enter nothing: they are set
  /// equal in the limit).
  func parameters(_ couplings: [String: Double], depth: Int = 1) -> NumericParameters {
    NumericParameters(
      couplings: couplings, widths: Array(repeating: 1, count: depth), inputs: inputs,
      activation: activation, functionActivations: [limit.function.name: activation])
  }

  /// The value of a scalar expression in the shape couplings.
  func scalar(_ e: Expression) throws -> Double {
    try ExpressionEvaluator(parameters: parameters(shape), layer: 0, tensors: [:])
      .value(of: e, free: [:])
  }

  /// The couplings at depth L: the weight variance's series and γ = γ̂/√L.
  public func couplings(depth: Int) throws -> [String: Double] {
    let epsilon = 1 / Double(depth).squareRoot()
    var values: [String: Double] = [:]
    for s in limit.scalings {
      var v = 0.0
      for (k, c) in s.series.enumerated() { v += try scalar(c) * pow(epsilon, Double(k)) }
      values[s.coupling.name] = v
    }
    return values
  }

  func check() throws {
    let s = sampleCount
    guard s >= 1, s <= 8 else { throw EvaluationError("give between 1 and 8 inputs (got \(s))") }
    guard let d = inputs.first?.count, d >= 1, inputs.allSatisfy({ $0.count == d }),
      inputs.allSatisfy({ $0.allSatisfy(\.isFinite) })
    else {
      throw EvaluationError("every input needs the same number (≥ 1) of finite components")
    }
    for s in limit.scalings where !s.derived {
      guard let v = shape[s.coupling.name], v.isFinite else {
        throw EvaluationError(
          "no value for the shape coupling \(s.coupling.name) (give --set \(s.coupling.name)=VALUE: \(s.coupling.name) = VALUE/√L)"
        )
      }
    }
  }

  /// Every entry of every equation's `expression` (the right-hand sides, or the initial
  /// conditions) with `evaluator`.
  func entries(
    _ equations: [(name: String, rank: Int, indices: [Index], rhs: Expression)],
    _ evaluator: ExpressionEvaluator
  ) throws -> State {
    var state: State = [:]
    for e in equations {
      var t = SampleTensor.zero(rank: e.rank, sampleCount: sampleCount)
      for k in t.values.indices {
        var free: [Index: Int] = [:]
        for (slot, value) in zip(e.indices, t.indices(at: k)) { free[slot] = value }
        t.values[k] = try evaluator.value(of: e.rhs, free: free)
        guard t.values[k].isFinite else {
          throw EvaluationError(
            "the continuum equations overflowed: \(e.name)[\(t.indices(at: k).map(String.init).joined())] is \(t.values[k])"
          )
        }
      }
      state[e.name] = t.values
    }
    return state
  }

  /// The state at t = 0: the first layer's metric with the couplings at L = ∞; the 1/n
  /// statistics (divided by L) vanish.
  public func initialState() throws -> State {
    try check()
    var leading: [String: Double] = [:]
    for s in limit.scalings { leading[s.coupling.name] = try scalar(s.series.first ?? .zero) }
    let metric = limit.metric.name
    guard let first = derivation.initialConditions.first(where: { $0.quantity == metric }) else {
      throw EvaluationError(
        "the model has no 'first' statement for \(metric): the continuum limit starts from the first layer"
      )
    }
    var state = try entries(
      [(metric, first.statistic.rank, first.freeIndices, first.rhs)],
      ExpressionEvaluator(parameters: parameters(leading), layer: 0, tensors: [:]))
    for e in limit.equations where e.statistic.name != metric {
      state[e.statistic.name] = Array(
        repeating: 0,
        count: SampleTensor.entryCount(rank: e.statistic.rank, sampleCount: sampleCount))
    }
    return state
  }

  /// dx/dt at `state`.
  public func derivative(_ state: State) throws -> State {
    var tensors: [ExpressionEvaluator.TensorKey: [Double]] = [:]
    for (name, values) in state { tensors[.init(name: name, layer: 1)] = values }
    let k = state[limit.metric.name] ?? []
    for a in 0..<sampleCount where !(k[a * sampleCount + a] <= GaussianExpectation.maximumVariance)
    {
      throw EvaluationError(
        "the kernel grew out of range: \(limit.metric.name)[\(a)\(a)] = \(k[a * sampleCount + a])"
      )
    }
    return try entries(
      limit.equations.map { ($0.statistic.name, $0.statistic.rank, $0.freeIndices, $0.rhs) },
      ExpressionEvaluator(parameters: parameters(shape), layer: 1, tensors: tensors))
  }

  /// The RK4 solution at `time` with `steps` equal steps.
  public func integrate(until time: Double, steps: Int) throws -> State {
    guard steps >= 1, time.isFinite, time >= 0 else {
      throw EvaluationError("the continuum solution needs a time ≥ 0 and at least one step")
    }
    let h = time / Double(steps)
    var y = try initialState()
    func axpy(_ y: State, _ a: Double, _ d: State) -> State {
      var out = y
      for (name, values) in d {
        guard var v = out[name] else { continue }
        for i in v.indices { v[i] += a * values[i] }
        out[name] = v
      }
      return out
    }
    for _ in 0..<steps {
      let k1 = try derivative(y)
      let k2 = try derivative(axpy(y, h / 2, k1))
      let k3 = try derivative(axpy(y, h / 2, k2))
      let k4 = try derivative(axpy(y, h, k3))
      var next = y
      for name in y.keys {
        guard var v = next[name], let a = k1[name], let b = k2[name], let c = k3[name],
          let d = k4[name]
        else { continue }
        for i in v.indices { v[i] += h / 6 * (a[i] + 2 * b[i] + 2 * c[i] + d[i]) }
        next[name] = v
      }
      y = next
    }
    return y
  }

  /// The solution at `time` with `steps` and 2·`steps` RK4 steps: the finer one, with the
  /// Richardson estimate of its error (RK4 is of order 4: error ≈ |y_{h/2} − y_h|/15).
  public func solve(until time: Double, steps: Int) throws -> Solution {
    let coarse = try integrate(until: time, steps: steps)
    let fine = try integrate(until: time, steps: 2 * steps)
    var error = 0.0
    for (name, values) in fine {
      guard let c = coarse[name] else { continue }
      for i in values.indices { error = max(error, abs(values[i] - c[i]) / 15) }
    }
    return Solution(state: fine, errorEstimate: error, steps: 2 * steps)
  }

  /// The discrete recursion at depth L after L steps (layer L + 1, t = 1), with the couplings
  /// of depth L and every 1/n statistic divided by L^s: the numbers the ODE solution at t = 1
  /// is the limit of.
  public func discrete(depth: Int) throws -> State {
    try check()
    guard depth >= 1 else { throw EvaluationError("the depth must be at least 1") }
    let layers = try RecursionEvaluator(model: model, derivation: derivation).evaluate(
      parameters(try couplings(depth: depth), depth: depth + 1))
    guard let last = layers.last else { throw EvaluationError("no layers evaluated") }
    var state: State = [:]
    for e in limit.equations {
      let scale = pow(Double(depth), -Double(e.depthPower))
      state[e.statistic.name] = last.values(of: e.statistic.name).values.map { $0 * scale }
    }
    return state
  }

  /// The largest difference between two states, per statistic, in the equations' order.
  public func differences(_ a: State, _ b: State) -> [(name: String, difference: Double)] {
    limit.equations.map { e in
      let x = a[e.statistic.name] ?? []
      let y = b[e.statistic.name] ?? []
      var d = 0.0
      for i in x.indices where i < y.count { d = max(d, abs(x[i] - y[i])) }
      return (e.statistic.name, d)
    }
  }

  /// The least-squares slope of log y against log x.
  public static func logLogSlope(_ x: [Double], _ y: [Double]) -> Double {
    let lx = x.map { log($0) }
    let ly = y.map { log($0) }
    let n = Double(lx.count)
    let mx = lx.reduce(0, +) / n
    let my = ly.reduce(0, +) / n
    var num = 0.0
    var den = 0.0
    for i in lx.indices {
      num += (lx[i] - mx) * (ly[i] - my)
      den += (lx[i] - mx) * (lx[i] - mx)
    }
    return num / den
  }
}
