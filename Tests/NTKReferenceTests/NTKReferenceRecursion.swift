import Foundation

/// An independent numeric implementation of the MLP's order-1/n recursions with the NTK:
/// FORMULAS.md §3, §6 (K, G¹, V), §11 (Θ) and §12 (A, B, D, F), plus Θ¹ derived below, with the
/// test's own quadrature (``ReferenceGaussianRule``). Nothing of `Sources/` is used: it is the
/// referee for `derive eval Derivations/mlp-ntk.model` and is itself checked against real
/// networks (`NTKReferenceTests`).
///
/// Conventions (FORMULAS.md §1, §11–12): `E[bb] = C_b`, `E[WW] = C_W/n_{ℓ−1}`, learning rates
/// `λ_b` and `λ_W/n_{ℓ−1}`; tensors of layer ℓ describe `z^(ℓ)` and `Ĥ^(ℓ)`, finite-width ones are
/// normalised by `n_{ℓ−1}`; `r = n_ℓ/n_{ℓ−1}` in the step ℓ → ℓ+1. Four-index tensors are stored
/// in full (`S⁴`, index `((a·S+b)·S+c)·S+d`) in §12's order.
///
/// ## Θ¹, the 1/n correction of the NTK mean (derived here; PDLT §8.3 does it by hand)
///
/// Given layer ℓ, integrating `W^(ℓ+1), b^(ℓ+1)` in the forward equation (§11) gives exactly
/// `E[Ĥ'_{ii;12} | ℓ] = H̄_{12} = λ_b + (1/n_ℓ) Σ_k [λ_W σ_{k;1}σ_{k;2} + C_W σ'_{k;1}σ'_{k;2} Ĥ_{kk;12}]`.
/// The neurons are exchangeable, so `E[Ĥ'_{ii;12}] = λ_b + λ_W E[σ₁σ₂] + C_W E[σ'₁σ'₂ Ĥ_{kk;12}]`
/// for one neuron `k` of layer ℓ — no intrinsic `1/n_ℓ` term: the whole correction comes from
/// layer ℓ's own `1/n_{ℓ−1}` statistics, hence one overall factor `r`, as for G¹ (§6).
/// Write `Ĥ_{kk;12} = Θ₁₂ + Θ¹₁₂/n_{ℓ−1} + ΔĤ_{kk;12}`:
/// * `E[σ₁σ₂]` and `E[σ'₁σ'₂]` by the one-neuron rule (§5): `⟨·⟩_K + (1/n_{ℓ−1})[½ G¹·P + ⅛ V·P⁴]`;
/// * `E[σ'₁σ'₂ ΔĤ_{kk;12}]`: in the joint cumulant expansion of `(z_k, ΔĤ_kk)` the lowest
///   cumulants containing `ΔĤ` once are `κ(ΔĤ, z) = 0` (parity) and
///   `κ(ΔĤ_{kk;12}, z_{k;β₃}, z_{k;β₄}) = E[ΔĤ_{kk;12} z_{k;β₃} z_{k;β₄}] = (D_{12β₃β₄} + F_{12β₃β₄} + F_{12β₄β₃})/n_{ℓ−1}`
///   (§12 with all four neurons equal); `κ(ΔĤ, z, z, z, z)` is `O(n⁻²)`. So
///   `E[g(z_k) ΔĤ_{kk;12}] = ½ Σ_{β₃β₄} κ_{12;β₃β₄} ⟨∂_{β₃}∂_{β₄} g⟩_K + O(n⁻²)`.
/// Collecting the `1/n_{ℓ−1}` terms, with `Ω₁₂ = λ_W σ₁σ₂ + C_W Θ₁₂ σ'₁σ'₂` and `P` the Hermite forms:
///
///     Θ¹'₁₂ = r [ ½ Σ G¹_{β₁β₂} P_{Ω₁₂}[β₁β₂] + ⅛ Σ V_{(β₁β₂)(β₃β₄)} P⁴_{Ω₁₂}[β₁β₂β₃β₄]
///                 + C_W ⟨σ'₁σ'₂⟩ Θ¹₁₂ + (C_W/2) Σ_{β₃β₄} (D_{12β₃β₄} + 2F_{12β₃β₄}) P_{σ'₁σ'₂}[β₃β₄] ]
///
/// (`P` is symmetric, which merges the two F terms), with `Θ¹^(1) = Θ¹^(2) = 0` (layers 1 and 2 are
/// exact: layer 1 is Gaussian with a deterministic NTK). The same bookkeeping reproduces §12's A',
/// B', D', F' from the exact conditional identities (`A' = n Cov(H̄, H̄)` etc.), which is how those
/// were checked before being typed here; the Monte-Carlo test checks all of them on real networks.
struct NTKReference {
  enum ActivationFunction: String, Sendable {
    case tanh, relu

    func value(_ z: Double) -> Double {
      switch self {
      case .tanh: return Foundation.tanh(z)
      case .relu: return z > 0 ? z : 0
      }
    }

    func slope(_ z: Double) -> Double {
      switch self {
      case .tanh:
        let t = Foundation.tanh(z)
        return 1 - t * t
      case .relu: return z > 0 ? 1 : 0
      }
    }
  }

  struct Parameters: Sendable {
    var activation: ActivationFunction
    var cb: Double
    var cw: Double
    var lambdaB: Double
    var lambdaW: Double
    /// `n1 … nL`.
    var widths: [Int]
    var inputs: [[Double]]
  }

  /// Terms of the recursions a negative control may drop.
  enum Omission: Sendable {
    /// The propagation term `r C_W² ⟨σ'σ'⟩⟨σ'σ'⟩ A` of A's recursion.
    case aPropagation
    /// The vertex term `(r/4) P_Ω V P_Ω` of A's recursion.
    case aVertex
    /// The two cross-correlation terms `r (C_W/2) ⟨σ'σ'⟩ P_Ω D` of A's recursion.
    case aCrossCorrelation
    /// The NTK–preactivation term `r (C_W/2) (D + 2F) P_{σ'σ'}` of Θ¹'s recursion.
    case theta1CrossCorrelation
  }

  /// The statistics of one layer (0-based sample indices).
  struct Layer: Sendable {
    var layer: Int
    var sampleCount: Int
    var K: [[Double]]
    var G1: [[Double]]
    var theta: [[Double]]
    var theta1: [[Double]]
    /// Full `S⁴` arrays.
    var V: [Double]
    var A: [Double]
    var B: [Double]
    var D: [Double]
    var F: [Double]

    func quad(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Int {
      ((a * sampleCount + b) * sampleCount + c) * sampleCount + d
    }

    /// The value of statistic `name` (`K, G1, V, Theta, Theta1, A, B, D, F`, the names of
    /// `Derivations/mlp-ntk.model`) at the sample indices written as digits (`"01"`, `"0110"`).
    func value(of name: String, key: String) -> Double? {
      let i = key.compactMap { $0.wholeNumberValue }
      guard i.count == key.count, i.allSatisfy({ $0 < sampleCount }) else { return nil }
      switch (name, i.count) {
      case ("K", 2): return K[i[0]][i[1]]
      case ("G1", 2): return G1[i[0]][i[1]]
      case ("Theta", 2): return theta[i[0]][i[1]]
      case ("Theta1", 2): return theta1[i[0]][i[1]]
      case ("V", 4): return V[quad(i[0], i[1], i[2], i[3])]
      case ("A", 4): return A[quad(i[0], i[1], i[2], i[3])]
      case ("B", 4): return B[quad(i[0], i[1], i[2], i[3])]
      case ("D", 4): return D[quad(i[0], i[1], i[2], i[3])]
      case ("F", 4): return F[quad(i[0], i[1], i[2], i[3])]
      default: return nil
      }
    }
  }

  /// Gaussian integrals at one layer's kernel, by support (the distinct samples a function
  /// depends on), with Hermite forms on the marginal of the support (FORMULAS.md §2): a
  /// derivative with respect to a sample outside the support vanishes. Per support the rule's
  /// nodes, σ and σ' there, and the Hermite polynomials are computed once.
  struct Integrals {
    let s: Int
    let activation: ActivationFunction
    let kernel: [[Double]]
    let refinement: Int

    /// One support's rule and everything evaluated at its nodes.
    final class Support {
      let samples: [Int]
      let weights: [Double]
      /// `w_a = Σ_b K^{ab} z_b` (inverse of the support's covariance), σ and σ' of `z_a`.
      let w: [[Double]]
      let inverse: [[Double]]
      let sigma: [[Double]]
      let slope: [[Double]]
      /// The fourth Hermite tensor at the nodes, `((a·t + b)·t + c)·t + d`, made on first use.
      var h4: [[Double]]?

      init(samples: [Int], kernel: [[Double]], activation: ActivationFunction, refinement: Int) {
        self.samples = samples
        let covariance = samples.map { a in samples.map { b in kernel[a][b] } }
        let rule = ReferenceGaussianRule(covariance: covariance, refinement: refinement)
        weights = rule.weights
        inverse = ReferenceGaussianRule.inverse(covariance)
        let count = rule.weights.count
        let t = samples.count
        var w = [[Double]](repeating: [Double](repeating: 0, count: count), count: t)
        for a in 0..<t {
          for b in 0..<t {
            let k = inverse[a][b]
            for node in 0..<count { w[a][node] += k * rule.points[b][node] }
          }
        }
        self.w = w
        sigma = rule.points.map { $0.map(activation.value) }
        slope = rule.points.map { $0.map(activation.slope) }
      }

      func fourth() -> [[Double]] {
        if let h4 { return h4 }
        let t = samples.count
        let k = inverse
        var out: [[Double]] = []
        for a in 0..<t {
          for b in 0..<t {
            for c in 0..<t {
              for d in 0..<t {
                let (wa, wb, wc, wd) = (w[a], w[b], w[c], w[d])
                out.append(
                  weights.indices.map { node in
                    let (xa, xb, xc, xd) = (wa[node], wb[node], wc[node], wd[node])
                    var h = xa * xb * xc * xd
                    h -= k[a][b] * xc * xd + k[a][c] * xb * xd + k[a][d] * xb * xc
                    h -= k[b][c] * xa * xd + k[b][d] * xa * xc + k[c][d] * xa * xb
                    return h + k[a][b] * k[c][d] + k[a][c] * k[b][d] + k[a][d] * k[b][c]
                  })
              }
            }
          }
        }
        h4 = out
        return out
      }
    }

    private var supports: [[Int]: Support] = [:]

    init(kernel: [[Double]], activation: ActivationFunction, refinement: Int = 1) {
      self.kernel = kernel
      self.activation = activation
      self.refinement = refinement
      s = kernel.count
    }

    mutating func support(_ samples: [Int]) -> Support {
      if let cached = supports[samples] { return cached }
      let made = Support(
        samples: samples, kernel: kernel, activation: activation, refinement: refinement)
      supports[samples] = made
      return made
    }

    /// The weights times `Π σ^{(d)}(z_α)` at every node of the support's rule; factors are
    /// `(α, d)`, `d ∈ {0, 1}`.
    mutating func values(_ factors: [(Int, Int)]) -> (support: Support, f: [Double]) {
      let u = support(Array(Set(factors.map(\.0))).sorted())
      var f = u.weights
      for (alpha, d) in factors {
        let index = u.samples.firstIndex(of: alpha) ?? 0
        let g = d == 0 ? u.sigma[index] : u.slope[index]
        f.withUnsafeMutableBufferPointer { f in
          g.withUnsafeBufferPointer { g in
            for node in 0..<f.count { f[node] *= g[node] }
          }
        }
      }
      return (u, f)
    }

    /// `Σ_node x y`.
    static func dot(_ x: [Double], _ y: [Double]) -> Double {
      x.withUnsafeBufferPointer { x in
        y.withUnsafeBufferPointer { y in
          var sum = 0.0
          for node in 0..<x.count { sum += x[node] * y[node] }
          return sum
        }
      }
    }

    mutating func mean(_ factors: [(Int, Int)]) -> Double {
      values(factors).f.reduce(0, +)
    }

    /// `Q_f[β] = ⟨∂_β f⟩ = Σ_γ K^{βγ} ⟨z_γ f⟩` (S entries).
    mutating func first(_ factors: [(Int, Int)]) -> [Double] {
      let (u, f) = values(factors)
      var out = [Double](repeating: 0, count: s)
      for (a, beta) in u.samples.enumerated() { out[beta] = Self.dot(u.w[a], f) }
      return out
    }

    /// `P_f[β₁β₂] = ⟨∂∂f⟩ = ⟨(w_{β₁} w_{β₂} − K^{β₁β₂}) f⟩` (S × S).
    mutating func second(_ factors: [(Int, Int)]) -> [[Double]] {
      let (u, f) = values(factors)
      let total = f.reduce(0, +)
      var out = [[Double]](repeating: [Double](repeating: 0, count: s), count: s)
      for (a, b1) in u.samples.enumerated() {
        let weighted = zip(u.w[a], f).map { $0 * $1 }
        for (b, b2) in u.samples.enumerated() {
          out[b1][b2] = Self.dot(weighted, u.w[b]) - u.inverse[a][b] * total
        }
      }
      return out
    }

    /// `P⁴_f[β₁β₂β₃β₄] = ⟨H^{β₁β₂β₃β₄} f⟩` with the fourth Hermite tensor (S⁴ entries).
    mutating func fourth(_ factors: [(Int, Int)]) -> [Double] {
      let (u, f) = values(factors)
      let h4 = u.fourth()
      let t = u.samples.count
      var out = [Double](repeating: 0, count: s * s * s * s)
      for a in 0..<t {
        for b in 0..<t {
          for c in 0..<t {
            for d in 0..<t {
              let (i, j, l, m) = (u.samples[a], u.samples[b], u.samples[c], u.samples[d])
              out[((i * s + j) * s + l) * s + m] = Self.dot(h4[((a * t + b) * t + c) * t + d], f)
            }
          }
        }
      }
      return out
    }
  }

  /// The statistics of layers 1 … L; `refinement` multiplies the quadrature nodes.
  static func evaluate(_ p: Parameters, omitting omission: Omission? = nil, refinement: Int = 1)
    -> [Layer]
  {
    let s = p.inputs.count
    let n0 = Double(p.inputs[0].count)
    let q4 = s * s * s * s
    func quad(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Int { ((a * s + b) * s + c) * s + d }
    func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    let gram = (0..<s).map { a in (0..<s).map { b in dot(p.inputs[a], p.inputs[b]) / n0 } }
    let zeroMatrix = [[Double]](repeating: [Double](repeating: 0, count: s), count: s)
    let zeroQuad = [Double](repeating: 0, count: q4)
    var layer = Layer(
      layer: 1, sampleCount: s, K: gram.map { $0.map { p.cb + p.cw * $0 } }, G1: zeroMatrix,
      theta: gram.map { $0.map { p.lambdaB + p.lambdaW * $0 } }, theta1: zeroMatrix, V: zeroQuad,
      A: zeroQuad, B: zeroQuad, D: zeroQuad, F: zeroQuad)
    var out = [layer]
    let (cw, lw) = (p.cw, p.lambdaW)
    for l in 1..<max(1, p.widths.count) {
      // Step ℓ = l → ℓ+1: r = n_ℓ/n_{ℓ−1} (the ratio multiplies only vanishing tensors at ℓ = 1).
      let r = l == 1 ? 1 : Double(p.widths[l - 1]) / Double(p.widths[l - 2])
      var g = Integrals(kernel: layer.K, activation: p.activation, refinement: refinement)
      let pairs = (0..<s).flatMap { a in (0..<s).map { b in (a, b) } }
      var ss = zeroMatrix
      var dd = zeroMatrix
      var p2ss = [[[[Double]]]](repeating: [[[Double]]](repeating: zeroMatrix, count: s), count: s)
      var p2dd = p2ss
      var p4ss = [[[Double]]](repeating: [[Double]](repeating: zeroQuad, count: s), count: s)
      var p4dd = p4ss
      var qds = [[[Double]]](
        repeating: [[Double]](repeating: [Double](repeating: 0, count: s), count: s), count: s)
      for (a, b) in pairs {
        ss[a][b] = g.mean([(a, 0), (b, 0)])
        dd[a][b] = g.mean([(a, 1), (b, 1)])
        p2ss[a][b] = g.second([(a, 0), (b, 0)])
        p2dd[a][b] = g.second([(a, 1), (b, 1)])
        p4ss[a][b] = g.fourth([(a, 0), (b, 0)])
        p4dd[a][b] = g.fourth([(a, 1), (b, 1)])
        qds[a][b] = g.first([(a, 1), (b, 0)])
      }
      var ssss = zeroQuad
      var dddd = zeroQuad
      var ddss = zeroQuad
      for (a, b) in pairs {
        for (c, d) in pairs {
          let i = quad(a, b, c, d)
          ssss[i] = g.mean([(a, 0), (b, 0), (c, 0), (d, 0)])
          dddd[i] = g.mean([(a, 1), (b, 1), (c, 1), (d, 1)])
          ddss[i] = g.mean([(a, 1), (b, 1), (c, 0), (d, 0)])
        }
      }
      let theta = layer.theta
      // Ω_ab = λ_W σ_aσ_b + C_W Θ_ab σ'_aσ'_b and its Gaussian forms.
      func omegaMean(_ a: Int, _ b: Int) -> Double { lw * ss[a][b] + cw * theta[a][b] * dd[a][b] }
      func omegaSecond(_ a: Int, _ b: Int) -> [[Double]] {
        (0..<s).map { x in
          (0..<s).map { y in lw * p2ss[a][b][x][y] + cw * theta[a][b] * p2dd[a][b][x][y] }
        }
      }
      func omegaFourth(_ a: Int, _ b: Int) -> [Double] {
        (0..<q4).map { lw * p4ss[a][b][$0] + cw * theta[a][b] * p4dd[a][b][$0] }
      }
      /// `Σ_{β₁β₂β₃β₄} X[β₁β₂] T_{β₁β₂β₃β₄} Y[β₃β₄]`.
      func sandwich(_ x: [[Double]], _ t: [Double], _ y: [[Double]]) -> Double {
        var sum = 0.0
        for (b1, b2) in pairs {
          for (b3, b4) in pairs { sum += x[b1][b2] * t[quad(b1, b2, b3, b4)] * y[b3][b4] }
        }
        return sum
      }
      /// `Σ_{β₃β₄} T_{abβ₃β₄} Y[β₃β₄]`.
      func contractRight(_ t: [Double], _ a: Int, _ b: Int, _ y: [[Double]]) -> Double {
        pairs.reduce(0) { $0 + t[quad(a, b, $1.0, $1.1)] * y[$1.0][$1.1] }
      }
      var next = layer
      next.layer = l + 1
      for (a, b) in pairs {
        next.K[a][b] = p.cb + cw * ss[a][b]
        next.theta[a][b] = p.lambdaB + lw * ss[a][b] + cw * dd[a][b] * theta[a][b]
        let g1Part = 0.5 * pairs.reduce(0) { $0 + layer.G1[$1.0][$1.1] * p2ss[a][b][$1.0][$1.1] }
        let vPart = 0.125 * zip(layer.V, p4ss[a][b]).reduce(0) { $0 + $1.0 * $1.1 }
        next.G1[a][b] = r * cw * (g1Part + vPart)
        let omega2 = omegaSecond(a, b)
        let omega4 = omegaFourth(a, b)
        var t1 = 0.5 * pairs.reduce(0) { $0 + layer.G1[$1.0][$1.1] * omega2[$1.0][$1.1] }
        t1 += 0.125 * zip(layer.V, omega4).reduce(0) { $0 + $1.0 * $1.1 }
        t1 += cw * dd[a][b] * layer.theta1[a][b]
        var cross = 0.0
        for (b3, b4) in pairs {
          cross +=
            (layer.D[quad(a, b, b3, b4)] + 2 * layer.F[quad(a, b, b3, b4)]) * p2dd[a][b][b3][b4]
        }
        if omission != .theta1CrossCorrelation { t1 += 0.5 * cw * cross }
        next.theta1[a][b] = r * t1
      }
      for (a, b) in pairs {
        for (c, d) in pairs {
          let i = quad(a, b, c, d)
          next.V[i] =
            cw * cw * (ssss[i] - ss[a][b] * ss[c][d])
            + 0.25 * cw * cw * r * sandwich(p2ss[a][b], layer.V, p2ss[c][d])
          next.B[i] =
            cw * cw * dddd[i] * theta[a][b] * theta[c][d]
            + r * cw * cw * dd[a][c] * dd[b][d] * layer.B[i]
          var fPropagation = 0.0
          for (b3, b4) in pairs {
            fPropagation += qds[a][c][b3] * qds[b][d][b4] * layer.F[quad(a, b, b3, b4)]
          }
          next.F[i] = cw * cw * ddss[i] * theta[a][b] + r * cw * cw * fPropagation
          let omegaSigma = lw * ssss[i] + cw * theta[a][b] * ddss[i]
          next.D[i] =
            cw * (omegaSigma - omegaMean(a, b) * ss[c][d])
            + r
            * (0.25 * cw * sandwich(omegaSecond(a, b), layer.V, p2ss[c][d])
              + 0.5 * cw * cw * dd[a][b] * contractRight(layer.D, a, b, p2ss[c][d]))
          let omegaOmega =
            lw * lw * ssss[i] + lw * cw * theta[c][d] * ddss[quad(c, d, a, b)]
            + cw * lw * theta[a][b] * ddss[i] + cw * cw * theta[a][b] * theta[c][d] * dddd[i]
          var propagation = 0.0
          if omission != .aVertex {
            propagation += 0.25 * sandwich(omegaSecond(a, b), layer.V, omegaSecond(c, d))
          }
          if omission != .aCrossCorrelation {
            propagation +=
              0.5 * cw * dd[c][d] * contractRight(layer.D, c, d, omegaSecond(a, b))
              + 0.5 * cw * dd[a][b] * contractRight(layer.D, a, b, omegaSecond(c, d))
          }
          if omission != .aPropagation {
            propagation += cw * cw * dd[a][b] * dd[c][d] * layer.A[i]
          }
          next.A[i] = omegaOmega - omegaMean(a, b) * omegaMean(c, d) + r * propagation
        }
      }
      layer = next
      out.append(layer)
    }
    return Array(out.prefix(p.widths.count))
  }

  /// The entries of `derive eval … --format json` (its `"layers"` array) that differ from the
  /// reference by more than `tolerance · max(1, |reference|)`, as readable lines (empty when all
  /// agree). Every statistic the reference knows (``Layer/value(of:key:)``) that the JSON
  /// contains is compared: 2-index statistics as nested arrays (`"K": [[…]]`) or keyed objects
  /// (`"01"`), 4-index ones as keyed objects (`"0110"`, FORMULAS.md §12's order). `compared`
  /// counts the entries compared, so a caller can assert that the JSON had them at all.
  static func mismatches(
    evalLayers: [[String: Any]], reference: [Layer], tolerance: Double
  ) -> (lines: [String], compared: Int) {
    var lines: [String] = []
    var compared = 0
    for (index, json) in evalLayers.enumerated() {
      guard index < reference.count else {
        lines.append("layer \(index + 1): not in the reference")
        continue
      }
      let ref = reference[index]
      for name in json.keys.sorted() {
        var entries: [(String, Double)] = []
        if let matrix = json[name] as? [[Double]] {
          for (a, row) in matrix.enumerated() {
            for (b, x) in row.enumerated() { entries.append(("\(a)\(b)", x)) }
          }
        } else if let keyed = json[name] as? [String: Double] {
          entries = keyed.keys.sorted().map { ($0, keyed[$0] ?? .nan) }
        } else {
          continue
        }
        for (key, x) in entries {
          guard let y = ref.value(of: name, key: key) else { continue }
          compared += 1
          if !(abs(x - y) <= tolerance * max(1, abs(y))) {
            lines.append("layer \(index + 1) \(name)[\(key)]: eval \(x), reference \(y)")
          }
        }
      }
    }
    return (lines, compared)
  }
}
