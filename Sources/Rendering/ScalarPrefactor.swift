import Algebra
import Rational

/// The scalar part of a term split the way it is displayed: sign, the rational coefficient's
/// magnitude with the parameters (couplings, sample count), and — separately, when the notation
/// asks for it — the widths, so that `\frac{C_W^{2}}{4}\frac{n_{\ell}}{n_{\ell-1}}` shows the
/// order in 1/n at a glance.
struct ScalarPrefactor: Sendable {
  /// One displayed fraction: numerator and denominator, each a number (omitted when 1) and
  /// symbols with positive exponents.
  struct Fraction: Sendable {
    var numeratorNumber: String?
    var numerator: [SymbolPower]
    var denominatorNumber: String?
    var denominator: [SymbolPower]

    var isOne: Bool {
      numeratorNumber == nil && numerator.isEmpty && denominatorNumber == nil
        && denominator.isEmpty
    }
    var hasDenominator: Bool { denominatorNumber != nil || !denominator.isEmpty }
  }

  var isNegative: Bool
  /// The coefficient's magnitude with the non-width symbols (or all symbols).
  var coefficientPart: Fraction
  /// The widths, when displayed separately.
  var widthPart: Fraction

  init(coefficient: Rational, scalars: [SymbolPower], separatesWidths: Bool) {
    isNegative = coefficient.sign < 0
    let magnitude = isNegative ? (-coefficient).description : coefficient.description
    let parts = magnitude.split(separator: "/", maxSplits: 1).map(String.init)
    let numerator = parts[0] == "1" ? nil : parts[0]
    let denominator = parts.count > 1 ? parts[1] : nil
    func isWidth(_ p: SymbolPower) -> Bool { separatesWidths && p.symbol.kind == .width }
    let sorted = scalars.sorted()
    coefficientPart = Fraction(
      numeratorNumber: numerator,
      numerator: sorted.filter { !isWidth($0) && $0.exponent > 0 },
      denominatorNumber: denominator,
      denominator: sorted.filter { !isWidth($0) && $0.exponent < 0 }.map {
        SymbolPower($0.symbol, -$0.exponent)
      })
    widthPart = Fraction(
      numeratorNumber: nil,
      numerator: sorted.filter { isWidth($0) && $0.exponent > 0 },
      denominatorNumber: nil,
      denominator: sorted.filter { isWidth($0) && $0.exponent < 0 }.map {
        SymbolPower($0.symbol, -$0.exponent)
      })
  }
}
