import Algebra
import Derivation
import Foundation
import GaussianCalculus
import Rational
import Sampling

/// Lowers a model and its derivation to the samplers' numeric form.
///
/// - ``specification(_:)`` reads the layer maps term by term — a bias `b[i]`, or a weight
///   `W[i,j]` times σ(z[j;a]), z[j;a] or x[j;a] (with a numeric prefactor) — into a
///   ``NetworkSpecification`` for the weights sampler (the oracle).
/// - ``program(_:)`` lowers any accepted map, term by term, to a ``NetworkProgram`` for the
///   ``GeneralWeightsSampler`` (the referee `derive check --sampler weights` runs).
/// - ``conditionalCovariances(_:)`` reads the *derived* stochastic metric Ĝ (step 1 of the
///   pipeline) into a ``ConditionalCovariance`` per layer for the conditional sampler; a skip
///   connection `xi z[i;a]` becomes its conditional mean (``ConditionalCovariance/skip``).
///
/// Maps outside these shapes are refused with a message (the sampler would not be the network
/// the model describes).
public struct NetworkLowering: Sendable {
  public var model: Model
  /// The derivation, nil when the model is only sampled (its derivation refused, e.g. a skip
  /// connection): ``program(_:)`` and ``specification(_:)`` read the maps alone;
  /// ``conditionalCovariances(_:)`` needs the derived Ĝ.
  public var derivation: DerivationResult?

  public init(model: Model, derivation: DerivationResult?) {
    self.model = model
    self.derivation = derivation
  }

  /// Value of the scalar part of a term (couplings and widths), with ℓ = `layer`.
  func scalarValue(_ t: Term, layer: Int, _ p: NumericParameters) throws -> Double {
    let e = ExpressionEvaluator(parameters: p, layer: layer, tensors: [:])
    var v = t.coefficient.doubleValue
    for s in t.monomial.scalars { v *= pow(try e.scalar(s.symbol), Double(s.exponent)) }
    return v
  }

  func source(_ f: Factor, _ p: NumericParameters) -> LayerSource? {
    switch f {
    case .function(let g) where g.derivative == 0:
      return .activation(p.activation(for: g.head.name))
    case .tensor(let t) where t.head.layer == nil: return .inputs
    case .tensor(let t) where model.incoming?.variable.name == t.head.name: return .preactivation
    default: return nil
    }
  }

  func isParameter(_ f: Factor, _ families: [GaussianFamily]) -> GaussianFamily? {
    guard case .tensor(let t) = f else { return nil }
    return families.first { $0.head == t.head }
  }

  func layerSpecification(
    _ map: LayerMap, families: [GaussianFamily], layer: Int, _ p: NumericParameters
  ) throws -> LayerSpecification {
    var terms: [LayerTerm] = []
    for t in map.rhs.expanded().terms {
      let params = t.monomial.factors.compactMap { isParameter($0, families) }
      let others = t.monomial.factors.filter { isParameter($0, families) == nil }
      let scale = try scalarValue(t, layer: layer, p)
      guard params.count == 1, let fam = params.first else {
        throw EvaluationError(
          "the sampler needs every term of the map to contain exactly one Gaussian parameter (term: \(t))"
        )
      }
      // Variance of one entry: the family's covariance at coinciding indices, times scale².
      var variance = 0.0
      for c in fam.covariance.terms {
        let scalars = Monomial(scalars: c.monomial.scalars)
        variance += try scalarValue(Term(c.coefficient, scalars), layer: layer, p)
      }
      variance *= scale * scale
      if fam.first.count == 1 {
        guard others.isEmpty else {
          throw EvaluationError("a bias term may not multiply other factors (term: \(t))")
        }
        terms.append(.bias(variance: variance))
      } else if fam.first.count == 2, others.count == 1, let s = source(others[0], p) {
        // The family's variance is C/n(fan-in); the IR stores C.
        let fanIn = try width(of: fam.first[1], layer: layer, p)
        terms.append(.weights(variance: variance * fanIn, source: s))
      } else {
        throw EvaluationError(
          "the sampler supports b[i] and W[i,j]·f(previous layer) terms only (term: \(t))")
      }
    }
    return LayerSpecification(terms: terms)
  }

  /// The width of the layer an index runs over, with ℓ = `layer`.
  func width(of index: Index, layer: Int, _ p: NumericParameters) throws -> Double {
    Double(try ExpressionEvaluator(parameters: p, layer: layer, tensors: [:]).range(of: index))
  }

  /// The network the model describes, for the weights sampler.
  public func specification(_ p: NumericParameters) throws -> NetworkSpecification {
    guard let first = model.first else { throw EvaluationError("the model has no 'first' map") }
    var layers = [try layerSpecification(first, families: model.firstFamilies, layer: 0, p)]
    if p.depth > 1 {
      guard let map = model.map else {
        throw EvaluationError("the model has no 'map' for layers beyond the first")
      }
      for l in 1..<p.depth {
        layers.append(try layerSpecification(map, families: model.families, layer: l, p))
      }
    }
    return NetworkSpecification(inputs: p.inputs, widths: p.widths, layers: layers)
  }

  /// The derived conditional covariances Ĝ, one per layer, for the conditional sampler. A map
  /// with a skip connection (``Derivation/LayerMap/carriedPreactivation``) gets the branch's Ĝ and
  /// the skip coefficient as the conditional mean (``ConditionalCovariance/skip``); its
  /// derivation is not needed (step 1 is applied to the branch here).
  public func conditionalCovariances(_ p: NumericParameters) throws -> [ConditionalCovariance] {
    if let map = model.map, map.carriedPreactivation != nil {
      return try skipConditionalCovariances(map, p)
    }
    guard let derivation else {
      throw EvaluationError(
        "the conditional sampler needs the derived Ĝ, and the model has no derivation",
        at: model.location)
    }
    guard let g1 = derivation.firstConditionalCovariance else {
      throw EvaluationError("the model has no 'first' map", at: model.location)
    }
    var out: [ConditionalCovariance] = []
    do {
      out.append(try lower(g1, layer: 0, p))
    } catch let e as EvaluationError {
      throw e.located(model.first?.location)
    }
    if p.depth > 1 {
      guard let g = derivation.conditionalCovariance else {
        throw EvaluationError("the model has no 'map'", at: model.location)
      }
      do {
        for l in 1..<p.depth { out.append(try lower(g, layer: l, p)) }
      } catch let e as EvaluationError {
        throw e.located(model.map?.location)
      }
    }
    return out
  }

  /// Ĝ = constant + Σ_t c_t (1/n) Σ_j f_t(z_{j;α₁}) g_t(z_{j;α₂}).
  func lower(_ g: Expression, layer: Int, _ p: NumericParameters) throws -> ConditionalCovariance {
    var constant = 0.0
    var terms: [ConditionalCovarianceTerm] = []
    let a1 = Index.sample("alpha1")
    for t in g.canonicalized().terms {
      let value = try scalarValue(t, layer: layer, p)
      let factors = t.monomial.factors
      if factors.isEmpty && t.monomial.summed.isEmpty {
        constant += value
        continue
      }
      guard factors.count == 2, t.monomial.summed.count == 1,
        case .neuron = t.monomial.summed[0].space,
        let s0 = source(factors[0], p), let s1 = source(factors[1], p)
      else {
        throw EvaluationError(
          "the derived conditional covariance has a term the conditional sampler cannot use: \(t)")
      }
      let n = try width(of: t.monomial.summed[0], layer: layer, p)
      // Which factor carries α₁ decides left/right.
      let firstIsAlpha1 = factors[0].slots.contains(a1)
      terms.append(
        ConditionalCovarianceTerm(
          coefficient: value * n, left: firstIsAlpha1 ? s0 : s1, right: firstIsAlpha1 ? s1 : s0))
    }
    return ConditionalCovariance(constant: constant, terms: terms)
  }
}
