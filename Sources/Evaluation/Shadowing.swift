import Algebra

/// Foundation also exports a type named `Expression`; this module means the algebra's.
typealias Expression = Algebra.Expression
