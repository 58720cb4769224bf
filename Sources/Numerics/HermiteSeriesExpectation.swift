import Foundation

/// ⟨f(z₁) g(z₂)⟩_K for a product integrand of exactly two coordinates, by Mehler's formula.
///
/// With x = z₁/√K₁₁ and y = z₂/√K₂₂ standard normal with correlation ρ = K₁₂/√(K₁₁K₂₂),
///
///   E[f(z₁) g(z₂)] = Σ_{k≥0} ρᵏ a_k b_k,  a_k = E[f(√K₁₁ x) h_k(x)],  b_k = E[g(√K₂₂ y) h_k(y)],
///
/// h_k = He_k/√(k!) the orthonormal probabilists' Hermite polynomials. By Cauchy–Schwarz and
/// Parseval (Σ a_k² = E f²), the terms after N are bounded by |ρ|^{N+1} √(E f² E g²), so
/// N = ⌈ln τ / ln|ρ|⌉ − 1 terms meet the tolerance τ relative to the scale √(E f² E g²).
///
/// The coefficients are 1-D integrals ∫ f(σx) h_k(x) φ(x) dx, all computed from one set of
/// nodes per coordinate: the x-line is split at the kinks of f and graded geometrically around
/// its smooth transitions (as in ``NestedGaussianQuadrature``), pieces are capped in length so
/// that the oscillation of h_k (local wavenumber ≤ √(N + ½)) is resolved, and each piece gets
/// the smallest tabulated Gauss–Legendre rule whose a-priori Bernstein-ellipse bound meets the
/// tolerance, for the envelope |h_k(x) φ(x)| ≲ e^{−Re(x²)/4 + √(N+½)|Im x|}. The line is
/// truncated where (1 + |x|)^D e^{−x²/4} (D the polynomial growth of f) has fallen below the
/// tolerance, which bounds every h_k φ tail uniformly in k (Cramér's inequality).
///
/// The method applies for |ρ| ≤ ``maximumCorrelation``; beyond, the number of terms (and of
/// nodes to resolve them) grows like 1/(1 − |ρ|) and the nested quadrature is faster.
/// ``evaluate(_:rules:tolerance:terms:)`` returns nil whenever it does not apply (another
/// dimension, a zero variance, |ρ| too large, unbounded growth) or anything non-finite appears;
/// the caller then falls back to the nested quadrature. Results are deterministic.
enum HermiteSeriesExpectation {
  /// The largest |ρ| for which the series is used.
  static let maximumCorrelation = 0.75
  /// The largest total polynomial growth degree of the factors of one coordinate.
  static let maximumGrowth = 12
  /// The most Gauss–Legendre pieces one coordinate's mesh may hold (a mesh needing more falls
  /// back to the nested quadrature).
  static let pieceCapacity = 256

  /// The value of the series and the number of terms N summed (k = 0…N).
  struct Result {
    var value: Double
    var terms: Int
  }

  /// The number of terms N (k = 0…N) for which |ρ|^{N+1} ≤ `tolerance`.
  ///
  /// - Precondition: 0 ≤ |ρ| < 1 and 0 < tolerance < 1.
  static func termCount(rho: Double, tolerance: Double) -> Int {
    precondition(abs(rho) < 1 && tolerance > 0 && tolerance < 1, "invalid series parameters")
    if rho == 0 { return 0 }
    let needed = Foundation.log(tolerance) / Foundation.log(abs(rho))
    return Swift.max(0, Int(needed.rounded(.up)) - 1)
  }

  /// ⟨F⟩ for a two-coordinate product problem by Mehler's series, or nil when the series does
  /// not apply (see the type's documentation).
  ///
  /// - Parameters:
  ///   - terms: when set, sum exactly k = 0…terms instead of the a-priori count (for tests and
  ///     convergence studies); the nodes are chosen for that many terms.
  static func evaluate(
    _ problem: ProductProblem, rules: GaussLegendreRuleTable, tolerance: Double,
    terms: Int? = nil
  ) -> Result? {
    guard problem.coordinates.count == 2, tolerance > 0, tolerance < 1 else { return nil }
    let k11 = problem.marginal[0, 0]
    let k22 = problem.marginal[1, 1]
    let k12 = problem.marginal[0, 1]
    guard k11 > 0, k22 > 0, k11.isFinite, k22.isFinite, k12.isFinite else { return nil }
    let sigma1 = k11.squareRoot()
    let sigma2 = k22.squareRoot()
    let rho = k12 / (sigma1 * sigma2)
    // (The slack admits a ρ = ±maximumCorrelation rounded on its way through K₁₂.)
    guard rho.isFinite, abs(rho) <= maximumCorrelation + 1e-12 else { return nil }
    var functions: [[GaussianFactor.Function]] = [[], []]
    for factor in problem.factors { functions[factor.coordinate].append(factor.function) }
    let n = terms ?? termCount(rho: rho, tolerance: tolerance)
    guard n >= 0,
      let first = coefficients(
        of: functions[0], scale: sigma1, terms: n, rules: rules, tolerance: tolerance)
    else { return nil }
    let second: Coefficients
    if functions[1] == functions[0] && sigma2 == sigma1 {
      second = first
    } else {
      guard
        let other = coefficients(
          of: functions[1], scale: sigma2, terms: n, rules: rules, tolerance: tolerance)
      else { return nil }
      second = other
    }
    // Σ ρᵏ a_k b_k, highest order first (the small terms are added before the large ones).
    var sum = 0.0
    for k in stride(from: n, through: 0, by: -1) {
      sum = sum * rho + first.values[k] * second.values[k]
    }
    guard sum.isFinite else { return nil }
    return Result(value: sum, terms: n)
  }

  /// The Hermite coefficients a_0…a_N of one coordinate and E f².
  struct Coefficients {
    /// a_k = E[f(σx) h_k(x)] for k = 0…N.
    var values: [Double]
    /// E[f(σx)²].
    var secondMoment: Double
  }

  /// The coefficients a_k = E[f(σx) h_k(x)], k = 0…`terms`, of the product f of `functions`,
  /// or nil if a value is not finite or the mesh would be too large.
  static func coefficients(
    of functions: [GaussianFactor.Function], scale sigma: Double, terms n: Int,
    rules: GaussLegendreRuleTable, tolerance: Double
  ) -> Coefficients? {
    guard
      let mesh = Mesh(
        functions: functions, scale: sigma, terms: n, rules: rules, tolerance: tolerance)
    else { return nil }
    let count = mesh.nodeCount
    // Nodes are padded to a multiple of 4 with zero weight, for the SIMD recurrence.
    let lanes = (count + 3) / 4
    var x = [SIMD4<Double>](repeating: .zero, count: lanes)
    var weighted = [SIMD4<Double>](repeating: .zero, count: lanes)
    var secondMoment = 0.0
    let ok = x.withUnsafeMutableBufferPointer { xs in
      weighted.withUnsafeMutableBufferPointer { ws in
        mesh.fill(
          functions: functions, scale: sigma, rules: rules, x: xs, weighted: ws,
          secondMoment: &secondMoment)
      }
    }
    guard ok, secondMoment.isFinite else { return nil }
    var values = [Double](repeating: 0, count: n + 1)
    let finite = values.withUnsafeMutableBufferPointer { out in
      x.withUnsafeBufferPointer { xs in
        weighted.withUnsafeBufferPointer { ws in
          hermiteMoments(x: xs, weighted: ws, into: out)
        }
      }
    }
    guard finite else { return nil }
    return Coefficients(values: values, secondMoment: secondMoment)
  }

  /// out[k] = Σᵢ wᵢ h_k(xᵢ) for k = 0…out.count − 1, by the recurrence
  /// h_{k+1} = (x h_k − √k h_{k−1})/√(k+1) run over all nodes at once. Returns false if a sum
  /// is not finite.
  static func hermiteMoments(
    x: UnsafeBufferPointer<SIMD4<Double>>, weighted: UnsafeBufferPointer<SIMD4<Double>>,
    into out: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    let lanes = x.count
    let n = out.count - 1
    guard n >= 0 else { return true }
    let previous = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: Swift.max(1, lanes))
    let current = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: Swift.max(1, lanes))
    defer {
      previous.deallocate()
      current.deallocate()
    }
    var sum0 = SIMD4<Double>.zero
    var sum1 = SIMD4<Double>.zero
    for i in 0..<lanes {
      previous[i] = SIMD4(repeating: 1)
      current[i] = x[i]
      sum0 += weighted[i]
      sum1 += weighted[i] * x[i]
    }
    out[0] = sum0.sum()
    if n >= 1 { out[1] = sum1.sum() }
    if n >= 2 {
      for k in 1..<n {
        let alpha = 1 / Double(k + 1).squareRoot()
        let beta = (Double(k) / Double(k + 1)).squareRoot()
        var sum = SIMD4<Double>.zero
        for i in 0..<lanes {
          let next = alpha * x[i] * current[i] - beta * previous[i]
          previous[i] = current[i]
          current[i] = next
          sum += weighted[i] * next
        }
        out[k + 1] = sum.sum()
      }
    }
    for k in 0...n where !out[k].isFinite { return false }
    return true
  }

  /// The composite Gauss–Legendre mesh of one coordinate on [−U, U] in x = z/σ.
  struct Mesh {
    /// Piece ends a_p < b_p and the index of each piece's rule in the table.
    var starts: [Double] = []
    var ends: [Double] = []
    var ruleIndices: [Int] = []
    /// The total number of nodes.
    var nodeCount = 0

    /// Plans the mesh for ∫ f(σx) h_k(x) φ(x) dx, k ≤ `terms`; nil if it would exceed
    /// ``HermiteSeriesExpectation/pieceCapacity`` pieces or f grows too fast.
    init?(
      functions: [GaussianFactor.Function], scale sigma: Double, terms n: Int,
      rules: GaussLegendreRuleTable, tolerance: Double
    ) {
      var growth = 0
      var frequency = 0.0
      var kinks: [Double] = []
      var smooth: [QuadratureFeature] = []
      for function in functions {
        growth += function.growthDegree
        frequency += function.oscillationFrequency * sigma
        for feature in function.quadratureFeatures {
          let location = feature.location / sigma
          if feature.width == 0 {
            kinks.append(location)
          } else {
            let width = feature.width / sigma
            if let i = smooth.firstIndex(where: { $0.location == location }) {
              smooth[i].width = Swift.min(smooth[i].width, width)
            } else {
              smooth.append(QuadratureFeature(location: location, width: width))
            }
          }
        }
      }
      guard growth <= HermiteSeriesExpectation.maximumGrowth, frequency.isFinite else {
        return nil
      }
      let degree = Double(growth)
      let logTolerance = Foundation.log(tolerance)
      // The envelope (1 + |x|)^D e^{−x²/4}, relative to its peak at x₀ = (√(1 + 8D) − 1)/2
      // (where D/(1 + x) = x/2).
      let peak = 0.5 * ((1 + 8 * degree).squareRoot() - 1)
      let logPeak = -0.25 * peak * peak + degree * Foundation.log1p(peak)
      func logEnvelope(_ x: Double) -> Double {
        -0.25 * x * x + degree * Foundation.log1p(abs(x)) - logPeak
      }
      // Truncation: the envelope is below the tolerance (with margin e⁻³) beyond U.
      var limit = 8.0
      while limit < 40 && logEnvelope(limit) > logTolerance - 3 { limit += 0.5 }
      let omega = (Double(n) + 0.5).squareRoot() + frequency
      var points: [Double] = [-limit, limit]
      for kink in kinks where abs(kink) < limit { points.append(kink) }
      let ratio = 4.0
      for feature in smooth {
        var offset = feature.width
        var steps = 0
        while steps < 40 && offset < 2 * limit {
          for x in [feature.location - offset, feature.location + offset] where abs(x) < limit {
            // Only the narrowest feature near x places breakpoints there.
            let distance =
              (x - feature.location) * (x - feature.location)
              + feature.width * feature.width
            let dominated = smooth.contains {
              ($0.location != feature.location || $0.width != feature.width)
                && (x - $0.location) * (x - $0.location) + $0.width * $0.width < distance
            }
            if !dominated { points.append(x) }
          }
          offset *= ratio
          steps += 1
        }
      }
      points.sort()
      var breakpoints: [Double] = [points[0]]
      for p in points.dropFirst() where p - breakpoints[breakpoints.count - 1] > 1e-12 * limit {
        breakpoints.append(p)
      }
      // Pieces no longer than 48/ω, so that the rule stays moderate for h_k's oscillation.
      let lengthCap = omega > 0 ? 48 / omega : 2 * limit
      for p in 0..<(breakpoints.count - 1) {
        let a0 = breakpoints[p]
        let b0 = breakpoints[p + 1]
        let splits = Swift.max(1, Int(((b0 - a0) / lengthCap).rounded(.up)))
        guard starts.count + splits <= HermiteSeriesExpectation.pieceCapacity else { return nil }
        let step = (b0 - a0) / Double(splits)
        for q in 0..<splits {
          let a = a0 + Double(q) * step
          let b = q == splits - 1 ? b0 : a + step
          // The largest envelope on [a, b], times the length (≤ e⁴): negligible pieces go.
          let nearest = a <= peak && peak <= b || a <= -peak && -peak <= b
          let importance = nearest ? 0 : Swift.max(logEnvelope(a), logEnvelope(b))
          if importance < logTolerance - 5 { continue }
          let order = Mesh.order(
            from: a, to: b, omega: omega, degree: degree, logPeak: logPeak,
            smooth: smooth, logTolerance: logTolerance)
          let index = rules.index(atLeast: order)
          starts.append(a)
          ends.append(b)
          ruleIndices.append(index)
          nodeCount += rules.rules[index].order
        }
      }
    }

    /// Ellipse parameters t tried for every piece.
    static let ellipseGrid: [Double] = [0.5, 0.8, 1.2, 1.6, 2.2, 3]

    /// The number of Gauss–Legendre nodes whose a-priori error bound M(t) e^{−2nt} on [a, b]
    /// meets e^{logTolerance}, minimised over the ellipse parameter t, for an integrand bounded
    /// on the Bernstein ellipse (semi-axes h cosh t, h sinh t) by
    /// (1+|x|)^D e^{−Re(x²)/4 + ω|Im x|} / peak, times −ln(1 − e^{t − t_p}) for the poles of
    /// the smooth features (at centre ± i·width, ellipse parameter t_p).
    static func order(
      from a: Double, to b: Double, omega: Double, degree: Double, logPeak: Double,
      smooth: [QuadratureFeature], logTolerance: Double
    ) -> Int {
      let half = 0.5 * (b - a)
      let mid = 0.5 * (a + b)
      var needed = 1 - logTolerance - logPeak
      if degree > 0 { needed += degree * Foundation.log(1 + abs(mid) + half) }
      var poles: [Double] = []
      for feature in smooth {
        let radius = QuadratureWorkspace.bernsteinRadius(
          real: (feature.location - mid) / half, imaginary: feature.width / half)
        poles.append(Foundation.log(radius))
      }
      let nearest = poles.min() ?? .infinity
      var candidates = ellipseGrid.filter { $0 < nearest - 0.05 }
      if nearest.isFinite {
        for delta in [0.15, 0.5] where nearest - delta > 0.05 { candidates.append(nearest - delta) }
      }
      var best = Double.infinity
      for t in candidates {
        let hc = half * Foundation.cosh(t)
        let hs = half * Foundation.sinh(t)
        // max over θ of −(m + hc cos θ)²/4 + (hs sin θ)²/4: concave quadratic in cos θ.
        let optimum = Swift.min(1, Swift.max(-1, -mid * hc / (hc * hc + hs * hs)))
        let x = mid + hc * optimum
        var cost = needed - 0.25 * x * x + 0.25 * hs * hs * (1 - optimum * optimum)
        cost += omega * hs + degree * t
        for tp in poles { cost -= Foundation.log(-Foundation.expm1(t - tp)) }
        best = Swift.min(best, cost / (2 * t))
      }
      guard best.isFinite else { return Int.max }
      return Swift.max(6, Int((best + 0.5).rounded(.up)))
    }

    /// Writes the nodes xᵢ and the values wᵢ φ(xᵢ) f(σxᵢ) (zero in the padding) and accumulates
    /// Σ wᵢ φ(xᵢ) f(σxᵢ)² into `secondMoment`. Returns false if a value is not finite.
    func fill(
      functions: [GaussianFactor.Function], scale sigma: Double, rules: GaussLegendreRuleTable,
      x: UnsafeMutableBufferPointer<SIMD4<Double>>,
      weighted: UnsafeMutableBufferPointer<SIMD4<Double>>, secondMoment: inout Double
    ) -> Bool {
      let count = nodeCount
      let nodes = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, count))
      let weights = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, count))
      let z = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, count))
      let values = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, count))
      let scratch = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, count))
      defer {
        for pointer in [nodes, weights, z, values, scratch] { pointer.deallocate() }
      }
      var i = 0
      for p in 0..<starts.count {
        let rule = rules.rules[ruleIndices[p]]
        let half = 0.5 * (ends[p] - starts[p])
        let mid = 0.5 * (ends[p] + starts[p])
        rule.nodes.withUnsafeBufferPointer { ruleNodes in
          rule.weights.withUnsafeBufferPointer { ruleWeights in
            for q in 0..<ruleNodes.count {
              let node = mid + half * ruleNodes[q]
              nodes[i] = node
              weights[i] =
                half * ruleWeights[q] * QuadratureWorkspace.inverseRootTwoPi
                * ElementaryFunctions.exp(-0.5 * node * node)
              z[i] = sigma * node
              values[i] = 1
              i += 1
            }
          }
        }
      }
      for function in functions {
        if case .activation(let activation, 0) = function {
          activation.apply(
            UnsafeBufferPointer(start: z, count: count),
            into: UnsafeMutableBufferPointer(start: scratch, count: count))
          for j in 0..<count { values[j] *= scratch[j] }
        } else {
          for j in 0..<count { values[j] *= function(z[j]) }
        }
      }
      var moment = 0.0
      for j in 0..<count {
        let weightedValue = weights[j] * values[j]
        moment += weightedValue * values[j]
        x[j / 4][j % 4] = nodes[j]
        weighted[j / 4][j % 4] = weightedValue
      }
      secondMoment = moment
      for lane in 0..<x.count {
        for component in 0..<4 where !weighted[lane][component].isFinite { return false }
      }
      return true
    }
  }
}
