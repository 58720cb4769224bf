import Foundation

/// The quadrature engine behind ``GaussianExpectation``: iterated split-at-kink Gauss–Legendre
/// integration in Cholesky coordinates.
///
/// With z = L u (L lower triangular, u standard normal), coordinate z_s depends on u₀…u_s only.
/// Level j integrates uⱼ over [−U, U] with u₀…u_{j−1} fixed; the factors of every coordinate
/// whose value is complete at level j are multiplied in there, so a product integrand costs
/// one evaluation per factor per node of its own level (and a zero factor, ReLU's left half,
/// prunes the whole inner integral).
///
/// The 1-D mesh of a level is built from the features of the coordinates still depending on uⱼ:
/// * a kink of z_s = Σ_{m<j} L_{sm}u_m + L_{sj}uⱼ at s's own level is an exact breakpoint;
/// * a kink or transition of a coordinate completed later is smoothed by the inner integration
///   over u_{j+1}…u_s, with standard deviation r = (Σ_{j<m≤s} L²_{sm})^{1/2}; in uⱼ it is a
///   smooth feature of width √(w² + r²)/|L_{sj}| around the crossing point, and the mesh is
///   graded geometrically around it (width·gᵏ, so every piece sees the feature at a fixed
///   relative distance);
/// * pieces are capped in length (the Gaussian weight, and oscillation for sin).
/// Each piece then gets the smallest tabulated rule whose a-priori Bernstein-ellipse bound
/// (nearest feature treated as a pole at centre ± i·width) reaches the local tolerance. The
/// local tolerance is relaxed where the Gaussian weight of the outer point (and of the piece)
/// is small, so far tails are cheap.
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
    /// Polynomial growth degree of the integrand in uⱼ, and log of the peak of
    /// (1+|u|)^D e^{−u²/2}.
    var growth: Double = 0
    var logPeak: Double = 0
    var peakLocation: Double = 0
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
  var poleMultiplicity = 2.0

  /// The number of integrand evaluations at the innermost level (diagnostics and tests).
  private(set) var leafEvaluations = 0
  /// The number of nodes visited at each level (diagnostics and tests).
  private(set) var levelNodes: [Int] = []

  // Scratch, reused across the recursion; one slice per level where the recursion needs it.
  private var partial: [Double]
  private var z: [Double]
  private var u: [Double]
  private var accumulators: [Double]
  private var breakpoints: [[Double]]
  private var centers: [[Double]]
  private var leafU: [Double]
  private var leafWeight: [Double]
  private var leafValue: [Double]
  private var leafZ: [Double]
  private var leafScratch: [Double]
  private var powers: [Double]
  private var poleRadii: [Double]

  /// - Parameters:
  ///   - factorisation: Cholesky factor of the covariance of the coordinates in use.
  ///   - functions: the factors acting on each coordinate (empty for the closure form).
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
    if let pm = ProcessInfo.processInfo.environment["PM"], let v = Double(pm) {
      poleMultiplicity = v
    }  // SCRATCH
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
        if closure != nil {
          growth += 2
        } else {
          growth += Double(functions[s].reduce(0) { $0 + $1.growthDegree })
        }
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

    let maxOrder = rules.maximumOrder
    partial = [Double](repeating: 0, count: (r + 1) * d)
    z = [Double](repeating: 0, count: d)
    u = [Double](repeating: 0, count: r)
    accumulators = [Double](repeating: 0, count: Swift.max(r, 1) * monomials.count)
    breakpoints = [[Double]](repeating: [], count: r)
    centers = levels.map { [Double](repeating: 0, count: $0.features.count) }
    leafU = [Double](repeating: 0, count: maxOrder)
    leafWeight = [Double](repeating: 0, count: maxOrder)
    leafValue = [Double](repeating: 0, count: maxOrder)
    leafZ = [Double](repeating: 0, count: d * maxOrder)
    leafScratch = [Double](repeating: 0, count: maxOrder)
    powers = [Double](repeating: 1, count: r * (maximumDegree + 1))
    poleRadii = [Double](repeating: 0, count: levels.map(\.features.count).max() ?? 0)
    for j in 0..<r { breakpoints[j].reserveCapacity(64) }
    levelNodes = [Int](repeating: 0, count: r)
  }

  /// Runs the quadrature; entry m of the result is ⟨u^{α_m} F⟩ for `monomials[m]`.
  mutating func run() -> [Double] {
    let count = monomials.count
    if rank == 0 {
      // z ≡ 0: F is deterministic.
      var value = closure.map { $0(z) } ?? 1
      for s in 0..<dimension { for f in functions[s] { value *= f(0) } }
      return monomials.map { $0.allSatisfy { $0 == 0 } ? value : 0 }
    }
    integrate(level: 0, logTolerance: Foundation.log(options.tolerance))
    return Array(accumulators[0..<count])
  }

  /// Integrates levels j…r−1 given partial[j], leaving the result in accumulators[j].
  private mutating func integrate(level j: Int, logTolerance: Double) {
    let count = monomials.count
    let base = j * count
    for m in 0..<count { accumulators[base + m] = 0 }
    buildBreakpoints(level: j)
    let lengthCap = pieceLengthCap(level: j)
    let points = breakpoints[j]
    let isLeaf = j == rank - 1
    let d = dimension
    let r = rank
    let logCap = Foundation.log(1e-3)
    for p in 0..<(points.count - 1) {
      let a0 = points[p]
      let b0 = points[p + 1]
      guard b0 > a0 else { continue }
      let splits = Swift.max(1, Int(((b0 - a0) / lengthCap).rounded(.up)))
      let step = (b0 - a0) / Double(splits)
      for q in 0..<splits {
        let a = a0 + Double(q) * step
        let b = q == splits - 1 ? b0 : a + step
        let ruleIndex = chooseRule(level: j, from: a, to: b, logTolerance: logTolerance)
        if ProcessInfo.processInfo.environment["PIECES"] != nil && j == 0 {
          print("piece", a, b, rules.rules[ruleIndex].order)
        }  // SCRATCH
        let rule = rules.rules[ruleIndex]
        let half = 0.5 * (b - a)
        let mid = 0.5 * (a + b)
        if isLeaf {
          accumulateLeaf(level: j, rule: rule, mid: mid, half: half)
          continue
        }
        let level = levels[j]
        levelNodes[j] += rule.order
        for i in 0..<rule.order {
          let u = mid + half * rule.nodes[i]
          let weight =
            half * rule.weights[i] * 0.39894228040143267794 * Foundation.exp(-0.5 * u * u)
          var g = 1.0
          for s in level.completed {
            let zs = partial[j * d + s] + lower[s * r + j] * u
            z[s] = zs
            for f in functions[s] { g *= f(zs) }
          }
          if g == 0 || weight == 0 { continue }
          self.u[j] = u
          for s in level.pending {
            partial[(j + 1) * d + s] = partial[j * d + s] + lower[s * r + j] * u
          }
          let inner = Swift.min(
            logCap, logTolerance - logImportance(level: j, at: u))
          integrate(level: j + 1, logTolerance: inner)
          let factor = weight * g
          let innerBase = (j + 1) * count
          for m in 0..<count { accumulators[base + m] += factor * accumulators[innerBase + m] }
        }
      }
    }
  }

  /// The innermost level: all coordinates are known at each node, evaluated in batches.
  private mutating func accumulateLeaf(
    level j: Int, rule: GaussLegendreRule, mid: Double, half: Double
  ) {
    let n = rule.order
    let d = dimension
    let r = rank
    let count = monomials.count
    let base = j * count
    leafEvaluations += n
    for i in 0..<n {
      let u = mid + half * rule.nodes[i]
      leafU[i] = u
      leafWeight[i] = half * rule.weights[i] * 0.39894228040143267794 * Foundation.exp(-0.5 * u * u)
      leafValue[i] = 1
    }
    let completed = levels[j].completed
    for s in completed {
      let offset = partial[j * d + s]
      let slope = lower[s * r + j]
      for i in 0..<n { leafZ[s * rules.maximumOrder + i] = offset + slope * leafU[i] }
      for f in functions[s] {
        if case .activation(let activation, 0) = f {
          let start = s * rules.maximumOrder
          leafZ.withUnsafeBufferPointer { zs in
            leafScratch.withUnsafeMutableBufferPointer { out in
              activation.apply(
                UnsafeBufferPointer(rebasing: zs[start..<(start + n)]), into: out)
            }
          }
          for i in 0..<n { leafValue[i] *= leafScratch[i] }
        } else {
          for i in 0..<n { leafValue[i] *= f(leafZ[s * rules.maximumOrder + i]) }
        }
      }
    }
    if let closure {
      for i in 0..<n {
        for s in completed { z[s] = leafZ[s * rules.maximumOrder + i] }
        leafValue[i] *= closure(z)
      }
    }
    if count == 1 {
      var sum = 0.0
      for i in 0..<n { sum += leafWeight[i] * leafValue[i] }
      accumulators[base] += sum
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
      for m in 0..<count {
        var term = factor
        let alpha = monomials[m]
        for level in 0..<r where alpha[level] > 0 { term *= powers[level * (p + 1) + alpha[level]] }
        accumulators[base + m] += term
      }
    }
  }

  /// Breakpoints of level j: the truncation ends, exact kinks, and geometric grading around
  /// smooth features, sorted.
  private mutating func buildBreakpoints(level j: Int) {
    let d = dimension
    let truncation = options.truncation
    let ratio = options.gradingRatio
    var points: [Double] = []
    swap(&points, &breakpoints[j])  // keep the buffer uniquely referenced while editing it
    points.removeAll(keepingCapacity: true)
    points.append(-truncation)
    points.append(truncation)
    let features = levels[j].features
    for (k, feature) in features.enumerated() {
      centers[j][k] =
        (feature.location - partial[j * d + feature.coordinate]) * feature.inverseSlope
    }
    for (k, feature) in features.enumerated() {
      let center = centers[j][k]
      if feature.width == 0 {
        if center > -truncation && center < truncation { points.append(center) }
        continue
      }
      var offset = feature.width
      var steps = 0
      while steps < 80 && (center - offset > -truncation || center + offset < truncation) {
        let right = center + offset
        if right > -truncation && right < truncation && dominates(feature: k, level: j, at: right) {
          points.append(right)
        }
        let left = center - offset
        if left > -truncation && left < truncation && dominates(feature: k, level: j, at: left) {
          points.append(left)
        }
        offset *= ratio
        steps += 1
      }
    }
    points.sort()
    // Drop breakpoints closer than rounding to their predecessor.
    var kept = 1
    let minimumGap = 1e-13 * truncation
    for i in 1..<points.count where points[i] - points[kept - 1] > minimumGap {
      points[kept] = points[i]
      kept += 1
    }
    if points[kept - 1] < truncation {
      if kept < points.count { points[kept] = truncation } else { points.append(truncation) }
      kept += 1
    }
    points.removeLast(points.count - kept)
    breakpoints[j] = points
  }

  /// True when smooth feature k is the nearest (in the complex plane) of the level's smooth
  /// features to the point x: only the nearest feature's grading is needed there, so wider
  /// features around the same centre add no breakpoints.
  private func dominates(feature k: Int, level j: Int, at x: Double) -> Bool {
    let features = levels[j].features
    let own = features[k].width
    let dx = x - centers[j][k]
    let distance = dx * dx + own * own
    for (other, feature) in features.enumerated() where other != k && feature.width > 0 {
      let ex = x - centers[j][other]
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
    let level = levels[j]
    let x = abs(u)
    return -0.5 * x * x + level.growth * Foundation.log1p(x) - level.logPeak
  }

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
  private mutating func chooseRule(level j: Int, from a: Double, to b: Double, logTolerance: Double)
    -> Int
  {
    if let fixed = options.nodesPerPiece { return rules.index(atLeast: fixed) }
    let needed = 1 - logTolerance
    let half = 0.5 * (b - a)
    let mid = 0.5 * (a + b)
    let level = levels[j]
    let omega = level.oscillation
    let features = level.features
    var poleCount = 0
    var nearest = Double.infinity
    var nearestIndex = -1
    for k in 0..<features.count where features[k].width > 0 {
      let rho = NestedGaussianQuadrature.bernsteinRadius(
        real: (centers[j][k] - mid) / half, imaginary: features[k].width / half)
      poleRadii[poleCount] = rho
      if rho < nearest {
        nearest = rho
        nearestIndex = poleCount
      }
      poleCount += 1
    }
    // ln M(t) without the pole terms, at e^t = et.
    func envelope(_ et: Double) -> Double {
      let c = 0.5 * (et + 1 / et)
      let sh = 0.5 * (et - 1 / et)
      let hc = half * c
      let hs = half * sh
      // max over θ of −(m + hc cos θ)²/2 + (hs sin θ)²/2, a quadratic in C = cos θ.
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
        var cost = needed + envelope(et) + poleMultiplicity * offset.blowUp
        var valid = true
        for p in 0..<poleCount where p != nearestIndex {
          let x = et / poleRadii[p]
          if x >= 1 {
            valid = false
            break
          }
          cost += poleMultiplicity * x / (1 - x)
        }
        if valid { best = Swift.min(best, cost / (2 * t)) }
      }
    }
    for point in NestedGaussianQuadrature.ellipseGrid where point.t < nearestT - 0.05 {
      var cost = needed + envelope(point.exp)
      for p in 0..<poleCount {
        let x = point.exp / poleRadii[p]
        cost += poleMultiplicity * x / (1 - x)
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
    for total in 0...p {
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
      if d > 0 { fill(0, total) }
    }
    return result
  }
}
