import Algebra
import Derivation
import Dispatch
import Foundation
import Quadrature

/// The self-feedback atoms of a path layer (a map that carries each neuron's own preactivation
/// forward), evaluated from the layers below it, by the definition of ``Derivation/PathClosure``:
///
///   R^{(ℓ)}[∂_{β…}F]_{γδ} = Σ_{p=1}^{ℓ−1} Σ_{μν} M^{(ℓ,p+1)}_{(γδ)(μν)} Cov(∂_{β…}F(z^{(ℓ)}), φ_{μν}(z^{(p)})),
///
/// the covariance over one neuron's leading-order Gaussian path, whose layers ℓ and p have the
/// joint covariance [[K^{(ℓ)}, c^{ℓ−p}K^{(p)}], [c^{ℓ−p}K^{(p)}, K^{(p)}]] (c the skip
/// coefficient), and M^{(ℓ,s)} = ∂K^{(ℓ)}/∂K^{(s)} the product of the derived kernel map's
/// Jacobians J^{(t)} from layer s to ℓ. Derivatives act on the layer-ℓ coordinates, in the
/// quadrature's derivative-free Hermite form over the joint covariance.
///
/// Layers are recorded bottom up (``record(layer:kernel:memo:)``); an atom of layer ℓ needs
/// layers 1…ℓ recorded. With `disabled` every atom is 0: the (K, G¹, V) Gaussian closure.
final class PathFeedback {
  let closure: PathClosure
  let parameters: NumericParameters
  let quadrature: GaussianExpectation
  let disabled: Bool
  /// The skip coefficient c.
  let skip: Double
  /// K^{(l)} (row-major, S×S) of each recorded layer l, at index l − 1.
  private var kernels: [[Double]] = []
  /// M^{(l,s)} for s = 2…l, row-major over ordered pairs ((γ,δ), (μ,ν)), by layer l.
  private var responses: [Int: [Int: [Double]]] = [:]
  /// Cov(∂F(z^{(l)}), φ_{μν}(z^{(p)})) over (μ, ν), by atom integrand, l and p.
  private var covariances: [CovarianceKey: [Double]] = [:]
  /// The error of each covariance whose quadrature failed.
  private var failures: [CovarianceKey: Error] = [:]
  /// Covariances requested while an evaluator collects, in order of request.
  private var requested: [CovarianceKey] = []
  private var requestedSet: Set<CovarianceKey> = []

  struct CovarianceKey: Hashable {
    var layer: Int
    var past: Int
    var derivatives: [Int]
    var integrand: [ExpressionEvaluator.FactorKey]
  }

  /// Covariances shared by the evaluations of one scan (the widths change, the leading-order
  /// kernels they are computed from do not), keyed by the atom and both layers' kernels.
  final class Shared {
    struct Key: Hashable {
      var covariance: CovarianceKey
      var kernels: [Double]
    }
    var values: [Key: [Double]] = [:]
  }

  let shared: Shared

  init(
    closure: PathClosure, parameters: NumericParameters, quadrature: GaussianExpectation,
    disabled: Bool, shared: Shared = Shared()
  ) throws {
    self.shared = shared
    self.closure = closure
    self.parameters = parameters
    self.quadrature = quadrature
    self.disabled = disabled
    let evaluator = ExpressionEvaluator(parameters: parameters, layer: 0, tensors: [:])
    self.skip = try evaluator.value(of: closure.skip, free: [:])
    guard skip.isFinite else { throw EvaluationError("the skip coefficient is not finite") }
  }

  var sampleCount: Int { parameters.sampleCount }

  /// Records layer `layer` (the next one up): its kernel, and the responses M^{(layer,s)}.
  func record(layer: Int, kernel: [Double], memo: GaussianAverageMemo) throws {
    precondition(layer == kernels.count + 1, "layers are recorded bottom up")
    kernels.append(kernel)
    let pairs = sampleCount * sampleCount
    var identity = [Double](repeating: 0, count: pairs * pairs)
    for g in 0..<sampleCount {
      for d in 0..<sampleCount {
        let row = g * sampleCount + d
        identity[row * pairs + row] += 0.5
        identity[row * pairs + d * sampleCount + g] += 0.5
      }
    }
    var current: [Int: [Double]] = [layer: identity]
    if layer >= 3, let below = responses[layer - 1] {
      let jacobian = try self.jacobian(at: layer - 1, memo: memo)
      for (s, m) in below { current[s] = Self.product(jacobian, m, size: pairs) }
    }
    responses[layer] = current
  }

  /// J^{(l)}_{(αβ)(γδ)} = ∂K^{(l+1)}_{αβ}/∂K^{(l)}_{γδ}, from the derived response.
  func jacobian(at l: Int, memo: GaussianAverageMemo) throws -> [Double] {
    let s = sampleCount
    let evaluator = ExpressionEvaluator(
      parameters: parameters, layer: l,
      tensors: [.init(name: closure.metric.name, layer: l): kernels[l - 1]],
      quadrature: quadrature, memo: memo)
    let idx = closure.responseIndices
    var out = [Double](repeating: 0, count: s * s * s * s)
    for k in out.indices {
      let values = [k / (s * s * s), (k / (s * s)) % s, (k / s) % s, k % s]
      var free: [Index: Int] = [:]
      for (i, v) in zip(idx, values) { free[i] = v }
      out[k] = try evaluator.value(of: closure.response, free: free)
    }
    return out
  }

  static func product(_ a: [Double], _ b: [Double], size n: Int) -> [Double] {
    var c = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for k in 0..<n where a[i * n + k] != 0 {
        let x = a[i * n + k]
        for j in 0..<n { c[i * n + j] += x * b[k * n + j] }
      }
    }
    return c
  }

  /// The value of the atom R^{(layer)}[∂_{derivatives} Π integrand]_{γδ}.
  func value(
    layer: Int, derivatives: [Int], integrand: [ExpressionEvaluator.FactorKey], pair: (Int, Int)
  ) throws -> Double {
    if disabled || layer < 2 { return 0 }
    guard layer <= kernels.count, let m = responses[layer] else {
      throw EvaluationError("the self-feedback of layer \(layer) needs the layers below it")
    }
    let s = sampleCount
    let pairs = s * s
    let row = pair.0 * s + pair.1
    var total = 0.0
    for p in 1..<layer {
      guard let response = m[p + 1] else { continue }
      let cov = try covariance(
        layer: layer, past: p, derivatives: derivatives, integrand: integrand)
      for col in 0..<pairs where cov[col] != 0 { total += response[row * pairs + col] * cov[col] }
    }
    return total
  }

  /// Records the covariances the atom R^{(layer)}[∂_{derivatives} Π integrand] needs, for
  /// ``computePending()`` (those another evaluation of the scan computed are taken from it).
  func request(layer: Int, derivatives: [Int], integrand: [ExpressionEvaluator.FactorKey]) {
    if disabled || layer < 2 { return }
    for p in 1..<layer {
      enqueue(CovarianceKey(layer: layer, past: p, derivatives: derivatives, integrand: integrand))
    }
  }

  /// Records one covariance for ``computePending()`` unless it is known.
  func enqueue(_ key: CovarianceKey) {
    if covariances[key] != nil { return }
    if let known = shared.values[sharedKey(key)] {
      covariances[key] = known
      return
    }
    if requestedSet.insert(key).inserted { requested.append(key) }
  }

  /// The key of a covariance among the scan's evaluations.
  func sharedKey(_ key: CovarianceKey) -> Shared.Key {
    Shared.Key(covariance: key, kernels: kernels[key.layer - 1] + kernels[key.past - 1])
  }

  /// Computes the requested covariances, every (atom, past layer, μ, ν, term of φ) an
  /// independent quadrature, on every processor; each is stored at its own index, so the values
  /// do not depend on the number of threads. A covariance whose quadrature fails is left out,
  /// its error recorded for ``covariance``.
  func computePending() {
    let keys = requested
    requested = []
    requestedSet = []
    guard !keys.isEmpty, let phi = try? integrandTerms() else { return }
    let s = sampleCount
    // φ symmetric in (μ, ν): the entries μ ≤ ν suffice.
    let entries = (0..<(s * s)).filter { !phiIsSymmetric || $0 / s <= $0 % s }
    let live = keys.indices.filter { Self.canBeNonzero(keys[$0]) }
    let pasts = Array(Set(live.map { keys[$0].past })).sorted()
    func y(_ term: Int, _ entry: Int) -> [(function: String?, derivative: Int, sample: Int)] {
      phi[term].factors.map { f in
        (
          function: f.function, derivative: f.derivative,
          sample: f.slot == 0 ? entry / s : entry % s
        )
      }
    }
    // Three kinds of quadrature, each an independent job: E[∂F] per atom, E[φ_term] per past
    // layer and entry, E[∂F · φ_term] per atom, entry and term.
    enum Job {
      case first(key: Int)
      case second(past: Int, entry: Int, term: Int)
      case both(key: Int, entry: Int, term: Int)
    }
    var jobs: [Job] = live.map { .first(key: $0) }
    for p in pasts {
      for e in entries { for t in phi.indices { jobs.append(.second(past: p, entry: e, term: t)) } }
    }
    for k in live {
      for e in entries { for t in phi.indices { jobs.append(.both(key: k, entry: e, term: t)) } }
    }
    let work = jobs
    let ys = Dictionary(
      uniqueKeysWithValues: entries.flatMap { e in phi.indices.map { t in ([e, t], y(t, e)) } })
    let results = PendingResults(count: work.count)
    let (kernels, skip, parameters, quadrature) = (
      self.kernels, self.skip, self.parameters, self.quadrature
    )
    @Sendable func evaluate(_ job: Job) throws -> Double {
      func expectation(
        layer: Int, past: Int, derivatives: [Int], x: [ExpressionEvaluator.FactorKey],
        y: [(function: String?, derivative: Int, sample: Int)]
      ) throws -> Double {
        try Self.pathExpectation(
          kernels: kernels, skip: skip, parameters: parameters, quadrature: quadrature,
          layer: layer, past: past, derivatives: derivatives, x: x, y: y)
      }
      switch job {
      case .first(let k):
        let key = keys[k]
        return try expectation(
          layer: key.layer, past: key.past, derivatives: key.derivatives, x: key.integrand, y: [])
      case .second(let p, let e, let t):
        return try expectation(layer: p, past: p, derivatives: [], x: [], y: ys[[e, t]] ?? [])
      case .both(let k, let e, let t):
        let key = keys[k]
        return try expectation(
          layer: key.layer, past: key.past, derivatives: key.derivatives, x: key.integrand,
          y: ys[[e, t]] ?? [])
      }
    }
    DispatchQueue.concurrentPerform(iterations: work.count) { i in
      results.store(try? evaluate(work[i]), at: i)
    }
    var firsts: [Int: Double] = [:]
    var seconds: [[Int]: Double] = [:]
    var boths: [[Int]: Double] = [:]
    var failure: Error? = nil
    for (i, job) in work.enumerated() {
      guard let v = results.value(at: i) else {
        // Evaluated once more, alone, for its error.
        if failure == nil {
          do { _ = try evaluate(job) } catch { failure = error }
        }
        continue
      }
      switch job {
      case .first(let k): firsts[k] = v
      case .second(let p, let e, let t): seconds[[p, e, t]] = v
      case .both(let k, let e, let t): boths[[k, e, t]] = v
      }
    }
    results.deallocate()
    keys: for (k, key) in keys.enumerated() {
      var out = [Double](repeating: 0, count: s * s)
      if Self.canBeNonzero(key) {
        guard let first = firsts[k] else {
          failures[key] = failure
          continue
        }
        for e in entries {
          var v = 0.0
          for t in phi.indices {
            guard let both = boths[[k, e, t]], let second = seconds[[key.past, e, t]] else {
              failures[key] = failure
              continue keys
            }
            v += phi[t].prefactor * (both - first * second)
          }
          out[e] = v
          out[(e % s) * s + e / s] = v
        }
      }
      covariances[key] = out
      shared.values[sharedKey(key)] = out
    }
  }

  /// Whether ∂_{derivatives}F can be non-zero: a derivative by a coordinate F does not depend
  /// on gives zero.
  static func canBeNonzero(_ key: CovarianceKey) -> Bool {
    let samples = Set(key.integrand.map(\.sample))
    return key.derivatives.allSatisfy(samples.contains)
  }

  /// Cov(∂F(z^{(layer)}), φ_{μν}(z^{(past)})) for every (μ, ν): known, or computed now by
  /// ``computePending()``.
  func covariance(
    layer: Int, past: Int, derivatives: [Int], integrand: [ExpressionEvaluator.FactorKey]
  ) throws -> [Double] {
    let key = CovarianceKey(
      layer: layer, past: past, derivatives: derivatives, integrand: integrand)
    if let hit = covariances[key] { return hit }
    _ = try integrandTerms()
    enqueue(key)
    computePending()
    if let hit = covariances[key] { return hit }
    throw failures[key]
      ?? EvaluationError("the self-feedback's Gaussian averages at layer \(layer) failed")
  }

  /// The terms of φ_{α₁α₂}: prefactor, and each factor's function (nil for z), derivative
  /// order and which of α₁ (0) or α₂ (1) it is evaluated at.
  struct IntegrandTerm {
    var prefactor: Double
    var factors: [(function: String?, derivative: Int, slot: Int)]
  }

  private var integrandCache: [IntegrandTerm]? = nil

  /// Whether φ_{μν} = φ_{νμ} (then only μ ≤ ν is integrated).
  var phiIsSymmetric: Bool {
    let (a, b) = (closure.integrandIndices[0], closure.integrandIndices[1])
    return closure.integrand.renamingFreeIndices([a: b, b: a]).canonicalized()
      == closure.integrand.canonicalized()
  }

  func integrandTerms() throws -> [IntegrandTerm] {
    if let integrandCache { return integrandCache }
    let evaluator = ExpressionEvaluator(parameters: parameters, layer: 0, tensors: [:])
    var terms: [IntegrandTerm] = []
    for t in closure.integrand.terms {
      var prefactor = t.coefficient.doubleValue
      for p in t.monomial.scalars {
        prefactor *= pow(try evaluator.scalar(p.symbol), Double(p.exponent))
      }
      var factors: [(function: String?, derivative: Int, slot: Int)] = []
      for f in t.monomial.factors {
        let index: Index
        let function: String?
        let derivative: Int
        switch f {
        case .function(let g):
          (index, function, derivative) = (g.argument.indices[0], g.head.name, g.derivative)
        case .tensor(let x):
          (index, function, derivative) = (x.indices[0], nil, 0)
        default:
          throw EvaluationError("unsupported factor \(f) in the stochastic metric's integrand")
        }
        guard let slot = closure.integrandIndices.firstIndex(of: index) else {
          throw EvaluationError("the stochastic metric's integrand has a stray index \(index)")
        }
        factors.append((function, derivative, slot))
      }
      terms.append(IntegrandTerm(prefactor: prefactor, factors: factors))
    }
    integrandCache = terms
    return terms
  }

  /// E[∂_{derivatives} Π x(z^{(layer)}) · Π y(z^{(past)})] over the leading-order path, whose
  /// layers have the joint covariance [[K^{(layer)}, c^{layer−past}K^{(past)}], […, K^{(past)}]];
  /// only the coordinates the factors use enter (at most four).
  static func pathExpectation(
    kernels: [[Double]], skip: Double, parameters: NumericParameters,
    quadrature: GaussianExpectation, layer: Int, past: Int, derivatives: [Int],
    x: [ExpressionEvaluator.FactorKey], y: [(function: String?, derivative: Int, sample: Int)]
  ) throws -> Double {
    let s = parameters.sampleCount
    // The coordinates used: (block, sample), block 0 for layer `layer`, 1 for `past`.
    var coordinates: [(Int, Int)] = []
    func coordinate(_ block: Int, _ sample: Int) -> Int {
      if let k = coordinates.firstIndex(where: { $0 == (block, sample) }) { return k }
      coordinates.append((block, sample))
      return coordinates.count - 1
    }
    func factor(_ function: String?, _ derivative: Int, _ c: Int) -> GaussianFactor {
      guard let function else { return .power(1, coordinate: c) }
      return .activation(
        parameters.activation(for: function), derivative: derivative, coordinate: c)
    }
    let xFactors = x.map { factor($0.function, $0.derivative, coordinate(0, $0.sample)) }
    let xDerivatives = derivatives.map { coordinate(0, $0) }
    let yFactors = y.map { factor($0.function, $0.derivative, coordinate(1, $0.sample)) }
    let lag = pow(skip, Double(layer - past))
    let kl = kernels[layer - 1]
    let kp = kernels[past - 1]
    let rows = coordinates.map { a in
      coordinates.map { b -> Double in
        switch (a.0, b.0) {
        case (0, 0): return kl[a.1 * s + b.1]
        case (1, 1): return kp[a.1 * s + b.1]
        default: return lag * kp[a.1 * s + b.1]
        }
      }
    }
    if coordinates.isEmpty { return 1 }
    return try quadrature.derivativeExpectation(
      of: xFactors + yFactors, derivatives: xDerivatives, covariance: try CovarianceMatrix(rows))
  }
}
