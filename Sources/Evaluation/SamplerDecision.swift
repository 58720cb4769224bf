import Algebra
import Derivation
import GaussianCalculus
import Sampling

/// The sampler a check runs.
public enum SamplerKind: String, Hashable, Sendable, Codable, CaseIterable {
  /// ``GeneralWeightsSampler``: real networks, every parameter drawn (the referee).
  case weights
  /// ``ConditionalSampler``: each layer drawn from `N(0, Ĝ)` with the derived `Ĝ`.
  case conditional
}

/// What the user asked for (`derive check --sampler`).
public enum SamplerChoice: String, Hashable, Sendable, CaseIterable {
  /// Conditional where the compiler proves it exact, weights otherwise.
  case auto
  case weights
  case conditional
}

/// The sampler a check runs and why, decided from the compiled model.
public struct SamplerDecision: Hashable, Sendable {
  public var kind: SamplerKind
  /// Whether drawing each layer from `N(0, δ·Ĝ)` with the derived `Ĝ` is the model's law.
  public var conditionalIsExact: Bool
  /// Why it is or is not (one sentence).
  public var reason: String
  /// Whether the user chose the sampler (`--sampler weights|conditional`) rather than `auto`.
  public var requested: Bool
  /// Whether the networks are drawn by the ``Sampling/NTKSampler`` (real networks with each
  /// one's exact tangent kernel; `kind` is then ``SamplerKind/weights``): the model derives NTK
  /// statistics (``NTKEstimators``).
  public var tangentKernel = false
  /// The skip term(s) the conditional law adds as its mean, as written (`xi z[i;a]`), when the
  /// map carries a neuron's own preactivation and the conditional sampler is exact; nil otherwise.
  public var conditionalMean: String? = nil

  /// The report line, e.g. `sampler: weights (real networks: every parameter drawn) — the
  /// conditional law is not the derived Gaussian: …`.
  public var summary: String {
    switch kind {
    case .conditional:
      if let conditionalMean {
        return
          "sampler: conditional (each layer drawn from N(\(conditionalMean), Ĝ): the skip is the conditional mean, part of the law, and Ĝ is derived from the branch) — exact for this model: \(reason)"
      }
      return
        "sampler: conditional (each layer drawn from N(0, Ĝ) with the derived Ĝ) — exact for this model: \(reason)"
    case .weights:
      if tangentKernel {
        return
          "sampler: weights with the NTK (real networks: every parameter drawn, each network's exact tangent kernel by the forward recursion) — the model derives NTK statistics, which only real networks give"
      }
      let head = "sampler: weights (real networks: every parameter drawn)"
      if conditionalIsExact {
        return head + " — requested (the conditional sampler would be exact: \(reason))"
      }
      return head + " — the conditional law is not the derived Gaussian: \(reason)"
    }
  }
}

extension NetworkLowering {
  /// Whether the conditional sampler draws this model's networks: true exactly when every term
  /// of every map (first and hidden) either
  /// - contains exactly one Gaussian parameter factor, that family's covariance has a δ on the
  ///   slot carrying the output neuron (components independent across output neurons), and every
  ///   other factor is deterministic given the previous layer (inputs, the incoming variable,
  ///   functions of them, δs) and does not read the output neuron's own preactivation; or
  /// - is a **skip** of a hidden layer's map: no parameter, a scalar (numbers, couplings) times
  ///   exactly the incoming variable at the output neuron, `xi z[i;a]`
  ///   (``Derivation/LayerMap/carriedPreactivation``).
  /// Then, given layer ℓ, the new layer is Gaussian, independent across neurons, with mean
  /// `c · z_{i;α}` (the skips' sum, 0 without) and covariance Ĝ — the covariance derived from
  /// the other terms. (Whether Ĝ lowers to the sampler's form is checked by
  /// ``samplerDecision(_:_:)``.) Every other term without a parameter is refused: a function of
  /// the own preactivation `sigma(z[i;a])`, a product `z[i;a] z[i;a]`, the incoming variable at a
  /// summed index, and anything in the first map (there is no incoming layer to carry).
  public static func conditionalSamplerIsExact(_ model: Model) -> (exact: Bool, reason: String) {
    let maps = [(model.first, model.firstFamilies, true), (model.map, model.families, false)]
    let incoming = model.incoming?.variable
    for (map, families, isFirst) in maps {
      guard let map else { continue }
      for t in map.rhs.expanded().terms {
        let written = modelSyntax(t)
        var parameters: [Tensor] = []
        for f in t.monomial.factors {
          switch f {
          case .delta: continue
          case .tensor(let x):
            if families.contains(where: { $0.head == x.head }) {
              parameters.append(x)
            } else if x.head != incoming, x.head.layer != nil {
              return (
                false,
                "the factor \(x.head.name) in the term \(written) is not known to be deterministic given layer ℓ"
              )
            }
          case .function(let g):
            if g.argument.head != incoming, g.argument.head.layer != nil {
              return (
                false,
                "the function in the term \(written) is not known to be deterministic given layer ℓ"
              )
            }
          default:
            return (
              false, "the term \(written) has a factor the conditional sampler does not model"
            )
          }
        }
        if parameters.isEmpty {
          if let refusal = skipRefusal(t, written: written, map: map, isFirst: isFirst, model) {
            return (false, refusal)
          }
          continue
        }
        guard parameters.count == 1, let parameter = parameters.first,
          let family = families.first(where: { $0.head == parameter.head })
        else {
          let names = parameters.map(\.head.name)
          if Set(names).count == 1 {
            return (
              false,
              "the term \(written) is of degree \(names.count) in the Gaussian family \(names[0]): given layer ℓ the next layer is not Gaussian with the derived Ĝ"
            )
          }
          return (
            false,
            "the term \(written) is a product of \(names.count) Gaussian families (\(names.joined(separator: ", "))): given layer ℓ the next layer is not Gaussian with the derived Ĝ"
          )
        }
        if !isFirst, readsOwnPreactivation(t, map: map, incoming: incoming) {
          return (
            false,
            "the term \(written) multiplies the Gaussian family \(family.head.name) by a function of the neuron's own preactivation (index \(indexName(map.neuron))): given layer ℓ its variance differs from neuron to neuron, it is not the shared Ĝ"
          )
        }
        guard let slot = parameter.indices.firstIndex(of: map.neuron) else {
          return (
            false,
            "the Gaussian family \(family.head.name) in the term \(written) does not carry the output neuron \(indexName(map.neuron)): given layer ℓ the neurons of the next layer are not independent"
          )
        }
        let (a, b) = (family.first[slot], family.second[slot])
        let diagonal =
          !family.covariance.terms.isEmpty
          && family.covariance.terms.allSatisfy { c in
            c.monomial.factors.contains { f in
              if case .delta(let x, let y) = f { return (x == a && y == b) || (x == b && y == a) }
              return false
            }
          }
        guard diagonal else {
          return (
            false,
            "the covariance of \(family.head.name) has no δ on the output neuron's slot: given layer ℓ the neurons of the next layer are not independent"
          )
        }
      }
    }
    let skips = skipTerms(model)
    guard !skips.isEmpty else {
      return (true, "every term is linear in one Gaussian family indexed by the output neuron")
    }
    return (
      true,
      "every term is linear in one Gaussian family indexed by the output neuron, except the skip \(skips.joined(separator: " + ")): a scalar times the neuron's own preactivation, which given layer ℓ is the conditional mean"
    )
  }

  /// The skip terms of the model's hidden map as written (`xi z[i;a]`), in term order.
  public static func skipTerms(_ model: Model) -> [String] {
    guard let map = model.map else { return [] }
    return map.rhs.expanded().terms.filter {
      isSkipTerm($0, of: map, incoming: model.incoming?.variable)
    }.map(modelSyntax)
  }

  /// Why a term without a Gaussian parameter is not a skip the conditional sampler adds as its
  /// mean; nil when it is one.
  static func skipRefusal(
    _ t: Term, written: String, map: LayerMap, isFirst: Bool, _ model: Model
  ) -> String? {
    let incoming = model.incoming?.variable
    let own = indexName(map.neuron)
    let form =
      "the conditional sampler adds only a scalar times the neuron's own preactivation (a skip, c·z[\(own);\(indexName(map.sample))]) as a conditional mean"
    if isFirst {
      return
        "the term \(written) of the first layer has no Gaussian parameter: the first layer has no incoming layer whose preactivation it could carry, and \(form) of a later layer"
    }
    if isSkipTerm(t, of: map, incoming: incoming) { return nil }
    let factors = t.monomial.factors.filter {
      if case .delta = $0 { return false }
      return true
    }
    let head = "the term \(written) has no Gaussian parameter"
    if factors.contains(where: { if case .function = $0 { return true } else { return false } }) {
      return
        "\(head) and is a function of a preactivation, not a scalar times it: \(form) (a nonlinear skip makes a neuron's path across layers non-Gaussian)"
    }
    if factors.count > 1 {
      return
        "\(head) and is a product of \(factors.count) factors, not a scalar times the neuron's own preactivation: \(form)"
    }
    if factors.count == 1, case .tensor(let x) = factors[0], x.head == incoming {
      return
        "\(head) and reads the incoming preactivation at a summed index, not at the output neuron's own (\(own)) and sample: given layer ℓ it is not a skip; \(form)"
    }
    if factors.isEmpty {
      return "\(head) and is a constant shift, not a skip: \(form)"
    }
    return "\(head) and is not a scalar times the neuron's own preactivation: \(form)"
  }

  /// Whether a term reads the output neuron's own incoming preactivation (directly or through a
  /// function).
  static func readsOwnPreactivation(_ t: Term, map: LayerMap, incoming: TensorHead?) -> Bool {
    t.monomial.factors.contains { f in
      switch f {
      case .tensor(let x): return x.head == incoming && x.indices.contains(map.neuron)
      case .function(let g):
        return g.argument.head == incoming && g.argument.indices.contains(map.neuron)
      default: return false
      }
    }
  }

  static func indexName(_ i: Index) -> String {
    if case .named(let n) = i.label { return n }
    return "\(i)"
  }

  /// The sampler `choice` resolves to for this model at parameters `p`: `auto` takes the
  /// conditional sampler where it is exact (``conditionalSamplerIsExact(_:)`` and the derived Ĝ
  /// lowers), the weights sampler otherwise; `conditional` is refused where it is not exact.
  public func samplerDecision(_ choice: SamplerChoice, _ p: NumericParameters) throws
    -> SamplerDecision
  {
    // A skip between unequal widths is no network at all: neither sampler draws it.
    try checkSkipWidths(p)
    var (exact, reason) = Self.conditionalSamplerIsExact(model)
    if exact {
      do {
        _ = try conditionalCovariances(p)
      } catch let error as EvaluationError {
        exact = false
        reason = "the derived Ĝ does not lower to the conditional sampler (\(error.message))"
      }
    }
    let skips = Self.skipTerms(model)
    let mean = exact && !skips.isEmpty ? skips.joined(separator: " + ") : nil
    switch choice {
    case .auto:
      return SamplerDecision(
        kind: exact ? .conditional : .weights, conditionalIsExact: exact, reason: reason,
        requested: false, conditionalMean: mean)
    case .weights:
      return SamplerDecision(
        kind: .weights, conditionalIsExact: exact, reason: reason, requested: true)
    case .conditional:
      guard exact else {
        throw EvaluationError(
          "--sampler conditional is not exact for this model: \(reason); use --sampler weights or auto",
          at: model.location)
      }
      return SamplerDecision(
        kind: .conditional, conditionalIsExact: true, reason: reason, requested: true,
        conditionalMean: mean)
    }
  }

  /// The sampler of `kind` for the network at parameters `p`.
  public func sampler(_ kind: SamplerKind, _ p: NumericParameters) throws -> any NetworkSampler {
    do {
      switch kind {
      case .conditional:
        return try ConditionalSampler(
          inputs: p.inputs, widths: p.widths, covariances: try conditionalCovariances(p))
      case .weights:
        return try GeneralWeightsSampler(try program(p))
      }
    } catch let error as NetworkSpecificationError {
      throw EvaluationError("cannot sample this network: \(error)")
    }
  }
}
