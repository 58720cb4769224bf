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

# The incoming layer: metric K + G1/n_{ℓ-1}, connected four-point (1/n_{ℓ-1})[δδV + 2 perms].
incoming z[j;a] : nearly-gaussian metric K, correction G1, vertex V, per n[l-1]

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

incoming z[j;a] : nearly-gaussian metric K, correction G1, vertex V, per n[l-1]

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

incoming z[j;a] : nearly-gaussian metric K, correction G1, vertex V, per n[l-1]

map z[i;a] = W[i,j] z[j;a]
first z[i;a] = W[i,j] x[j;a]

derive K G1 V to order 1
"""#),
  ]

  /// The default model (the MLP).
  public static var defaultModel: (name: String, text: String) { all[0] }

  /// The text of a built-in model, or nil.
  public static func text(named name: String) -> String? { all.first { $0.name == name }?.text }
}
