import Derivation
import Sampling

extension NetworkLowering {
  /// The learning rates the model declares, as the NTK sampler takes them: `λ_b` of the bias
  /// families and `λ_W` (the rate of one weight times its fan-in) of the weight families, which
  /// must be the same in the first map and the recursion step at the widths of `p` (a family
  /// without a learning rate is not trained: rate 0).
  public func ntkLearningRates(_ p: NumericParameters) throws -> NTKLearningRates {
    var bias: Double?
    var weights: Double?
    func agree(_ value: Double, _ slot: inout Double?, _ what: String) throws {
      if let known = slot, abs(known - value) > 1e-12 * max(1, abs(known)) {
        throw EvaluationError(
          "the NTK sampler needs one learning rate for every \(what) family of every layer")
      }
      slot = value
    }
    let maps = [
      (model.firstFamilies, model.firstLearningRates, 0),
      (model.families, model.learningRates, Swift.min(1, p.depth - 1)),
    ]
    for (families, rates, layer) in maps where layer < p.depth {
      for family in families {
        var rate = 0.0
        if let expression = rates[family.head] {
          for term in expression.terms { rate += try scalarValue(term, layer: layer, p) }
        }
        switch family.first.count {
        case 1: try agree(rate, &bias, "bias")
        case 2:
          try agree(rate * (try width(of: family.first[1], layer: layer, p)), &weights, "weight")
        default:
          throw EvaluationError(
            "the NTK sampler supports bias and weight-matrix families only ('\(family.head.name)')")
        }
      }
    }
    return NTKLearningRates(bias: bias ?? 0, weights: weights ?? 0)
  }

  /// The NTK sampler of the network the model describes (the MLP family: biases and one weight
  /// term per layer), with the learning rates the model declares.
  public func ntkSampler(_ p: NumericParameters, learningRates: NTKLearningRates) throws
    -> NTKSampler
  {
    let specification = try specification(p)
    do {
      return try NTKSampler(specification, learningRates: learningRates)
    } catch {
      throw EvaluationError("the NTK cannot be sampled for this model: \(error)")
    }
  }
}

extension CrossValidation {
  /// The NTK sampler's statistics of networks `networks` at every width of the scan (seeds
  /// ``stepSeed(_:step:)``, as ``sample(_:options:networks:progress:)``), each with the ordinary
  /// statistics of the same networks in ``Sampling/NTKSamplingStatistics/base`` (so K, G¹, V and
  /// the NTK come from one run). Every sampler is built and its memory checked before any network
  /// is drawn; `progress` is called before each width.
  public func sampleNTK(
    _ base: NumericParameters, options: Options, networks: Range<Int>,
    learningRates: NTKLearningRates, progress: (Int, Int, [Int]) -> Void = { _, _, _ in }
  ) throws -> [NTKSamplingStatistics] {
    try Self.checkScan(options, networks: networks)
    let lowering = NetworkLowering(model: model, derivation: derivation)
    return try sampleScan(
      base, options: options, networks: networks, progress: progress,
      makeSampler: { try lowering.ntkSampler($0, learningRates: learningRates) },
      memory: { $0.estimatedMemory(networks: networks.count, threads: options.threads) },
      memoryRefusal: { widths, memory in
        "sampling the NTK at widths \(widths) needs about \(Int(memory / 1_048_576)) MiB of memory; the limit is \(Int(Self.maximumMemory / 1_073_741_824)) GiB: use fewer --threads, smaller widths or a smaller --scan"
      },
      draw: { sampler, seed in
        sampler.ntkStatistics(seed: seed, networks: networks, threads: options.threads)
      })
  }

  /// The NTK's rows of a check: theory against the ``Sampling/NTKSampler`` statistics of the
  /// scan (one ``Sampling/NTKSamplingStatistics`` per step, same widths as the theory), with the
  /// verdict of ``row`` (fit over the scan, limit and χ² tests), as for K, G¹ and V:
  ///
  /// * the mean Θ, per pair `a ≤ b`: `E[Ĥ_ii]` (the conditional mean H̄, see ``Sampling/NTKSampler``)
  ///   against Θ + Θ¹/m when the model derives Θ¹ (residual O(m⁻²)), else against Θ (O(m⁻¹));
  ///   exact at layer 1 (compared with standard error 0: its spread over networks is rounding);
  /// * Θ¹ (layers ≥ 2): `m(E[Ĥ_ii] − Θ)` against Θ¹, residual O(m⁻¹);
  /// * A (pairs of pairs), D (pair × pair), B and F (all `S⁴` index combinations), layers ≥ 2:
  ///   `m ×` the estimate against the statistic, residual O(m⁻¹).
  ///
  /// `m = n_{ℓ−1}` (`n0` for layer 1). A negative control (``Options/negativeControl``) is in
  /// `theory` already (evaluated with the statistic removed).
  public func ntkRows(
    _ base: NumericParameters, estimators: NTKEstimators, statistics: [NTKSamplingStatistics],
    theory: [[RecursionValues]], options: Options
  ) throws -> [Row] {
    guard statistics.count == theory.count, statistics.count == options.scanSteps + 1 else {
      throw EvaluationError("the NTK statistics do not cover the width scan")
    }
    let layout = SampleIndexLayout(sampleCount: base.sampleCount)
    for (step, stats) in statistics.enumerated() {
      guard stats.widths == Self.widths(base, step: step), stats.layout == layout else {
        throw EvaluationError("the NTK statistics of scan step \(step + 1) are for another network")
      }
    }
    let scans = statistics.enumerated().map { step, stats in
      (widths: Self.widths(base, step: step), theory: theory[step], mc: stats.estimates())
    }
    var rows: [Row] = []
    let s = base.sampleCount
    let all = (0..<(s * s * s * s)).map { q in [q / (s * s * s), q / (s * s) % s, q / s % s, q % s]
    }
    for l in 1...base.depth {
      if let mean = estimators.mean {
        for (a, b) in layout.pairs {
          var points: [Point] = []
          var corrections: [Point] = []
          for scan in scans {
            let t = scan.theory[l - 1]
            let e = scan.mc[l - 1]
            let m = Double(e.fanIn)
            // Layer 1's NTK is deterministic (no drawn parameter enters it): its spread over
            // networks is rounding, so it is compared as exact (standard error 0).
            let raw = e.estimate(.mean, [a, b])
            let estimate = l == 1 ? Estimate(value: raw.value, standardError: 0) : raw
            let theta = t.values(of: mean.name)[a, b]
            let theta1 = estimators.meanCorrection.map { t.values(of: $0.name)[a, b] } ?? 0
            let nlo = theta + theta1 / m
            points.append(
              Point(
                width: scan.widths[0], leadingOrder: theta, theory: nlo, estimate: estimate,
                scaledResidual: (estimate.value - nlo) * m * m))
            let c = Estimate(
              value: m * (estimate.value - theta), standardError: m * estimate.standardError)
            corrections.append(
              Point(
                width: scan.widths[0], leadingOrder: 0, theory: theta1, estimate: c,
                scaledResidual: (c.value - theta1) * m))
          }
          let order = estimators.meanCorrection != nil || l == 1 ? 2 : 1
          rows.append(row(mean, l, [a, b], order: order, points, options))
          if l > 1, let correction = estimators.meanCorrection {
            rows.append(row(correction, l, [a, b], order: 1, corrections, options))
          }
        }
      }
      guard l > 1 else { continue }
      let fourIndex: [(Statistic?, NTKStatistic, [[Int]])] = [
        (
          estimators.diagonalCovariance, .diagonalCovariance,
          layout.pairPairs.map {
            [
              layout.pairs[$0.0].0, layout.pairs[$0.0].1, layout.pairs[$0.1].0,
              layout.pairs[$0.1].1,
            ]
          }
        ),
        (estimators.offDiagonalCovariance, .offDiagonalCovariance, all),
        (
          estimators.diagonalCrossCorrelation, .diagonalCrossCorrelation,
          layout.pairs.flatMap { p in layout.pairs.map { [p.0, p.1, $0.0, $0.1] } }
        ),
        (estimators.offDiagonalCrossCorrelation, .offDiagonalCrossCorrelation, all),
      ]
      for (statistic, kind, indexSets) in fourIndex {
        guard let statistic else { continue }
        for indices in indexSets {
          var points: [Point] = []
          for scan in scans {
            let e = scan.mc[l - 1]
            let estimate = e.estimate(kind, indices)
            let value = scan.theory[l - 1].values(of: statistic.name)[indices: indices]
            points.append(
              Point(
                width: scan.widths[0], leadingOrder: value, theory: value, estimate: estimate,
                scaledResidual: (estimate.value - value) * Double(e.fanIn)))
          }
          rows.append(row(statistic, l, indices, order: 1, points, options))
        }
      }
    }
    return rows
  }
}
