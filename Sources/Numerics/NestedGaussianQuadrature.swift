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
/// (see `chooseRule`) reaches the local tolerance. The local tolerance of an inner level is
/// relaxed by the Gaussian weight of the outer point, so nodes far in the tails are cheap,
/// and nodes whose whole inner integral is negligible are skipped.
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
  }

  /// A feature of coordinate `coordinate` seen at one level.
  struct LevelFeature {
    var coordinate: Int
    /// Location in z.
    var location: Double
    /// 1 / L_{sj}.
    var inverseSlope: Double
    /// Width in uⱼ (0 for an exact kink at this level).
    var width: Double
  }

  /// Work done by one run (diagnostics and tests).
  struct Statistics {
    /// Integrand evaluations at the innermost level.
    var leafEvaluations = 0
    /// Nodes visited at each outer level.
    var levelNodes: [Int] = []
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

  /// Breakpoints a level may hold (more are dropped, which only coarsens the mesh).
  static let breakpointCapacity = 512

  /// - Parameters:
  ///   - factorisation: Cholesky factor of the covariance of the coordinates in use.
  ///   - functions: the factors acting on each coordinate (empty lists for the closure form).
  ///   - features: extra features per coordinate (the closure form's declared kinks).
  ///   - maximumDegree: accumulate ⟨u^α F⟩ for all |α| ≤ this (0: just ⟨F⟩).
  init(
    factorisation: CholeskyFactor, functions: [[GaussianFactor.Function]],
    features extraFeatures: [[QuadratureFeature]], maximumDegree: Int,
    rules: GaussLegendreRuleTable, options: GaussianExpectation.Options,
    closure: (([Double]) -> Double)?
  ) {
    let d = factorisation.dimension
    let r = factorisation.rank
    let lower = factorisation.lower
    self.dimension = d
    self.rank = r
    self.lower = lower
    self.functions = functions
    self.maximumDegree = maximumDegree
    self.rules = rules
    self.options = options
    self.closure = closure
    self.monomials = NestedGaussianQuadrature.exponents(dimension: r, maximumDegree: maximumDegree)

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
      for s in 0..<d where completedAt[s] >= j {
        let slope = lower[s * r + j]
        growth += closure != nil ? 2 : Double(functions[s].reduce(0) { $0 + $1.growthDegree })
        guard slope != 0 else { continue }
        var inner = 0.0
        for m in (j + 1)..<Swift.max(j + 1, r) { inner += lower[s * r + m] * lower[s * r + m] }
        var features = extraFeatures[s]
        for f in functions[s] {
          features += f.quadratureFeatures
          // Frequencies of a product add up (sin z · sin z oscillates at 2).
          level.oscillation += f.oscillationFrequency * abs(slope)
        }
        for f in features {
          let width = (f.width * f.width + inner).squareRoot() / abs(slope)
          let duplicate = level.features.contains {
            $0.coordinate == s && $0.location == f.location && $0.width == width
          }
          if !duplicate {
            level.features.append(
              LevelFeature(
                coordinate: s, location: f.location, inverseSlope: 1 / slope, width: width))
          }
        }
      }
      level.growth = growth
      let peak = 0.5 * ((1 + 4 * growth).squareRoot() - 1)
      level.peakLocation = peak
      level.logPeak = -0.5 * peak * peak + growth * Foundation.log1p(peak)
      levels[j] = level
    }
    self.levels = levels
  }

  /// Runs the quadrature; entry m of the result is ⟨u^{α_m} F⟩ for `monomials[m]`.
  func run() -> (values: [Double], statistics: Statistics) {
    var statistics = Statistics(levelNodes: [Int](repeating: 0, count: rank))
    if rank == 0 {
      // z ≡ 0: F is deterministic.
      var value = closure.map { $0([Double](repeating: 0, count: dimension)) } ?? 1
      for s in 0..<dimension { for f in functions[s] { value *= f(0) } }
      return (monomials.map { $0.allSatisfy { $0 == 0 } ? value : 0 }, statistics)
    }
    var workspace = Workspace(self)
    defer { workspace.deallocate() }
    integrate(level: 0, logTolerance: Foundation.log(options.tolerance), &workspace, &statistics)
    let values = (0..<monomials.count).map { workspace.accumulators[$0] }
    return (values, statistics)
  }

  // MARK: - Recursion

  /// Scratch memory for one run, allocated once; per-level slices where the recursion needs
  /// them. Raw pointers keep the inner loops free of bounds checks and reference counting.
  private struct Workspace {
    let partial: UnsafeMutablePointer<Double>  // (r + 1) × d: Σ_{m<j} L_{sm}u_m per level
    let u: UnsafeMutablePointer<Double>  // r
    var z: [Double]  // d, handed to the closure
    let accumulators: UnsafeMutablePointer<Double>  // r × monomials
    let breakpoints: UnsafeMutablePointer<Double>  // r × capacity
    let centers: UnsafeMutablePointer<Double>  // r × features
    let poleRadii: UnsafeMutablePointer<Double>  // features
    let leafU: UnsafeMutablePointer<Double>  // maximum order
    let leafWeight: UnsafeMutablePointer<Double>
    let leafValue: UnsafeMutablePointer<Double>
    let leafScratch: UnsafeMutablePointer<Double>
    let leafZ: UnsafeMutablePointer<Double>  // d × maximum order
    let powers: UnsafeMutablePointer<Double>  // r × (degree + 1)
    let featureStride: Int
    let orderStride: Int

    init(_ plan: NestedGaussianQuadrature) {
      let d = plan.dimension
      let r = plan.rank
      featureStride = Swift.max(1, plan.levels.map(\.features.count).max() ?? 0)
      orderStride = plan.rules.maximumOrder
      func buffer(_ count: Int) -> UnsafeMutablePointer<Double> {
        let pointer = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, count))
        pointer.initialize(repeating: 0, count: Swift.max(1, count))
        return pointer
      }
      partial = buffer((r + 1) * d)
      u = buffer(r)
      z = [Double](repeating: 0, count: d)
      accumulators = buffer(r * plan.monomials.count)
      breakpoints = buffer(r * NestedGaussianQuadrature.breakpointCapacity)
      centers = buffer(r * featureStride)
      poleRadii = buffer(featureStride)
      leafU = buffer(orderStride)
      leafWeight = buffer(orderStride)
      leafValue = buffer(orderStride)
      leafScratch = buffer(orderStride)
      leafZ = buffer(d * orderStride)
      powers = buffer(r * (plan.maximumDegree + 1))
    }

    func deallocate() {
      for pointer in [
        partial, u, accumulators, breakpoints, centers, poleRadii, leafU, leafWeight, leafValue,
        leafScratch, leafZ, powers,
      ] {
        pointer.deallocate()
      }
    }
  }

  /// 1/√(2π).
  private static let inverseRootTwoPi = 0.39894228040143267794

  /// Integrates levels j…r−1 given the partial sums of level j, leaving the result (one value
  /// per monomial) in the accumulators of level j.
  private func integrate(
    level j: Int, logTolerance: Double, _ w: inout Workspace, _ statistics: inout Statistics
  ) {
    let count = monomials.count
    let accumulator = w.accumulators + j * count
    accumulator.initialize(repeating: 0, count: count)
    let points = w.breakpoints + j * NestedGaussianQuadrature.breakpointCapacity
    let pointCount = buildBreakpoints(level: j, into: points, &w)
    let lengthCap = pieceLengthCap(level: j)
    let isLeaf = j == rank - 1
    let d = dimension
    let r = rank
    let level = levels[j]
    let logCap = Foundation.log(1e-3)
    let partial = w.partial + j * d
    let nextPartial = w.partial + (j + 1) * d
    for p in 0..<(pointCount - 1) {
      let a0 = points[p]
      let b0 = points[p + 1]
      guard b0 > a0 else { continue }
      let splits = Swift.max(1, Int(((b0 - a0) / lengthCap).rounded(.up)))
      let step = (b0 - a0) / Double(splits)
      for q in 0..<splits {
        let a = a0 + Double(q) * step
        let b = q == splits - 1 ? b0 : a + step
        let rule = rules.rules[
          chooseRule(level: j, from: a, to: b, logTolerance: logTolerance, &w)]
        let half = 0.5 * (b - a)
        let mid = 0.5 * (a + b)
        if isLeaf {
          accumulateLeaf(level: j, rule: rule, mid: mid, half: half, &w)
          statistics.leafEvaluations += rule.order
          continue
        }
        statistics.levelNodes[j] += rule.order
        for i in 0..<rule.order {
          let u = mid + half * rule.nodes[i]
          let innerTolerance = logTolerance - logImportance(level: j, at: u)
          // The whole inner integral is below the tolerance: skip it.
          if innerTolerance >= 0 { continue }
          let weight =
            half * rule.weights[i] * NestedGaussianQuadrature.inverseRootTwoPi
            * Foundation.exp(-0.5 * u * u)
          var g = 1.0
          for s in level.completed {
            let zs = partial[s] + lower[s * r + j] * u
            w.z[s] = zs
            for f in functions[s] { g *= f(zs) }
          }
          if g == 0 { continue }
          w.u[j] = u
          for s in level.pending { nextPartial[s] = partial[s] + lower[s * r + j] * u }
          integrate(
            level: j + 1, logTolerance: Swift.min(logCap, innerTolerance), &w, &statistics)
          let factor = weight * g
          let inner = w.accumulators + (j + 1) * count
          for m in 0..<count { accumulator[m] += factor * inner[m] }
        }
      }
    }
  }

  /// The innermost level: all coordinates are known at each node, evaluated in batches.
  private func accumulateLeaf(
    level j: Int, rule: GaussLegendreRule, mid: Double, half: Double, _ w: inout Workspace
  ) {
    let n = rule.order
    let d = dimension
    let r = rank
    let count = monomials.count
    let accumulator = w.accumulators + j * count
    let partial = w.partial + j * d
    let leafU = w.leafU
    let leafWeight = w.leafWeight
    let leafValue = w.leafValue
    rule.nodes.withUnsafeBufferPointer { nodes in
      rule.weights.withUnsafeBufferPointer { weights in
        for i in 0..<n {
          let u = mid + half * nodes[i]
          leafU[i] = u
          leafWeight[i] =
            half * weights[i] * NestedGaussianQuadrature.inverseRootTwoPi
            * Foundation.exp(-0.5 * u * u)
          leafValue[i] = 1
        }
      }
    }
    let completed = levels[j].completed
    for s in completed {
      let offset = partial[s]
      let slope = lower[s * r + j]
      let zs = w.leafZ + s * w.orderStride
      for i in 0..<n { zs[i] = offset + slope * leafU[i] }
      for f in functions[s] {
        if case .activation(let activation, 0) = f {
          activation.apply(
            UnsafeBufferPointer(start: zs, count: n),
            into: UnsafeMutableBufferPointer(start: w.leafScratch, count: n))
          for i in 0..<n { leafValue[i] *= w.leafScratch[i] }
        } else {
          for i in 0..<n { leafValue[i] *= f(zs[i]) }
        }
      }
    }
    if let closure {
      for i in 0..<n {
        for s in completed { w.z[s] = w.leafZ[s * w.orderStride + i] }
        leafValue[i] *= closure(w.z)
      }
    }
    if count == 1 {
      var sum = 0.0
      for i in 0..<n { sum += leafWeight[i] * leafValue[i] }
      accumulator[0] += sum
      return
    }
    let p = maximumDegree
    let powers = w.powers
    for i in 0..<n {
      let factor = leafWeight[i] * leafValue[i]
      if factor == 0 { continue }
      w.u[j] = leafU[i]
      for level in 0..<r {
        var x = 1.0
        for e in 0...p {
          powers[level * (p + 1) + e] = x
          x *= w.u[level]
        }
      }
      for m in 0..<count {
        var term = factor
        let alpha = monomials[m]
        for level in 0..<r where alpha[level] > 0 { term *= powers[level * (p + 1) + alpha[level]] }
        accumulator[m] += term
      }
    }
  }

  // MARK: - Mesh

  /// Writes the sorted breakpoints of level j (truncation ends, exact kinks, graded points
  /// around smooth features) and returns their number.
  private func buildBreakpoints(
    level j: Int, into points: UnsafeMutablePointer<Double>, _ w: inout Workspace
  ) -> Int {
    let d = dimension
    let truncation = options.truncation
    let ratio = options.gradingRatio
    let capacity = NestedGaussianQuadrature.breakpointCapacity
    let features = levels[j].features
    let centers = w.centers + j * w.featureStride
    for (k, feature) in features.enumerated() {
      centers[k] =
        (feature.location - w.partial[j * d + feature.coordinate]) * feature.inverseSlope
    }
    var count = 0
    func add(_ x: Double) {
      if count < capacity - 1 && x > -truncation && x < truncation {
        points[count] = x
        count += 1
      }
    }
    for (k, feature) in features.enumerated() {
      let center = centers[k]
      if feature.width == 0 {
        add(center)
        continue
      }
      var offset = feature.width
      var steps = 0
      while steps < 80 && (center - offset > -truncation || center + offset < truncation) {
        if dominates(feature: k, features: features, centers: centers, at: center + offset) {
          add(center + offset)
        }
        if dominates(feature: k, features: features, centers: centers, at: center - offset) {
          add(center - offset)
        }
        offset *= ratio
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

  /// True when smooth feature k is the nearest (in the complex plane) of the level's smooth
  /// features to the point x: only the nearest feature's grading is needed there, so wider
  /// features around the same centre add no breakpoints.
  private func dominates(
    feature k: Int, features: [LevelFeature], centers: UnsafeMutablePointer<Double>, at x: Double
  ) -> Bool {
    let own = features[k].width
    let dx = x - centers[k]
    let distance = dx * dx + own * own
    for (other, feature) in features.enumerated() where other != k && feature.width > 0 {
      let ex = x - centers[other]
      if ex * ex + feature.width * feature.width < distance { return false }
    }
    return true
  }

  /// The largest piece length at level j.
  private func pieceLengthCap(level j: Int) -> Double {
    var cap = options.maximumPieceLength
    let omega = levels[j].oscillation
    if omega > 0 { cap = Swift.min(cap, 32 / omega) }
    return cap
  }

  /// log of the normalised tail weight (1+|u|)^D e^{−u²/2} / peak at u (≤ 0).
  private func logImportance(level j: Int, at u: Double) -> Double {
    let x = abs(u)
    return -0.5 * x * x + levels[j].growth * Foundation.log1p(x) - levels[j].logPeak
  }

  // MARK: - Node selection

  /// Ellipse parameters t tried for every piece, with e^t.
  private static let ellipseGrid: [(t: Double, exp: Double)] = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]
    .map { ($0, Foundation.exp($0)) }
  /// Offsets Δ below the nearest pole's parameter t_p, with −ln(1 − e^{−Δ}) (the growth of a
  /// pole's contribution on the ellipse t_p − Δ) and e^{−Δ}.
  private static let poleOffsets: [(delta: Double, blowUp: Double, shrink: Double)] = [
    0.05, 0.15, 0.3, 0.6, 1.2,
  ].map { ($0, -Foundation.log(1 - Foundation.exp(-$0)), Foundation.exp(-$0)) }

  /// The index of the smallest tabulated rule whose a-priori error bound on [a, b] reaches
  /// e^{logTolerance} (relative to the peak of the level's weight), or the fixed rule when
  /// `options.nodesPerPiece` is set.
  ///
  /// Gauss–Legendre with n nodes on a piece errs by about M(t) e^{−2nt}, M(t) the largest
  /// modulus of the integrand on the Bernstein ellipse with parameter t (semi-axes h cosh t,
  /// h sinh t around the piece's midpoint m). ln M(t), relative to the peak of
  /// (1+|u|)^D e^{−u²/2}, is bounded by the exact maximum of −Re(u²)/2 on the ellipse, plus
  /// D ln(1 + |m| + h cosh t), plus ωy for oscillation (y = h sinh t), plus for each smooth
  /// feature — treated as a pole at the ellipse parameter t_p through centre ± i·width —
  /// −ln(1 − e^{t−t_p}). The required n is minimised over a few t (a fixed grid, and just
  /// inside the nearest pole). Far-tail pieces come out cheap automatically, because the
  /// Gaussian is small on their whole ellipse.
  private func chooseRule(
    level j: Int, from a: Double, to b: Double, logTolerance: Double, _ w: inout Workspace
  ) -> Int {
    if let fixed = options.nodesPerPiece { return rules.index(atLeast: fixed) }
    let needed = 1 - logTolerance
    let half = 0.5 * (b - a)
    let mid = 0.5 * (a + b)
    let level = levels[j]
    let omega = level.oscillation
    let centers = w.centers + j * w.featureStride
    let radii = w.poleRadii
    var poleCount = 0
    var nearest = Double.infinity
    var nearestIndex = -1
    for (k, feature) in level.features.enumerated() where feature.width > 0 {
      let rho = NestedGaussianQuadrature.bernsteinRadius(
        real: (centers[k] - mid) / half, imaginary: feature.width / half)
      radii[poleCount] = rho
      if rho < nearest {
        nearest = rho
        nearestIndex = poleCount
      }
      poleCount += 1
    }
    // ln M(t) without the pole terms, at e^t = et.
    func envelope(_ et: Double) -> Double {
      let hc = half * 0.5 * (et + 1 / et)
      let hs = half * 0.5 * (et - 1 / et)
      // max over θ of −(m + hc cos θ)²/2 + (hs sin θ)²/2, a concave quadratic in cos θ.
      let optimum = Swift.min(1, Swift.max(-1, -mid * hc / (hc * hc + hs * hs)))
      let x = mid + hc * optimum
      let gaussian = -0.5 * x * x + 0.5 * hs * hs * (1 - optimum * optimum)
      return gaussian + level.growth * Foundation.log1p(abs(mid) + hc) - level.logPeak
        + omega * hs
    }
    var best = Double.infinity
    let nearestT = nearest.isFinite ? Foundation.log(nearest) : Double.infinity
    if nearest.isFinite {
      for offset in NestedGaussianQuadrature.poleOffsets where nearestT - offset.delta > 0.05 {
        let t = nearestT - offset.delta
        let et = nearest * offset.shrink
        var cost = needed + envelope(et) + offset.blowUp
        var valid = true
        for p in 0..<poleCount where p != nearestIndex {
          let x = et / radii[p]
          if x >= 1 {
            valid = false
            break
          }
          cost += x / (1 - x)
        }
        if valid { best = Swift.min(best, cost / (2 * t)) }
      }
    }
    for point in NestedGaussianQuadrature.ellipseGrid where point.t < nearestT - 0.05 {
      var cost = needed + envelope(point.exp)
      for p in 0..<poleCount {
        let x = point.exp / radii[p]
        cost += x / (1 - x)
      }
      best = Swift.min(best, cost / (2 * point.t))
    }
    let nodes = best.isFinite ? Swift.max(8, best + 1) : Double(rules.maximumOrder)
    return rules.index(atLeast: Int(Swift.min(nodes, Double(rules.maximumOrder)).rounded(.up)))
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
