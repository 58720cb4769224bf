import Algebra
import GaussianCalculus
import Rational
import Testing

/// ``Expression/splittingNeuronSums(layer:)``: a sum over r neuron indices of one layer splits
/// into Bell(r) coincidence classes (set partitions), each block identified to one index and the
/// blocks constrained pairwise distinct; δ contraction then counts Σ_{j≠k≠…} 1 as
/// n(n−1)(n−2)…, and the classes add back up to n^r.
@Suite struct NeuronSumPartitionTests {
  typealias F = Fixtures
  static let bell = [1, 1, 2, 5, 15, 52]
  let a = Index.sample("a")

  func js(_ r: Int) -> [Index] { (0..<r).map { F.neuron("j\($0)") } }

  /// n(n−1)⋯(n−r+1).
  func fallingFactorial(_ r: Int) -> Expression {
    var e = Expression.one
    for k in 0..<r { e = e * (Expression.symbol(F.n) - Expression(Rational(k))) }
    return e.canonicalized()
  }

  /// Σ_{j≠k≠…} 1 over r pairwise-distinct indices is the falling factorial. Catches wrong
  /// n − m counts for constrained dummies.
  @Test(arguments: 1...4) func distinctCountIsFallingFactorial(r: Int) {
    let count = Expression.one.summed(over: js(r), distinct: true).contractingDeltas()
      .canonicalized()
    #expect(count == fallingFactorial(r))
  }

  /// Σ_{j₁…j_r} 1 = n^r directly, and after splitting into Bell(r) classes and summing out.
  /// Catches lost or duplicated classes.
  @Test(arguments: 1...4) func classesAddUpToPowerOfWidth(r: Int) {
    let sum = Expression.one.summed(over: js(r))
    let power = Expression.symbol(F.n, power: r)
    #expect(sum.contractingDeltas().canonicalized() == power)
    let split = sum.splittingNeuronSums(layer: F.ell)
    #expect(split.terms.count == Self.bell[r])
    #expect(split.contractingDeltas().canonicalized() == power)
  }

  /// With factors: every class identifies the indices of one block and constrains the blocks
  /// distinct; the classes are, for Σ_{j,k,m} x_j x_k x_m, the five products Σ x_j³,
  /// Σ_{j≠k} x_j² x_k (three ways), Σ_{j≠k≠m} x_j x_k x_m. Catches wrong identification.
  @Test func classesOfThreeSummedIndices() {
    let j = js(3)
    func x(_ i: Index) -> Expression { .tensor(F.x, [i, a]) }
    let e = (x(j[0]) * x(j[1]) * x(j[2])).summed(over: j)
    let split = e.splittingNeuronSums(layer: F.ell)
    #expect(split.terms.count == 5)
    for t in split.terms {
      #expect(t.monomial.distinct.allSatisfy { $0.count == t.monomial.summed.count })
      #expect(t.monomial.distinct.count == (t.monomial.summed.count >= 2 ? 1 : 0))
    }
    let expected =
      (x(j[0]) * x(j[0]) * x(j[0])).summed(over: [j[0]])
      + Expression(Rational(3))
      * (x(j[0]) * x(j[0]) * x(j[1])).summed(over: [j[0], j[1]], distinct: true)
      + (x(j[0]) * x(j[1]) * x(j[2])).summed(over: j, distinct: true)
    #expect(split.canonicalized() == expected.canonicalized())
  }

  /// Bell numbers for r = 1…5 summed indices with a factor per index.
  @Test(arguments: 1...5) func numberOfClassesIsBellNumber(r: Int) {
    let indices = js(r)
    let e = indices.reduce(Expression.one) { $0 * .tensor(F.x, [$1, a]) }.summed(over: indices)
    #expect(e.splittingNeuronSums(layer: F.ell).terms.count == Self.bell[r])
  }

  /// Existing constraints are respected: Σ_{j≠k, m} keeps only the partitions that do not put
  /// j and k together (3 of 5), and still counts n(n−1)·n. Sums over another layer are left
  /// alone. Catches partitions that merge constrained indices or drop the old constraint.
  @Test func existingConstraintsAreRespected() {
    let j = js(3)
    let e = Expression.one.summed(over: [j[0], j[1]], distinct: true).summed(over: [j[2]])
    let split = e.splittingNeuronSums(layer: F.ell)
    #expect(split.terms.count == 3)
    for t in split.terms {
      #expect(t.monomial.summed.count >= 2)
    }
    let expected = (fallingFactorial(2) * .symbol(F.n)).canonicalized()
    #expect(split.contractingDeltas().canonicalized() == expected)
    // Indices of another layer are not split.
    let other = (0..<3).map { F.neuron("i\($0)", F.next) }
    let foreign = Expression.one.summed(over: other)
    #expect(foreign.splittingNeuronSums(layer: F.ell) == foreign)
    #expect(
      foreign.splittingNeuronSums(layer: F.ell).contractingDeltas().canonicalized()
        == .symbol(F.nNext, power: 3))
  }
}
