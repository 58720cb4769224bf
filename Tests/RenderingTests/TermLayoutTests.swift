import Algebra
import Rational
import Rendering
import Testing

/// Grouping and common-factor extraction are display only: the blocks must add up to the
/// expression, and terms must keep their order inside blocks.
@Suite struct TermLayoutTests {
  typealias F = Fixtures

  let layouts: [TermLayout] = [
    .plain, .book,
    TermLayout(grouping: .inverseWidthOrder),
    TermLayout(grouping: .inverseWidthOrder, factorsCommonScalars: true),
    TermLayout(grouping: .none, factorsCommonScalars: true),
    TermLayout(grouping: .widthMonomial),
  ]

  var samples: [Expression] {
    [
      F.vRecursion, F.g1Recursion, F.fourPoint, F.distinctNeuronSum, F.signedCoefficients,
      mixedOrders,
    ]
  }

  /// Terms of orders 1, 0, 2, 0 in 1/n, not in canonical order, with common C_W.
  var mixedOrders: Expression {
    let k = Expression.tensor(F.K, [F.a1, F.a2])
    return F.sym(F.cW) * F.sym(F.nPrev, -1) * k
      + F.sym(F.cW, 2) * k.scaled(by: F.rational(-1, 3))
      + F.sym(F.cW) * F.sym(F.nPrev, -2) * F.sym(F.cB)
      + F.sym(F.cW) * F.sym(F.cB)
  }

  @Test func blocksAddUpToTheExpression() {
    for layout in layouts {
      for e in samples {
        let total = layout.blocks(of: e).reduce(Expression.zero) { $0 + $1.value }
        #expect(total.isEquivalent(to: e), "layout \(layout) changed the value")
      }
    }
  }

  @Test func groupingIsAStablePartitionByOrder() {
    let blocks = TermLayout(grouping: .inverseWidthOrder).blocks(of: mixedOrders)
    #expect(blocks.map { $0.terms.count } == [2, 1, 1])
    #expect(blocks.map { $0.terms[0].monomial.inverseWidthOrder } == [0, 1, 2])
    // Inside the order-0 block, the expression's order: −C_W²K/3 before C_W C_b.
    #expect(blocks[0].terms.map { $0.coefficient } == [F.rational(-1, 3), Rational(1)])
  }

  @Test func commonScalarsAreFactoredOut() {
    let blocks = TermLayout(grouping: .inverseWidthOrder, factorsCommonScalars: true)
      .blocks(of: mixedOrders)
    #expect(blocks[0].commonScalars == [SymbolPower(F.cW, 1)])
    #expect(blocks[1].commonScalars.isEmpty)  // a single term is not bracketed
    let whole = TermLayout(factorsCommonScalars: true).blocks(of: mixedOrders)
    #expect(whole.count == 1 && whole[0].commonScalars == [SymbolPower(F.cW, 1)])
    // n_{ℓ−1}^{-1} and n_{ℓ−1}^{-2} share n_{ℓ−1}^{-1}; a symbol missing from one term is not common.
    let widths = F.sym(F.nPrev, -1) * F.sym(F.cB) + F.sym(F.nPrev, -2) * F.sym(F.cW)
    let b = TermLayout(factorsCommonScalars: true).blocks(of: widths)
    #expect(b[0].commonScalars == [SymbolPower(F.nPrev, -1)])
    // Exponents of opposite signs are not common.
    let mixed = F.sym(F.nPrev, -1) * F.sym(F.cB) + F.sym(F.nPrev) * F.sym(F.cW)
    #expect(TermLayout(factorsCommonScalars: true).blocks(of: mixed)[0].commonScalars.isEmpty)
  }

  @Test func factoredLaTeX() {
    let latex = LaTeXRenderer(
      options: .init(layout: TermLayout(grouping: .inverseWidthOrder, factorsCommonScalars: true)))
    #expect(
      latex.render(mixedOrders)
        == "C_W\\left[-\\frac{C_W}{3}K^{(\\ell)}_{\\alpha_{1}\\alpha_{2}} + C_b\\right]"
        + " + C_W\\frac{1}{n_{\\ell-1}}K^{(\\ell)}_{\\alpha_{1}\\alpha_{2}}"
        + " + C_W C_b\\frac{1}{n_{\\ell-1}^{2}}")
    let widthsOnly = F.sym(F.nPrev, -1) * F.sym(F.cB) + F.sym(F.nPrev, -2) * F.sym(F.cW)
    let whole = LaTeXRenderer(options: .init(layout: TermLayout(factorsCommonScalars: true)))
    #expect(
      whole.render(widthsOnly)
        == "\\frac{1}{n_{\\ell-1}}\\left[C_b + C_W\\frac{1}{n_{\\ell-1}}\\right]")
  }

  @Test func bookLayoutOfTheVRecursion() {
    let blocks = TermLayout.book.blocks(of: F.vRecursion)
    #expect(blocks.count == 2)
    #expect(blocks[0].commonScalars == [SymbolPower(F.cW, 2)])
    #expect(blocks[0].terms.count == 2)
    #expect(blocks[1].terms.count == 1)
  }
}
