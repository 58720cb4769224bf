// Module Derivation.
