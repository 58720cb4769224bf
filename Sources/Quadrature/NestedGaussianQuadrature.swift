import Foundation

/// The quadrature engine behind ``GaussianExpectation``: iterated split-at-kink Gauss–Legendre
/// integration in Cholesky coordinates.
///
/// With z = L u (L lower triangular, u standard normal), coordinate z_s depends on u₀…u_s only.
/// Level j integrates uⱼ over [−U, U] with u₀…u_{j−1} fixed; the factors of every coordinate
/// whose value is complete at level j are multiplied in there, so a product integrand costs
/// one evaluation per factor per node of its own level, and a zero factor (ReLU's left half)
/// prunes the whole inner integral.
///
/// The 1-D mesh of a level is built from the features of the coordinates still depending on uⱼ:
/// * a kink of z_s = Σ_{m<j} L_{sm}u_m + L_{sj}uⱼ at s's own level is an exact breakpoint, at
///   uⱼ = (kink − Σ_{m<j} L_{sm}u_m)/L_{sj};
/// * a kink or transition of a coordinate completed later is smoothed by the inner integration
///   over u_{j+1}…u_s, with standard deviation r = (Σ_{j<m≤s} L²_{sm})^{1/2}; in uⱼ it is a
///   smooth feature of width √(w² + r²)/|L_{sj}| around the crossing point;
/// * around each smooth feature the mesh is graded geometrically (centre ± width·gᵏ), so every
///   piece sees the feature at the same relative distance; where several features overlap,
///   only the nearest one (in the complex plane) places breakpoints.
/// Each piece then gets the smallest tabulated rule whose a-priori Bernstein-ellipse bound
/// (see `QuadratureWorkspace.chooseRule`) reaches the local tolerance. The local tolerance of
/// an inner level is relaxed by the Gaussian weight of the outer point, so nodes far in the
/// tails are cheap, and nodes whose whole inner integral is negligible are skipped.
///
/// This type is the plan (per-level coordinates and features, fixed by L and the factors);
/// ``run()`` executes it in a ``QuadratureWorkspace``.
struct NestedGaussianQuadrature {
  /// Per level j: the static part of the mesh and tolerance plan.
  struct Level {
    /// Coordinates whose value is known once uⱼ is (their last non-zero L column is j).
    var completed: [Int] = []
    /// Coordinates still depending on later levels (their L row has non-zeros after j).
    var pending: [Int] = []
    /// Features projected onto uⱼ.
    var features: [LevelFeature] = []
    /// Angular frequency in uⱼ of the product (the sum over oscillating factors).
    var oscillation: Double = 0
    /// Polynomial growth degree D of the integrand in uⱼ, and the location and log of the
    /// peak of (1+|u|)^D e^{−u²/2}.
    var growth: Double = 0
    var peakLocation: Double = 0
    var logPeak: Double = 0
    /// Whether the level is integrated by the uniform (trapezoidal) rule: a plain expectation
    /// (no closure, no moments, no fixed rule) whose features at this level are all smooth
    /// and at least ``minimumUniformWidth`` wide, with
    /// ``GaussianExpectation/Options/useUniformRule`` on.
    var usesUniformRule = false
  }

  /// The narrowest feature (in standard-normal units of its level) the uniform rule takes on.
  /// Its step shrinks with the narrowest feature everywhere on the line, while graded
  /// Gauss–Legendre pieces refine only around it; measured on ⟨f f f f⟩ for tanh, erf and GELU
  /// with correlations near 0.9 and variances 0.03–3, the uniform rule needs fewer nodes down
  /// to widths of about 0.6–0.9 and more below.
  static let minimumUniformWidth = 0.75

  /// A feature of coordinate `coordinate` seen at one level.
  struct LevelFeature {
    var coordinate: Int
    /// Location in z.
    var location: Double
    /// 1 / L_{sj}.
    var inverseSlope: Double
    /// Width in uⱼ (0 for an exact kink at this level).
    var width: Double
    /// ``QuadratureFeature/strength``.
    var strength: Double = 1
  }

  /// Work done by one run (diagnostics and tests).
  struct Statistics {
    /// Integrand evaluations at the innermost level.
    var leafEvaluations = 0
    /// Nodes visited at each outer level.
    var levelNodes: [Int] = []
    /// 1-D pieces integrated, over all levels.
    var pieces = 0
  }

  let dimension: Int
  let rank: Int
  /// L as d × r row-major.
  let lower: [Double]
  let levels: [Level]
  let functions: [[GaussianFactor.Function]]
  /// Exponent vectors α ∈ ℕ^r of the monomials u^α (in the independent standard-normal
  /// Cholesky coordinates) whose moments ⟨u^α F⟩ are accumulated; α = 0 comes first.
  let monomials: [[Int]]
  let maximumDegree: Int
  let rules: GaussLegendreRuleTable
  let options: GaussianExpectation.Options
  let closure: (([Double]) -> Double)?
  /// Whether the outermost level is integrated over [0, U] only and doubled: set for a plain
  /// expectation (no closure, no moments) of at least three levels whose factors all have a
  /// parity with an even product. Then F(L(−u)) = F(−z) = F(z), so the integrand is even in
  /// u and the half-space u₀ > 0 holds half the integral; the mesh of [0, U] is the full
  /// mesh's right half (split at 0), so the accuracy is the full mesh's, at half the work.
  let foldsOutermostLevel: Bool
  /// Leaf interpolants shared with other runs (see ``ExpectationCache``).
  let cache: ExpectationCache?
  /// With several leaves: the interpolants of the last `sharedLeaves.count` coordinates, which
  /// all complete at the last level (see ``init(outerRows:leafRows:functions:leaves:rules:options:)``);
  /// empty otherwise.
  let sharedLeaves: [SharedLeafInterpolant]

  /// - Parameters:
  ///   - factorisation: Cholesky factor of the covariance of the coordinates in use.
  ///   - functions: the factors acting on each coordinate (empty lists for the closure form).
  ///   - features: extra features per coordinate (the closure form's declared kinks).
  ///   - maximumDegree: accumulate ⟨u^α F⟩ for all |α| ≤ this (0: just ⟨F⟩).
  init(
    factorisation: CholeskyFactor, functions: [[GaussianFactor.Function]],
    features extraFeatures: [[QuadratureFeature]], maximumDegree: Int,
    rules: GaussLegendreRuleTable, options: GaussianExpectation.Options,
    closure: (([Double]) -> Double)?, cache: ExpectationCache? = nil
  ) {
    self.init(
      dimension: factorisation.dimension, rank: factorisation.rank,
      lower: factorisation.lower, functions: functions, features: extraFeatures,
      maximumDegree: maximumDegree, rules: rules, options: options, closure: closure,
      cache: cache, sharedLeaves: [])
  }

  /// Products that share every factor but those of their last coordinate, integrated in one
  /// pass: the k outer coordinates (k ≥ 2) have the rows `outerRows` of their Cholesky factor
  /// (k × k, row-major) and the factors `functions[0..<k]`; leaf m is coordinate k + m, with
  /// the row `leafRows[m]` (k + 1 entries: its offsets' coefficients, then its own spread,
  /// which is positive), the factors `functions[k + m]` and the interpolant `leaves[m]` of its
  /// innermost integral over that spread. Output m is ⟨Π outer · Π leaf m⟩: the leaves are
  /// never integrated together, so each may be correlated with the others in any way.
  ///
  /// The outer levels see every leaf's features (each leaf's transition, smoothed by its
  /// spread, projected onto them), so one traversal serves all the leaves at their
  /// tolerance; the outermost level folds when every output's product is even.
  init(
    outerRows: [Double], leafRows: [[Double]], functions: [[GaussianFactor.Function]],
    leaves: [SharedLeafInterpolant], rules: GaussLegendreRuleTable,
    options: GaussianExpectation.Options
  ) {
    let k = functions.count - leaves.count
    let r = k + 1
    let d = k + leaves.count
    var lower = [Double](repeating: 0, count: d * r)
    for s in 0..<k {
      for m in 0..<k { lower[s * r + m] = outerRows[s * k + m] }
    }
    for (m, row) in leafRows.enumerated() {
      for j in 0..<r { lower[(k + m) * r + j] = row[j] }
    }
    self.init(
      dimension: d, rank: r, lower: lower, functions: functions,
      features: [[QuadratureFeature]](repeating: [], count: d), maximumDegree: 0, rules: rules,
      options: options, closure: nil, cache: nil, sharedLeaves: leaves)
  }

  private init(
    dimension d: Int, rank r: Int, lower: [Double], functions: [[GaussianFactor.Function]],
    features extraFeatures: [[QuadratureFeature]], maximumDegree: Int,
    rules: GaussLegendreRuleTable, options: GaussianExpectation.Options,
    closure: (([Double]) -> Double)?, cache: ExpectationCache?,
    sharedLeaves: [SharedLeafInterpolant]
  ) {
    self.cache = cache
    self.sharedLeaves = sharedLeaves
    self.dimension = d
    self.rank = r
    self.lower = lower
    self.functions = functions
    self.maximumDegree = maximumDegree
    self.rules = rules
    self.options = options
    self.closure = closure
    // With shared leaves, one zero exponent per leaf: output m is ⟨F_m⟩.
    self.monomials =
      sharedLeaves.isEmpty
      ? NestedGaussianQuadrature.exponents(dimension: r, maximumDegree: maximumDegree)
      : [[Int]](repeating: [Int](repeating: 0, count: r), count: sharedLeaves.count)
    // Every output's product (the outer factors and one leaf's, or all factors) even.
    func parity(_ coordinates: Range<Int>) -> Int? {
      var product = 1
      for function in functions[coordinates].joined() {
        guard let p = function.parity else { return nil }
        product *= p
      }
      return product
    }
    let outer = parity(0..<(d - sharedLeaves.count))
    let even =
      sharedLeaves.isEmpty
      ? outer == 1
      : ((d - sharedLeaves.count)..<d).allSatisfy { s in
        outer.flatMap { o in parity(s..<(s + 1)).map { o * $0 } } == 1
      }
    foldsOutermostLevel =
      options.useParityFolding && r >= 3 && closure == nil && maximumDegree == 0 && even

    // The level at which each coordinate is complete: its last non-zero column (0 if none).
    var completedAt = [Int](repeating: 0, count: d)
    for s in 0..<d {
      for j in 0..<r where lower[s * r + j] != 0 { completedAt[s] = j }
    }
    var levels = [Level](repeating: Level(), count: r)
    for j in 0..<r {
      var level = Level()
      level.completed = (0..<d).filter { completedAt[$0] == j }
      level.pending = (0..<d).filter { completedAt[$0] > j }
      var growth = Double(maximumDegree)
      // With shared leaves each output holds one leaf: the leaves' growth and oscillation
      // count by their largest, not their sum.
      let firstLeaf = d - sharedLeaves.count
      var leafGrowth = 0.0
      var leafOscillation = 0.0
      for s in 0..<d where completedAt[s] >= j {
        let slope = lower[s * r + j]
        let degree = closure != nil ? 2 : Double(functions[s].reduce(0) { $0 + $1.growthDegree })
        if s >= firstLeaf {
          leafGrowth = Swift.max(leafGrowth, degree)
        } else {
          growth += degree
        }
        guard slope != 0 else { continue }
        var inner = 0.0
        for m in (j + 1)..<Swift.max(j + 1, r) { inner += lower[s * r + m] * lower[s * r + m] }
        var features = extraFeatures[s]
        var frequency = 0.0
        for f in functions[s] {
          features += f.quadratureFeatures
          // Frequencies of a product add up (sin z · sin z oscillates at 2).
          if s >= firstLeaf {
            frequency += f.oscillationFrequency * abs(slope)
          } else {
            level.oscillation += f.oscillationFrequency * abs(slope)
          }
        }
        leafOscillation = Swift.max(leafOscillation, frequency)
        for f in features {
          let width = (f.width * f.width + inner).squareRoot() / abs(slope)
          // Factors of one coordinate with the same trouble multiply there: one feature, the
          // strengths (pole orders) added.
          if let same = level.features.firstIndex(where: {
            $0.coordinate == s && $0.location == f.location && $0.width == width
          }) {
            level.features[same].strength += f.strength
          } else {
            level.features.append(
              LevelFeature(
                coordinate: s, location: f.location, inverseSlope: 1 / slope, width: width,
                strength: f.strength))
          }
        }
      }
      growth += leafGrowth
      level.growth = growth
      level.oscillation += leafOscillation
      level.usesUniformRule =
        options.useUniformRule && closure == nil && maximumDegree == 0
        && options.nodesPerPiece == nil
        && level.features.allSatisfy { $0.width >= NestedGaussianQuadrature.minimumUniformWidth }
      let peak = 0.5 * ((1 + 4 * growth).squareRoot() - 1)
      level.peakLocation = peak
      level.logPeak = -0.5 * peak * peak + growth * Foundation.log1p(peak)
      levels[j] = level
    }
    self.levels = levels
  }

  /// About the nodes needed to resolve the integrand's oscillation: Πⱼ max(1, U·ωⱼ) (1 for a
  /// non-oscillating integrand).
  var estimatedOscillationNodes: Double {
    levels.reduce(1) { $0 * Swift.max(1, options.truncation * $1.oscillation) }
  }

  /// Throws ``GaussianExpectationError/tooManyNodes(estimated:maximum:)`` when resolving the
  /// oscillation would take more than ``GaussianExpectation/maximumNodes`` nodes. Called before
  /// ``run()``; it also bounds every piece count of the run (at most 2U·ωⱼ/32 pieces per level).
  func checkWork() throws {
    let estimate = estimatedOscillationNodes
    guard estimate <= GaussianExpectation.maximumNodes else {
      throw GaussianExpectationError.tooManyNodes(
        estimated: estimate, maximum: GaussianExpectation.maximumNodes)
    }
  }

  /// Runs the quadrature; entry m of the result is ⟨u^{α_m} F⟩ for `monomials[m]`.
  func run() -> (values: [Double], statistics: Statistics) {
    if rank == 0 {
      // z ≡ 0: F is deterministic.
      var value = closure.map { $0([Double](repeating: 0, count: dimension)) } ?? 1
      for s in 0..<dimension { for f in functions[s] { value *= f(0) } }
      let values = monomials.map { $0.allSatisfy { $0 == 0 } ? value : 0 }
      return (values, Statistics(levelNodes: []))
    }
    var workspace = QuadratureWorkspace(self)
    defer { workspace.deallocate() }
    let logTolerance = Foundation.log(options.tolerance)
    if rank > 1 && options.useStaticLeafMesh {
      if options.useLeafInterpolation {
        workspace.prepareLeafInterpolant(logTolerance: logTolerance)
      }
      // Without an interpolant (or one that was not built here), the static mesh serves
      // the leaf itself.
      if workspace.leafInterpolants.isEmpty && !workspace.staticLeafPlanned {
        workspace.prepareStaticLeaf(logTolerance: logTolerance)
      }
    }
    workspace.integrate(level: 0, logTolerance: logTolerance)
    return (workspace.results, workspace.statistics)
  }

  /// The interpolant of the innermost integral this plan would build (see
  /// `QuadratureWorkspace.prepareLeafInterpolant`), or nil when it builds none.
  func leafInterpolant() -> SharedLeafInterpolant? {
    guard rank > 1, options.useStaticLeafMesh, options.useLeafInterpolation else { return nil }
    var workspace = QuadratureWorkspace(self)
    defer { workspace.deallocate() }
    workspace.prepareLeafInterpolant(logTolerance: Foundation.log(options.tolerance))
    return workspace.leafInterpolants.first
  }

  /// All exponent vectors α ∈ ℕ^d with |α| ≤ p, in graded lexicographic order (α = 0 first).
  static func exponents(dimension d: Int, maximumDegree p: Int) -> [[Int]] {
    var result: [[Int]] = []
    var current = [Int](repeating: 0, count: d)
    func fill(_ s: Int, _ remaining: Int) {
      if s == d - 1 {
        current[s] = remaining
        result.append(current)
        return
      }
      for e in stride(from: remaining, through: 0, by: -1) {
        current[s] = e
        fill(s + 1, remaining - e)
      }
    }
    for total in 0...p {
      if d > 0 { fill(0, total) } else if total == 0 { result.append([]) }
    }
    return result
  }
}
