import Algebra

/// Foundation also exports a type named `Expression`; a declaration in this module wins over
/// both imports.
typealias Expression = Algebra.Expression
