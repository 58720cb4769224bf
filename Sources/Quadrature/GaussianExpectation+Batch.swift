extension GaussianExpectation {
  /// The expectations of a group's members (``ExpectationBatch/Group``), the outer integral
  /// walked once for all of them; nil when the group cannot be integrated that way — then
  /// compute the members one by one with ``expectation(of:covariance:cache:)``.
  ///
  /// Each leaf's innermost integral is the interpolant its product alone would build with the
  /// outer coordinates first (shared through `cache`); the outer levels resolve the
  /// features of every member, so each value meets the accuracy contract of
  /// ``expectation(of:covariance:cache:)`` and agrees with it to within that accuracy (not
  /// bit for bit: the meshes differ).
  ///
  /// Nil for options without leaf interpolation, fewer than two members, a member with a closed
  /// form or identically zero, an outer or leaf direction that is degenerate (a Cholesky pivot
  /// dropped), or a leaf whose interpolant is not built.
  ///
  /// - Throws: ``GaussianExpectationError`` as ``expectation(of:covariance:cache:)`` would
  ///   for a member.
  public func expectations(
    of group: ExpectationBatch.Group, covariance: CovarianceMatrix,
    cache: ExpectationCache? = nil
  ) throws -> [Double]? {
    guard options.useStaticLeafMesh, options.useLeafInterpolation, options.nodesPerPiece == nil,
      group.leaves.count >= 2
    else { return nil }
    let outerCoordinates = Array(Set(group.outer.map(\.coordinate))).sorted()
    let k = outerCoordinates.count
    guard k >= 2, k < Self.maximumDimension else { return nil }
    var leafCoordinates: [Int] = []
    for leaf in group.leaves {
      guard let c = leaf.first?.coordinate, leaf.allSatisfy({ $0.coordinate == c }),
        !outerCoordinates.contains(c)
      else { return nil }
      let problem = try ProductProblem(factors: group.outer + leaf, covariance: covariance)
      if problem.isIdenticallyZero { return nil }
      if options.useClosedForms,
        GaussianClosedForms.expectation(of: problem.factors, covariance: problem.marginal) != nil
      {
        return nil
      }
      leafCoordinates.append(c)
    }
    let outerFunctions = outerCoordinates.map { c in
      group.outer.filter { $0.coordinate == c }.map(\.function)
    }
    var outerRows: [Double]?
    var leafRows: [[Double]] = []
    var interpolants: [SharedLeafInterpolant] = []
    for (leaf, c) in zip(group.leaves, leafCoordinates) {
      // The member's own plan with the outer coordinates first: its leaf row and interpolant.
      let factorisation = try CholeskyFactor(covariance.marginal(outerCoordinates + [c]))
      guard factorisation.rank == k + 1 else { return nil }
      let lower = factorisation.lower
      let rows = (0..<k).flatMap { s in (0..<k).map { lower[s * (k + 1) + $0] } }
      // The outer rows depend on the outer block only; the same for every member.
      guard outerRows == nil || outerRows == rows else { return nil }
      outerRows = rows
      leafRows.append(Array(lower[(k * (k + 1))...]))
      let single = NestedGaussianQuadrature(
        factorisation: factorisation, functions: outerFunctions + [leaf.map(\.function)],
        features: [[QuadratureFeature]](repeating: [], count: k + 1), maximumDegree: 0,
        rules: rules, options: options, closure: nil, cache: cache)
      try single.checkWork()
      guard let interpolant = single.leafInterpolant() else { return nil }
      interpolants.append(interpolant)
    }
    guard let outerRows else { return nil }
    let plan = NestedGaussianQuadrature(
      outerRows: outerRows, leafRows: leafRows,
      functions: outerFunctions + group.leaves.map { $0.map(\.function) },
      leaves: interpolants, rules: rules, options: options)
    try plan.checkWork()
    return plan.run().values
  }
}
