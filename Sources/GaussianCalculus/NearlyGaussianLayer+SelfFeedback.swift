import Algebra
import Rational

/// The incoming layer of a map that carries each neuron's own preactivation forward (a skip
/// connection z′_i = ξ z_i + u_i with u_i ~ N(0, Ĝ) given the layer; Derivations/residual-closure.md).
///
/// Given the stochastic metrics of all earlier layers a neuron's state z_i^{(ℓ)} is Gaussian with
/// the *path covariance* S^{(ℓ)} = Σ_r ξ^{2(ℓ−r)} Ĝ^{(r)}, shared by all neurons; S fluctuates at
/// O(n^{−1/2}), and each neuron's own σσ enters every Ĝ^{(r)} with weight 1/n. To order 1/n the
/// expectation of a product of functions F_m of distinct neurons m is then
///
///   E[Π F_m] = Π⟨F_m⟩_K + (1/n)[Σ_m D[F_m] Π_{m′≠m}⟨F_m′⟩ + Σ_{m<m′} C[F_m, F_m′] Π_{rest}⟨⋯⟩],
///   D[F]    = ½⟨∂²F⟩·G¹ + ⅛⟨∂⁴F⟩·𝒱 + ½ R[∂²F],
///   C[F, H] = ¼⟨∂²F⟩·𝒱·⟨∂²H⟩ + ½⟨∂²H⟩·R[F] + ½⟨∂²F⟩·R[H],
///
/// with 𝒱 = n Var(S) the kernel-fluctuation vertex and R[F]_{γδ} = n Cov_self(F(z_i), S_{γδ})
/// the self-feedback atom (``GaussianAverage/feedback``). The first two terms of D and the first
/// of C are the cumulant expansion with the four-point component 𝒱; the R terms are one more
/// insertion of order 1/n: an R atom on one neuron's factors, its pair (γ, δ) differentiating
/// any neuron's factors (the same neuron's for D), weight ½.
///
/// The declared four-point statistic is the covariance of distinct neurons,
/// V = n Cov(z_a z_b|_i, z_c z_d|_j) = C[z_a z_b, z_c z_d] = 𝒱_{abcd} + R[z_a z_b]_{cd} + R[z_c z_d]_{ab},
/// so the components keep V and subtract the feedback: 𝒱 = V − R[zz] − R[zz]. With every R = 0
/// this is exactly the nearly-Gaussian layer (the (K, G¹, V) Gaussian closure).
extension NearlyGaussianLayer {
  /// The same layer read as the end of a neuron's path: every four-point component with two
  /// blocks of two (a distinct-neuron covariance of pairs) has its self-feedback subtracted, and
  /// ``expectation(of:toOrder:)`` adds the self-feedback insertions at order 1/`width`.
  public func withSelfFeedback(width: Symbol) -> NearlyGaussianLayer {
    var layer = self
    layer.selfFeedbackWidth = width
    let inverse = Expression.symbol(width, power: -1)
    layer.components = components.map { c in
      guard c.rank == 4, c.kernelStarts.isEmpty, c.neuronBlocks.count == 2,
        c.neuronBlocks.allSatisfy({ $0.count == 2 })
      else { return c }
      let s = c.sampleSlots
      let (a, b) = (c.neuronBlocks[0], c.neuronBlocks[1])
      let feedback =
        pairFeedback(of: [s[a[0]], s[a[1]]], with: [s[b[0]], s[b[1]]])
        + pairFeedback(of: [s[b[0]], s[b[1]]], with: [s[a[0]], s[a[1]]])
      return CumulantComponent(
        neuronBlocks: c.neuronBlocks, sampleSlots: s,
        coefficient: (c.coefficient - inverse * feedback).canonicalized(),
        kernelStarts: c.kernelStarts)
    }
    return layer
  }

  /// R[z_{p₀} z_{p₁}]_{q₀q₁}: the self-feedback of the pair product of one neuron.
  func pairFeedback(of p: [Index], with q: [Index]) -> Expression {
    .average(
      GaussianAverage(
        metric: metric, integrand: p.map { .tensor(Tensor(variable, [$0])) }, feedback: q))
  }

  /// The self-feedback insertions of one term: for every neuron m carrying the R atom and every
  /// neuron m′ whose factors the pair (γ, δ) differentiates, ½ (1/n) R[∂_{γδ}^{[m′=m]} F_m]_{γδ}
  /// · ⟨∂_γ∂_δ F_{m′}⟩^{[m′≠m]} · Π_{others}⟨F⟩, with γ, δ summed.
  func selfFeedback(
    base: Expression, neurons: [Index], perNeuron: [Index: [Factor]], width: Symbol
  ) -> [Term] {
    var next = (base.terms.map { $0.monomial.maxDummyNumber }.max() ?? -1) + 1
    for fs in perNeuron.values {
      for f in fs {
        for i in f.slots { if case .dummy(let k) = i.label { next = Swift.max(next, k + 1) } }
      }
    }
    let pair = [Index(.sample, .dummy(next)), Index(.sample, .dummy(next + 1))]
    let weight = Rational(1, 2)
    var out: [Term] = []
    for carrier in neurons {
      for target in neurons {
        var atoms = Expression.symbol(width, power: -1)
        for j in neurons {
          let atom = GaussianAverage(
            metric: metric, derivatives: j == target ? pair : [],
            integrand: perNeuron[j, default: []], feedback: j == carrier ? pair : [])
          atoms = atoms * .average(atom)
        }
        Self.appendProducts(of: base, with: atoms, weight: weight, summing: pair, to: &out)
      }
    }
    return out
  }
}

extension Expression {
  /// **Pass: polynomial self-feedback atoms.** R is linear in its integrand and is a covariance,
  /// so R[c] = 0 for a constant c; an atom whose integrand is a polynomial in the variable has
  /// its derivatives applied (giving sample δ's), and the atoms left with no factor vanish.
  /// Other atoms are kept. The result is canonical.
  public func simplifyingFeedback() -> Expression {
    replacingAverages { g in
      guard g.isFeedback else { return nil }
      if g.integrand.isEmpty { return .zero }
      guard !g.derivatives.isEmpty, let variable = g.integrandVariable,
        g.integrand.allSatisfy({ f in
          if case .tensor(let t) = f { return t.head == variable }
          return false
        })
      else { return nil }
      return g.applyingDerivatives(variable: variable)
    }
  }
}
