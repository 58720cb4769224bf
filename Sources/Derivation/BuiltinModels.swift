// swift-format-ignore-file
// Generated; the raw model texts must stay byte-identical.
/// Model files embedded in the binary so `derive` works from any directory.
///
/// Generated from `Derivations/*.model` by `Scripts/embed-models.py`; `BuiltinModelTests`
/// fails if they drift apart.
public enum BuiltinModels {
  /// Name → model text, in a fixed order (the first is the default).
  public static let all: [(name: String, text: String)] = [
    ("mlp", #"""
# Multilayer perceptron (PDLT §4): one step ℓ → ℓ+1, and the first layer.
#
#   z^{(ℓ+1)}_{i;α} = b^{(ℓ+1)}_i + Σ_j W^{(ℓ+1)}_{ij} σ(z^{(ℓ)}_{j;α})
#   E[b b] = C_b δ,   E[W W] = (C_W / n_ℓ) δ δ
model mlp

index i : neuron l+1
index j : neuron l
index a : sample

coupling C_b C_W
function sigma

gaussian b[i] : C_b
gaussian W[i,j] : C_W / n(j)
input x[j;a]

# The incoming layer ℓ is nearly Gaussian; its finite-width statistics are normalised by the
# width feeding it, n = n_{ℓ-1}. They are declared by the connected correlators (cumulants) of
# the preactivations they define, at order 1/n:
incoming z[j;a] : nearly-gaussian, per n[l-1]

statistic K[a1,a2] : symmetric             # the metric
statistic G1[a1,a2] : symmetric            # its 1/n correction
statistic V[a1,a2,a3,a4] : pairs           # the four-point vertex V_{(a1 a2)(a3 a4)}

cumulant z[j1;a1] z[j2;a2] = delta[j1,j2] (K[a1,a2] + G1[a1,a2] / n)
cumulant z[j1;a1] z[j2;a2] z[j3;a3] z[j4;a4] = \
    ( delta[j1,j2] delta[j3,j4] V[a1,a2,a3,a4] \
    + delta[j1,j3] delta[j2,j4] V[a1,a3,a2,a4] \
    + delta[j1,j4] delta[j2,j3] V[a1,a4,a2,a3] ) / n

map z[i;a] = b[i] + W[i,j] sigma(z[j;a])
first z[i;a] = b[i] + W[i,j] x[j;a]

derive K G1 V to order 1
"""#),
    ("mlp-no-bias", #"""
# Bias-free multilayer perceptron: the MLP with b removed (C_b = 0 by construction).
#
#   z^{(ℓ+1)}_{i;α} = Σ_j W^{(ℓ+1)}_{ij} σ(z^{(ℓ)}_{j;α}),   E[W W] = (C_W / n_ℓ) δ δ
model mlp-no-bias

index i : neuron l+1
index j : neuron l
index a : sample

coupling C_W
function sigma

gaussian W[i,j] : C_W / n(j)
input x[j;a]

# The incoming layer ℓ is nearly Gaussian; its finite-width statistics are normalised by the
# width feeding it, n = n_{ℓ-1}. They are declared by the connected correlators (cumulants) of
# the preactivations they define, at order 1/n:
incoming z[j;a] : nearly-gaussian, per n[l-1]

statistic K[a1,a2] : symmetric             # the metric
statistic G1[a1,a2] : symmetric            # its 1/n correction
statistic V[a1,a2,a3,a4] : pairs           # the four-point vertex V_{(a1 a2)(a3 a4)}

cumulant z[j1;a1] z[j2;a2] = delta[j1,j2] (K[a1,a2] + G1[a1,a2] / n)
cumulant z[j1;a1] z[j2;a2] z[j3;a3] z[j4;a4] = \
    ( delta[j1,j2] delta[j3,j4] V[a1,a2,a3,a4] \
    + delta[j1,j3] delta[j2,j4] V[a1,a3,a2,a4] \
    + delta[j1,j4] delta[j2,j3] V[a1,a4,a2,a3] ) / n

map z[i;a] = W[i,j] sigma(z[j;a])
first z[i;a] = W[i,j] x[j;a]

derive K G1 V to order 1
"""#),
    ("deep-linear", #"""
# Deep linear network (PDLT §3): σ(z) = z, no biases.
#
#   z^{(ℓ+1)}_{i;α} = Σ_j W^{(ℓ+1)}_{ij} z^{(ℓ)}_{j;α},   E[W W] = (C_W / n_ℓ) δ δ
#
# The Gaussian averages are polynomial, so the engine evaluates them exactly.
model deep-linear

index i : neuron l+1
index j : neuron l
index a : sample

coupling C_W

gaussian W[i,j] : C_W / n(j)
input x[j;a]

# The incoming layer ℓ is nearly Gaussian; its finite-width statistics are normalised by the
# width feeding it, n = n_{ℓ-1}. They are declared by the connected correlators (cumulants) of
# the preactivations they define, at order 1/n:
incoming z[j;a] : nearly-gaussian, per n[l-1]

statistic K[a1,a2] : symmetric             # the metric
statistic G1[a1,a2] : symmetric            # its 1/n correction
statistic V[a1,a2,a3,a4] : pairs           # the four-point vertex V_{(a1 a2)(a3 a4)}

cumulant z[j1;a1] z[j2;a2] = delta[j1,j2] (K[a1,a2] + G1[a1,a2] / n)
cumulant z[j1;a1] z[j2;a2] z[j3;a3] z[j4;a4] = \
    ( delta[j1,j2] delta[j3,j4] V[a1,a2,a3,a4] \
    + delta[j1,j3] delta[j2,j4] V[a1,a3,a2,a4] \
    + delta[j1,j4] delta[j2,j3] V[a1,a4,a2,a3] ) / n

map z[i;a] = W[i,j] z[j;a]
first z[i;a] = W[i,j] x[j;a]

derive K G1 V to order 1
"""#),
    ("mlp-ntk", #"""
# Multilayer perceptron with its neural tangent kernel (PDLT §4 and ch. 7–8): one step ℓ → ℓ+1,
# and the first layer.
#
#   z^{(ℓ+1)}_{i;α} = b^{(ℓ+1)}_i + Σ_j W^{(ℓ+1)}_{ij} σ(z^{(ℓ)}_{j;α})
#   E[b b] = C_b δ,   E[W W] = (C_W / n_ℓ) δ δ;   learning rates λ_b and λ_W / n_ℓ
#
# The kernel's forward equation is not written here: the engine differentiates the map.
model mlp-ntk

index i : neuron l+1
index j, j1, j2 : neuron l
index a, a1, a2 : sample

coupling C_b C_W lambda_b lambda_W
function sigma

gaussian b[i] : C_b, learning-rate lambda_b
gaussian W[i,j] : C_W / n(j), learning-rate lambda_W / n(j)
input x[j;a]

# The incoming layer ℓ: its preactivations z and their tangent kernel H, jointly nearly
# Gaussian; the finite-width statistics are normalised by the width feeding it, n = n_{ℓ-1}.
incoming z[j;a] : nearly-gaussian, per n[l-1]
incoming H[j1,j2;a1,a2] : tangent-kernel of z

statistic K[a1,a2] : symmetric             # the metric
statistic G1[a1,a2] : symmetric            # its 1/n correction
statistic V[a1,a2,a3,a4] : pairs           # the four-point vertex V_{(a1 a2)(a3 a4)}
statistic Theta[a1,a2] : symmetric         # the mean NTK
statistic Theta1[a1,a2] : symmetric        # its 1/n correction
statistic A[a1,a2,a3,a4] : pairs           # NTK variance, the δ(i1,i2)δ(i3,i4) part
statistic B[a1,a2,a3,a4] : pair-exchange   # NTK variance, the δ(i1,i3)δ(i2,i4) part
statistic D[a1,a2,a3,a4] : two-pairs       # NTK–preactivation correlation, δ(i1,i2)δ(i3,i4)
statistic F[a1,a2,a3,a4]                   # NTK–preactivation correlation, δ(i1,i3)δ(i2,i4)

cumulant z[j1;a1] z[j2;a2] = delta[j1,j2] (K[a1,a2] + G1[a1,a2] / n)
cumulant z[j1;a1] z[j2;a2] z[j3;a3] z[j4;a4] = \
    ( delta[j1,j2] delta[j3,j4] V[a1,a2,a3,a4] \
    + delta[j1,j3] delta[j2,j4] V[a1,a3,a2,a4] \
    + delta[j1,j4] delta[j2,j3] V[a1,a4,a2,a3] ) / n
cumulant H[j1,j2;a1,a2] = delta[j1,j2] (Theta[a1,a2] + Theta1[a1,a2] / n)
cumulant H[j1,j2;a1,a2] H[j3,j4;a3,a4] = \
    ( delta[j1,j2] delta[j3,j4] A[a1,a2,a3,a4] \
    + delta[j1,j3] delta[j2,j4] B[a1,a2,a3,a4] \
    + delta[j1,j4] delta[j2,j3] B[a1,a2,a4,a3] ) / n
cumulant H[j1,j2;a1,a2] z[j3;a3] z[j4;a4] = \
    ( delta[j1,j2] delta[j3,j4] D[a1,a2,a3,a4] \
    + delta[j1,j3] delta[j2,j4] F[a1,a2,a3,a4] \
    + delta[j1,j4] delta[j2,j3] F[a1,a2,a4,a3] ) / n

map z[i;a] = b[i] + W[i,j] sigma(z[j;a])
first z[i;a] = b[i] + W[i,j] x[j;a]

derive K G1 V Theta Theta1 A B D F to order 1
"""#),
  ]

  /// The default model (the MLP).
  public static var defaultModel: (name: String, text: String) { all[0] }

  /// The text of a built-in model, or nil.
  public static func text(named name: String) -> String? { all.first { $0.name == name }?.text }
}
