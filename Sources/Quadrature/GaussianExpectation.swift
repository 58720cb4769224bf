/// Gaussian expectations ⟨F⟩_K = E[F(z)] for z ~ N(0, K) in up to four dimensions.
///
/// The integrand is either a product F(z) = Πₐ fₐ(z_{s(a)}) of ``GaussianFactor``s — activations,
/// their derivatives and powers, each acting on one coordinate — or an arbitrary closure.
/// Expectations of products go through a closed form when one exists (``GaussianClosedForms``,
/// unless ``Options/useClosedForms`` is off). Otherwise a product of exactly two coordinates
/// with correlation |ρ| ≤ 0.9 is summed by Mehler's series Σₖ ρᵏ a_k b_k over the Hermite
/// coefficients of its two one-coordinate factors, computed by split-at-kink Gauss–Legendre
/// quadrature on one line each, with a-priori bounds for the truncation of the series and the
/// node counts (`HermiteSeriesExpectation`; unless ``Options/useHermiteSeries`` is off).
/// Everything else — more coordinates, |ρ| > 0.9, closures, moments — is integrated by nested
/// split-at-kink Gauss–Legendre quadrature in Cholesky coordinates z = L u:
///
/// * each uⱼ is integrated over [−U, U] (U = ``Options/truncation`` = 9: the standard-normal
///   mass outside is 2·10⁻¹⁹), coordinate by coordinate, with the earlier ones fixed;
/// * each 1-D integral is split exactly where a kinked activation's argument crosses its kink
///   (z_s = Σ_{m<j} L_{sm}u_m + L_{sj}uⱼ = 0 at uⱼ = −Σ_{m<j}L_{sm}u_m / L_{sj}), and graded
///   geometrically around smooth transitions (tanh, erf, …) and around kinks of coordinates
///   integrated later (which the inner integration smooths into a transition of known width);
/// * every piece gets the smallest Gauss–Legendre rule (6…128 nodes) whose a-priori
///   Bernstein-ellipse bound meets ``Options/tolerance``; the tolerance of an inner integral is
///   relaxed by the Gaussian weight of its outer point, and pieces where a ReLU factor vanishes
///   or the weight is negligible are skipped;
/// * a level whose features are all smooth and not narrow (tanh, erf, GELU, … at moderate
///   variance: no kinks) is instead integrated by the trapezoidal rule on one uniform grid
///   through 0, its step from the a-priori strip bound of the features' widths and pole orders
///   (unless ``Options/useUniformRule`` is off): about 20 nodes per level where graded pieces
///   need 30–40, and no mesh to build per outer point;
/// * a smooth innermost level (no kinks) is integrated on one static mesh, planned with the
///   same bound for the worst placement of its features at the strictest tolerance (or the
///   uniform grid, when smaller), whose weights are computed once (unless
///   ``Options/useStaticLeafMesh`` is off); from three levels on, the innermost integral is a
///   piecewise Chebyshev interpolant of its one offset (``Options/useLeafInterpolation``);
/// * an integrand even under z ↦ −z (every factor odd or even, three or more levels) has its
///   outermost level integrated over [0, U] only and doubled (unless
///   ``Options/useParityFolding`` is off).
///
/// Accuracy contract: for the activations of `Activation` and covariances with entries up to
/// ~10², the absolute error is below ~10⁻¹² · ⟨|F|⟩_K — i.e. 10⁻¹² relative whenever the result
/// is not a cancellation of much larger positive and negative parts (tested against closed
/// forms for ReLU, leaky ReLU, erf, sin and Isserlis moments, including ρ = ±0.999 and K = 25;
/// typical errors are 10⁻¹⁵…10⁻¹³).
///
/// Covariances: K must be symmetric positive semidefinite. A direction whose Cholesky pivot is
/// rounding noise (≤ 64 ε Kₖₖ, e.g. two identical inputs) is dropped, so ⟨F⟩ is computed in the
/// lower dimension; a negative direction throws
/// ``GaussianExpectationError/notPositiveSemidefinite(pivot:value:)``. Results are never NaN.
///
/// A value of this type holds the tabulated rules (computed once in `init`, ~1 ms) and is
/// immutable and `Sendable`: create one and share it.
public struct GaussianExpectation: Sendable {
  /// Tuning knobs; the defaults meet the accuracy contract.
  public struct Options: Hashable, Sendable {
    /// Target error, relative to the scale of the integrand, used in the a-priori node
    /// selection; the achieved error is typically 0.01–1 times this.
    public var tolerance: Double
    /// U: each standard-normal Cholesky coordinate is integrated over [−U, U].
    public var truncation: Double
    /// Longest piece of a 1-D mesh, in standard-normal units. The default, 2U, imposes no cap:
    /// the node selection already accounts for a piece's length.
    public var maximumPieceLength: Double
    /// Ratio (> 1) between successive breakpoints graded around a smooth feature.
    public var gradingRatio: Double
    /// When set, every piece uses this many nodes instead of the a-priori choice (for
    /// reference computations and convergence studies).
    public var nodesPerPiece: Int?
    /// Use ``GaussianClosedForms`` for products that have one.
    public var useClosedForms: Bool
    /// Use Mehler's series for products of two coordinates with |ρ| ≤ 0.9 (see the type's
    /// documentation). Ignored, i.e. off, when ``nodesPerPiece`` is set.
    public var useHermiteSeries: Bool
    /// Integrate a smooth innermost level (no kinks) on one static mesh planned for the worst
    /// placement of its features, instead of an adaptive mesh per outer point (see
    /// `QuadratureWorkspace.prepareStaticLeaf`): more nodes, each far cheaper.
    public var useStaticLeafMesh: Bool
    /// With three or more Cholesky levels and a static leaf mesh, replace the innermost
    /// integral — a smooth function of the one offset its coordinate receives from the outer
    /// levels — by a piecewise Chebyshev interpolant of it, sampled once per expectation
    /// (`LeafInterpolant`): an outer point then costs one polynomial sum instead of a leaf
    /// quadrature.
    public var useLeafInterpolation: Bool
    /// With three or more Cholesky levels and factors of definite parity whose product is
    /// even (tanh, erf, sin, z and their derivatives, an even number of them odd), integrate
    /// the outermost level over [0, U] only and double it: u ↦ −u maps z to −z and leaves
    /// the integrand unchanged, so each half-space holds half the integral (half the work).
    /// Likewise the leaf interpolant (``useLeafInterpolation``) of a coordinate whose factors
    /// all have a parity is sampled on half its interval.
    public var useParityFolding: Bool
    /// Integrate a level whose integrand is smooth (every feature a transition of width > 0,
    /// no kinks) by the trapezoidal rule Σₖ h φ(kh) F(kh) on one uniform grid through 0,
    /// instead of graded Gauss–Legendre pieces: for an integrand analytic in the strip
    /// |Im u| < a the rule errs by at most 2M/(e^{2πa/h} − 1), M = ∫|φF| along the strip's
    /// edges, whatever the features' positions — so the grid needs no mesh building, its step
    /// comes from the features' widths alone, and it resolves the Gaussian weight with about
    /// 20 nodes where Gauss–Legendre pieces over [−U, U] need 30–40 (see
    /// `QuadratureWorkspace.uniformStep`). Also used for a smooth static leaf mesh when it has
    /// fewer nodes.
    public var useUniformRule: Bool

    /// Options with the documented defaults.
    ///
    /// - Precondition: tolerance, truncation and piece length are positive, the grading ratio
    ///   exceeds 1 and `nodesPerPiece`, if set, is at least 1.
    public init(
      tolerance: Double = 5e-14, truncation: Double = 9, maximumPieceLength: Double = 18,
      gradingRatio: Double = 4, nodesPerPiece: Int? = nil, useClosedForms: Bool = true,
      useHermiteSeries: Bool = true, useStaticLeafMesh: Bool = true,
      useLeafInterpolation: Bool = true, useParityFolding: Bool = true,
      useUniformRule: Bool = true
    ) {
      self.useUniformRule = useUniformRule
      self.useLeafInterpolation = useLeafInterpolation
      self.useParityFolding = useParityFolding
      self.tolerance = tolerance
      self.truncation = truncation
      self.maximumPieceLength = maximumPieceLength
      self.gradingRatio = gradingRatio
      self.nodesPerPiece = nodesPerPiece
      self.useClosedForms = useClosedForms
      self.useHermiteSeries = useHermiteSeries
      self.useStaticLeafMesh = useStaticLeafMesh
      precondition(isValid, "invalid quadrature options")
    }

    /// A slower, over-resolved setting for reference values: tolerance 10⁻¹⁷, a finer graded
    /// mesh and a wider truncation, no closed forms, no Hermite series, no static leaf mesh,
    /// no leaf interpolant, no parity folding and no uniform rule (always the adaptive nested quadrature over
    /// the whole space, an independent check of the others). (Brute
    /// force — many nodes on uniform pieces — is no better: its rounding error on cancelling
    /// integrands is ~10⁻¹³.)
    public static var reference: Options {
      Options(
        tolerance: 1e-17, truncation: 9.5, gradingRatio: 2.5, useClosedForms: false,
        useHermiteSeries: false, useStaticLeafMesh: false, useLeafInterpolation: false,
        useParityFolding: false, useUniformRule: false)
    }

    /// Whether every knob is in its valid range.
    var isValid: Bool {
      tolerance > 0 && truncation > 0 && maximumPieceLength > 0 && gradingRatio > 1
        && (nodesPerPiece ?? 1) >= 1
    }
  }

  /// The largest number of coordinates an integrand may depend on.
  public static let maximumDimension = 4

  /// The largest variance Kₛₛ of a coordinate in use: 10¹⁶ (σ = 10⁸). Larger variances throw
  /// ``GaussianExpectationError/varianceOutOfRange(coordinate:variance:maximum:)`` before any
  /// work: the meshes are planned in standard-normal units, where a feature of width w sits at
  /// width w/σ and an oscillation has frequency σ, so beyond this scale node counts and piece
  /// counts leave the range the a-priori bounds (and `Int`) are designed for.
  public static let maximumVariance = 1e16

  /// The most quadrature nodes an oscillating integrand (sin and its derivatives) may need:
  /// 10⁶ (for one sin coordinate about K ≤ 10¹⁰; each node may carry an inner integral, so
  /// the work is a multiple of this). The estimate is Πⱼ max(1, U·ωⱼ) over the Cholesky levels, ωⱼ the level's angular
  /// frequency (Σ |Lₛⱼ| over the oscillating factors): about the nodes needed to resolve the
  /// oscillation over [−U, U]. A larger estimate throws
  /// ``GaussianExpectationError/tooManyNodes(estimated:maximum:)`` before any work (⟨sin z sin z′⟩
  /// at K = 10²⁰ would otherwise run for minutes).
  public static let maximumNodes = 1e6

  /// Throws when a variance of `covariance` exceeds ``maximumVariance``; `coordinates` maps its
  /// rows to the caller's coordinates (for the message).
  static func checkVariances(_ covariance: CovarianceMatrix, coordinates: [Int]) throws {
    for i in 0..<covariance.dimension where !(covariance[i, i] <= maximumVariance) {
      throw GaussianExpectationError.varianceOutOfRange(
        coordinate: coordinates[i], variance: covariance[i, i], maximum: maximumVariance)
    }
  }

  /// The options in use.
  public let options: Options
  let rules: GaussLegendreRuleTable

  /// An integrator with the given options.
  ///
  /// - Precondition: the options are valid (see ``Options``).
  public init(options: Options = Options()) {
    precondition(options.isValid, "invalid quadrature options \(options)")
    self.options = options
    self.rules = GaussLegendreRuleTable(including: options.nodesPerPiece)
  }

  /// ⟨Πₐ fₐ(z_{s(a)})⟩_K for a product of factors.
  ///
  /// Coordinates no factor refers to are integrated out exactly (the marginal covariance of the
  /// others is used), so K may be larger than 4×4 as long as at most four coordinates are used.
  /// An empty product gives 1.
  ///
  /// - Throws: ``GaussianExpectationError`` for a coordinate out of range, more than four
  ///   coordinates in use, a derivative order outside 0…4, a negative power, a derivative of
  ///   order ≥ 2 of a kinked activation (use
  ///   ``derivativeExpectation(of:derivatives:covariance:method:cache:)``), or a covariance that is not
  ///   positive semidefinite.
  ///
  /// With a `cache`, a run whose innermost level is interpolated (three or more
  /// coordinates) reuses an interpolant another run built from the same key (see
  /// ``ExpectationCache``); the result is bit for bit the same.
  public func expectation(
    of factors: [GaussianFactor], covariance: CovarianceMatrix,
    cache: ExpectationCache? = nil
  ) throws -> Double {
    let problem = try ProductProblem(factors: factors, covariance: covariance)
    if problem.isIdenticallyZero { return 0 }
    if problem.coordinates.isEmpty { return 1 }
    if options.useClosedForms,
      let closed = GaussianClosedForms.expectation(
        of: problem.factors, covariance: problem.marginal)
    {
      return closed
    }
    if options.useHermiteSeries, options.nodesPerPiece == nil, problem.coordinates.count == 2,
      let series = HermiteSeriesExpectation.evaluate(
        problem, rules: rules, tolerance: options.tolerance, cache: cache, options: options)
    {
      return series.value
    }
    return try moments(of: problem, maximumDegree: 0, cache: cache).values[0]
  }

  /// ⟨F(z)⟩_K for an arbitrary integrand of all d ≤ 4 coordinates.
  ///
  /// The closure receives z (d values). The quadrature treats F as smooth except at the
  /// declared kinks: `kinks[s]` lists the values of z_s where F (or its derivative) jumps. An
  /// undeclared kink still converges, but only to ~10⁻⁶ relative.
  ///
  /// - Throws: ``GaussianExpectationError`` for more than four coordinates, a kink coordinate
  ///   out of range, or a covariance that is not positive semidefinite.
  public func expectation(
    covariance: CovarianceMatrix, kinks: [Int: [Double]] = [:], _ integrand: ([Double]) -> Double
  ) throws -> Double {
    let d = covariance.dimension
    guard d <= Self.maximumDimension else {
      throw GaussianExpectationError.tooManyCoordinates(count: d, maximum: Self.maximumDimension)
    }
    var features = [[QuadratureFeature]](repeating: [], count: d)
    for (s, locations) in kinks {
      guard (0..<d).contains(s) else {
        throw GaussianExpectationError.coordinateOutOfRange(coordinate: s, dimension: d)
      }
      features[s] = locations.sorted().map { QuadratureFeature(location: $0, width: 0) }
    }
    try Self.checkVariances(covariance, coordinates: Array(0..<d))
    let factorisation = try CholeskyFactor(covariance)
    return try withoutActuallyEscaping(integrand) { integrand in
      let engine = NestedGaussianQuadrature(
        factorisation: factorisation,
        functions: [[GaussianFactor.Function]](repeating: [], count: d),
        features: features, maximumDegree: 0, rules: rules, options: options,
        closure: integrand)
      try engine.checkWork()
      return engine.run().values[0]
    }
  }

  /// ⟨u^α F⟩ for all |α| ≤ `maximumDegree`, u the standard-normal Cholesky coordinates of the
  /// problem's marginal covariance.
  func moments(
    of problem: ProductProblem, maximumDegree: Int, cache: ExpectationCache? = nil
  ) throws -> (
    monomials: [[Int]], values: [Double], factorisation: CholeskyFactor
  ) {
    let factorisation = try CholeskyFactor(problem.marginal)
    var functions = [[GaussianFactor.Function]](repeating: [], count: problem.coordinates.count)
    for factor in problem.factors { functions[factor.coordinate].append(factor.function) }
    let engine = NestedGaussianQuadrature(
      factorisation: factorisation, functions: functions,
      features: [[QuadratureFeature]](repeating: [], count: problem.coordinates.count),
      maximumDegree: maximumDegree, rules: rules, options: options, closure: nil,
      cache: cache)
    try engine.checkWork()
    let values = engine.run().values
    return (engine.monomials, values, factorisation)
  }
}
