import Dispatch
import Foundation
import Numerics

/// A weights sampler that also computes every drawn network's exact neural tangent kernel, layer
/// by layer, and accumulates the statistics of FORMULAS.md §12 (`Θ + Θ¹/n`, `A`, `B`, `D`, `F`).
///
/// ## Networks
///
/// The MLP family of ``NetworkSpecification``: every layer is any number of bias terms plus
/// exactly one weight term `W_{ij} f(source_{j;α})` (`f` = σ, the identity, or the inputs in
/// layer 1). Other specifications are refused (``NetworkSpecificationError/invalidProgram(layer:reason:)``).
/// The preactivations are those of ``GeneralWeightsSampler`` on `NetworkProgram(specification)`
/// (the referee `derive check` runs), with the same draw order — per layer, term by term, one
/// ``Xoshiro256PlusPlus/fillStandardNormals(_:count:)`` per term: `n` for a bias, `n·n_prev`
/// (row-major) for the weights; only the order of the floating-point sums differs. The ordinary statistics (``NTKSamplingStatistics/base``)
/// come from the same networks.
///
/// ## The NTK of a drawn network (FORMULAS.md §11)
///
/// With learning rates ``NTKLearningRates`` (`λ_b`; `λ_W/m` for a weight of fan-in `m`):
/// `Ĥ^(1)_{i₁i₂;α₁α₂} = δ_{i₁i₂}(Σ_biases λ_b + λ_W x_{α₁}·x_{α₂}/n₀)` and
///
///     Ĥ^(ℓ+1)_{α₁α₂} = c_{α₁α₂} 𝟙 + W M^{α₁α₂} Wᵀ,   c = Σ_biases λ_b + (λ_W/m) Σ_j f_{j;α₁} f_{j;α₂},
///     M^{α₁α₂}_{jk} = f'_{j;α₁} Ĥ^(ℓ)_{jk;α₁α₂} f'_{k;α₂},
///
/// the exact forward recursion (chain rule through `z^(ℓ+1) = b + W f(z^(ℓ))`), with the drawn
/// `W` (`n × m`). Each pair `α₁ ≤ α₂` costs `2nm²`-ish multiply–adds; `Ĥ_{α₂α₁} = Ĥ_{α₁α₂}ᵀ`.
/// This is `O(n³)` per layer against the preactivations' `O(n²)`: the NTK is never computed
/// unless this sampler is used.
///
/// ## Estimators: exact conditional expectations (Rao–Blackwell)
///
/// Layer ℓ+1's statistics are recorded as expectations over `W^(ℓ+1)` and `b^(ℓ+1)` *given* the
/// drawn layer ℓ (`f`, `f'`, `Ĥ^(ℓ)`), computed in closed form. Each is an unbiased estimator
/// of the same expectation as the corresponding statistic of the drawn `Ĥ^(ℓ+1)` (tower rule),
/// with lower variance. With `C = C_W` the weight variance, `w_i` row `i` of `W`,
/// `E[w_{ij} w_{kl}] = δ_{ik} δ_{jl} C/m`, rows independent of each other and of the biases:
///
/// * `H̄_{α₁α₂} = E[Ĥ_{ii} | ℓ] = c + (C/m) tr M^{α₁α₂}` — FORMULAS.md §12's `H̄`. Unbiased for
///   `E[Ĥ_{ii}] = Θ + Θ¹/m + O(m⁻²)`; `Θ¹` is read off the width scan as `m(E − Θ)`, like `G¹`.
/// * `Ĝ_{α₃α₄} = E[z_k z_k | ℓ] = Σ C_b + (C/m) Σ_j f_{j;α₃} f_{j;α₄}`.
/// * For `i ≠ k`, `Ĥ_{ii}` and `(z_k, Ĥ_{kk})` are independent given layer ℓ (different rows),
///   so `Cov(Ĥ_{ii;12}, Ĥ_{kk;34}) = Cov(H̄_{12}, H̄_{34})` and
///   `Cov(Ĥ_{ii;12}, z_{k;3} z_{k;4}) = Cov(H̄_{12}, Ĝ_{34})`: exactly `A/m` and `D/m`
///   (FORMULAS.md §12 with `i₁ = i₂ ≠ i₃ = i₄`, where only the `δ_{i₁i₂}δ_{i₃i₄}` term
///   survives). The estimators are the unbiased sample covariances of `H̄` and `(H̄, Ĝ)`.
/// * `β_{1234} = E[Ĥ_{ik;12} Ĥ_{ik;34} | ℓ] = E[(w_iᵀ M¹² w_k)(w_iᵀ M³⁴ w_k)] =
///   (C/m)² Σ_{jk} M¹²_{jk} M³⁴_{jk}` for `i ≠ k` (Isserlis on the independent rows `w_i`, `w_k`;
///   the `c 𝟙` part is off the diagonal zero). Unbiased for `B_{1234}/m` (only
///   `δ_{i₁i₃}δ_{i₂i₄}` survives at `i₁ = i₃ ≠ i₂ = i₄`).
/// * `φ_{1234} = E[Ĥ_{ik;12} z_{i;3} z_{k;4} | ℓ] = E[(w_iᵀ M¹² w_k)(w_i·f₃)(w_k·f₄)] =
///   (C/m)² f₃ᵀ M¹² f₄` for `i ≠ k` (the biases are independent and centred). Unbiased for
///   `F_{1234}/m`.
///
/// All are unbiased at any width (the estimators of the exact finite-width expectations); their
/// difference from the leading-order theory is `O(1/m)`, removed by the width scan. Layer 1 is
/// deterministic: `H̄` is the constant `Θ^(1)` and β = φ = 0 (`Ĥ^(0) = 0`).
///
/// The drawn NTK's own diagonal mean is recorded too (``NTKLayerEstimates/directMean``): same
/// expectation as `H̄`, a check of the conditional identity on every run.
public struct NTKSampler: NetworkSampler {
  public let specification: NetworkSpecification
  public let learningRates: NTKLearningRates
  public let layout: SampleIndexLayout
  public let ntkLayout: NTKStatisticsLayout
  public var widths: [Int] { specification.widths }
  let plans: [LayerPlan]
  let inputs: SampleMajorInputs
  let maxWidth: Int

  struct LayerPlan: Sendable {
    enum Draw: Sendable {
      case bias(standardDeviation: Double)
      case weights
    }
    /// Terms in draw order.
    var draws: [Draw] = []
    /// `Σ C_b` and `Σ λ_b` over the bias terms.
    var biasVariance = 0.0
    var biasRate = 0.0
    /// `C_W` of the weight term (the variance of one weight is `C_W/m`).
    var weightVariance = 0.0
    var fanIn = 0
    var source = LayerSource.inputs
  }

  /// A sampler for an MLP-family specification with at most
  /// ``NTKStatisticsLayout/maximumSampleCount`` samples and every width ≥ 2.
  public init(_ specification: NetworkSpecification, learningRates: NTKLearningRates)
    throws(NetworkSpecificationError)
  {
    try specification.validate()
    for (layer, width) in specification.widths.enumerated() where width < 2 {
      throw .widthTooSmallForEstimators(layer: layer, width: width)
    }
    guard specification.sampleCount <= NTKStatisticsLayout.maximumSampleCount else {
      throw .invalidProgram(
        layer: 0,
        reason:
          "the NTK statistics support at most \(NTKStatisticsLayout.maximumSampleCount) inputs")
    }
    guard learningRates.bias.isFinite, learningRates.weights.isFinite else {
      throw .invalidProgram(layer: 0, reason: "the learning rates must be finite")
    }
    self.specification = specification
    self.learningRates = learningRates
    layout = SampleIndexLayout(sampleCount: specification.sampleCount)
    ntkLayout = NTKStatisticsLayout(samples: layout)
    inputs = SampleMajorInputs(specification.inputs)
    var plans: [LayerPlan] = []
    for (index, map) in specification.layers.enumerated() {
      var plan = LayerPlan()
      var weightTerms = 0
      for term in map.terms {
        switch term {
        case .bias(let variance):
          plan.draws.append(.bias(standardDeviation: variance.squareRoot()))
          plan.biasVariance += variance
          plan.biasRate += learningRates.bias
        case .weights(let variance, let source):
          if index > 0, source == .inputs {
            throw .invalidProgram(
              layer: index, reason: "the NTK sampler has no weights on the inputs beyond layer 1")
          }
          weightTerms += 1
          plan.draws.append(.weights)
          plan.weightVariance = variance
          plan.source = source
          plan.fanIn = specification.fanIn(of: source, inLayer: index)
        }
      }
      guard weightTerms == 1 else {
        throw .invalidProgram(
          layer: index, reason: "the NTK sampler needs exactly one weight term per layer")
      }
      plans.append(plan)
    }
    self.plans = plans
    maxWidth = Swift.max(specification.widths.max() ?? 0, specification.inputDimension)
  }

  /// Per layer: the preactivation and metric blocks (as every sampler) and the NTK block.
  var blockLength: Int { layout.pairCount + layout.fourPointCount }
  var statisticsLength: Int { widths.count * (2 * blockLength + ntkLayout.dimension) }

  func makeWorkspace() -> NTKWorkspace {
    NTKWorkspace(
      maxWidth: maxWidth, sampleCount: layout.sampleCount, pairCount: layout.pairCount,
      statisticsLength: statisticsLength)
  }

  /// The preactivation statistics of the same networks (the NTK is computed and discarded: use
  /// ``ntkStatistics(seed:networks:threads:)``).
  public func statistics(seed: UInt64, networks: Range<Int>, threads: Int?) -> SamplingStatistics {
    ntkStatistics(seed: seed, networks: networks, threads: threads).base
  }

  public func preactivations(seed: UInt64, network: Int) -> [LayerPreactivations] {
    let workspace = makeWorkspace()
    var result: [LayerPreactivations] = []
    let s = layout.sampleCount
    simulate(network: network, seed: seed, workspace: workspace) { layer, z, _ in
      let n = widths[layer]
      result.append(
        LayerPreactivations(
          width: n, sampleCount: s, values: Array(UnsafeBufferPointer(start: z, count: n * s))))
    }
    return result
  }

  /// The NTK of every layer of network `network` of the run with `seed`: per layer, the
  /// `S × S` blocks `ntk[α₁][α₂]`, each `n × n` row-major (`Ĥ_{i₁i₂;α₁α₂}` at `i₁·n + i₂`).
  public func tangentKernels(seed: UInt64, network: Int) -> [[[[Double]]]] {
    let workspace = makeWorkspace()
    var result: [[[[Double]]]] = []
    let s = layout.sampleCount
    simulate(network: network, seed: seed, workspace: workspace) { layer, _, ntk in
      let n = widths[layer]
      result.append(
        (0..<s).map { a in
          (0..<s).map { b in
            Array(UnsafeBufferPointer(start: ntk(a, b), count: n * n))
          }
        })
    }
    return result
  }

  /// An upper estimate, in bytes, of the memory ``ntkStatistics(seed:networks:threads:)`` holds
  /// at once.
  public func estimatedMemory(networks: Int, threads: Int?) -> Double {
    let workers = Double(samplingWorkerCount(threads: threads, networks: networks))
    let workspace = Double(
      NTKWorkspace.doubles(
        maxWidth: maxWidth, sampleCount: layout.sampleCount, pairCount: layout.pairCount,
        statisticsLength: statisticsLength))
    let rows = Double(SamplingStatistics.chunkSize) * Double(statisticsLength)
    let pattern = layout.momentPattern
    let ntkPattern = CoMomentPattern.ntk(ntkLayout)
    let moments =
      Double(widths.count)
      * Double(
        2 * (pattern.dimension + pattern.entryCount) + ntkPattern.dimension
          + ntkPattern.entryCount)
    let chunks = Double(
      (Swift.max(0, networks) + SamplingStatistics.chunkSize - 1) / SamplingStatistics.chunkSize)
    let wave = Swift.min(chunks, 8 * workers)
    return 8 * (workers * (workspace + rows) + (wave + 1) * moments)
  }

  /// Sufficient statistics of networks `networks` of the run with `seed` on `threads` workers
  /// (default: all active processors): the same chunked, ordered driver as the other samplers
  /// (chunks aligned to network 0), so the result is bitwise independent of `threads`, and
  /// disjoint ranges of whole chunks merge bit for bit into the single run's statistics (the
  /// base statistics as ``SamplingStatistics`` blocks, the NTK moments as
  /// ``NTKStatisticsBlock``s over the same tree).
  public func ntkStatistics(seed: UInt64, networks: Range<Int>, threads: Int? = nil)
    -> NTKSamplingStatistics
  {
    var total = NTKSamplingStatistics(
      layout: layout, widths: widths, inputDimension: specification.inputDimension,
      learningRates: learningRates)
    // Chunks aligned to network 0, as the other samplers' (so `base` merges bit for bit).
    forEachChunkInOrder(
      networks: networks, threads: threads, makeWorkspace: { makeWorkspace() },
      sample: { range, workspace in sampleChunk(seed: seed, networks: range, workspace: workspace)
      },
      consume: { c, range, chunk in
        total.base.appendChunk(
          c, networks: range,
          layers: widths.indices.map { layer in
            LayerStatistics(
              layer: layer + 1, width: widths[layer], preactivation: chunk.preactivation[layer],
              metric: chunk.metric[layer])
          })
        total.appendChunk(c, networks: range, moments: chunk.ntk)
      })
    total.base.finishAppending()
    total.finishAppending()
    return total
  }

  private func sampleChunk(seed: UInt64, networks: Range<Int>, workspace: NTKWorkspace)
    -> NTKChunkMoments
  {
    let length = statisticsLength
    let block = blockLength
    let e = ntkLayout.dimension
    let depth = widths.count
    let count = networks.count
    let rows = UnsafeMutablePointer<Double>.allocate(capacity: count * length)
    defer { rows.deallocate() }
    for (r, network) in networks.enumerated() {
      simulate(network: network, seed: seed, workspace: workspace, observe: nil)
      (rows + r * length).update(from: workspace.statistics, count: length)
    }
    var chunk = NTKChunkMoments(preactivation: [], metric: [], ntk: [])
    let pattern = layout.momentPattern
    let ntkPattern = CoMomentPattern.ntk(ntkLayout)
    for layer in 0..<depth {
      chunk.preactivation.append(
        SampleMoments(
          rows: rows, count: count, stride: length, offset: layer * 2 * block, pattern: pattern))
      chunk.metric.append(
        SampleMoments(
          rows: rows, count: count, stride: length, offset: layer * 2 * block + block,
          pattern: pattern))
      chunk.ntk.append(
        SampleMoments(
          rows: rows, count: count, stride: length, offset: depth * 2 * block + layer * e,
          pattern: ntkPattern))
    }
    return chunk
  }

  /// Samples network `network` (generator `Xoshiro256PlusPlus(seed: seed, stream: network)`),
  /// writes its statistics row into `workspace.statistics` and hands each layer's
  /// preactivations and NTK blocks to `observe`.
  func simulate(
    network: Int, seed: UInt64, workspace w: NTKWorkspace,
    observe: ((Int, UnsafePointer<Double>, (Int, Int) -> UnsafePointer<Double>) -> Void)?
  ) {
    var generator = Xoshiro256PlusPlus(seed: seed, stream: UInt64(truncatingIfNeeded: network))
    let s = layout.sampleCount
    let block = blockLength
    let e = ntkLayout.dimension
    let depth = widths.count
    inputs.values.withUnsafeBufferPointer { inputBuffer in
      guard let x = inputBuffer.baseAddress else { preconditionFailure("validated: inputs") }
      for layer in 0..<depth {
        let plan = plans[layer]
        let n = widths[layer]
        let m = plan.fanIn
        let out = w.statistics + depth * 2 * block + layer * e
        let hasPreviousNTK = layer > 0
        // f and f' of the previous layer (sample-major, m per sample).
        let f: UnsafePointer<Double>
        switch plan.source {
        case .inputs:
          f = x
        case .preactivation:
          for k in 0..<(m * s) { w.slope[k] = 1 }
          f = UnsafePointer(w.previous)
        case .activation(let sigma):
          sigma.apply(
            UnsafeBufferPointer(start: w.previous, count: m * s),
            into: UnsafeMutableBufferPointer(start: w.source, count: m * s))
          for k in 0..<(m * s) { w.slope[k] = sigma.derivative(w.previous[k], order: 1) }
          f = UnsafePointer(w.source)
        }
        let variance = plan.weightVariance / Double(m)
        let rate = learningRates.weights / Double(m)
        // Ĝ and the parameter part c of the new NTK.
        for a in 0..<s {
          for b in a..<s {
            let dot = SamplingVectorKernels.dot(f + a * m, f + b * m, count: m)
            w.metric[a * s + b] = plan.biasVariance + variance * dot
            w.metric[b * s + a] = w.metric[a * s + b]
            w.parameterPart[a * s + b] = plan.biasRate + rate * dot
            w.parameterPart[b * s + a] = w.parameterPart[a * s + b]
          }
        }
        // M^{ab} = f'_a Ĥ_{ab} f'_b for every ordered pair.
        if hasPreviousNTK {
          for a in 0..<s {
            for b in 0..<s {
              let h = w.previousNTKMatrix(a, b, samples: s)
              let target = w.weightedMatrix(a, b, samples: s)
              let da = w.slope + a * m
              let db = w.slope + b * m
              for j in 0..<m {
                let dj = da[j]
                let row = j * m
                for k in 0..<m { target[row + k] = dj * h[row + k] * db[k] }
              }
            }
          }
        }
        recordConditionalStatistics(
          into: out, source: f, fanIn: m, variance: variance, hasPreviousNTK: hasPreviousNTK,
          workspace: w)
        // Draw the layer's parameters (WeightsSampler's order) and form z.
        let current = w.current
        current.update(repeating: 0, count: n * s)
        for draw in plan.draws {
          switch draw {
          case .bias(let standardDeviation):
            generator.fillStandardNormals(w.bias, count: n)
            for a in 0..<s {
              let za = current + a * n
              for i in 0..<n { za[i] += standardDeviation * w.bias[i] }
            }
          case .weights:
            generator.fillStandardNormals(w.weights, count: n * m)
            let scale = variance.squareRoot()
            for a in 0..<s {
              for i in 0..<n {
                current[a * n + i] +=
                  scale * SamplingVectorKernels.dot(w.weights + i * m, f + a * m, count: m)
              }
            }
          }
        }
        // The new NTK: c 𝟙 + (C/m) U M Uᵀ with U the standard-normal weights. The last layer's
        // off-diagonal entries are needed by nobody unless observed: only its diagonal is formed.
        let full = observe != nil || layer + 1 < depth
        if hasPreviousNTK {
          let u = w.weights
          let transposed = w.transposedWeights
          for i in 0..<n { for j in 0..<m { transposed[j * n + i] = u[i * m + j] } }
        }
        for a in 0..<s {
          for b in a..<s {
            let target = w.ntkMatrix(a, b, samples: s)
            if hasPreviousNTK {
              Self.sandwich(
                w.weights, w.transposedWeights, w.weightedMatrix(a, b, samples: s), rows: n,
                inner: m, scale: variance, previousIsDiagonal: layer == 1, full: full,
                product: w.product, into: target)
            } else {
              target.update(repeating: 0, count: n * n)
            }
            let c = w.parameterPart[a * s + b]
            for i in 0..<n { target[i * n + i] += c }
            if a != b, full {
              let transpose = w.ntkMatrix(b, a, samples: s)
              for i in 0..<n { for k in 0..<n { transpose[k * n + i] = target[i * n + k] } }
            }
          }
        }
        for (p, pair) in layout.pairs.enumerated() {
          let h = w.ntkMatrix(pair.0, pair.1, samples: s)
          var trace = 0.0
          for i in 0..<n { trace += h[i * n + i] }
          out[ntkLayout.directMeanOffset + p] = trace / Double(n)
        }
        let base = w.statistics + layer * 2 * block
        SamplingVectorKernels.preactivationStatistics(
          current, width: n, layout: layout, products: w.products, into: base)
        SamplingVectorKernels.metricStatistics(w.metric, layout: layout, into: base + block)
        observe?(layer, current) { a, b in UnsafePointer(w.ntkMatrix(a, b, samples: s)) }
        w.advance()
      }
    }
  }

  /// The NTK block's conditional statistics of the new layer from the previous one (see the
  /// type's documentation): `H̄`, `Ĝ`, their products, β and φ.
  private func recordConditionalStatistics(
    into out: UnsafeMutablePointer<Double>, source f: UnsafePointer<Double>, fanIn m: Int,
    variance: Double, hasPreviousNTK: Bool, workspace w: NTKWorkspace
  ) {
    let s = layout.sampleCount
    let pairCount = layout.pairCount
    let l = ntkLayout
    for (p, pair) in layout.pairs.enumerated() {
      var trace = 0.0
      if hasPreviousNTK {
        let mm = w.weightedMatrix(pair.0, pair.1, samples: s)
        for j in 0..<m { trace += mm[j * m + j] }
      }
      out[l.meanOffset + p] = w.parameterPart[pair.0 * s + pair.1] + variance * trace
      out[l.metricOffset + p] = w.metric[pair.0 * s + pair.1]
    }
    for (index, pq) in layout.pairPairs.enumerated() {
      out[l.meanProductOffset + index] = out[l.meanOffset + pq.0] * out[l.meanOffset + pq.1]
    }
    for p in 0..<pairCount {
      for q in 0..<pairCount {
        out[l.crossProductOffset + p * pairCount + q] =
          out[l.meanOffset + p] * out[l.metricOffset + q]
      }
    }
    guard hasPreviousNTK else {
      (out + l.offDiagonalOffset).update(repeating: 0, count: 2 * l.quadCount)
      return
    }
    let squared = variance * variance
    for a in 0..<s {
      for b in 0..<s {
        let left = w.weightedMatrix(a, b, samples: s)
        for c in 0..<s {
          for d in 0..<s {
            out[l.offDiagonalOffset + l.quadIndex(a, b, c, d)] =
              squared
              * SamplingVectorKernels.dot(left, w.weightedMatrix(c, d, samples: s), count: m * m)
          }
        }
        // v_c = f_cᵀ M^{ab}, then φ_{abcd} = v_c · f_d.
        for c in 0..<s {
          let v = w.vectors + c * m
          v.update(repeating: 0, count: m)
          let fc = f + c * m
          for j in 0..<m { Self.addScaled(fc[j], left + j * m, to: v, count: m) }
        }
        for c in 0..<s {
          for d in 0..<s {
            out[l.offDiagonalCrossOffset + l.quadIndex(a, b, c, d)] =
              squared * SamplingVectorKernels.dot(w.vectors + c * m, f + d * m, count: m)
          }
        }
      }
    }
  }

  /// `y += alpha · x`.
  @inline(__always)
  static func addScaled(
    _ alpha: Double, _ x: UnsafePointer<Double>, to y: UnsafeMutablePointer<Double>, count: Int
  ) {
    guard alpha != 0 else { return }
    for k in 0..<count { y[k] += alpha * x[k] }
  }

  /// `target = scale · U M Uᵀ` (`U` is `rows × inner` with its transpose `ut`, `M` is
  /// `inner × inner`, `target` `rows × rows`), through `product = U M`. With
  /// `previousIsDiagonal` `M` is diagonal (layer 1's NTK is `c 𝟙`), and `U M` scales columns;
  /// without `full` only the diagonal of `target` is written.
  static func sandwich(
    _ u: UnsafePointer<Double>, _ ut: UnsafePointer<Double>, _ m: UnsafePointer<Double>,
    rows n: Int, inner k: Int, scale: Double, previousIsDiagonal: Bool, full: Bool,
    product: UnsafeMutablePointer<Double>, into target: UnsafeMutablePointer<Double>
  ) {
    if previousIsDiagonal {
      for i in 0..<n {
        for j in 0..<k { product[i * k + j] = u[i * k + j] * m[j * k + j] }
      }
    } else {
      multiply(u, m, rows: n, inner: k, columns: k, into: product)
    }
    if full {
      multiply(UnsafePointer(product), ut, rows: n, inner: k, columns: n, into: target)
      for index in 0..<(n * n) { target[index] *= scale }
    } else {
      for i in 0..<n {
        target[i * n + i] =
          scale * SamplingVectorKernels.dot(product + i * k, u + i * k, count: k)
      }
    }
  }

  /// `c = a · b` for row-major `a` (`rows × inner`), `b` (`inner × columns`), `c` (`rows ×
  /// columns`, overwritten): four rows of `c` at a time, each row of `b` read once per block
  /// and added in the vectorisable form `c_i += a_ij b_j` (a fixed summation order).
  static func multiply(
    _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, rows: Int, inner: Int, columns: Int,
    into c: UnsafeMutablePointer<Double>
  ) {
    c.update(repeating: 0, count: rows * columns)
    var i = 0
    while i + 4 <= rows {
      let c0 = c + i * columns
      let c1 = c0 + columns
      let c2 = c1 + columns
      let c3 = c2 + columns
      let a0 = a + i * inner
      for j in 0..<inner {
        let x0 = a0[j]
        let x1 = a0[inner + j]
        let x2 = a0[2 * inner + j]
        let x3 = a0[3 * inner + j]
        let bj = b + j * columns
        for column in 0..<columns {
          let y = bj[column]
          c0[column] += x0 * y
          c1[column] += x1 * y
          c2[column] += x2 * y
          c3[column] += x3 * y
        }
      }
      i += 4
    }
    while i < rows {
      let ci = c + i * columns
      for j in 0..<inner { addScaled(a[i * inner + j], b + j * columns, to: ci, count: columns) }
      i += 1
    }
  }
}

/// Moments of one chunk of an ``NTKSampler`` run, per layer.
private struct NTKChunkMoments: Sendable {
  var preactivation: [SampleMoments]
  var metric: [SampleMoments]
  var ntk: [SampleMoments]
}
