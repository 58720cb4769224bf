#!/usr/bin/env python3
"""An independent numpy implementation of FORMULAS.md §6 and §12 (K, G1, V, Theta, Theta1, A, B,
D, F for two inputs, tanh), typed from the formulas, to cross-check `derive eval mlp-ntk`:

    derive eval mlp-ntk --activation tanh --cb 0.2 --cw 1.5 --set lambda_b=0.4 \
        --set lambda_W=0.9 --widths 10,10,10,10,10 --input 1,0.5,-0.3 --input 0.2,-0.9,0.8 \
        --format json > ntk.json
    NODES=200 python3 Scripts/ntk-reference.py tanh ntk.json

Gaussian averages by tensor Gauss-Hermite quadrature (NODES per axis, 200 reaches ~1e-11 for
tanh; not for relu, whose kink needs the engine's split quadrature), derivative atoms by their
Hermite forms (FORMULAS.md §2). Prints every entry that deviates by more than 1e-8 relative and
the worst relative deviation. Not a unit test: the Swift tests hold the reference values.
"""
import json, sys, itertools
import numpy as np
from numpy.polynomial.hermite_e import hermegauss

Cb, CW, lb, lW = 0.2, 1.5, 0.4, 0.9
X = np.array([[1, 0.5, -0.3], [0.2, -0.9, 0.8]])
widths = [10, 10, 10, 10, 10]
n0 = X.shape[1]
S = 2
act = sys.argv[1] if len(sys.argv) > 1 else "tanh"
if act == "tanh":
    sig = np.tanh
    dsig = lambda z: 1 / np.cosh(z) ** 2
else:
    sig = lambda z: np.maximum(z, 0)
    dsig = lambda z: (z > 0).astype(float)

t, w = hermegauss(int(__import__("os").environ.get("NODES","120")))
w = w / w.sum()

def grid(K):
    L = np.linalg.cholesky(K)
    u = np.stack(np.meshgrid(t, t, indexing="ij"), -1).reshape(-1, 2)
    W = np.outer(w, w).reshape(-1)
    z = u @ L.T
    return z, W

R = range(S)
def step(st, r):
    K, G1, V, Th, Th1, A, B, D, F = st
    z, W = grid(K)
    Ki = np.linalg.inv(K)
    wv = z @ Ki.T  # w_beta = Kinv z
    s = sig(z); sp = dsig(z)
    E = lambda f: np.sum(W * f)
    # Hermite weights
    def h1(b): return wv[:, b]
    def h2(b1, b2): return wv[:, b1] * wv[:, b2] - Ki[b1, b2]
    def h4(b1, b2, b3, b4):
        bs = [b1, b2, b3, b4]
        out = wv[:, b1] * wv[:, b2] * wv[:, b3] * wv[:, b4]
        for (p, q), (u_, v_) in [((0,1),(2,3)),((0,2),(1,3)),((0,3),(1,2)),((2,3),(0,1)),((1,3),(0,2)),((1,2),(0,3))]:
            out = out - Ki[bs[p], bs[q]] * wv[:, bs[u_]] * wv[:, bs[v_]]
        out = out + Ki[b1,b2]*Ki[b3,b4] + Ki[b1,b3]*Ki[b2,b4] + Ki[b1,b4]*Ki[b2,b3]
        return out
    Q = lambda f, b: E(h1(b) * f)
    P2 = lambda f, b1, b2: E(h2(b1, b2) * f)
    P4 = lambda f, b: E(h4(*b) * f)
    ss = lambda a, b: s[:, a] * s[:, b]
    pp = lambda a, b: sp[:, a] * sp[:, b]
    Om = lambda a, b: lW * ss(a, b) + CW * Th[a, b] * pp(a, b)
    def nlo(f):
        return 0.5 * sum(G1[b1, b2] * P2(f, b1, b2) for b1 in R for b2 in R) + \
               0.125 * sum(V[b] * P4(f, b) for b in itertools.product(R, repeat=4))
    K2 = np.zeros((S, S)); G2 = np.zeros((S, S)); Th2 = np.zeros((S, S)); Th12 = np.zeros((S, S))
    V2, A2, B2, D2, F2 = (np.zeros((S,)*4) for _ in range(5))
    for a1 in R:
        for a2 in R:
            K2[a1, a2] = Cb + CW * E(ss(a1, a2))
            G2[a1, a2] = r * CW * nlo(ss(a1, a2))
            Th2[a1, a2] = lb + lW * E(ss(a1, a2)) + CW * E(pp(a1, a2)) * Th[a1, a2]
            Th12[a1, a2] = r * (lW * nlo(ss(a1, a2)) + CW * Th1[a1, a2] * E(pp(a1, a2))
                                + CW * Th[a1, a2] * nlo(pp(a1, a2))
                                + CW * sum((0.5 * D[a1, a2, b1, b2] + F[a1, a2, b1, b2]) * P2(pp(a1, a2), b1, b2) for b1 in R for b2 in R))
    for a in itertools.product(R, repeat=4):
        a1, a2, a3, a4 = a
        PP = lambda f, g: sum(V[b] * P2(f, b[0], b[1]) * P2(g, b[2], b[3]) for b in itertools.product(R, repeat=4))
        V2[a] = CW**2 * (E(ss(a1,a2)*ss(a3,a4)) - E(ss(a1,a2))*E(ss(a3,a4))) + r * CW**2 / 4 * PP(ss(a1,a2), ss(a3,a4))
        B2[a] = CW**2 * E(pp(a1,a2)*pp(a3,a4)) * Th[a1,a2]*Th[a3,a4] + r * CW**2 * E(pp(a1,a3)) * E(pp(a2,a4)) * B[a]
        F2[a] = CW**2 * E(pp(a1,a2)*ss(a3,a4)) * Th[a1,a2] + r * CW**2 * sum(
            Q(sp[:,a1]*s[:,a3], b3) * Q(sp[:,a2]*s[:,a4], b4) * F[a1,a2,b3,b4] for b3 in R for b4 in R)
        o12, o34 = Om(a1,a2), Om(a3,a4)
        D2[a] = CW * (E(o12*ss(a3,a4)) - E(o12)*E(ss(a3,a4))) + r * (CW/4 * PP(o12, ss(a3,a4))
            + CW**2/2 * E(pp(a1,a2)) * sum(D[a1,a2,b3,b4]*P2(ss(a3,a4),b3,b4) for b3 in R for b4 in R))
        A2[a] = E(o12*o34) - E(o12)*E(o34) + r * (0.25 * PP(o12, o34)
            + CW/2 * E(pp(a3,a4)) * sum(P2(o12,b,c)*D[a3,a4,b,c] for b in R for c in R)
            + CW/2 * E(pp(a1,a2)) * sum(P2(o34,b,c)*D[a1,a2,b,c] for b in R for c in R)
            + CW**2 * E(pp(a1,a2)) * E(pp(a3,a4)) * A[a])
    return (K2, G2, V2, Th2, Th12, A2, B2, D2, F2)

xx = X @ X.T / n0
z4 = np.zeros((S,)*4)
st = (Cb + CW * xx, np.zeros((S,S)), z4, lb + lW * xx, np.zeros((S,S)), z4, z4, z4, z4)
layers = [st]
for l in range(1, len(widths)):
    r = widths[l-1] / (widths[l-2] if l >= 2 else n0)
    st = step(st, r)
    layers.append(st)
d = json.load(open(sys.argv[2]))
names = ["K", "G1", "V", "Theta", "Theta1", "A", "B", "D", "F"]
worst = 0
for L, st in zip(d["layers"], layers):
    for name, ours in zip(names, st):
        got = L[name]
        for idx in itertools.product(R, repeat=ours.ndim):
            g = got[idx[0]][idx[1]] if ours.ndim == 2 else got["".join(map(str, idx))]
            e = ours[idx]
            dev = abs(g - e) / max(1e-3, abs(e))
            worst = max(worst, dev)
            if dev > 1e-8: print("layer", L["layer"], name, idx, g, e)
print("worst relative deviation", worst)
