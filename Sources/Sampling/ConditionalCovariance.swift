/// The stochastic metric of one layer as a program over the previous layer:
///
///     Ĝ_{αβ} = constant + Σ_t coefficient_t · (1/n_prev) Σ_j f_t(s_{j;α}) g_t(s_{j;β})
///
/// where `f_t`, `g_t` are the term's ``ConditionalCovarianceTerm/left`` and
/// ``ConditionalCovarianceTerm/right`` sources read at neuron `j` of the previous layer (or input
/// component `j` for ``LayerSource/inputs``) and `n_prev` is the number of those neurons. Given
/// the previous layer, the new preactivations are independent across neurons with covariance
/// `Ĝ` in sample space (FORMULAS.md §4) — this is what the conditional sampler draws from.
///
/// The derivation engine derives this expression symbolically; a lowering step turns it into
/// this value. ``init(impliedBy:)`` builds it directly from a layer map, for cross-checks.
///
/// A term with `left ≠ right` is not symmetric per realisation; the sampler uses the
/// symmetrised matrix `(Ĝ + Ĝᵀ)/2`, which has the same law for the new layer's
/// preactivations only if the program's expectation is symmetric — a property of any correct
/// lowering, since `E[z_α z_β | previous layer]` is symmetric.
///
/// **A skip connection** (`z′_i = c z_i + b_i + Σ_j W_ij σ(z_j)`, the residual MLP) adds a
/// conditional *mean*: given the previous layer, `z′_{i;·} ~ N(c z_{i;·}, Ĝ)`, independent across
/// neurons, with `Ĝ` the covariance of the branch. ``skip`` is `c` (0: no skip); it needs the
/// previous layer to be as wide as this one (neuron `i` carries its own preactivation).
public struct ConditionalCovariance: Hashable, Sendable {
  /// The part of `Ĝ` independent of the previous layer (the bias variance for the MLP).
  public var constant: Double
  /// The data-dependent terms, in order.
  public var terms: [ConditionalCovarianceTerm]
  /// The coefficient `c` of the conditional mean `c z_{i;α}` (a skip connection carrying each
  /// neuron's own previous preactivation); 0 when the layer has none.
  public var skip: Double

  public init(constant: Double, terms: [ConditionalCovarianceTerm], skip: Double = 0) {
    self.constant = constant
    self.terms = terms
    self.skip = skip
  }

  /// The covariance implied by a layer map whose terms all have independent parameters:
  /// each bias adds its variance to the constant, each weight term adds
  /// `(variance, source, source)`. (Cross terms vanish because parameters are independent.)
  public init(impliedBy layer: LayerSpecification) {
    var constant = 0.0
    var terms: [ConditionalCovarianceTerm] = []
    for term in layer.terms {
      switch term {
      case .bias(let variance): constant += variance
      case .weights(let variance, let source):
        terms.append(ConditionalCovarianceTerm(coefficient: variance, left: source, right: source))
      }
    }
    self.init(constant: constant, terms: terms)
  }
}

/// One term `coefficient · (1/n_prev) Σ_j left(s_{j;α}) right(s_{j;β})` of a
/// ``ConditionalCovariance``.
public struct ConditionalCovarianceTerm: Hashable, Sendable {
  public var coefficient: Double
  public var left: LayerSource
  public var right: LayerSource

  public init(coefficient: Double, left: LayerSource, right: LayerSource) {
    self.coefficient = coefficient
    self.left = left
    self.right = right
  }
}

extension NetworkSpecification {
  /// The conditional program of every layer, implied by the layer maps
  /// (``ConditionalCovariance/init(impliedBy:)``).
  public var impliedConditionalCovariances: [ConditionalCovariance] {
    layers.map(ConditionalCovariance.init(impliedBy:))
  }
}
