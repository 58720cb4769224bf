import Algebra
import Rational

/// Hand-picked monomials exercising the canonicaliser: mixes of neuron and sample dummies,
/// repeated neuron indices, distinctness groups, rings with cyclic automorphisms, symmetric and
/// pair-of-pairs tensors, Gaussian averages, two layers, unused dummies and free indices.
enum Catalogue {
  typealias V = Vocabulary

  static let a1 = V.s("a1"), a2 = V.s("a2")

  static var monomials: [(name: String, term: Term)] {
    let (b1, b2, b3, b4, b5) = (V.s("b1"), V.s("b2"), V.s("b3"), V.s("b4"), V.s("b5"))
    let (j, k, l) = (V.j("j"), V.j("k"), V.j("l"))
    let m = V.k("m")
    func zt(_ i: Index, _ a: Index) -> Factor { .tensor(Tensor(V.z, [i, a])) }
    func K(_ a: Index, _ b: Index) -> Factor { .tensor(Tensor(V.K, [a, b])) }
    return [
      (
        "V with two averages",
        V.term(
          Rational(1, 8),
          [
            .tensor(Tensor(V.V, [b1, b2, b3, b4])),
            V.average([b1, b2], [V.sigmaU(a1), V.sigmaU(a2)]),
            V.average([b3, b4], [V.sigmaU(a1), V.sigmaU(a2)]),
          ], summed: [b1, b2, b3, b4])
      ),
      (
        "mixed neuron and sample dummies",
        V.term(
          .one, [zt(j, b1), zt(k, b2), .delta(j, k), K(b1, b2), V.sigmaOf(j, b2)],
          summed: [j, k, b1, b2])
      ),
      (
        "repeated neuron index",
        V.term(
          Rational(-2),
          [
            V.sigmaOf(j, b1), V.sigmaOf(j, b2), V.sigmaOf(j, b3, derivative: 1), K(b1, b3),
            K(b2, b3),
          ],
          summed: [j, b1, b2, b3])
      ),
      (
        "distinct neurons",
        V.term(
          Rational(3),
          [V.sigmaOf(j, b1), V.sigmaOf(k, b1), V.sigmaOf(l, b2), zt(j, b2)],
          summed: [j, k, l, b1, b2], distinct: [[j, k, l]])
      ),
      (
        "ring of five K",
        V.term(
          .one, [K(b1, b2), K(b2, b3), K(b3, b4), K(b4, b5), K(b5, b1)],
          summed: [b1, b2, b3, b4, b5])
      ),
      (
        "V A B crossed",
        V.term(
          .one,
          [
            .tensor(Tensor(V.V, [b1, b2, b3, b4])), .tensor(Tensor(V.A, [b1, b3])),
            .tensor(Tensor(V.B, [b2, b4])),
          ],
          summed: [b1, b2, b3, b4])
      ),
      (
        "V A B paired",
        V.term(
          .one,
          [
            .tensor(Tensor(V.V, [b1, b2, b3, b4])), .tensor(Tensor(V.A, [b1, b2])),
            .tensor(Tensor(V.B, [b3, b4])),
          ],
          summed: [b1, b2, b3, b4])
      ),
      (
        "two layers",
        V.term(
          Rational(1, 2),
          [.tensor(Tensor(V.W, [j, m])), .tensor(Tensor(V.W, [l, m])), zt(j, a1), zt(l, a2)],
          summed: [j, l, m], scalars: [SymbolPower(V.nLower, -1), SymbolPower(V.CW, 1)])
      ),
      (
        "overlapping groups and an unused dummy",
        V.term(
          .one, [zt(j, a1), zt(l, a1), zt(k, b1)], summed: [j, k, l, b1, b2],
          distinct: [[j, k], [k, l]])
      ),
      (
        "chain with free ends",
        V.term(
          .one, [K(a1, b1), K(b1, b2), K(b2, a2), .tensor(Tensor(V.A, [b2, b1]))], summed: [b1, b2])
      ),
    ]
  }
}
