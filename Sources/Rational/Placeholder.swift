// Module Rational.
