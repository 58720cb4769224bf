// Module Numerics.
