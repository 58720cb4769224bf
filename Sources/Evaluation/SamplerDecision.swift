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

  /// The report line, e.g. `sampler: weights (real networks: every parameter drawn) — the
  /// conditional law is not the derived Gaussian: …`.
  public var summary: String {
    switch kind {
    case .conditional:
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
  /// of every map (first and hidden) contains exactly one Gaussian parameter factor, that
  /// family's covariance has a δ on the slot carrying the output neuron (components independent
  /// across output neurons), and every other factor is deterministic given the previous layer
  /// (inputs, the incoming variable, functions of them, δs). Then, given layer ℓ, the new layer
  /// is Gaussian, independent across neurons, with covariance Ĝ — the derived conditional
  /// covariance. (Whether Ĝ lowers to the sampler's form is checked by
  /// ``samplerDecision(_:_:)``.)
  public static func conditionalSamplerIsExact(_ model: Model) -> (exact: Bool, reason: String) {
    let maps = [(model.first, model.firstFamilies), (model.map, model.families)]
    for (map, families) in maps {
      guard let map else { continue }
      let incoming = model.incoming?.variable
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
        guard parameters.count == 1, let parameter = parameters.first,
          let family = families.first(where: { $0.head == parameter.head })
        else {
          if parameters.isEmpty {
            return (
              false,
              "the term \(written) has no Gaussian parameter: given layer ℓ it is a conditional mean, not part of Ĝ"
            )
          }
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
    return (true, "every term is linear in one Gaussian family indexed by the output neuron")
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
    var (exact, reason) = Self.conditionalSamplerIsExact(model)
    if exact {
      do {
        _ = try conditionalCovariances(p)
      } catch let error as EvaluationError {
        exact = false
        reason = "the derived Ĝ does not lower to the conditional sampler (\(error.message))"
      }
    }
    switch choice {
    case .auto:
      return SamplerDecision(
        kind: exact ? .conditional : .weights, conditionalIsExact: exact, reason: reason,
        requested: false)
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
        kind: .conditional, conditionalIsExact: true, reason: reason, requested: true)
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
