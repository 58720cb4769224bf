// Module Algebra.
