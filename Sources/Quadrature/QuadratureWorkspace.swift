import Foundation
import Numerics

/// One run of a ``NestedGaussianQuadrature`` plan: the plan flattened into raw buffers, the
/// scratch memory of the recursion, and the recursion itself (mesh building, node selection,
/// integration).
///
/// Everything the inner loops touch is a raw pointer allocated once per run, so the loops are
/// free of bounds checks and reference counting. The workspace never escapes `run()`, which
/// deallocates it.
struct QuadratureWorkspace {
  // Shape.
  let dimension: Int
  let rank: Int
  let monomialCount: Int
  let maximumDegree: Int

  // Options.
  let truncation: Double
  let gradingRatio: Double
  let maximumPieceLength: Double
  let fixedNodes: Int?

  // The plan, flattened. Per-level lists are stored contiguously with start offsets.
  let lower: UnsafeMutablePointer<Double>  // d × r
  let completedStart: UnsafeMutablePointer<Int>  // r + 1
  let completed: UnsafeMutablePointer<Int>
  let pendingStart: UnsafeMutablePointer<Int>  // r + 1
  let pending: UnsafeMutablePointer<Int>
  let factorStart: UnsafeMutablePointer<Int>  // d + 1
  let factors: UnsafeMutablePointer<GaussianFactor.Function>
  let featureStart: UnsafeMutablePointer<Int>  // r + 1
  let featureCoordinate: UnsafeMutablePointer<Int>
  let featureLocation: UnsafeMutablePointer<Double>
  let featureInverseSlope: UnsafeMutablePointer<Double>
  let featureWidth: UnsafeMutablePointer<Double>
  let oscillation: UnsafeMutablePointer<Double>  // r
  let growth: UnsafeMutablePointer<Double>  // r
  let logPeak: UnsafeMutablePointer<Double>  // r
  let peakLocation: UnsafeMutablePointer<Double>  // r
  /// ``GaussianExpectation/Options/useUniformRule``: also grades the leaf interpolant's initial
  /// pieces by its troubles (off for the reference options, which keep equal pieces).
  let usesUniformLeafPieces: Bool
  /// Per level: integrated by the uniform rule (``NestedGaussianQuadrature/Level/usesUniformRule``).
  let uniformLevel: UnsafeMutablePointer<Bool>  // r
  /// Per level, the strip half-widths a the uniform rule's bound tries and ln M(a) at each
  /// (``uniformStep(level:logTolerance:)``), ``stripCapacity`` slots per level, the unused
  /// ones with a = 0.
  /// With several leaves, one set of strips per leaf, each from the outer coordinates'
  /// features and that leaf's only (each output's integrand is outer × one leaf): the step
  /// is the smallest of the sets' steps.
  let stripWidth: UnsafeMutablePointer<Double>  // r × stripSets × stripCapacity
  let stripLogBound: UnsafeMutablePointer<Double>  // r × stripSets × stripCapacity
  /// The strip sets per level: 1, or the number of leaves.
  let stripSets: Int
  let exponents: UnsafeMutablePointer<Int>  // monomials × r
  let closure: (([Double]) -> Double)?
  /// See ``NestedGaussianQuadrature/foldsOutermostLevel``.
  let foldsOutermostLevel: Bool
  /// ``GaussianExpectation/Options/useParityFolding``: also lets the leaf interpolant use the
  /// parity of its coordinate's factors.
  let usesParity: Bool

  // Gauss–Legendre rules, flattened.
  /// The plan's rule table (kept alive for the pointers below, which point into it).
  let flatRules: GaussLegendreRuleTable.Flat
  let ruleCount: Int
  let ruleStart: UnsafeMutablePointer<Int>
  let ruleOrder: UnsafeMutablePointer<Int>
  let ruleNodes: UnsafeMutablePointer<Double>
  let ruleWeights: UnsafeMutablePointer<Double>
  let maximumOrder: Int

  // Scratch.
  let partial: UnsafeMutablePointer<Double>  // (r + 1) × d: Σ_{m<j} L_{sm}u_m for level j
  let u: UnsafeMutablePointer<Double>  // r
  let accumulators: UnsafeMutablePointer<Double>  // r × monomials
  let breakpoints: UnsafeMutablePointer<Double>  // r × breakpointCapacity
  let centers: UnsafeMutablePointer<Double>  // all features
  let poleRadii: UnsafeMutablePointer<Double>  // features of one level
  let leafU: UnsafeMutablePointer<Double>  // maximum order
  let leafWeight: UnsafeMutablePointer<Double>
  let leafValue: UnsafeMutablePointer<Double>
  let leafScratch: UnsafeMutablePointer<Double>
  let leafZ: UnsafeMutablePointer<Double>  // d × maximum order
  let powers: UnsafeMutablePointer<Double>  // r × (degree + 1)
  var z: [Double]  // d, handed to the closure
  var statistics: NestedGaussianQuadrature.Statistics

  // The static leaf mesh (see `prepareStaticLeaf`): nodes and full weights h·wᵢ·φ(uᵢ), and
  // scratch for the values at them.
  var staticLeafCount = 0
  /// Whether ``prepareStaticLeaf(logTolerance:)`` has run.
  var staticLeafPlanned = false
  let staticLeafU: UnsafeMutablePointer<Double>
  let staticLeafWeight: UnsafeMutablePointer<Double>
  let staticLeafValue: UnsafeMutablePointer<Double>
  let staticLeafScratch: UnsafeMutablePointer<Double>
  let staticLeafZ: UnsafeMutablePointer<Double>
  /// The most nodes a static leaf mesh may have (beyond, the adaptive mesh is used).
  static let staticLeafCapacity = 320
  /// The innermost integral as an interpolated function of its one offset (see
  /// `prepareLeafInterpolant`), when planned; shared with `cache`, when there is one. With
  /// several leaves (``NestedGaussianQuadrature/sharedLeaves``), one per leaf: output m is the
  /// outer product times leaf m's interpolant at the offset of coordinate `leafCoordinates[m]`.
  var leafInterpolants: [SharedLeafInterpolant] = []
  /// The interpolants' views (``leafInterpolants`` keeps their buffers alive).
  var leafViews: [LeafInterpolant] = []
  /// The coordinate each interpolant completes.
  var leafCoordinates: [Int] = []
  /// Interpolants shared with other runs (``NestedGaussianQuadrature/cache``).
  let cache: ExpectationCache?
  /// The options of the plan (part of the cache's key).
  let options: GaussianExpectation.Options
  /// The uniform rule's grids already built, per level, by quantised tolerance (see
  /// ``uniformGrid(level:logTolerance:)``).
  var uniformGrids: [[UniformGrid?]]
  /// Scratch of ``batchCapacity`` values for the batched last outer level.
  var batchCapacity = 0
  var batchZ: UnsafeMutablePointer<Double>
  var batchValue: UnsafeMutablePointer<Double>
  var batchScratch: UnsafeMutablePointer<Double>

  /// The nodes of one uniform grid, in summation order (0, then h, −h, 2h, −2h, …, or 0, h,
  /// 2h, … when the outermost level folds), with their full weights h φ(u) (2h φ(u) for a
  /// folded node k > 0) and the log-importance of the level's weight there. Only nodes whose
  /// importance exceeds the tolerance are kept (the others' inner integrals are negligible).
  struct UniformGrid {
    var nodes: [Double]
    var weights: [Double]
    var importance: [Double]
  }
  /// The troubles of each coordinate's leaf function g(c) = ⟨F_s(c + L_{s,r−1}u)⟩, in units
  /// of c, from the last level's features: a trouble of width w (in z) smoothed by the leaf's
  /// standard deviation |L_{s,r−1}| sits about √(w² + L²) from the axis.
  let leafTroubles: [[LeafInterpolant.Trouble]]

  /// Breakpoints a level may hold (more are dropped, which only coarsens the mesh).
  static let breakpointCapacity = 512
  /// 1/√(2π).
  static let inverseRootTwoPi = 0.39894228040143267794

  init(_ plan: NestedGaussianQuadrature) {
    let d = plan.dimension
    let r = plan.rank
    dimension = d
    rank = r
    monomialCount = plan.monomials.count
    maximumDegree = plan.maximumDegree
    truncation = plan.options.truncation
    gradingRatio = plan.options.gradingRatio
    maximumPieceLength = plan.options.maximumPieceLength
    fixedNodes = plan.options.nodesPerPiece
    closure = plan.closure
    foldsOutermostLevel = plan.foldsOutermostLevel
    usesParity = plan.options.useParityFolding
    usesUniformLeafPieces = plan.options.useUniformRule
    options = plan.options
    cache = plan.cache
    if !plan.sharedLeaves.isEmpty {
      leafInterpolants = plan.sharedLeaves
      leafViews = plan.sharedLeaves.map { $0.interpolant }
      leafCoordinates = Array((d - plan.sharedLeaves.count)..<d)
    }

    func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
      let pointer = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(1, array.count))
      pointer.initialize(from: array, count: array.count)
      return pointer
    }
    func zeros(_ count: Int) -> UnsafeMutablePointer<Double> {
      let pointer = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, count))
      pointer.initialize(repeating: 0, count: Swift.max(1, count))
      return pointer
    }
    /// Scratch that every use writes before it reads: left uninitialised (Double is trivial).
    func scratch(_ count: Int) -> UnsafeMutablePointer<Double> {
      UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, count))
    }
    func offsets(_ counts: [Int]) -> [Int] {
      var result = [0]
      for count in counts { result.append(result[result.count - 1] + count) }
      return result
    }
    let levels = plan.levels
    lower = copy(plan.lower)
    completedStart = copy(offsets(levels.map { $0.completed.count }))
    completed = copy(levels.flatMap { $0.completed })
    pendingStart = copy(offsets(levels.map { $0.pending.count }))
    pending = copy(levels.flatMap { $0.pending })
    factorStart = copy(offsets(plan.functions.map { $0.count }))
    factors = copy(plan.functions.flatMap { $0 })
    let features = levels.flatMap { $0.features }
    featureStart = copy(offsets(levels.map { $0.features.count }))
    featureCoordinate = copy(features.map { $0.coordinate })
    featureLocation = copy(features.map { $0.location })
    featureInverseSlope = copy(features.map { $0.inverseSlope })
    featureWidth = copy(features.map { $0.width })
    oscillation = copy(levels.map { $0.oscillation })
    growth = copy(levels.map { $0.growth })
    logPeak = copy(levels.map { $0.logPeak })
    peakLocation = copy(levels.map { $0.peakLocation })
    uniformLevel = copy(levels.map { $0.usesUniformRule })
    var troubles = [[LeafInterpolant.Trouble]](repeating: [], count: d)
    if let last = levels.last {
      for feature in last.features where feature.width > 0 {
        let slope = 1 / feature.inverseSlope
        troubles[feature.coordinate].append(
          LeafInterpolant.Trouble(
            location: feature.location,
            width: abs(slope) * (feature.width * feature.width + 1).squareRoot(),
            strength: feature.strength))
      }
    }
    leafTroubles = troubles
    uniformGrids = [[UniformGrid?]](repeating: [], count: r)
    batchZ = .allocate(capacity: 1)
    batchValue = .allocate(capacity: 1)
    batchScratch = .allocate(capacity: 1)
    let sets = Swift.max(1, plan.sharedLeaves.count)
    let firstLeaf = d - plan.sharedLeaves.count
    stripSets = sets
    let slots = QuadratureWorkspace.stripCapacity
    var widths = [Double](repeating: 0, count: r * sets * slots)
    var bounds = widths
    // Only the levels that take the uniform rule need their strips.
    for (j, level) in levels.enumerated() where level.usesUniformRule {
      for set in 0..<sets {
        var seen = level
        if !plan.sharedLeaves.isEmpty {
          seen.features = level.features.filter {
            $0.coordinate < firstLeaf || $0.coordinate == firstLeaf + set
          }
        }
        for (slot, strip) in QuadratureWorkspace.strips(of: seen).enumerated() {
          widths[(j * sets + set) * slots + slot] = strip.width
          bounds[(j * sets + set) * slots + slot] = strip.logBound
        }
      }
    }
    stripWidth = copy(widths)
    stripLogBound = copy(bounds)
    exponents = copy(plan.monomials.flatMap { $0 })

    flatRules = plan.rules.flat
    ruleCount = flatRules.count
    ruleStart = flatRules.start
    ruleOrder = flatRules.order
    ruleNodes = flatRules.nodes
    ruleWeights = flatRules.weights
    maximumOrder = plan.rules.maximumOrder

    partial = zeros((r + 1) * d)
    u = zeros(r)
    accumulators = zeros(r * monomialCount)
    breakpoints = scratch(r * QuadratureWorkspace.breakpointCapacity)
    centers = zeros(features.count)
    poleRadii = zeros(levels.map { $0.features.count }.max() ?? 0)
    leafU = scratch(maximumOrder)
    leafWeight = scratch(maximumOrder)
    leafValue = scratch(maximumOrder)
    leafScratch = scratch(maximumOrder)
    leafZ = scratch(d * maximumOrder)
    powers = zeros(r * (maximumDegree + 1))
    z = [Double](repeating: 0, count: d)
    statistics = NestedGaussianQuadrature.Statistics(levelNodes: [Int](repeating: 0, count: r))
    let capacity = QuadratureWorkspace.staticLeafCapacity
    staticLeafU = scratch(capacity)
    staticLeafWeight = scratch(capacity)
    staticLeafValue = scratch(capacity)
    staticLeafScratch = scratch(capacity)
    staticLeafZ = scratch(capacity)
  }

  /// Frees every buffer; the workspace must not be used afterwards.
  func deallocate() {
    factors.deinitialize(count: factorStart[dimension])
    factors.deallocate()
    uniformLevel.deallocate()
    batchZ.deallocate()
    batchValue.deallocate()
    batchScratch.deallocate()
    for pointer in [
      completedStart, completed, pendingStart, pending, factorStart, featureStart,
      featureCoordinate, exponents,
    ] {
      pointer.deallocate()
    }
    for pointer in [
      lower, featureLocation, featureInverseSlope, featureWidth, stripWidth,
      stripLogBound, oscillation,
      growth, logPeak,
      peakLocation, partial, u, accumulators, breakpoints, centers,
      poleRadii, leafU,
      leafWeight, leafValue, leafScratch, leafZ, powers, staticLeafU, staticLeafWeight,
      staticLeafValue, staticLeafScratch, staticLeafZ,
    ] {
      pointer.deallocate()
    }
  }

  /// The outermost accumulators: ⟨u^α F⟩ for every monomial.
  var results: [Double] { (0..<monomialCount).map { accumulators[$0] } }

  // MARK: - Static leaf

  /// Plans one mesh for the innermost level that serves every outer point, when that level is
  /// smooth (every feature a transition of width > 0, no kinks) and a plain expectation is
  /// wanted (one monomial, no closure, no fixed rule).
  ///
  /// The leaf integrand is Π_s f_s(c_s + L_{sj}u)·φ(u): only the offsets c_s change between
  /// outer points, i.e. only where the features sit. The static mesh is planned for the worst
  /// place: every piece is given the rule the a-priori bound of `chooseRule` demands with every
  /// feature's pole straight above the piece's midpoint (the smallest Bernstein ellipse for
  /// its distance from the axis), at the strictest tolerance. Its nodes and full weights
  /// h·wᵢ·φ(uᵢ) are computed once, so each outer point then costs just the factors at the
  /// nodes and a dot product — no mesh building, rule selection or exponentials. Of a few
  /// uniform piece lengths (multiples of the narrowest feature's width) the one with the
  /// fewest nodes is kept; if even that exceeds ``staticLeafCapacity`` nodes, the adaptive
  /// mesh is used. When the level takes the uniform rule, its grid (out to where the weight
  /// falls a tenth below the tolerance) replaces the pieces if it has fewer nodes — its bound
  /// holds wherever the features sit, so it serves every outer point as it stands.
  mutating func prepareStaticLeaf(logTolerance: Double) {
    staticLeafPlanned = true
    staticLeafCount = 0
    let j = rank - 1
    guard closure == nil, monomialCount == 1, fixedNodes == nil else { return }
    var narrowest = Double.infinity
    for k in featureStart[j]..<featureStart[j + 1] {
      guard featureWidth[k] > 0 else { return }
      narrowest = Swift.min(narrowest, featureWidth[k])
    }
    var lengthCap = Swift.min(maximumPieceLength, 2 * truncation)
    if oscillation[j] > 0 { lengthCap = Swift.min(lengthCap, 32 / oscillation[j]) }
    let base = narrowest.isFinite ? narrowest : 1
    var best: [(a: Double, b: Double, rule: Int)] = []
    var bestNodes = Int.max
    for multiple in [0.5, 1, 2, 3, 4, 6, 8] {
      // Compared as a Double: for a narrow feature (a large variance) the count exceeds Int.
      let exactPieces = (2 * truncation / Swift.min(lengthCap, multiple * base)).rounded(.up)
      guard exactPieces <= 64 else { continue }
      let pieces = Swift.max(1, Int(exactPieces))
      let plan = staticPieces(pieces, logTolerance: logTolerance)
      let nodes = plan.reduce(0) { $0 + ruleOrder[$1.rule] }
      if nodes < bestNodes {
        bestNodes = nodes
        best = plan
      }
    }
    if uniformLevel[j] {
      // The uniform rule's grid, when it has fewer nodes (see `integrateUniform`).
      let h = uniformStep(level: j, logTolerance: logTolerance)
      let cutoff = logTolerance - 2.3
      var last = 0
      while Double(last + 1) * h <= truncation
        && (Double(last + 1) * h <= peakLocation[j]
          || logImportance(level: j, at: Double(last + 1) * h) >= cutoff)
      {
        last += 1
      }
      if 2 * last + 1 < bestNodes && 2 * last + 1 <= QuadratureWorkspace.staticLeafCapacity {
        for k in -last...last {
          let u = Double(k) * h
          staticLeafU[k + last] = u
          staticLeafWeight[k + last] =
            h * QuadratureWorkspace.inverseRootTwoPi * Foundation.exp(-0.5 * u * u)
        }
        staticLeafCount = 2 * last + 1
        return
      }
    }
    guard !best.isEmpty, bestNodes <= QuadratureWorkspace.staticLeafCapacity else { return }
    var count = 0
    for (a, b, rule) in best {
      let half = 0.5 * (b - a)
      let mid = 0.5 * (a + b)
      let ruleNodes = ruleNodes + ruleStart[rule]
      let ruleWeights = ruleWeights + ruleStart[rule]
      for i in 0..<ruleOrder[rule] {
        let u = mid + half * ruleNodes[i]
        staticLeafU[count] = u
        staticLeafWeight[count] =
          half * ruleWeights[i] * QuadratureWorkspace.inverseRootTwoPi
          * Foundation.exp(-0.5 * u * u)
        count += 1
      }
    }
    staticLeafCount = count
  }

  /// The pieces of a static leaf mesh of `pieces` equal pieces of [−U, U], negligible ones left
  /// out, each with the rule for the worst placement of the leaf's features.
  private func staticPieces(_ pieces: Int, logTolerance: Double) -> [(
    a: Double, b: Double, rule: Int
  )] {
    let j = rank - 1
    let step = 2 * truncation / Double(pieces)
    var result: [(a: Double, b: Double, rule: Int)] = []
    for p in 0..<pieces {
      let a = -truncation + Double(p) * step
      let b = p == pieces - 1 ? truncation : a + step
      if logImportance(level: j, from: a, to: b) < logTolerance - 5.5 { continue }
      for k in featureStart[j]..<featureStart[j + 1] { centers[k] = 0.5 * (a + b) }
      result.append((a, b, chooseRule(level: j, from: a, to: b, logTolerance: logTolerance)))
    }
    return result
  }

  /// Replaces the innermost level, for at least three levels, by an interpolant in the offset
  /// c of the one coordinate s it completes (``LeafInterpolant``), sampled with the static
  /// leaf mesh when one is planned and with the adaptive leaf (split at kinks) otherwise, at
  /// the strictest tolerance: every offset the outer nodes produce lies in [−R, R],
  /// R = U Σ_{m<j}|L_{sm}|, and the interpolant is converged there to the tolerance relative to
  /// the leaf's values. Left unplanned for closures, moments, fixed rules, several coordinates
  /// completing at the last level, or an interpolant that does not converge within its
  /// capacity.
  ///
  /// With an ``ExpectationCache``, an interpolant built before from the same key (the
  /// leaf's factors, its row of L and the options) is reused; the static leaf mesh is
  /// planned (``prepareStaticLeaf(logTolerance:)``) only when an interpolant is built here.
  mutating func prepareLeafInterpolant(logTolerance: Double) {
    let j = rank - 1
    guard leafInterpolants.isEmpty, rank >= 3, closure == nil, monomialCount == 1,
      fixedNodes == nil, completedStart[j + 1] - completedStart[j] == 1
    else { return }
    let s = completed[completedStart[j]]
    let shared: SharedLeafInterpolant?
    if let cache {
      let key = ExpectationCache.Key(
        options: options,
        factors: (factorStart[s]..<factorStart[s + 1]).map { factors[$0] },
        row: (0..<rank).map { lower[s * rank + $0].bitPattern })
      shared = cache.interpolant(key) {
        buildLeafInterpolant(coordinate: s, logTolerance: logTolerance)
      }
    } else {
      shared = buildLeafInterpolant(coordinate: s, logTolerance: logTolerance).map {
        SharedLeafInterpolant($0)
      }
    }
    guard let shared else { return }
    leafInterpolants = [shared]
    leafViews = [shared.interpolant]
    leafCoordinates = [s]
  }

  /// The leaf interpolant of coordinate s, the last level's only one (see
  /// ``prepareLeafInterpolant(logTolerance:)``), after planning the static leaf mesh it is
  /// sampled with.
  private mutating func buildLeafInterpolant(coordinate s: Int, logTolerance: Double)
    -> LeafInterpolant?
  {
    let j = rank - 1
    if !staticLeafPlanned { prepareStaticLeaf(logTolerance: logTolerance) }
    var radius = 0.0
    var variance = 0.0
    for m in 0..<j {
      radius += abs(lower[s * rank + m])
      variance += lower[s * rank + m] * lower[s * rank + m]
    }
    radius *= truncation
    // With the uniform rule, the offsets' spread σ relaxes the far pieces (an offset c is
    // reached with weight at most e^{−c²/2σ²}) and bounds the radius where that weight falls
    // a tenth below the tolerance; beyond, the interpolant's clamped value errs by at most
    // 2 sup|g| on that weight.
    let spread = usesUniformLeafPieces ? variance.squareRoot() : nil
    if let spread {
      radius = Swift.min(radius, spread * (2 * (2.3 - logTolerance)).squareRoot())
    }
    let offset = partial + j * dimension + s
    let useStatic = staticLeafCount > 0
    // g(−c) = p g(c) when every factor of s has a parity (their product p); only with
    // parity folding on, so that the reference options sample the whole interval.
    var parity: Int? = usesParity ? 1 : nil
    for f in factorStart[s]..<factorStart[s + 1] {
      guard let p = factors[f].parity, let q = parity else {
        parity = nil
        break
      }
      parity = p * q
    }
    return LeafInterpolant(
      radius: radius, initialPieces: 8, tolerance: Foundation.exp(logTolerance), parity: parity,
      troubles: usesUniformLeafPieces ? leafTroubles[s] : [], spread: spread
    ) { c in
      offset.pointee = c
      if useStatic {
        integrateStaticLeaf(level: j)
      } else {
        integrate(level: j, logTolerance: logTolerance)
      }
      return accumulators[j * monomialCount]
    }
  }

  /// The innermost level on the static mesh: Σᵢ Wᵢ Π_s f_s(c_s + L_{sj}uᵢ).
  private mutating func integrateStaticLeaf(level j: Int) {
    let n = staticLeafCount
    let values = staticLeafValue
    completedFactors(
      level: j, at: staticLeafU, count: n, into: values, z: staticLeafZ,
      scratch: staticLeafScratch)
    var sum = 0.0
    for i in 0..<n { sum += staticLeafWeight[i] * values[i] }
    accumulators[j * monomialCount] = sum
    statistics.leafEvaluations += n
  }

  /// values[i] = the product of the factors of the coordinates completed at level j at the
  /// node uⱼ = `nodes[i]`, i < n: each coordinate's z_s = c_s + L_{sj}uⱼ for all nodes at once
  /// into `z`, then its factors in a batch (`scratch`: n values).
  private func completedFactors(
    level j: Int, at nodes: UnsafePointer<Double>, count n: Int,
    into values: UnsafeMutablePointer<Double>, z: UnsafeMutablePointer<Double>,
    scratch: UnsafeMutablePointer<Double>
  ) {
    let here = partial + j * dimension
    values.initialize(repeating: 1, count: n)
    for c in completedStart[j]..<completedStart[j + 1] {
      let s = completed[c]
      let offset = here[s]
      let slope = lower[s * rank + j]
      for i in 0..<n { z[i] = offset + slope * nodes[i] }
      multiplyFactors(of: s, into: values, at: z, count: n, scratch: scratch)
    }
  }

  /// `values[i] *= Π_f f(z[i])` over the factors of coordinate s, a run of equal factors
  /// (σ·σ) evaluated once (see `GaussianFactor.Function.multiply`).
  @inline(__always)
  private func multiplyFactors(
    of s: Int, into values: UnsafeMutablePointer<Double>, at z: UnsafePointer<Double>,
    count n: Int, scratch: UnsafeMutablePointer<Double>
  ) {
    GaussianFactor.Function.multiply(
      UnsafeBufferPointer(
        start: factors + factorStart[s], count: factorStart[s + 1] - factorStart[s]),
      into: values, at: z, count: n, scratch: scratch)
  }

  // MARK: - Recursion

  /// Integrates levels j…r−1 given the partial sums of level j, leaving the result (one value
  /// per monomial) in the accumulators of level j.
  mutating func integrate(level j: Int, logTolerance: Double) {
    if staticLeafCount > 0 && j == rank - 1 {
      integrateStaticLeaf(level: j)
      return
    }
    let count = monomialCount
    let accumulator = accumulators + j * count
    accumulator.initialize(repeating: 0, count: count)
    if uniformLevel[j] && j < rank - 1 {
      integrateUniform(level: j, logTolerance: logTolerance)
      return
    }
    var points = breakpoints + j * QuadratureWorkspace.breakpointCapacity
    var pointCount = buildBreakpoints(level: j, into: points)
    let folds = j == 0 && foldsOutermostLevel
    if folds {
      // The right half of the mesh: 0, then the breakpoints above it (points[0] = −U < 0).
      var first = 1
      while first < pointCount - 1 && points[first] <= 0 { first += 1 }
      points += first - 1
      pointCount -= first - 1
      points[0] = 0
    }
    var lengthCap = maximumPieceLength
    if oscillation[j] > 0 { lengthCap = Swift.min(lengthCap, 32 / oscillation[j]) }
    let isLeaf = j == rank - 1
    for p in 0..<(pointCount - 1) {
      let a0 = points[p]
      let b0 = points[p + 1]
      guard b0 > a0 else { continue }
      let splits = QuadratureWorkspace.pieceCount(((b0 - a0) / lengthCap).rounded(.up))
      let step = (b0 - a0) / Double(splits)
      for q in 0..<splits {
        let a = a0 + Double(q) * step
        let b = q == splits - 1 ? b0 : a + step
        // A piece whose largest weight (1+|u|)^D e^{−u²/2}, times its length (≤ 2U ≈ e³),
        // stays below a tenth of the tolerance contributes nothing: skip it. Not for closures,
        // whose growth is unknown.
        if closure == nil && logImportance(level: j, from: a, to: b) < logTolerance - 5.5 {
          continue
        }
        if vanishes(level: j, at: 0.5 * (a + b)) { continue }
        let rule = chooseRule(level: j, from: a, to: b, logTolerance: logTolerance)
        statistics.pieces += 1
        let n = ruleOrder[rule]
        let nodes = ruleNodes + ruleStart[rule]
        let weights = ruleWeights + ruleStart[rule]
        let half = 0.5 * (b - a)
        let mid = 0.5 * (a + b)
        if isLeaf {
          accumulateLeaf(level: j, count: n, nodes: nodes, weights: weights, mid: mid, half: half)
          statistics.leafEvaluations += n
          continue
        }
        statistics.levelNodes[j] += n
        for i in 0..<n {
          let uj = mid + half * nodes[i]
          let innerTolerance = logTolerance - logImportance(level: j, at: uj)
          // The whole inner integral is below the tolerance: skip it.
          if innerTolerance >= 0 { continue }
          let weight =
            half * weights[i] * QuadratureWorkspace.inverseRootTwoPi
            * ElementaryFunctions.exp(-0.5 * uj * uj)
          visit(level: j, node: uj, fullWeight: weight, innerTolerance: innerTolerance)
        }
      }
    }
    if folds {
      for m in 0..<count { accumulator[m] *= 2 }
    }
  }

  /// Level j by the uniform rule: Σₖ h φ(kh) F(kh) over the nodes of
  /// ``uniformGrid(level:logTolerance:)``. The last outer level before a leaf interpolant is
  /// summed in batches (``sumUniformLastLevel(level:grid:)``).
  private mutating func integrateUniform(level j: Int, logTolerance: Double) {
    let grid = uniformGrid(level: j, logTolerance: logTolerance)
    statistics.pieces += 1
    statistics.levelNodes[j] += grid.nodes.count
    if !leafViews.isEmpty && j == rank - 2 {
      sumUniformLastLevel(level: j, grid: grid)
      return
    }
    let quantised = UniformGrid.quantised(logTolerance)
    for i in grid.nodes.indices {
      visit(
        level: j, node: grid.nodes[i], fullWeight: grid.weights[i],
        innerTolerance: quantised - grid.importance[i])
    }
  }

  /// The uniform grid of level j for the tolerance e^{logTolerance}, rounded down to a
  /// multiple of 1/``UniformGrid/steps`` nat (so a level's inner integrals, whose tolerances
  /// vary with the outer node, share a few grids, at most a factor e stricter than asked): step h from
  /// ``uniformStep(level:logTolerance:)``, nodes out to where the level's weight
  /// (1+|u|)^D e^{−u²/2} falls below the tolerance, or U. The grid is symmetric about 0, so a
  /// folded sum equals the full one for an even integrand.
  mutating func uniformGrid(level j: Int, logTolerance: Double) -> UniformGrid {
    let key = UniformGrid.key(logTolerance)
    if key < uniformGrids[j].count, let known = uniformGrids[j][key] { return known }
    let tolerance = UniformGrid.quantised(logTolerance)
    let h = uniformStep(level: j, logTolerance: tolerance)
    let folds = j == 0 && foldsOutermostLevel
    // Nodes ±kh, k = 0, 1, … while inside [−U, U] and, beyond the weight's peak, until it
    // falls 2.3 below the tolerance; kept where its importance exceeds the tolerance. The
    // importance and φ are even in u: each is computed once for ±kh.
    let last = Swift.max(0, Int((truncation / h).rounded(.down)))
    let capacity = folds ? last + 1 : 2 * last + 1
    var nodes = [Double]()
    var weights = [Double]()
    var importances = [Double]()
    nodes.reserveCapacity(capacity)
    weights.reserveCapacity(capacity)
    importances.reserveCapacity(capacity)
    let peak = peakLocation[j]
    var k = 0
    while true {
      let uk = Double(k) * h
      if uk > truncation { break }
      let importance = logImportance(level: j, at: uk)
      if uk > peak && importance < tolerance - 2.3 { break }
      if importance > tolerance {
        let e = ElementaryFunctions.exp(-0.5 * uk * uk)
        if k == 0 {
          nodes.append(0)
          weights.append(h * QuadratureWorkspace.inverseRootTwoPi * e)
          importances.append(importance)
        } else {
          nodes.append(uk)
          weights.append((folds ? 2 * h : h) * QuadratureWorkspace.inverseRootTwoPi * e)
          importances.append(importance)
          if !folds {
            nodes.append(-uk)
            weights.append(h * QuadratureWorkspace.inverseRootTwoPi * e)
            importances.append(importance)
          }
        }
      }
      k += 1
    }
    let grid = UniformGrid(nodes: nodes, weights: weights, importance: importances)
    if key < UniformGrid.cacheCapacity && grid.nodes.count <= UniformGrid.cachedNodes {
      if key >= uniformGrids[j].count {
        uniformGrids[j] += [UniformGrid?](repeating: nil, count: key + 1 - uniformGrids[j].count)
      }
      uniformGrids[j][key] = grid
    }
    return grid
  }

  /// The last outer level j = r − 2 on a uniform grid, in batches: the factors of the
  /// coordinates completed at j at every node at once, then each leaf interpolant at every
  /// node's offset, summed with the grid's weights into that leaf's output.
  private mutating func sumUniformLastLevel(level j: Int, grid: UniformGrid) {
    let n = grid.nodes.count
    if n > batchCapacity {
      batchZ.deallocate()
      batchValue.deallocate()
      batchScratch.deallocate()
      batchCapacity = Swift.max(n, 2 * batchCapacity)
      batchZ = .allocate(capacity: batchCapacity)
      batchValue = .allocate(capacity: batchCapacity)
      batchScratch = .allocate(capacity: batchCapacity)
    }
    let r = rank
    let here = partial + j * dimension
    let values = batchValue
    let z = batchZ
    grid.nodes.withUnsafeBufferPointer { nodes in
      guard let nodes = nodes.baseAddress else { return }
      completedFactors(
        level: j, at: nodes, count: n, into: values, z: z, scratch: batchScratch)
    }
    let inner = batchScratch
    for (m, leaf) in leafCoordinates.enumerated() {
      let offset = here[leaf]
      let slope = lower[leaf * r + j]
      grid.nodes.withUnsafeBufferPointer { nodes in
        for i in 0..<n { z[i] = offset + slope * nodes[i] }
      }
      leafViews[m].values(at: z, count: n, into: inner)
      var sum = 0.0
      grid.weights.withUnsafeBufferPointer { weights in
        for i in 0..<n where values[i] != 0 {
          sum += weights[i] * values[i] * inner[i]
        }
      }
      statistics.leafEvaluations += n
      accumulators[j * monomialCount + m] += sum
    }
  }

  /// The step h of the uniform rule on level j for the error e^{logTolerance} relative to the
  /// integrand's scale: the largest 2πa / (ln M(a) − ln tol) over the level's strips (see
  /// ``strips(of:)``) — the smallest such step over the strip sets, with several leaves.
  func uniformStep(level j: Int, logTolerance: Double) -> Double {
    var step = Double.infinity
    let capacity = QuadratureWorkspace.stripCapacity
    for set in 0..<stripSets {
      var best = 0.0
      let start = (j * stripSets + set) * capacity
      for slot in start..<(start + capacity) where stripWidth[slot] > 0 {
        let a = stripWidth[slot]
        best = Swift.max(
          best, 2 * Double.pi * a / Swift.max(stripLogBound[slot] - logTolerance, 1))
      }
      step = Swift.min(step, best)
    }
    return step
  }

  /// The strips |Im u| < a the uniform rule's bound is evaluated on for `level`, with
  /// ln M(a), the log of the bound on the integrand along their edges.
  ///
  /// The trapezoidal rule on ℝ errs by at most 2M/(e^{2πa/h} − 1) for an integrand w analytic
  /// in the strip |Im u| < a with ∫|w(x ± ia)| dx ≤ M (Trefethen & Weideman, SIAM Review 56,
  /// 2014, Thm 5.1). Here w = φ·F: |φ(x + ia)| = φ(x) e^{a²/2}; an oscillation of frequency ω
  /// grows like e^{ωa}, polynomial growth of degree D like (1 + a)^D 2^D; and each smooth
  /// feature of width d (the model of `quadratureFeatures`: the nearest complex trouble at
  /// distance d, a pole of order p) contributes a factor (1 − a/d)^(−p) — the model of the
  /// Gauss–Legendre bound of ``chooseRule(level:from:to:logTolerance:)``, with the pole's
  /// order. With ln M(a) ≤ a²/2 + ωa + D ln(2(1 + a)) − Σ p ln(1 − a/d) + ln 20 (a factor 10
  /// of margin), the bound meets the tolerance e^{ln tol} for h = 2πa / (ln M(a) − ln tol).
  /// The strips are fractions of the narrowest feature's width and, below it, a grid of
  /// absolute widths (for an entire integrand). The bound does not depend on where the
  /// features sit, so one step serves every outer point.
  static func strips(of level: NestedGaussianQuadrature.Level) -> [(
    width: Double, logBound: Double
  )] {
    let narrowest = level.features.map { $0.width }.min() ?? .infinity
    var widths = narrowest.isFinite ? stripFractions.map { $0 * narrowest } : []
    widths += stripWidths.filter { $0 < 0.95 * narrowest }
    return widths.map { a in
      var logM = 0.5 * a * a + level.oscillation * a + logTwenty
      if level.growth > 0 { logM += level.growth * Foundation.log(2 * (1 + a)) }
      for feature in level.features where feature.width > 0 {
        logM -= feature.strength * Foundation.log1p(-a / feature.width)
      }
      return (a, logM)
    }
  }

  /// ln 20: the factor 2 of the trapezoidal bound and a factor 10 of margin.
  static let logTwenty = Foundation.log(20.0)
  /// Strip widths tried by the uniform rule's bound, as fractions of the narrowest feature's
  /// width, and absolute.
  static let stripFractions = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95]
  static let stripWidths = [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]
  /// Strips per level: all of both lists.
  static let stripCapacity = stripFractions.count + stripWidths.count

  /// One node uⱼ of an outer level j < r − 1 with full weight `fullWeight` (the rule's weight
  /// times φ(uⱼ)): the factors of the coordinates completed at j times the inner integral (the
  /// leaf interpolant when j = r − 2 and one is planned; otherwise levels j + 1… at
  /// `innerTolerance`, the level's tolerance relaxed by φ's weight at uⱼ), added to the level's
  /// accumulators. A node whose whole inner integral is below the tolerance
  /// (`innerTolerance` ≥ 0), or where a factor vanishes, adds nothing.
  @inline(__always)
  private mutating func visit(
    level j: Int, node uj: Double, fullWeight: Double, innerTolerance: Double
  ) {
    if innerTolerance >= 0 { return }
    let r = rank
    let d = dimension
    let here = partial + j * d
    let count = monomialCount
    let accumulator = accumulators + j * count
    var g = 1.0
    for c in completedStart[j]..<completedStart[j + 1] {
      let s = completed[c]
      let zs = here[s] + lower[s * r + j] * uj
      z[s] = zs
      for f in factorStart[s]..<factorStart[s + 1] { g *= factors[f](zs) }
    }
    if g == 0 { return }
    if !leafViews.isEmpty && j == r - 2 {
      // The last level is the interpolant: its offset is known at each node, so the node is
      // summed here, without descending.
      for (m, leaf) in leafCoordinates.enumerated() {
        let inner = leafViews[m](here[leaf] + lower[leaf * r + j] * uj)
        accumulator[m] += fullWeight * g * inner
      }
      statistics.leafEvaluations += leafCoordinates.count
      return
    }
    u[j] = uj
    let next = partial + (j + 1) * d
    for c in pendingStart[j]..<pendingStart[j + 1] {
      let s = pending[c]
      next[s] = here[s] + lower[s * r + j] * uj
    }
    integrate(level: j + 1, logTolerance: Swift.min(QuadratureWorkspace.logCap, innerTolerance))
    let factor = fullWeight * g
    let inner = accumulators + (j + 1) * count
    for m in 0..<count { accumulator[m] += factor * inner[m] }
  }

  /// The loosest tolerance of an inner integral, ln 10⁻³.
  static let logCap = Foundation.log(1e-3)

  /// The innermost level: all coordinates are known at each node, evaluated in batches.
  private mutating func accumulateLeaf(
    level j: Int, count n: Int, nodes: UnsafeMutablePointer<Double>,
    weights: UnsafeMutablePointer<Double>, mid: Double, half: Double
  ) {
    let d = dimension
    let r = rank
    let here = partial + j * d
    for i in 0..<n {
      let uj = mid + half * nodes[i]
      leafU[i] = uj
      leafWeight[i] =
        half * weights[i] * QuadratureWorkspace.inverseRootTwoPi
        * ElementaryFunctions.exp(-0.5 * uj * uj)
      leafValue[i] = 1
    }
    for c in completedStart[j]..<completedStart[j + 1] {
      let s = completed[c]
      let offset = here[s]
      let slope = lower[s * r + j]
      let zs = leafZ + s * maximumOrder
      for i in 0..<n { zs[i] = offset + slope * leafU[i] }
      multiplyFactors(of: s, into: leafValue, at: zs, count: n, scratch: leafScratch)
    }
    if let closure {
      for i in 0..<n {
        for c in completedStart[j]..<completedStart[j + 1] {
          let s = completed[c]
          z[s] = leafZ[s * maximumOrder + i]
        }
        leafValue[i] *= closure(z)
      }
    }
    let accumulator = accumulators + j * monomialCount
    if monomialCount == 1 {
      var sum = 0.0
      for i in 0..<n { sum += leafWeight[i] * leafValue[i] }
      accumulator[0] += sum
      return
    }
    let p = maximumDegree
    for i in 0..<n {
      let factor = leafWeight[i] * leafValue[i]
      if factor == 0 { continue }
      u[j] = leafU[i]
      for level in 0..<r {
        var x = 1.0
        for e in 0...p {
          powers[level * (p + 1) + e] = x
          x *= u[level]
        }
      }
      for m in 0..<monomialCount {
        var term = factor
        for level in 0..<r {
          let e = exponents[m * r + level]
          if e > 0 { term *= powers[level * (p + 1) + e] }
        }
        accumulator[m] += term
      }
    }
  }

  // MARK: - Mesh

  /// Writes the sorted breakpoints of level j (truncation ends, exact kinks, graded points
  /// around smooth features) and returns their number.
  private func buildBreakpoints(level j: Int, into points: UnsafeMutablePointer<Double>) -> Int {
    let d = dimension
    let capacity = QuadratureWorkspace.breakpointCapacity
    let first = featureStart[j]
    let last = featureStart[j + 1]
    for k in first..<last {
      centers[k] =
        (featureLocation[k] - partial[j * d + featureCoordinate[k]]) * featureInverseSlope[k]
    }
    var count = 0
    for k in first..<last {
      let center = centers[k]
      let width = featureWidth[k]
      if width == 0 {
        if count < capacity - 2 && center > -truncation && center < truncation {
          points[count] = center
          count += 1
        }
        continue
      }
      var offset = width
      var steps = 0
      while steps < 80 && (center - offset > -truncation || center + offset < truncation) {
        for side in 0..<2 {
          let x = side == 0 ? center - offset : center + offset
          if count < capacity - 2 && x > -truncation && x < truncation
            && dominates(feature: k, level: j, at: x)
          {
            points[count] = x
            count += 1
          }
        }
        offset *= gradingRatio
        steps += 1
      }
    }
    points[count] = -truncation
    count += 1
    var sorted = UnsafeMutableBufferPointer(start: points, count: count)
    sorted.sort()
    // Drop breakpoints closer than rounding to their predecessor, then close with U.
    var kept = 1
    let minimumGap = 1e-13 * truncation
    for i in 1..<count where points[i] - points[kept - 1] > minimumGap {
      points[kept] = points[i]
      kept += 1
    }
    if truncation - points[kept - 1] <= minimumGap { kept -= 1 }
    points[kept] = truncation
    return kept + 1
  }

  /// True when smooth feature k is the nearest (in the complex plane) of its level's smooth
  /// features to the point x: only the nearest feature's grading is needed there, so wider
  /// features around the same centre add no breakpoints.
  private func dominates(feature k: Int, level j: Int, at x: Double) -> Bool {
    let own = featureWidth[k]
    let dx = x - centers[k]
    let distance = dx * dx + own * own
    for other in featureStart[j]..<featureStart[j + 1] where other != k {
      let width = featureWidth[other]
      guard width > 0 else { continue }
      let ex = x - centers[other]
      if ex * ex + width * width < distance { return false }
    }
    return true
  }

  /// log of the normalised tail weight (1+|u|)^D e^{−u²/2} / peak at u (≤ 0).
  private func logImportance(level j: Int, at value: Double) -> Double {
    let x = abs(value)
    let degree = growth[j]
    if degree == 0 { return -0.5 * x * x }
    return -0.5 * x * x + degree * Foundation.log1p(x) - logPeak[j]
  }

  /// True when a factor of a coordinate completed at level j is a kinked activation that
  /// vanishes at uⱼ = x (ReLU's left half, or its step derivative there). Its kink is a
  /// breakpoint, so it then vanishes on the whole piece containing x, which can be skipped.
  private func vanishes(level j: Int, at x: Double) -> Bool {
    let r = rank
    for c in completedStart[j]..<completedStart[j + 1] {
      let s = completed[c]
      for f in factorStart[s]..<factorStart[s + 1] {
        guard case .activation(.relu, let order) = factors[f], order <= 1 else { continue }
        if partial[j * dimension + s] + lower[s * r + j] * x <= 0 { return true }
      }
    }
    return false
  }

  /// The largest log-importance on [a, b].
  private func logImportance(level j: Int, from a: Double, to b: Double) -> Double {
    let peak = peakLocation[j]
    if (a <= peak && peak <= b) || (a <= -peak && -peak <= b) { return 0 }
    return Swift.max(logImportance(level: j, at: a), logImportance(level: j, at: b))
  }

  // MARK: - Node selection

  /// Ellipse parameters t tried for every piece, with cosh t and sinh t.
  private static let ellipseGrid: [(t: Double, cosh: Double, sinh: Double)] = [
    0.8, 1.6, 3,
  ].map { ($0, Foundation.cosh($0), Foundation.sinh($0)) }
  /// Offsets Δ below the nearest pole's parameter t_p, with −ln(1 − e^{−Δ}) (the growth of a
  /// pole's contribution on the ellipse t_p − Δ), e^{−Δ} and e^{Δ}.
  private static let poleOffsets: [(delta: Double, blowUp: Double, shrink: Double, grow: Double)] =
    [0.15, 0.5].map {
      ($0, -Foundation.log(1 - Foundation.exp(-$0)), Foundation.exp(-$0), Foundation.exp($0))
    }

  /// The index of the smallest tabulated rule whose a-priori error bound on [a, b] reaches
  /// e^{logTolerance} (relative to the peak of the level's weight), or the fixed rule when
  /// `options.nodesPerPiece` is set.
  ///
  /// Gauss–Legendre with n nodes on a piece errs by about M(t) e^{−2nt}, M(t) the largest
  /// modulus of the integrand on the Bernstein ellipse with parameter t (semi-axes h cosh t,
  /// h sinh t around the piece's midpoint m). ln M(t), relative to the peak of
  /// (1+|u|)^D e^{−u²/2}, is bounded by the exact maximum of −Re(u²)/2 on the ellipse, plus
  /// D (ln(1 + |m| + h) + t) ≥ D ln(1 + |m| + h cosh t), plus ωy for oscillation
  /// (y = h sinh t), plus for each smooth feature — treated as a pole at the ellipse parameter
  /// t_p through centre ± i·width — −ln(1 − e^{t−t_p}) (bounded by x/(1 − x), x = e^{t−t_p},
  /// for all but the nearest). The required n is minimised over a few t (a fixed grid, and
  /// just inside the nearest pole). Far-tail pieces come out cheap automatically, because the
  /// Gaussian is small on their whole ellipse.
  private func chooseRule(level j: Int, from a: Double, to b: Double, logTolerance: Double)
    -> Int
  {
    if let fixedNodes { return ruleIndex(atLeast: Double(fixedNodes)) }
    let half = 0.5 * (b - a)
    let mid = 0.5 * (a + b)
    let omega = oscillation[j]
    let degree = growth[j]
    var needed = 1 - logTolerance - logPeak[j]
    if degree > 0 { needed += degree * ElementaryFunctions.logUpperBound(1 + abs(mid) + half) }
    var poleCount = 0
    var nearest = Double.infinity
    var nearestIndex = -1
    for k in featureStart[j]..<featureStart[j + 1] {
      let width = featureWidth[k]
      guard width > 0 else { continue }
      let rho = QuadratureWorkspace.bernsteinRadius(
        real: (centers[k] - mid) / half, imaginary: width / half)
      poleRadii[poleCount] = 1 / rho
      if rho < nearest {
        nearest = rho
        nearestIndex = poleCount
      }
      poleCount += 1
    }
    // ln M(t) without the pole terms: the Gaussian's maximum on the ellipse (hc = h cosh t,
    // hs = h sinh t), plus oscillation and growth.
    func envelope(_ t: Double, _ hc: Double, _ hs: Double) -> Double {
      QuadratureWorkspace.logGaussianMaximum(mid: mid, hc: hc, hs: hs, alpha: 0.5, beta: 0.5)
        + omega * hs + degree * t
    }
    var best = Double.infinity
    let nearestT = nearest.isFinite ? Foundation.log(nearest) : Double.infinity
    if nearest.isFinite {
      let inverseNearest = 1 / nearest
      for offset in QuadratureWorkspace.poleOffsets where nearestT - offset.delta > 0.05 {
        let t = nearestT - offset.delta
        let et = nearest * offset.shrink
        let inverse = inverseNearest * offset.grow
        var cost =
          needed + envelope(t, half * 0.5 * (et + inverse), half * 0.5 * (et - inverse))
          + offset.blowUp
        for p in 0..<poleCount where p != nearestIndex {
          let x = Swift.min(et * poleRadii[p], 0.999)
          cost += x / (1 - x)
        }
        best = Swift.min(best, cost / (2 * t))
      }
    }
    for point in QuadratureWorkspace.ellipseGrid where point.t < nearestT - 0.05 {
      let et = point.cosh + point.sinh
      var cost = needed + envelope(point.t, half * point.cosh, half * point.sinh)
      for p in 0..<poleCount {
        let x = et * poleRadii[p]
        cost += x / (1 - x)
      }
      best = Swift.min(best, cost / (2 * point.t))
    }
    return ruleIndex(atLeast: best.isFinite ? Swift.max(6, best + 0.5) : .infinity)
  }

  /// The most pieces one breakpoint interval is split into. `NestedGaussianQuadrature.checkWork`
  /// keeps the oscillation's count far below this; the clamp only guarantees that the
  /// conversion to `Int` cannot trap whatever the plan.
  static let maximumSplits = 1 << 24

  /// `count` (a rounded-up piece count) as an Int in 1…``maximumSplits`` (NaN gives 1).
  static func pieceCount(_ count: Double) -> Int {
    guard count >= 1 else { return 1 }
    return count < Double(maximumSplits) ? Int(count) : maximumSplits
  }

  /// The smallest rule with at least `nodes` nodes (the largest rule if none).
  private func ruleIndex(atLeast nodes: Double) -> Int {
    for i in 0..<ruleCount where Double(ruleOrder[i]) >= nodes { return i }
    return ruleCount - 1
  }

  /// The maximum of −α Re(x²) + β Im(x)² over the ellipse x = m + hc cos θ + i hs sin θ:
  /// −α(m + hc cos θ)² + β(hs sin θ)² is a concave quadratic in cos θ, maximised at the clamped
  /// stationary point. (α = β = ½: ln |e^{−x²/2}|, the Gaussian weight.)
  static func logGaussianMaximum(
    mid: Double, hc: Double, hs: Double, alpha: Double, beta: Double
  ) -> Double {
    let optimum = Swift.min(
      1, Swift.max(-1, -alpha * mid * hc / (alpha * hc * hc + beta * hs * hs)))
    let x = mid + hc * optimum
    return -alpha * x * x + beta * hs * hs * (1 - optimum * optimum)
  }

  /// ρ of the Bernstein ellipse through ζ = x + iy (foci ±1): ρ = |ζ + √(ζ−1)√(ζ+1)| ≥ 1.
  static func bernsteinRadius(real x: Double, imaginary y: Double) -> Double {
    let (ar, ai) = complexSquareRoot(x - 1, y)
    let (br, bi) = complexSquareRoot(x + 1, y)
    let sr = x + ar * br - ai * bi
    let si = y + ar * bi + ai * br
    let rho = (sr * sr + si * si).squareRoot()
    return Swift.max(rho, 1 / rho)
  }

  private static func complexSquareRoot(_ x: Double, _ y: Double) -> (Double, Double) {
    let modulus = (x * x + y * y).squareRoot()
    let re = (0.5 * (modulus + x)).squareRoot()
    let im = (0.5 * (modulus - x)).squareRoot()
    return (re, y < 0 ? -im : im)
  }
}

extension QuadratureWorkspace.UniformGrid {
  /// Tolerances are rounded down to multiples of 1/`steps` nat.
  static let steps = 1.0
  /// Grids cached per level (keys beyond are built on each use; the default tolerance's key
  /// is 31).
  static let cacheCapacity = 64
  /// Grids of more nodes (an oscillation resolved at a large variance) are built on each use
  /// rather than kept, so the cache stays below a few megabytes.
  static let cachedNodes = 1024

  /// The grid cache's key of a log-tolerance: the number of steps below 0.
  static func key(_ logTolerance: Double) -> Int {
    let x = (-logTolerance * steps).rounded(.up)
    // NaN (never produced by the recursion) is taken as the strictest key.
    return x >= 0 ? Int(Swift.min(x, 1e6)) : x < 0 ? 0 : 1_000_000
  }

  /// The log-tolerance a grid is built for: `logTolerance` rounded down to its key.
  static func quantised(_ logTolerance: Double) -> Double {
    -Double(key(logTolerance)) / steps
  }
}
