import Foundation

/// An independent numeric implementation of the order-1/n statistics of the residual MLP
///
///     z^(1) = b + W x,    z^(t) = ξ z^(t−1) + b + W σ(z^(t−1))   (t ≥ 2, all widths n)
///
/// derived in Derivations/residual-closure.md. Nothing here comes from the engine. Per layer ℓ:
/// K (leading-order metric), G1 = n (E[z_i z_i] − K) and V = n Cov(z_i z_i, z_j z_j) (i ≠ j),
/// the quantities `derive check` estimates.
///
/// The closure is on two-time statistics. Notation (t, r, s are layers, pairs p = (α, β) are
/// flattened α·d + β, matrices over pairs are P × P with P = d²):
/// - ĝ^t = C_b + (C_W/n) Σ_k σσ(z_k^(t−1)), the variance of the innovation u^t = z^t − ξ z^(t−1);
///   its leading order ḡ^t, so K_t = ξ² K_(t−1) + ḡ^t.
/// - A^{t,r} = C_W ∂⟨σσ(z^(t−1))⟩/∂g^r = C_W ξ^{2(t−1−r)} ½⟨∂²σσ⟩_{K_(t−1)}: the mean response of
///   ĝ^t to a shift of ĝ^r; Λ = (1 − A)^{−1} (lower triangular in time) dresses a fluctuation.
/// - W^{(a,b)} = C_W² Cov(σσ(z^(a−1)), σσ(z^(b−1))) along one neuron's leading-order Gaussian path
///   (Cov(z^t, z^s) = ξ^{t−s} K_s for t ≥ s), so V^{(t,s)} = n Cov(ĝ^t, ĝ^s) = Σ Λ^{t,a} W^{(a,b)} Λ^{s,b}ᵀ.
/// - γ^t = n (E ĝ^t − ḡ^t) = C_W D[σσ^(t−1)], with the single-neuron shift
///   D[σσ^τ] = ½⟨∂²σσ⟩·G1_τ + ⅛⟨∂⁴σσ⟩·𝒱_τ + C_W Σ_{s≤r≤τ} ξ^{2(τ−r)} T(τ, s−1)·Λ^{r,s}
///   where G1_τ = Σ_r ξ^{2(τ−r)} γ^r, 𝒱_τ = Σ_{r,q} ξ^{2(τ−r)+2(τ−q)} V^{(r,q)} and
///   T(τ, p) = ½ Cov(H(v; Σ_v) σσ(z^τ), σσ(z^p)), v = z^τ − ξ^{τ−p} z^p, the two-time self-feedback.
/// - V_ℓ = 𝒱_ℓ + C_W Σ_{s≤t≤ℓ} ξ^{2(ℓ−t)+2(ℓ−s+1)} [Λ^{t,s} c_(s−1)(γδ) + (αβ ↔ γδ)] with
///   c_p = Cov_{K_p}(zz, σσ).
struct ResidualReference {
  /// One layer: K and G1 as d × d, V as d⁴ values at ((α·d + β)·d + γ)·d + δ.
  struct Layer {
    var k: [[Double]]
    var g1: [[Double]]
    var v: [Double]
  }

  var sigma: (Double) -> Double
  var splitAtZero: Bool
  var cb: Double
  var cw: Double
  var xi: Double
  var inputs: [[Double]]
  var depth: Int
  var quadrature: NestedGaussQuadrature
  /// The first layer's (C_b, C_W) when they differ from the residual layers' (nil: the same).
  var firstLayer: (cb: Double, cw: Double)? = nil

  var d: Int { inputs.count }
  var pairs: Int { d * d }

  /// K_1, …, K_L at leading order.
  func kernels() -> [[[Double]]] {
    let n0 = Double(inputs[0].count)
    var k = [[[Double]]]()
    let (cb1, cw1) = firstLayer ?? (cb, cw)
    k.append(
      (0..<d).map { a in
        (0..<d).map { b in
          cb1 + cw1 * zip(inputs[a], inputs[b]).map { $0 * $1 }.reduce(0, +) / n0
        }
      })
    while k.count < depth {
      let last = k[k.count - 1]
      let m = single(last).m
      k.append(
        (0..<d).map { a in (0..<d).map { b in xi * xi * last[a][b] + cb + cw * m[a * d + b] } })
    }
    return k
  }

  /// Single-time Gaussian averages at covariance `k`.
  struct Single {
    /// ⟨σ_α σ_β⟩.
    var m: [Double]
    /// ½⟨∂_q (σσ)_p⟩, [p][q].
    var h2: [[Double]]
    /// ⟨∂_q ∂_r (σσ)_p⟩, [p][q][r].
    var h4: [[[Double]]]
    /// Cov((σσ)_p, (σσ)_q).
    var varSigma: [[Double]]
    /// Cov(z_γ z_δ, (σσ)_q), [(γδ)][q].
    var czs: [[Double]]
  }

  static func inverse(_ a: [[Double]]) -> [[Double]] {
    let d = a.count
    var m = a
    var inv = (0..<d).map { i in (0..<d).map { j in i == j ? 1.0 : 0.0 } }
    for c in 0..<d {
      var pivot = c
      for r in c..<d where abs(m[r][c]) > abs(m[pivot][c]) { pivot = r }
      m.swapAt(c, pivot)
      inv.swapAt(c, pivot)
      let p = m[c][c]
      for j in 0..<d {
        m[c][j] /= p
        inv[c][j] /= p
      }
      for r in 0..<d where r != c {
        let f = m[r][c]
        for j in 0..<d {
          m[r][j] -= f * m[c][j]
          inv[r][j] -= f * inv[c][j]
        }
      }
    }
    return inv
  }

  func single(_ k: [[Double]]) -> Single {
    let (d, pp) = (self.d, pairs)
    let ki = Self.inverse(k)
    let count = pp + pp * pp + pp * pp * pp + pp * pp + pp * pp
    let sigma = self.sigma
    // Scratch reused at every node (no allocation per node).
    var s = [Double](repeating: 0, count: d)
    var w = [Double](repeating: 0, count: d)
    var ss = [Double](repeating: 0, count: pp)
    var zz = [Double](repeating: 0, count: pp)
    var hh = [Double](repeating: 0, count: pp)
    let sums = quadrature.expectation(covariance: k, splitAtZero: splitAtZero, count: count) {
      x, weight, acc in
      for a in 0..<d {
        s[a] = sigma(x[a])
        var v = 0.0
        for b in 0..<d { v += ki[a][b] * x[b] }
        w[a] = v
      }
      for a in 0..<d {
        for b in 0..<d {
          ss[a * d + b] = s[a] * s[b]
          zz[a * d + b] = x[a] * x[b]
          hh[a * d + b] = w[a] * w[b] - ki[a][b]
        }
      }
      var o = 0
      for p in 0..<pp {
        acc[o] += weight * ss[p]
        o += 1
      }
      for p in 0..<pp {
        for q in 0..<pp {
          acc[o] += weight * ss[p] * hh[q]
          o += 1
        }
      }
      for p in 0..<pp {
        for q in 0..<pp {
          let (g, e) = (q / d, q % d)
          for r in 0..<pp {
            let (mu, nu) = (r / d, r % d)
            // Fourth Hermite tensor H^{g e mu nu}.
            let h4 =
              w[g] * w[e] * w[mu] * w[nu]
              - (ki[g][e] * w[mu] * w[nu] + ki[g][mu] * w[e] * w[nu] + ki[g][nu] * w[e] * w[mu]
                + ki[e][mu] * w[g] * w[nu] + ki[e][nu] * w[g] * w[mu] + ki[mu][nu] * w[g] * w[e])
              + ki[g][e] * ki[mu][nu] + ki[g][mu] * ki[e][nu] + ki[g][nu] * ki[e][mu]
            acc[o] += weight * ss[p] * h4
            o += 1
          }
        }
      }
      for p in 0..<pp {
        for q in 0..<pp {
          acc[o] += weight * ss[p] * ss[q]
          o += 1
        }
      }
      for p in 0..<pp {
        for q in 0..<pp {
          acc[o] += weight * zz[p] * ss[q]
          o += 1
        }
      }
    }
    var o = 0
    func take() -> Double {
      defer { o += 1 }
      return sums[o]
    }
    let m = (0..<pp).map { _ in take() }
    let h2 = (0..<pp).map { _ in (0..<pp).map { _ in take() / 2 } }
    let h4 = (0..<pp).map { _ in (0..<pp).map { _ in (0..<pp).map { _ in take() } } }
    let s4 = (0..<pp).map { _ in (0..<pp).map { _ in take() } }
    let zs = (0..<pp).map { _ in (0..<pp).map { _ in take() } }
    let varSigma = (0..<pp).map { p in (0..<pp).map { q in s4[p][q] - m[p] * m[q] } }
    let czs = (0..<pp).map { p in (0..<pp).map { q in zs[p][q] - k[p / d][p % d] * m[q] } }
    return Single(m: m, h2: h2, h4: h4, varSigma: varSigma, czs: czs)
  }

  /// Two-time averages along one neuron's path: y = z^(p), x = z^(τ), τ > p,
  /// Cov(x, y) = ξ^{τ−p} K_p.
  struct TwoTime {
    /// Cov((σσ)_q(x), (σσ)_u(y)), [q][u].
    var covSigma: [[Double]]
    /// ½ Cov(H_{q'}(v; Σ_v) (σσ)_q(x), (σσ)_u(y)), [q][q'][u].
    var t: [[[Double]]]
  }

  func twoTime(_ kp: [[Double]], _ kt: [[Double]], lag: Int) -> TwoTime {
    let (d, pp) = (self.d, pairs)
    let c = pow(xi, Double(lag))
    var cov = [[Double]](repeating: [Double](repeating: 0, count: 2 * d), count: 2 * d)
    var sv = kt
    for a in 0..<d {
      for b in 0..<d {
        cov[a][b] = kp[a][b]
        cov[d + a][d + b] = kt[a][b]
        cov[a][d + b] = c * kp[a][b]
        cov[d + a][b] = c * kp[a][b]
        sv[a][b] = kt[a][b] - c * c * kp[a][b]
      }
    }
    let si = Self.inverse(sv)
    let count = pp + pp + pp * pp + pp * pp + pp * pp * pp
    let sigma = self.sigma
    // Scratch reused at every node (no allocation per node).
    var sy = [Double](repeating: 0, count: d)
    var sx = [Double](repeating: 0, count: d)
    var v = [Double](repeating: 0, count: d)
    var w = [Double](repeating: 0, count: d)
    var ssy = [Double](repeating: 0, count: pp)
    var ssx = [Double](repeating: 0, count: pp)
    var h = [Double](repeating: 0, count: pp)
    let sums = quadrature.expectation(covariance: cov, splitAtZero: splitAtZero, count: count) {
      z, weight, acc in
      for a in 0..<d {
        sy[a] = sigma(z[a])
        sx[a] = sigma(z[d + a])
        v[a] = z[d + a] - c * z[a]
      }
      for a in 0..<d {
        var x = 0.0
        for b in 0..<d { x += si[a][b] * v[b] }
        w[a] = x
      }
      for a in 0..<d {
        for b in 0..<d {
          ssy[a * d + b] = sy[a] * sy[b]
          ssx[a * d + b] = sx[a] * sx[b]
          h[a * d + b] = w[a] * w[b] - si[a][b]
        }
      }
      var o = 0
      for q in 0..<pp {
        acc[o] += weight * ssx[q]
        acc[o + pp] += weight * ssy[q]
        o += 1
      }
      o += pp
      for q in 0..<pp {
        for u in 0..<pp {
          acc[o] += weight * ssx[q] * ssy[u]
          o += 1
        }
      }
      for q in 0..<pp {
        for r in 0..<pp {
          acc[o] += weight * ssx[q] * h[r]
          o += 1
        }
      }
      for q in 0..<pp {
        for r in 0..<pp {
          let hx = weight * ssx[q] * h[r]
          for u in 0..<pp {
            acc[o] += hx * ssy[u]
            o += 1
          }
        }
      }
    }
    let mx = Array(sums[0..<pp])
    let my = Array(sums[pp..<(2 * pp)])
    var o = 2 * pp
    var covSigma = [[Double]](repeating: [Double](repeating: 0, count: pp), count: pp)
    for q in 0..<pp {
      for u in 0..<pp {
        covSigma[q][u] = sums[o] - mx[q] * my[u]
        o += 1
      }
    }
    var hx = [[Double]](repeating: [Double](repeating: 0, count: pp), count: pp)
    for q in 0..<pp {
      for r in 0..<pp {
        hx[q][r] = sums[o]
        o += 1
      }
    }
    var t = [[[Double]]](
      repeating: [[Double]](repeating: [Double](repeating: 0, count: pp), count: pp), count: pp)
    for q in 0..<pp {
      for r in 0..<pp {
        for u in 0..<pp {
          t[q][r][u] = (sums[o] - hx[q][r] * my[u]) / 2
          o += 1
        }
      }
    }
    return TwoTime(covSigma: covSigma, t: t)
  }

  typealias Matrix = [[Double]]

  func zeros() -> Matrix {
    [[Double]](repeating: [Double](repeating: 0, count: pairs), count: pairs)
  }
  func identity() -> Matrix {
    (0..<pairs).map { i in (0..<pairs).map { j in i == j ? 1.0 : 0.0 } }
  }
  static func product(_ a: Matrix, _ b: Matrix) -> Matrix {
    a.map { row in (0..<b[0].count).map { j in zip(row, b).map { $0 * $1[j] }.reduce(0, +) } }
  }
  static func transpose(_ a: Matrix) -> Matrix {
    (0..<a[0].count).map { j in a.map { $0[j] } }
  }
  static func add(_ a: Matrix, _ b: Matrix, _ scale: Double = 1) -> Matrix {
    zip(a, b).map { zip($0, $1).map { $0 + scale * $1 } }
  }

  /// The correct order-1/n statistics of layers 1 … depth.
  func run() -> [Layer] {
    let (d, pp, big) = (self.d, pairs, depth)
    let k = kernels()
    // Layers are 1-based below; index 0 unused.
    let singles = [nil] + k.map { Optional(single($0)) }
    func s(_ t: Int) -> Single {
      guard let v = singles[t] else { preconditionFailure("layer \(t)") }
      return v
    }
    // Two-time averages (x-time τ, y-time p), 1 ≤ p < τ ≤ L − 1.
    var two: [[TwoTime?]] = Array(repeating: Array(repeating: nil, count: big + 1), count: big + 1)
    if big >= 3 {
      for tau in 2...(big - 1) {
        for p in 1..<tau { two[tau][p] = twoTime(k[p - 1], k[tau - 1], lag: tau - p) }
      }
    }
    func twoAt(_ tau: Int, _ p: Int) -> TwoTime {
      guard let v = two[tau][p] else { preconditionFailure("two-time \(tau), \(p)") }
      return v
    }
    // A^{t,r} and Λ^{t,s}, 2 ≤ s ≤ t ≤ L.
    var lambda: [[Matrix]] = Array(
      repeating: Array(repeating: zeros(), count: big + 1), count: big + 1)
    if big >= 2 {
      for t in 2...big {
        lambda[t][t] = identity()
        for sIndex in stride(from: t - 1, through: 2, by: -1) {
          var acc = zeros()
          for r in sIndex..<t {
            let a = s(t - 1).h2.map { $0.map { cw * pow(xi, Double(2 * (t - 1 - r))) * $0 } }
            acc = Self.add(acc, Self.product(a, lambda[r][sIndex]))
          }
          lambda[t][sIndex] = acc
        }
      }
    }
    // W^{(a,b)} and V^{(t,s)}, 2 ≤ a, b, t, s ≤ L.
    func w(_ a: Int, _ b: Int) -> Matrix {
      if a == b { return s(a - 1).varSigma.map { $0.map { cw * cw * $0 } } }
      if a > b { return twoAt(a - 1, b - 1).covSigma.map { $0.map { cw * cw * $0 } } }
      return Self.transpose(w(b, a))
    }
    var vv: [[Matrix]] = Array(repeating: Array(repeating: zeros(), count: big + 1), count: big + 1)
    if big >= 2 {
      var wCache: [[Matrix]] = Array(
        repeating: Array(repeating: zeros(), count: big + 1), count: big + 1)
      for a in 2...big { for b in 2...big { wCache[a][b] = w(a, b) } }
      for t in 2...big {
        for u in 2...big {
          var acc = zeros()
          for a in 2...t {
            for b in 2...u {
              acc = Self.add(
                acc,
                Self.product(
                  Self.product(lambda[t][a], wCache[a][b]), Self.transpose(lambda[u][b])))
            }
          }
          vv[t][u] = acc
        }
      }
    }
    // 𝒱_τ: n Var of the path's conditional covariance Σ_r ξ^{2(τ−r)} ĝ^r.
    func mixtureV(_ tau: Int) -> Matrix {
      var acc = zeros()
      guard tau >= 2 else { return acc }
      for r in 2...tau {
        for q in 2...tau {
          acc = Self.add(acc, vv[r][q], pow(xi, Double(2 * (tau - r) + 2 * (tau - q))))
        }
      }
      return acc
    }
    // γ^t (t = 2 … L) and G1_τ.
    var gamma = [[Double]](repeating: [Double](repeating: 0, count: pp), count: big + 1)
    func g1(_ tau: Int) -> [Double] {
      var acc = [Double](repeating: 0, count: pp)
      guard tau >= 2 else { return acc }
      for r in 2...tau {
        for p in 0..<pp { acc[p] += pow(xi, Double(2 * (tau - r))) * gamma[r][p] }
      }
      return acc
    }
    if big >= 2 {
      for tau in 1...(big - 1) {
        let st = s(tau)
        let g = g1(tau)
        let mv = mixtureV(tau)
        var dsh = [Double](repeating: 0, count: pp)
        for p in 0..<pp {
          var v = 0.0
          for q in 0..<pp {
            v += st.h2[p][q] * g[q]
            for r in 0..<pp { v += st.h4[p][q][r] * mv[q][r] / 8 }
          }
          if tau >= 2 {
            for r in 2...tau {
              for sIndex in 2...r {
                let tt = twoAt(tau, sIndex - 1).t
                let l = lambda[r][sIndex]
                var inner = 0.0
                for q in 0..<pp { for u in 0..<pp { inner += tt[p][q][u] * l[q][u] } }
                v += cw * pow(xi, Double(2 * (tau - r))) * inner
              }
            }
          }
          dsh[p] = v
        }
        gamma[tau + 1] = dsh.map { cw * $0 }
      }
    }
    // The statistics of z per layer.
    var out: [Layer] = []
    for l in 1...big {
      let g = g1(l)
      var v = mixtureV(l)
      if l >= 2 {
        for t in 2...l {
          for sIndex in 2...t {
            let c = s(sIndex - 1).czs
            let f = cw * pow(xi, Double(2 * (l - t) + 2 * (l - sIndex + 1)))
            let lam = lambda[t][sIndex]
            for p in 0..<pp {
              for q in 0..<pp {
                var x = 0.0
                for u in 0..<pp { x += lam[p][u] * c[q][u] + lam[q][u] * c[p][u] }
                v[p][q] += f * x
              }
            }
          }
        }
      }
      out.append(
        Layer(
          k: k[l - 1], g1: (0..<d).map { a in (0..<d).map { b in g[a * d + b] } },
          v: v.flatMap { $0 }))
    }
    return out
  }

  /// The (K, G1, V)-only Gaussian closure: layer ℓ described by its K, G1, V alone, with the
  /// MLP's cross-neuron rule n Cov(f(z_i), g(z_j)) = ¼ V ⟨∂²f⟩⟨∂²g⟩. Exact at ξ = 0 (the MLP) and
  /// for linear σ; wrong from layer 3 on otherwise.
  func gaussianClosure() -> [Layer] {
    let (d, pp) = (self.d, pairs)
    let k = kernels()
    var g = [Double](repeating: 0, count: pp)
    var v = zeros()
    var out = [Layer(k: k[0], g1: g1Matrix(g), v: v.flatMap { $0 })]
    for l in 1..<depth {
      let st = single(k[l - 1])
      var g2 = [Double](repeating: 0, count: pp)
      var v2 = zeros()
      for p in 0..<pp {
        var x = 0.0
        for q in 0..<pp {
          x += st.h2[p][q] * g[q]
          for r in 0..<pp { x += st.h4[p][q][r] * v[q][r] / 8 }
        }
        g2[p] = xi * xi * g[p] + cw * x
      }
      // C[zz_p, σσ_q] = Σ_u V[p][u] h2[q][u].
      let cross = (0..<pp).map { p in
        (0..<pp).map { q in (0..<pp).map { u in v[p][u] * st.h2[q][u] }.reduce(0, +) }
      }
      let hvh = Self.product(Self.product(st.h2, v), Self.transpose(st.h2))
      for p in 0..<pp {
        for q in 0..<pp {
          v2[p][q] =
            pow(xi, 4) * v[p][q]
            + xi * xi * cw * (st.czs[p][q] + cross[p][q] + st.czs[q][p] + cross[q][p])
            + cw * cw * (st.varSigma[p][q] + hvh[p][q])
        }
      }
      g = g2
      v = v2
      out.append(Layer(k: k[l], g1: g1Matrix(g), v: v.flatMap { $0 }))
    }
    _ = d
    return out
  }

  func g1Matrix(_ g: [Double]) -> [[Double]] {
    (0..<d).map { a in (0..<d).map { b in g[a * d + b] } }
  }
}
