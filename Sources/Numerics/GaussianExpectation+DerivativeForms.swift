extension GaussianExpectation {
  /// ⟨∂_{β₁}⋯∂_{βₙ} F⟩_K, n ≤ 4, by the derivative-free Hermite form (FORMULAS.md §2):
  ///
  ///     ⟨∂_{β₁}⋯∂_{βₙ} F⟩_K = ⟨H^{β₁…βₙ}(z) F⟩_K,   w^β = Σ_γ K^{βγ} z_γ,
  ///     H^{12}   = w¹w² − K^{12},
  ///     H^{1234} = w¹w²w³w⁴ − (K^{12}w³w⁴ + 5 perms) + K^{12}K^{34} + K^{13}K^{24} + K^{14}K^{23},
  ///
  /// and in general the sum over partial pairings of the derivative indices of
  /// (−1)^{#pairs} Π_{pairs} K^{ab} Π_{unpaired} wᶜ (upper indices: K⁻¹). Only F itself is
  /// evaluated, so the derivatives of kinked activations — delta functions at the kink — are
  /// handled exactly, without distributional derivatives. For n = 2 this is
  /// K^{β₁γ₁}K^{β₂γ₂}⟨(z_{γ₁}z_{γ₂} − K_{γ₁γ₂}) F⟩_K.
  ///
  /// Numerically, w = L⁻ᵀu in the Cholesky coordinates u, and the moments ⟨u^α F⟩ are
  /// integrated (all of them in one pass); working in u rather than z keeps the cancellation
  /// between terms to cond(L)ⁿ instead of cond(K)ⁿ for strongly correlated inputs.
  ///
  /// - Parameters:
  ///   - factors: the product F (derivatives of any order allowed for smooth activations).
  ///   - derivatives: the coordinates β₁…βₙ (0-based, repeats allowed, n ≤ 4). A derivative
  ///     with respect to a coordinate F does not depend on gives 0.
  ///   - covariance: K; the marginal K of the coordinates F uses must be invertible.
  /// - Throws: ``GaussianExpectationError`` as for ``expectation(of:covariance:)``, plus
  ///   ``GaussianExpectationError/singular(pivot:)`` when the marginal K is singular and
  ///   ``GaussianExpectationError/unsupportedDerivativeOrder(_:)`` for n > 4.
  public func derivativeExpectation(
    of factors: [GaussianFactor], derivatives: [Int], covariance: CovarianceMatrix
  ) throws -> Double {
    let d = covariance.dimension
    for beta in derivatives where !(0..<d).contains(beta) {
      throw GaussianExpectationError.coordinateOutOfRange(coordinate: beta, dimension: d)
    }
    guard derivatives.count <= 4 else {
      throw GaussianExpectationError.unsupportedDerivativeOrder(derivatives.count)
    }
    let problem = try ProductProblem(factors: factors, covariance: covariance)
    if derivatives.isEmpty { return try expectation(of: factors, covariance: covariance) }
    if problem.isIdenticallyZero { return 0 }
    var betas: [Int] = []
    for beta in derivatives {
      guard let position = problem.coordinates.firstIndex(of: beta) else { return 0 }
      betas.append(position)
    }
    let n = betas.count
    let inverseFactor: [Double]
    do {
      inverseFactor = try CholeskyFactor(problem.marginal).lowerInverse()
    } catch GaussianExpectationError.singular(let pivot) {
      throw GaussianExpectationError.singular(pivot: problem.coordinates[pivot])
    }
    let (monomials, values, factorisation) = try moments(of: problem, maximumDegree: n)
    let m = factorisation.dimension
    // aᵢ = column βᵢ of L⁻¹: w^{βᵢ} = aᵢ · u and K^{βᵢβₖ} = aᵢ · aₖ.
    let columns = betas.map { beta in (0..<m).map { inverseFactor[$0 * m + beta] } }
    var index: [[Int]: Int] = [:]
    for (i, alpha) in monomials.enumerated() { index[alpha] = i }

    // ⟨Π_{i∈set} (aᵢ·u) F⟩ by expanding the product into u-moments.
    func weightedMoment(_ set: [Int]) -> Double {
      var total = 0.0
      var alpha = [Int](repeating: 0, count: m)
      func expand(_ position: Int, _ coefficient: Double) {
        if position == set.count {
          total += coefficient * values[index[alpha] ?? 0]
          return
        }
        let column = columns[set[position]]
        for j in 0..<m where column[j] != 0 {
          alpha[j] += 1
          expand(position + 1, coefficient * column[j])
          alpha[j] -= 1
        }
      }
      expand(0, 1)
      return total
    }
    func dot(_ a: Int, _ b: Int) -> Double {
      var sum = 0.0
      for j in 0..<m { sum += columns[a][j] * columns[b][j] }
      return sum
    }
    // Sum over partial pairings of {0…n−1}.
    var result = 0.0
    func pairings(_ remaining: [Int], _ coefficient: Double, _ unpaired: [Int]) {
      guard let first = remaining.first else {
        result += coefficient * weightedMoment(unpaired)
        return
      }
      let rest = Array(remaining.dropFirst())
      pairings(rest, coefficient, unpaired + [first])
      for (k, partner) in rest.enumerated() {
        var others = rest
        others.remove(at: k)
        pairings(others, -coefficient * dot(first, partner), unpaired)
      }
    }
    pairings(Array(0..<n), 1, [])
    return result
  }
}
