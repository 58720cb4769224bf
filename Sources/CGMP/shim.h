#ifndef CGMP_SHIM_H
#define CGMP_SHIM_H
// Swift cannot import GMP's function-like macros (mpq_add is `#define mpq_add __gmpq_add`, mpz_sgn
// and mpq_numref are expression macros), so every entry point the Rational module uses is
// re-exported here as a static inline wrapper named `cgmp_<gmp name>`.
#include <gmp.h>

// MARK: - mpz_t (integers)

static inline void cgmp_mpz_init(mpz_ptr z) { mpz_init(z); }
static inline void cgmp_mpz_clear(mpz_ptr z) { mpz_clear(z); }
static inline void cgmp_mpz_set(mpz_ptr r, mpz_srcptr a) { mpz_set(r, a); }
static inline void cgmp_mpz_set_si(mpz_ptr r, long a) { mpz_set_si(r, a); }
static inline void cgmp_mpz_set_ui(mpz_ptr r, unsigned long a) { mpz_set_ui(r, a); }
static inline int cgmp_mpz_set_str(mpz_ptr r, const char *s, int base) {
  return mpz_set_str(r, s, base);
}
static inline char *cgmp_mpz_get_str(char *buffer, int base, mpz_srcptr a) {
  return mpz_get_str(buffer, base, a);
}
static inline void cgmp_mpz_add(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_add(r, a, b); }
static inline void cgmp_mpz_sub(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_sub(r, a, b); }
static inline void cgmp_mpz_mul(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_mul(r, a, b); }
static inline void cgmp_mpz_neg(mpz_ptr r, mpz_srcptr a) { mpz_neg(r, a); }
static inline void cgmp_mpz_abs(mpz_ptr r, mpz_srcptr a) { mpz_abs(r, a); }
static inline void cgmp_mpz_tdiv_qr(mpz_ptr q, mpz_ptr r, mpz_srcptr n, mpz_srcptr d) {
  mpz_tdiv_qr(q, r, n, d);
}
static inline void cgmp_mpz_tdiv_q(mpz_ptr q, mpz_srcptr n, mpz_srcptr d) { mpz_tdiv_q(q, n, d); }
static inline void cgmp_mpz_tdiv_r(mpz_ptr r, mpz_srcptr n, mpz_srcptr d) { mpz_tdiv_r(r, n, d); }
static inline void cgmp_mpz_mul_2exp(mpz_ptr r, mpz_srcptr a, mp_bitcnt_t bits) {
  mpz_mul_2exp(r, a, bits);
}
static inline void cgmp_mpz_pow_ui(mpz_ptr r, mpz_srcptr base, unsigned long exponent) {
  mpz_pow_ui(r, base, exponent);
}
static inline void cgmp_mpz_fac_ui(mpz_ptr r, unsigned long n) { mpz_fac_ui(r, n); }
static inline void cgmp_mpz_gcd(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_gcd(r, a, b); }
static inline int cgmp_mpz_cmp(mpz_srcptr a, mpz_srcptr b) { return mpz_cmp(a, b); }
static inline int cgmp_mpz_cmp_si(mpz_srcptr a, long b) { return mpz_cmp_si(a, b); }
static inline int cgmp_mpz_sgn(mpz_srcptr a) { return mpz_sgn(a); }
static inline size_t cgmp_mpz_sizeinbase(mpz_srcptr a, int base) {
  return mpz_sizeinbase(a, base);
}
static inline int cgmp_mpz_fits_slong_p(mpz_srcptr a) { return mpz_fits_slong_p(a); }
static inline int cgmp_mpz_fits_ulong_p(mpz_srcptr a) { return mpz_fits_ulong_p(a); }
static inline long cgmp_mpz_get_si(mpz_srcptr a) { return mpz_get_si(a); }
static inline unsigned long cgmp_mpz_get_ui(mpz_srcptr a) { return mpz_get_ui(a); }
/// Number of limbs in |a| (0 for zero).
static inline size_t cgmp_mpz_size(mpz_srcptr a) { return mpz_size(a); }
/// Limb `n` of |a|, least significant first.
static inline mp_limb_t cgmp_mpz_getlimbn(mpz_srcptr a, mp_size_t n) { return mpz_getlimbn(a, n); }

// MARK: - mpq_t (rationals)

static inline void cgmp_mpq_init(mpq_ptr q) { mpq_init(q); }
static inline void cgmp_mpq_clear(mpq_ptr q) { mpq_clear(q); }
static inline void cgmp_mpq_set(mpq_ptr r, mpq_srcptr a) { mpq_set(r, a); }
/// Sets r = n/d without canonicalising; call cgmp_mpq_canonicalize unless n/d is already canonical.
static inline void cgmp_mpq_set_si(mpq_ptr r, long n, unsigned long d) { mpq_set_si(r, n, d); }
static inline void cgmp_mpq_set_z(mpq_ptr r, mpz_srcptr a) { mpq_set_z(r, a); }
static inline void cgmp_mpq_set_num(mpq_ptr r, mpz_srcptr a) { mpq_set_num(r, a); }
static inline void cgmp_mpq_set_den(mpq_ptr r, mpz_srcptr a) { mpq_set_den(r, a); }
static inline int cgmp_mpq_set_str(mpq_ptr r, const char *s, int base) {
  return mpq_set_str(r, s, base);
}
static inline char *cgmp_mpq_get_str(char *buffer, int base, mpq_srcptr a) {
  return mpq_get_str(buffer, base, a);
}
static inline void cgmp_mpq_add(mpq_ptr r, mpq_srcptr a, mpq_srcptr b) { mpq_add(r, a, b); }
static inline void cgmp_mpq_sub(mpq_ptr r, mpq_srcptr a, mpq_srcptr b) { mpq_sub(r, a, b); }
static inline void cgmp_mpq_mul(mpq_ptr r, mpq_srcptr a, mpq_srcptr b) { mpq_mul(r, a, b); }
static inline void cgmp_mpq_div(mpq_ptr r, mpq_srcptr a, mpq_srcptr b) { mpq_div(r, a, b); }
static inline void cgmp_mpq_neg(mpq_ptr r, mpq_srcptr a) { mpq_neg(r, a); }
static inline void cgmp_mpq_abs(mpq_ptr r, mpq_srcptr a) { mpq_abs(r, a); }
static inline void cgmp_mpq_inv(mpq_ptr r, mpq_srcptr a) { mpq_inv(r, a); }
static inline int cgmp_mpq_cmp(mpq_srcptr a, mpq_srcptr b) { return mpq_cmp(a, b); }
static inline int cgmp_mpq_cmp_si(mpq_srcptr a, long n, unsigned long d) {
  return mpq_cmp_si(a, n, d);
}
static inline int cgmp_mpq_sgn(mpq_srcptr a) { return mpq_sgn(a); }
static inline int cgmp_mpq_equal(mpq_srcptr a, mpq_srcptr b) { return mpq_equal(a, b); }
static inline void cgmp_mpq_canonicalize(mpq_ptr q) { mpq_canonicalize(q); }
static inline mpz_ptr cgmp_mpq_numref(mpq_ptr q) { return mpq_numref(q); }
static inline mpz_ptr cgmp_mpq_denref(mpq_ptr q) { return mpq_denref(q); }
static inline mpz_srcptr cgmp_mpq_numref_const(mpq_srcptr q) { return mpq_numref(q); }
static inline mpz_srcptr cgmp_mpq_denref_const(mpq_srcptr q) { return mpq_denref(q); }
static inline double cgmp_mpq_get_d(mpq_srcptr a) { return mpq_get_d(a); }

#endif
