import Algebra
import Derivation
import Foundation
import Numerics
import Sampling

/// Theory (the derived recursions, evaluated) against Monte-Carlo samples of the networks the
/// model describes, on a scan of widths n, 2n, 4n, … (all layers scaled together).
///
/// Compared quantities, per layer ℓ and per combination of sample indices:
/// - **K**: the MC two-point function E[z z]/δ (estimated by the mean of the stochastic metric
///   Ĝ, which has the same expectation and lower variance) against the leading order K and against
///   K + G¹/n_{ℓ−1}; the residual of the latter is O(1/n²).
/// - **V**: n_{ℓ−1} × (connected four-point, distinct-neuron estimator) against V; the residual
///   is O(1/n), so its vanishing as n → ∞ tests V, the 1/n term of the four-point function.
/// - **G1**: n_{ℓ−1} × (MC two-point − K) against G¹; residual O(1/n).
/// - the **NTK** statistics (Θ, Θ¹, A, B, D, F) of a model that derives them
///   (``ntkEstimators``), from the same networks with each one's exact tangent kernel
///   (``ntkRows(_:estimators:statistics:theory:options:)``), after each layer's K, G¹, V rows.
///
/// **Verdict.** For each quantity the residual r(n) = MC − theory is fitted over the whole scan
/// by weighted least squares to r(n) = a + b·n^{−p}, with p the expected order of the neglected
/// terms (2 for K against K + G¹/n, 1 for V and G¹ in their own units); with two widths this is
/// Richardson extrapolation. The quantity passes when
/// - |a| ≤ `zThreshold` standard errors of a (default 4, so a correct theory fails about once
///   in 10⁴ comparisons): the theory is right in the limit, and
/// - the fit describes the scan: its χ² (with widths − 2 degrees of freedom, when there are
///   three or more widths) has a p-value of at least the two-sided normal tail at `zThreshold`
///   (6.3·10⁻⁵ at 4). A theory whose residual does not fall like n^{−p} fails here even when
///   the extrapolation is too uncertain to exclude a = 0.
/// V and G¹ are not compared at layer 1, where both vanish identically.
///
/// **Power.** Every row states ``Row/detectable``: the smallest constant error of the theory's
/// value that the limit test flags with 95 % probability, (zThreshold + 1.645)·σ_a. A row is
/// *resolved* when that is below |theory|, i.e. when a theory without this quantity (zero)
/// would have been flagged; the report names the rows that are not. A negative control
/// (``Options/negativeControl``) evaluates the theory with one statistic removed and must fail
/// on a run with power.
///
/// **Independent widths.** Scan step s samples with the seed ``stepSeed(_:step:)``, so the
/// estimates at different widths are statistically independent, as the fit and its χ² assume
/// (with one seed, network k at widths n and 2n would share its first random numbers).
public struct CrossValidation: Sendable {
  public struct Options: Sendable {
    public var networks: Int
    public var seed: UInt64
    public var scanSteps: Int
    public var threads: Int?
    public var zThreshold: Double
    /// A statistic of the model (its correction or vertex) whose contribution is removed from
    /// the theory (set to zero at every layer): a run with power must then fail.
    public var negativeControl: String?
    /// Which sampler draws the networks (``NetworkLowering/samplerDecision(_:_:)``).
    public var sampler: SamplerChoice

    public init(
      networks: Int, seed: UInt64, scanSteps: Int = 3, threads: Int? = nil, zThreshold: Double = 4,
      negativeControl: String? = nil, sampler: SamplerChoice = .auto
    ) {
      self.networks = networks
      self.seed = seed
      self.scanSteps = scanSteps
      self.threads = threads
      self.zThreshold = zThreshold
      self.negativeControl = negativeControl
      self.sampler = sampler
    }

    /// The χ² test's threshold: the two-sided normal tail beyond `zThreshold`.
    public var fitProbabilityThreshold: Double { erfc(zThreshold / 2.0.squareRoot()) }
  }

  /// The sampling seed of scan step `step` of a run with seed `seed`: independent streams per
  /// width (SplitMix64's mixer of the seed and the step).
  public static func stepSeed(_ seed: UInt64, step: Int) -> UInt64 {
    SplitMix64.mix(seed ^ SplitMix64.mix(0x5CA1_AB1E_0000_0000 &+ UInt64(step)))
  }

  /// One compared number at one width.
  public struct Point: Sendable {
    public var width: Int
    public var leadingOrder: Double
    public var theory: Double
    public var estimate: Estimate
    public var zScore: Double {
      estimate.standardError > 0 ? (estimate.value - theory) / estimate.standardError : 0
    }
    /// (estimate − theory) × width^order: constant if the residual falls like 1/n^order.
    public var scaledResidual: Double
  }

  /// One quantity (e.g. K_{01} at layer 3) across the width scan, with the verdict.
  public struct Row: Sendable {
    public var quantity: String
    /// The statistic's declared symmetry (how its indices are written).
    public var symmetry: TensorSymmetry
    public var layer: Int
    public var indices: [Int]
    public var residualOrder: Int
    public var points: [Point]
    /// The fitted residual (MC − theory) in the limit n → ∞, with its standard error.
    public var limitResidual: Estimate
    /// χ² of the fit over the scan and its degrees of freedom (widths − 2; no test below 1).
    public var chiSquare: Double
    public var degreesOfFreedom: Int
    /// P(χ² ≥ observed) for a correct fit model (1 without degrees of freedom).
    public var fitProbability: Double
    /// The smallest constant error of the theory flagged with 95 % probability by the limit
    /// test: (zThreshold + 1.645) σ_a, in the quantity's own units.
    public var detectable: Double
    public var passed: Bool
    /// Whether the run could tell this quantity from zero: ``detectable`` < |theory| (always
    /// true for a quantity that is exactly zero in theory and checked as such).
    public var resolved: Bool {
      let value = abs(points.last?.theory ?? 0)
      return value <= Self.zero || detectable < value
    }
    /// Theory values at most this large are zero up to rounding (e.g. ReLU's diagonal G¹): the
    /// check compares them with zero, which needs no power to tell them from zero.
    public static let zero = 1e-12
    public var limitZ: Double {
      limitResidual.standardError > 0 ? limitResidual.value / limitResidual.standardError : 0
    }
  }

  public struct Report: Sendable {
    public var widths: [[Int]]
    public var rows: [Row]
    public var networks: Int
    public var seed: UInt64
    /// The statistic removed from the theory (``Options/negativeControl``), if any.
    public var negativeControl: String?
    /// What each compared statistic is (metric, correction, vertex).
    public var estimators: MonteCarloEstimators
    public var passed: Bool { rows.allSatisfy(\.passed) }
    /// The compared quantities, in order of first appearance.
    public var quantities: [String] {
      var out: [String] = []
      for r in rows where !out.contains(r.quantity) { out.append(r.quantity) }
      return out
    }
  }

  public var model: Model
  public var derivation: DerivationResult

  public init(model: Model, derivation: DerivationResult) {
    self.model = model
    self.derivation = derivation
  }

  /// The model's NTK statistics (``NTKEstimators``), or nil when it derives none: then the
  /// check samples with ``sampleNTK(_:options:networks:learningRates:progress:)`` and compares
  /// them too (``ntkRows(_:estimators:statistics:theory:options:)``).
  public var ntkEstimators: NTKEstimators? {
    let estimators = NTKEstimators(model: model)
    return estimators.statistics.isEmpty ? nil : estimators
  }

  /// What each derived statistic is compared through; throws for a statistic without an
  /// estimator (``MonteCarloEstimators``).
  public func estimators() throws -> MonteCarloEstimators {
    try MonteCarloEstimators(model, ntk: ntkEstimators)
  }

  /// Runs the scan: the ``theory(_:options:)`` at every width first (so that a model or numbers
  /// it cannot be evaluated for are refused before any network is drawn), then
  /// ``sample(_:options:networks:progress:)`` over all `options.networks` networks (for a model
  /// with NTK statistics ``sampleNTK(_:options:networks:learningRates:progress:)``, whose
  /// ordinary statistics come from the same networks), then
  /// ``compare(_:statistics:ntk:options:theory:)``. `progress` is called before each width with
  /// (step, total, widths).
  public func run(
    _ base: NumericParameters, options: Options,
    progress: (Int, Int, [Int]) -> Void = { _, _, _ in }
  ) throws -> Report {
    guard options.networks >= Self.minimumNetworks else {
      throw EvaluationError("--samples must be at least \(Self.minimumNetworks)")
    }
    let theory = try theory(base, options: options)
    if ntkEstimators != nil {
      let rates = try NetworkLowering(model: model, derivation: derivation).ntkLearningRates(base)
      let ntk = try sampleNTK(
        base, options: options, networks: 0..<options.networks, learningRates: rates,
        progress: progress)
      return try compare(
        base, statistics: ntk.map(\.base), ntk: ntk, options: options, theory: theory)
    }
    let statistics = try sample(
      base, options: options, networks: 0..<options.networks, progress: progress)
    return try compare(base, statistics: statistics, options: options, theory: theory)
  }

  /// The evaluated recursions at every width of the scan, one entry per step (the theory of a
  /// negative control when `options.negativeControl` is set).
  public func theory(_ base: NumericParameters, options: Options) throws -> [[RecursionValues]] {
    // A derived statistic the check has no estimator for is refused before any work.
    _ = try estimators()
    var evaluator = RecursionEvaluator(model: model, derivation: derivation)
    evaluator.removed = options.negativeControl
    return try evaluator.evaluate(
      each: (0...max(0, options.scanSteps)).map { step in
        var p = base
        p.widths = Self.widths(base, step: step)
        return p
      })
  }

  /// The most memory a sampling run may hold at once: 4 GiB (estimated per scan step by
  /// ``Sampling/NetworkSampler/estimatedMemory(networks:threads:)`` before any sampling; larger
  /// runs throw). Threads beyond the number of 64-network chunks are not started.
  public static let maximumMemory = 4.0 * 1_073_741_824

  /// The fewest networks a check accepts. Standard errors are estimated from the spread over
  /// networks; with fewer than 100 the estimate is too noisy for a z-test at 4 (with 2 networks,
  /// a correct theory fails about one run in eight), and the verdict would mislead.
  public static let minimumNetworks = 100

  /// The widths of scan step `step`: every layer of `base` doubled `step` times.
  public static func widths(_ base: NumericParameters, step: Int) -> [Int] {
    base.widths.map { $0 << step }
  }

  /// The sampler ``sample(_:options:networks:progress:)`` runs for `options.sampler`, and why
  /// (throws where `--sampler conditional` is not exact for the model). A model with NTK
  /// statistics is drawn by the ``Sampling/NTKSampler`` (real networks, ``SamplerKind/weights``):
  /// `--sampler conditional` is refused for it.
  public func samplerDecision(_ base: NumericParameters, options: Options) throws
    -> SamplerDecision
  {
    let lowering = NetworkLowering(model: model, derivation: derivation)
    guard ntkEstimators != nil else { return try lowering.samplerDecision(options.sampler, base) }
    guard options.sampler != .conditional else {
      throw EvaluationError(
        "--sampler conditional cannot check this model: its NTK statistics need each network's tangent kernel, which only real networks give; use --sampler weights or auto",
        at: model.location)
    }
    var decision = try lowering.samplerDecision(.weights, base)
    decision.requested = options.sampler == .weights
    decision.tangentKernel = true
    return decision
  }

  /// Monte-Carlo statistics of networks `networks` (global indices: network k always uses the
  /// stream (seed, k)) at every width of the scan, one entry per step, drawn by the sampler
  /// ``samplerDecision(_:options:)`` picks. Statistics of disjoint
  /// ranges merge (``SamplingStatistics/merge(_:)``, in any order) into those of their union;
  /// for ranges of whole chunks (``CheckShard/range(shard:of:networks:)``) bitwise equal to a
  /// single run's: this is how a large check is split into shards.
  public func sample(
    _ base: NumericParameters, options: Options, networks: Range<Int>,
    progress: (Int, Int, [Int]) -> Void = { _, _, _ in }
  ) throws -> [SamplingStatistics] {
    try Self.checkScan(options, networks: networks)
    _ = try estimators()
    let lowering = NetworkLowering(model: model, derivation: derivation)
    let kind = try lowering.samplerDecision(options.sampler, base).kind
    return try sampleScan(
      base, options: options, networks: networks, progress: progress,
      makeSampler: { try lowering.sampler(kind, $0) },
      memory: { $0.estimatedMemory(networks: networks.count, threads: options.threads) },
      memoryRefusal: { widths, memory in
        "sampling widths \(widths) on \(options.threads.map(String.init) ?? "all") threads needs about \(String(format: "%.1f", memory / 1_073_741_824)) GiB of memory; the limit is \(Int(Self.maximumMemory / 1_073_741_824)) GiB: use fewer --threads, smaller widths, fewer inputs or a smaller --scan"
      },
      draw: { sampler, seed in
        sampler.statistics(seed: seed, networks: networks, threads: options.threads)
      })
  }

  /// Refuses a scan of more than 8 doublings or a negative network index.
  static func checkScan(_ options: Options, networks: Range<Int>) throws {
    guard (0...8).contains(options.scanSteps) else {
      throw EvaluationError("--scan must be between 0 and 8")
    }
    guard networks.lowerBound >= 0 else { throw EvaluationError("negative network index") }
  }

  /// The scan's sampling, shared by ``sample(_:options:networks:progress:)`` and
  /// ``sampleNTK(_:options:networks:learningRates:progress:)`` (which first call
  /// ``checkScan(_:networks:)``): every step's sampler is built (cheap) and its memory checked before any network is drawn
  /// (refused with `memoryRefusal(widths, bytes)` beyond ``maximumMemory``), then each step is
  /// drawn with the seed ``stepSeed(_:step:)``, `progress` called before each width.
  func sampleScan<Sampler, Statistics>(
    _ base: NumericParameters, options: Options, networks: Range<Int>,
    progress: (Int, Int, [Int]) -> Void, makeSampler: (NumericParameters) throws -> Sampler,
    memory: (Sampler) -> Double, memoryRefusal: (String, Double) -> String,
    draw: (Sampler, UInt64) -> Statistics
  ) throws -> [Statistics] {
    var samplers: [(sampler: Sampler, widths: [Int])] = []
    for step in 0...options.scanSteps {
      var p = base
      p.widths = Self.widths(base, step: step)
      let sampler = try makeSampler(p)
      let bytes = memory(sampler)
      guard bytes <= Self.maximumMemory else {
        throw EvaluationError(
          memoryRefusal(p.widths.map(String.init).joined(separator: ","), bytes))
      }
      samplers.append((sampler, p.widths))
    }
    var result: [Statistics] = []
    for (step, entry) in samplers.enumerated() {
      progress(step + 1, options.scanSteps + 1, entry.widths)
      result.append(draw(entry.sampler, Self.stepSeed(options.seed, step: step)))
    }
    return result
  }

  /// Theory against the Monte-Carlo `statistics` of the scan (one entry per step, as
  /// ``sample(_:options:networks:progress:)`` returns them): the report and its verdict.
  /// `theory` is ``theory(_:options:)`` when the caller has it already; else it is evaluated.
  /// A model with NTK statistics needs `ntk`, the NTK statistics of the same networks (as
  /// ``sampleNTK(_:options:networks:learningRates:progress:)`` returns them, `statistics` being
  /// their ``Sampling/NTKSamplingStatistics/base``); their rows follow each layer's K, G¹, V.
  public func compare(
    _ base: NumericParameters, statistics: [SamplingStatistics],
    ntk: [NTKSamplingStatistics]? = nil, options: Options, theory: [[RecursionValues]]? = nil
  ) throws -> Report {
    guard statistics.count == options.scanSteps + 1 else {
      throw EvaluationError(
        "the statistics cover \(statistics.count) widths, the scan has \(options.scanSteps + 1)")
    }
    let networks = statistics.first?.networkCount ?? 0
    guard networks >= Self.minimumNetworks,
      statistics.allSatisfy({ $0.networkCount == networks })
    else {
      throw EvaluationError(
        "at least \(Self.minimumNetworks) networks per width are needed, the same at every width")
    }
    let layout = SampleIndexLayout(sampleCount: base.sampleCount)
    for (step, stats) in statistics.enumerated() {
      guard stats.widths == Self.widths(base, step: step), stats.layout == layout else {
        throw EvaluationError("the statistics of scan step \(step + 1) are for another network")
      }
    }
    let theory = try theory ?? self.theory(base, options: options)
    guard theory.count == statistics.count else {
      throw EvaluationError(
        "the theory covers \(theory.count) widths, the statistics \(statistics.count)")
    }
    let scans = statistics.enumerated().map { step, stats in
      (widths: Self.widths(base, step: step), theory: theory[step], mc: stats.estimates())
    }
    var rows: [Row] = []
    let depth = base.depth
    // Only derived statistics are compared. Without a correction, the metric is compared at
    // leading order (its residual is then O(1/n)).
    let estimators = try self.estimators()
    let metric = estimators.metric.name
    let correction = estimators.correction?.name
    for l in 1...depth {
      // The width suppressing layer ℓ's finite-width tensors: n_{ℓ−1} (n₀ for layer 1).
      func suppression(_ widths: [Int]) -> Double {
        Double(l == 1 ? base.inputDimension : widths[l - 2])
      }
      for (p, (a, b)) in layout.pairs.enumerated() {
        var kPoints: [Point] = []
        var gPoints: [Point] = []
        for scan in scans {
          let t = scan.theory[l - 1]
          let n = suppression(scan.widths)
          // E[Ĝ] estimates the same E[z z] with lower variance (exact for layer 1).
          let est = l == 1 ? scan.mc[l - 1].kernel[p] : scan.mc[l - 1].metricMean[p]
          let k = t.values(of: metric)[a, b]
          let g = correction.map { t.values(of: $0)[a, b] } ?? 0
          let nlo = k + g / n
          kPoints.append(
            Point(
              width: scan.widths[0], leadingOrder: k, theory: nlo, estimate: est,
              scaledResidual: (est.value - nlo) * n * n))
          let gEstimate = Estimate(
            value: n * (est.value - k), standardError: n * est.standardError)
          gPoints.append(
            Point(
              width: scan.widths[0], leadingOrder: 0, theory: g, estimate: gEstimate,
              scaledResidual: (gEstimate.value - g) * n))
        }
        rows.append(
          row(
            estimators.metric, l, [a, b], order: correction != nil || l == 1 ? 2 : 1, kPoints,
            options))
        if l > 1, let c = estimators.correction {
          rows.append(row(c, l, [a, b], order: 1, gPoints, options))
        }
      }
      guard l > 1, let vertex = estimators.vertex else { continue }
      for (q, (p1, p2)) in layout.pairPairs.enumerated() {
        let (a, b) = layout.pairs[p1]
        let (c, d) = layout.pairs[p2]
        var points: [Point] = []
        for scan in scans {
          let t = scan.theory[l - 1]
          let n = suppression(scan.widths)
          let raw = scan.mc[l - 1].fourPoint[q]
          let est = Estimate(value: n * raw.value, standardError: n * raw.standardError)
          let v = t.values(of: vertex.name)[a, b, c, d]
          points.append(
            Point(
              width: scan.widths[0], leadingOrder: v, theory: v, estimate: est,
              scaledResidual: (est.value - v) * n))
        }
        rows.append(row(vertex, l, [a, b, c, d], order: 1, points, options))
      }
    }
    if let ntkEstimators = estimators.ntk {
      guard let ntk else {
        throw EvaluationError(
          "the model derives NTK statistics, and the Monte-Carlo statistics have no tangent kernel")
      }
      let rates = try NetworkLowering(model: model, derivation: derivation).ntkLearningRates(base)
      for (step, entry) in ntk.enumerated() where step < statistics.count {
        guard entry.base == statistics[step], entry.learningRates == rates else {
          throw EvaluationError(
            "the NTK statistics of scan step \(step + 1) are for other networks or learning rates")
        }
      }
      let ntkRows = try self.ntkRows(
        base, estimators: ntkEstimators, statistics: ntk, theory: theory, options: options)
      rows = (1...depth).flatMap { l in
        rows.filter { $0.layer == l } + ntkRows.filter { $0.layer == l }
      }
    } else if ntk != nil {
      throw EvaluationError("NTK statistics for a model that derives none")
    }
    return Report(
      widths: scans.map(\.widths), rows: rows, networks: networks, seed: options.seed,
      negativeControl: options.negativeControl, estimators: estimators)
  }

  func row(
    _ statistic: Statistic, _ layer: Int, _ indices: [Int], order: Int, _ points: [Point],
    _ options: Options
  ) -> Row {
    // Weighted least squares of r(n) = a + b·n^{−p} over the scan; a is the residual at n → ∞.
    var sw = 0.0, sx = 0.0, sxx = 0.0, sr = 0.0, sxr = 0.0
    var exact = true
    for p in points {
      let r = p.estimate.value - p.theory
      let se = p.estimate.standardError
      if se > 0 { exact = false }
      let w = 1 / max(se * se, 1e-300)
      let x = pow(Double(p.width), -Double(order))
      sw += w
      sx += w * x
      sxx += w * x * x
      sr += w * r
      sxr += w * x * r
    }
    let limit: Estimate
    let det = sw * sxx - sx * sx
    if points.count >= 2 && det > 0 && !exact {
      limit = Estimate(value: (sxx * sr - sx * sxr) / det, standardError: (sxx / det).squareRoot())
    } else {
      let last = points[points.count - 1]
      limit = Estimate(
        value: last.estimate.value - last.theory, standardError: last.estimate.standardError)
    }
    // Goodness of fit: χ² of the residuals about the fitted a + b·n^{−p}.
    var chiSquare = 0.0
    let degreesOfFreedom = exact ? 0 : max(0, points.count - 2)
    if degreesOfFreedom > 0 {
      let b = (sw * sxr - sx * sr) / det
      for p in points {
        let fit = limit.value + b * pow(Double(p.width), -Double(order))
        let z = (p.estimate.value - p.theory - fit) / p.estimate.standardError
        chiSquare += z * z
      }
    }
    let fitProbability =
      degreesOfFreedom > 0
      ? ChiSquareDistribution(degreesOfFreedom: degreesOfFreedom).survival(chiSquare) : 1
    let scale = max(1, abs(points.last?.theory ?? 0))
    let limitPassed =
      abs(limit.value) <= options.zThreshold * limit.standardError
      || abs(limit.value) <= 1e-12 * scale
    return Row(
      quantity: statistic.name, symmetry: statistic.symmetry, layer: layer, indices: indices,
      residualOrder: order, points: points,
      limitResidual: limit, chiSquare: chiSquare, degreesOfFreedom: degreesOfFreedom,
      fitProbability: fitProbability,
      detectable: (options.zThreshold + 1.645) * limit.standardError,
      passed: limitPassed && fitProbability >= options.fitProbabilityThreshold)
  }
}
