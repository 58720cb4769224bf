# derive: model mlp
from sympy import *

ell = Symbol('ell', integer=True)
alpha1, alpha2, alpha3, alpha4, beta1, beta2, beta3, beta4, j = symbols('alpha1 alpha2 alpha3 alpha4 beta1 beta2 beta3 beta4 j', integer=True)
C_W, C_b, N_D = symbols('C_W C_b N_D')
n, = symbols('n,', cls=Function)
G1, K, V, x, z = symbols('G1 K V x z', cls=IndexedBase)
sigma, = symbols('sigma,', cls=Function)
GaussianAverage = Function('GaussianAverage')

equations = [
    Eq(K[1, alpha1, alpha2], C_b + C_W*n(0)**(-1)*Sum(x[j, alpha1]*x[j, alpha2], (j, 1, n(0)))),
    Eq(G1[1, alpha1, alpha2], 0),
    Eq(V[1, alpha1, alpha2, alpha3, alpha4], 0),
    Eq(K[ell + 1, alpha1, alpha2], C_b + C_W*GaussianAverage(K[ell], Tuple(), sigma(z[ell, alpha1])*sigma(z[ell, alpha2]))),
    Eq(G1[ell + 1, alpha1, alpha2], Rational(1, 2)*C_W*n(ell - 1)**(-1)*n(ell)*Sum(G1[ell, beta1, beta2]*GaussianAverage(K[ell], Tuple(beta1, beta2), sigma(z[ell, alpha1])*sigma(z[ell, alpha2])), (beta1, 1, N_D), (beta2, 1, N_D)) + Rational(1, 8)*C_W*n(ell - 1)**(-1)*n(ell)*Sum(V[ell, beta1, beta2, beta3, beta4]*GaussianAverage(K[ell], Tuple(beta1, beta2, beta3, beta4), sigma(z[ell, alpha1])*sigma(z[ell, alpha2])), (beta1, 1, N_D), (beta2, 1, N_D), (beta3, 1, N_D), (beta4, 1, N_D))),
    Eq(V[ell + 1, alpha1, alpha2, alpha3, alpha4], C_W**2*GaussianAverage(K[ell], Tuple(), sigma(z[ell, alpha1])*sigma(z[ell, alpha2])*sigma(z[ell, alpha3])*sigma(z[ell, alpha4])) - C_W**2*GaussianAverage(K[ell], Tuple(), sigma(z[ell, alpha1])*sigma(z[ell, alpha2]))*GaussianAverage(K[ell], Tuple(), sigma(z[ell, alpha3])*sigma(z[ell, alpha4])) + Rational(1, 4)*C_W**2*n(ell - 1)**(-1)*n(ell)*Sum(V[ell, beta1, beta2, beta3, beta4]*GaussianAverage(K[ell], Tuple(beta1, beta2), sigma(z[ell, alpha1])*sigma(z[ell, alpha2]))*GaussianAverage(K[ell], Tuple(beta3, beta4), sigma(z[ell, alpha3])*sigma(z[ell, alpha4])), (beta1, 1, N_D), (beta2, 1, N_D), (beta3, 1, N_D), (beta4, 1, N_D))),
]
