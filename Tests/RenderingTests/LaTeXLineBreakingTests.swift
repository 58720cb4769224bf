import Algebra
import Testing

@testable import Rendering

/// Line breaking of long equations (``LaTeXRenderer/Options/textWidth``): what fits stays on one
/// row, what does not is broken at sums and terms without changing what is written, and the
/// width estimate it relies on agrees with TeX.
@Suite struct LaTeXLineBreakingTests {
  typealias F = Fixtures

  static let g1Next = Expression.tensor(
    TensorHead("G1", layer: .relative(1), symmetry: .symmetric), [F.a1, F.a2])

  func renderer(textWidth: Double?) -> LaTeXRenderer {
    LaTeXRenderer(notation: F.notation, options: .init(layout: .book, textWidth: textWidth))
  }

  /// The rows joined back into one line: break markup removed, fixed-size brackets stretched.
  static func unbroken(_ rows: String) -> String {
    var s = rows.replacingOccurrences(of: " \\notag \\\\\n&\\qquad \\times ", with: "")
    s = s.replacingOccurrences(of: " \\notag \\\\\n&\\quad ", with: " ")
    for size in ["\\big", "\\Big", "\\Bigg"] {
      s = s.replacingOccurrences(of: size + "l[", with: "\\left[")
      s = s.replacingOccurrences(of: size + "r]", with: "\\right]")
    }
    return s
  }

  @Test func anEquationThatFitsIsOneRowAsWithoutBreaking() {
    let lhs = Expression.tensor(F.K, [F.a1, F.a2])
    let rhs = F.sym(F.cB) + F.average([], [F.σ(F.a1), F.σ(F.a2)])
    #expect(
      renderer(textWidth: LaTeXRenderer.articleTextWidth).renderEquation(lhs: lhs, rhs: rhs)
        == renderer(textWidth: nil).renderEquation(lhs: lhs, rhs: rhs))
  }

  /// The V recursion (about 560 pt wide on one line) takes several rows at the article's width;
  /// joined back they are the one-line rendering, term for term.
  @Test(arguments: [F.vRecursion, F.g1Recursion])
  func aLongRecursionIsBrokenWithoutChangingIt(rhs: Expression) {
    let lhs = rhs == F.vRecursion ? F.vNext : Self.g1Next
    let broken = renderer(textWidth: LaTeXRenderer.articleTextWidth).renderEquation(
      lhs: lhs, rhs: rhs)
    let rows = broken.components(separatedBy: " \\\\\n")
    #expect(rows.count >= 2)
    #expect(rows.dropLast().allSatisfy { $0.hasSuffix(" \\notag") })
    #expect(!rows.last!.contains("\\notag"))
    #expect(rows.dropFirst().allSatisfy { $0.hasPrefix("&\\quad ") || $0.hasPrefix("&\\qquad ") })
    #expect(Self.unbroken(broken) == renderer(textWidth: nil).renderEquation(lhs: lhs, rhs: rhs))
  }

  /// The estimated width of each `align` row of `rendered` in a column beside `leftColumn`
  /// (the widest left-hand side): the column, the relation and the row's right-hand side with
  /// its indentation.
  static func rowWidths(_ rendered: String, leftColumn: Double) -> [(String, Double)] {
    rendered.components(separatedBy: " \\\\\n").map { row in
      var body = row.replacingOccurrences(of: " \\notag", with: "")
      if let r = body.range(of: " &= ") { body = String(body[r.upperBound...]) }
      for prefix in ["&\\quad ", "&\\qquad "] where body.hasPrefix(prefix) {
        body = String(body.dropFirst(prefix.count)) + "\\" + prefix.dropFirst()
      }
      return (
        row, leftColumn + LaTeXRenderer.relationWidth + LaTeXWidthEstimate.width(of: body)
      )
    }
  }

  static let vLeft = LaTeXWidthEstimate.width(
    of: "V^{(\\ell+1)}_{(\\alpha_{1}\\alpha_{2})(\\alpha_{3}\\alpha_{4})}")

  /// Every row fits: the left-hand column, the relation and the row stay within the width, at
  /// the article's width and at narrower ones.
  @Test(arguments: [345.0, 300.0, 250.0])
  func everyRowFitsTheWidth(width: Double) {
    let broken = renderer(textWidth: width).renderEquation(lhs: F.vNext, rhs: F.vRecursion)
    for (row, total) in Self.rowWidths(broken, leftColumn: Self.vLeft) {
      #expect(total <= width, "row \(row) is about \(Int(total)) pt wide")
    }
  }

  /// In an `align` of several equations every row shares the widest left-hand side's column:
  /// the G¹ recursion's rows fit beside V's left-hand side, which is wider than its own.
  @Test func rowsLeaveRoomForTheWidestLeftHandSide() {
    let equations = [
      Equation(lhs: Self.g1Next, rhs: F.g1Recursion), Equation(lhs: F.vNext, rhs: F.vRecursion),
    ]
    let width = 300.0
    let rendered = renderer(textWidth: width).renderEquations(equations)
    for (row, total) in Self.rowWidths(rendered, leftColumn: Self.vLeft) {
      #expect(total <= width, "row \(row) is about \(Int(total)) pt wide")
    }
    #expect(Self.unbroken(rendered) == renderer(textWidth: nil).renderEquations(equations))
  }

  /// A term too wide for a row of its own is broken between the factors of its product, never
  /// between a sum sign and what it sums.
  @Test func aWideTermBreaksBetweenFactorsNotAfterItsSum() {
    let broken = renderer(textWidth: 250).renderEquation(lhs: F.vNext, rhs: F.vRecursion)
    #expect(broken.contains("&\\qquad \\times "))
    for row in broken.components(separatedBy: " \\\\\n") {
      let body = row.replacingOccurrences(of: " \\notag", with: "")
      #expect(!body.hasSuffix("\\sum_{\\beta_{1},\\dots,\\beta_{4}}"), "\(row)")
      #expect(!body.hasSuffix("\\frac{n_{\\ell}}{n_{\\ell-1}}"), "\(row)")
    }
  }

  /// The widths TeX gives these fragments (measured with pdflatex, `\displaystyle` in an
  /// `\hbox`, article class at 10 pt) and the estimate agree to within 6 %: the line breaker
  /// allows 8 %.
  @Test(arguments: [
    ("C_W\\frac{1}{n_{0}}\\sum_{j}x_{j;\\alpha_{1}}x_{j;\\alpha_{2}}", 89.50),
    ("C_W\\langle\\sigma_{\\alpha_{1}}\\sigma_{\\alpha_{2}}\\rangle_{K^{(\\ell)}}", 71.27),
    (
      "C_W^{2}\\frac{1}{n_{\\ell}^{2}}\\sum_{j\\neq k}\\sigma(z^{(\\ell)}_{j;\\alpha_{1}})\\sigma(z^{(\\ell)}_{j;\\alpha_{2}})\\sigma(z^{(\\ell)}_{k;\\alpha_{3}})\\sigma(z^{(\\ell)}_{k;\\alpha_{4}})",
      184.64
    ),
    (
      "C_W^{2}\\left[K^{(\\ell)}_{\\alpha_{1}\\alpha_{3}}K^{(\\ell)}_{\\alpha_{2}\\alpha_{4}} + K^{(\\ell)}_{\\alpha_{1}\\alpha_{4}}K^{(\\ell)}_{\\alpha_{2}\\alpha_{3}}\\right]",
      148.36
    ),
    ("G^{\\{1\\}(\\ell+1)}", 40.27),
    (
      "\\frac{1}{n_{\\ell}}\\delta_{i_{1} i_{3}}\\delta_{i_{2} i_{4}}V^{(\\ell+1)}_{(\\alpha_{1}\\alpha_{3})(\\alpha_{2}\\alpha_{4})}",
      104.31
    ),
    (
      "\\frac{2C_W}{3}\\frac{1}{n_{\\ell-1}}\\langle\\sigma'_{\\alpha_{1}}\\sigma'_{\\alpha_{2}}\\rangle_{K^{(\\ell)}}",
      101.15
    ),
    (
      "\\frac{5C_W^{2}\\left(K^{(\\ell)}\\right)^{2}}{4} + \\frac{C_W^{2}V^{(\\ell)}}{4}\\frac{n_{\\ell}}{n_{\\ell-1}}",
      129.77
    ),
    (
      "\\frac{C_W^{2}}{4}\\frac{n_{\\ell}}{n_{\\ell-1}}\\sum_{\\beta_{1},\\dots,\\beta_{4}}V^{(\\ell)}_{(\\beta_{1}\\beta_{2})(\\beta_{3}\\beta_{4})}\\left\\langle \\partial_{\\beta_{1}}\\partial_{\\beta_{2}}\\!\\left(\\sigma_{\\alpha_{1}}\\sigma_{\\alpha_{2}}\\right)\\right\\rangle_{K^{(\\ell)}}\\left\\langle \\partial_{\\beta_{3}}\\partial_{\\beta_{4}}\\!\\left(\\sigma_{\\alpha_{3}}\\sigma_{\\alpha_{4}}\\right)\\right\\rangle_{K^{(\\ell)}}",
      311.71
    ),
  ])
  func widthEstimateAgreesWithTeX(fragment: String, measured: Double) {
    let estimate = LaTeXWidthEstimate.width(of: fragment)
    #expect(abs(estimate / measured - 1) < 0.06, "estimated \(estimate) pt, TeX \(measured) pt")
  }
}
