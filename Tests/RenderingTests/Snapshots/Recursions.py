from sympy import *

ell = Symbol('ell', integer=True)
alpha1, alpha2, alpha3, alpha4, beta1, beta2, beta3, beta4, i1, i2, i3, i4, j, k = symbols('alpha1 alpha2 alpha3 alpha4 beta1 beta2 beta3 beta4 i1 i2 i3 i4 j k', integer=True)
C_W, C_b, N_D = symbols('C_W C_b N_D')
n, = symbols('n,', cls=Function)
G1, K, V, z = symbols('G1 K V z', cls=IndexedBase)
sigma, = symbols('sigma,', cls=Function)
GaussianAverage = Function('GaussianAverage')

equations = [
    Eq(V[ell + 1, alpha1, alpha2, alpha3, alpha4], C_W**2*GaussianAverage(K[ell], Tuple(), sigma(z[ell, alpha1])*sigma(z[ell, alpha2])*sigma(z[ell, alpha3])*sigma(z[ell, alpha4])) - C_W**2*GaussianAverage(K[ell], Tuple(), sigma(z[ell, alpha1])*sigma(z[ell, alpha2]))*GaussianAverage(K[ell], Tuple(), sigma(z[ell, alpha3])*sigma(z[ell, alpha4])) + Rational(1, 4)*C_W**2*n(ell - 1)**(-1)*n(ell)*Sum(V[ell, beta1, beta2, beta3, beta4]*GaussianAverage(K[ell], Tuple(beta1, beta2), sigma(z[ell, alpha1])*sigma(z[ell, alpha2]))*GaussianAverage(K[ell], Tuple(beta3, beta4), sigma(z[ell, alpha3])*sigma(z[ell, alpha4])), (beta1, 1, N_D), (beta2, 1, N_D), (beta3, 1, N_D), (beta4, 1, N_D))),
    Eq(G1[ell + 1, alpha1, alpha2], Rational(1, 2)*C_W*n(ell - 1)**(-1)*n(ell)*Sum(G1[ell, beta1, beta2]*GaussianAverage(K[ell], Tuple(beta1, beta2), sigma(z[ell, alpha1])*sigma(z[ell, alpha2])), (beta1, 1, N_D), (beta2, 1, N_D)) + Rational(1, 8)*C_W*n(ell - 1)**(-1)*n(ell)*Sum(V[ell, beta1, beta2, beta3, beta4]*GaussianAverage(K[ell], Tuple(beta1, beta2, beta3, beta4), sigma(z[ell, alpha1])*sigma(z[ell, alpha2])), (beta1, 1, N_D), (beta2, 1, N_D), (beta3, 1, N_D), (beta4, 1, N_D))),
    Eq(K[ell, alpha1, alpha2], n(ell)**(-1)*KroneckerDelta(i1, i2)*KroneckerDelta(i3, i4)*V[ell + 1, alpha1, alpha2, alpha3, alpha4] + n(ell)**(-1)*KroneckerDelta(i1, i3)*KroneckerDelta(i2, i4)*V[ell + 1, alpha1, alpha3, alpha2, alpha4] + n(ell)**(-1)*KroneckerDelta(i1, i4)*KroneckerDelta(i2, i3)*V[ell + 1, alpha1, alpha4, alpha2, alpha3]),
    Eq(C_b, C_W**2*n(ell)**(-2)*Sum(sigma(z[ell, j, alpha1])*sigma(z[ell, j, alpha2])*sigma(z[ell, k, alpha3])*sigma(z[ell, k, alpha4])*(1 - KroneckerDelta(j, k)), (j, 1, n(ell)), (k, 1, n(ell)))),
    Eq(C_W, -Rational(3, 4)*C_b + Rational(2, 3)*C_W*n(ell - 1)**(-1)*GaussianAverage(K[ell], Tuple(), Derivative(sigma(z[ell, alpha1]), (z[ell, alpha1], 1))*Derivative(sigma(z[ell, alpha2]), (z[ell, alpha2], 1))) - GaussianAverage(K[ell], Tuple(), sigma(z[ell, alpha1])*sigma(z[ell, alpha2])) + 5*C_W**2),
]
