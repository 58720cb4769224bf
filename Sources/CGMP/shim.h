#ifndef CGMP_SHIM_H
#define CGMP_SHIM_H
// Swift cannot import GMP's function-like macros (mpq_add is `#define mpq_add __gmpq_add`),
// so every entry point the Rational module uses is re-exported here as a static inline wrapper.
#include <gmp.h>
#endif
