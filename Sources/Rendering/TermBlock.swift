import Algebra
import Rational

/// A run of terms shown together, optionally with a common scalar prefactor:
/// value = Π ``commonScalars`` × Σ ``terms``.
public struct TermBlock: Hashable, Sendable {
  /// The symbol powers factored out of every term (empty when none is).
  public var commonScalars: [SymbolPower]
  /// The terms, with ``commonScalars`` divided out.
  public var terms: [Term]

  public init(commonScalars: [SymbolPower] = [], terms: [Term]) {
    self.commonScalars = commonScalars
    self.terms = terms
  }

  /// The block of `terms` with the largest common scalar prefactor pulled out: every symbol
  /// present in all terms with exponents of one sign, to the smallest such magnitude. Blocks of
  /// fewer than two terms are left alone (there is nothing to bracket).
  init(factoring terms: [Term]) {
    guard terms.count >= 2 else {
      self.init(terms: terms)
      return
    }
    var common: [SymbolPower] = []
    for p in terms[0].monomial.scalars.sorted() where p.exponent != 0 {
      var magnitude = abs(p.exponent)
      var shared = true
      for t in terms.dropFirst() {
        let e = t.monomial.exponent(of: p.symbol)
        if e == 0 || (e > 0) != (p.exponent > 0) {
          shared = false
          break
        }
        magnitude = min(magnitude, abs(e))
      }
      if shared { common.append(SymbolPower(p.symbol, p.exponent > 0 ? magnitude : -magnitude)) }
    }
    let quotient = common.map { SymbolPower($0.symbol, -$0.exponent) }
    let reduced = terms.map { Term($0.coefficient, $0.monomial.multiplyingScalars(by: quotient)) }
    self.init(commonScalars: common, terms: reduced)
  }

  /// The value of the block as an expression: the common prefactor times the sum of the terms.
  public var value: Expression {
    let sum = Expression(terms)
    if commonScalars.isEmpty { return sum }
    return Expression(Term(.one, Monomial(scalars: commonScalars))) * sum
  }
}
