import Algebra
import Rational
import Rendering
import Testing

/// LaTeX output of representative expressions, compared with checked-in snapshot files.
@Suite struct LaTeXSnapshotTests {
  let latex = LaTeXRenderer(notation: Fixtures.notation)
  let book = LaTeXRenderer(
    notation: Fixtures.notation,
    options: LaTeXRenderer.Options(layout: .book, breaksLinesBetweenBlocks: true))

  @Test func vPropagationTerm() {
    Snapshot.expect(latex.render(Fixtures.vPropagationTerm), named: "VPropagationTerm.tex")
  }

  @Test func vRecursionInBookLayout() {
    Snapshot.expect(
      book.renderEquation(lhs: Fixtures.vNext, rhs: Fixtures.vRecursion),
      named: "VRecursion.tex")
  }

  @Test func g1RecursionInBookLayout() {
    let lhs = Expression.tensor(
      TensorHead("G1", layer: .relative(1), symmetry: .symmetric), [Fixtures.a1, Fixtures.a2])
    Snapshot.expect(
      book.renderEquation(lhs: lhs, rhs: Fixtures.g1Recursion), named: "G1Recursion.tex")
  }

  @Test func deltaStructuredFourPointFunction() {
    Snapshot.expect(latex.render(Fixtures.fourPoint), named: "FourPoint.tex")
  }

  @Test func neuronSumWithDistinctConstraint() {
    Snapshot.expect(latex.render(Fixtures.distinctNeuronSum), named: "DistinctNeuronSum.tex")
  }

  @Test func negativeAndFractionalCoefficients() {
    Snapshot.expect(latex.render(Fixtures.signedCoefficients), named: "SignedCoefficients.tex")
  }

  @Test func zero() {
    Snapshot.expect(latex.render(.zero), named: "Zero.tex")
  }

  @Test func standaloneDocument() {
    let doc = book.document(
      [
        Equation(lhs: Fixtures.vNext, rhs: Fixtures.vRecursion),
        Equation(lhs: .tensor(Fixtures.K, [Fixtures.a1, Fixtures.a2]), rhs: .zero),
      ], title: "Four-point vertex & 1/n")
    Snapshot.expect(doc, named: "Document.tex")
  }
}

extension LaTeXSnapshotTests {
  @Test func fourPointInBookLayout() {
    Snapshot.expect(book.render(Fixtures.fourPoint), named: "FourPointBook.tex")
  }
}
