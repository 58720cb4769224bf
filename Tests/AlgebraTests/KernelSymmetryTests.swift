import Algebra
import Rational
import Testing

/// The slot symmetries of the neural tangent kernel's statistics (FORMULAS.md §12):
/// B_{1234} = B_{3412} = B_{2143} (`pairExchange`, the Klein four-group, given by its elements)
/// and D_{1234} = D_{2134} = D_{1243} (`separatePairs`).
@Suite struct KernelSymmetryTests {
  typealias V = Vocabulary
  static let B = TensorHead("B", layer: .ell, symmetry: .pairExchange)
  static let D = TensorHead("D", layer: .ell, symmetry: .separatePairs)

  func canon(_ fs: [Factor], summed: [Index] = []) -> Expression {
    Expression(V.term(.one, fs, summed: summed)).canonicalized()
  }

  /// Catches: a symmetry applied too widely (B transposed in one pair only, D's pairs exchanged)
  /// or not at all.
  @Test func declaredSymmetriesWithoutDummies() {
    let (a, b, c, d) = (V.s("a"), V.s("b"), V.s("c"), V.s("d"))
    let bt = canon([.tensor(Tensor(Self.B, [a, b, c, d]))])
    for p in [[c, d, a, b], [b, a, d, c], [d, c, b, a]] {
      #expect(canon([.tensor(Tensor(Self.B, p))]) == bt)
    }
    for p in [[b, a, c, d], [a, b, d, c], [a, c, b, d], [c, d, b, a]] {
      #expect(canon([.tensor(Tensor(Self.B, p))]) != bt)
    }
    let dt = canon([.tensor(Tensor(Self.D, [a, b, c, d]))])
    for p in [[b, a, c, d], [a, b, d, c], [b, a, d, c]] {
      #expect(canon([.tensor(Tensor(Self.D, p))]) == dt)
    }
    for p in [[c, d, a, b], [a, c, b, d]] {
      #expect(canon([.tensor(Tensor(Self.D, p))]) != dt)
    }
  }

  /// Catches: slot classes that are not constant on the group's orbits, which would make the
  /// canonical form of a contraction depend on the dummies' names.
  @Test func contractionsAreInvariantUnderEveryRelabelling() {
    let (a, b) = (V.s("a"), V.s("b"))
    let d = (0..<4).map { V.s("d\($0)") }
    let monomials = [
      V.term(
        .one,
        [
          .tensor(Tensor(Self.B, [d[0], d[1], d[2], d[3]])),
          .tensor(Tensor(Self.D, [d[1], a, d[3], d[0]])), .tensor(Tensor(V.K, [d[2], b])),
        ], summed: d
      ).monomial,
      V.term(
        .one,
        [
          .tensor(Tensor(Self.B, [d[0], a, d[1], d[2]])),
          .tensor(Tensor(Self.B, [d[2], d[1], b, d[3]])),
          V.average([d[0], d[3]], [V.sigmaU(a), V.sigmaU(b, derivative: 1)]),
        ], summed: d
      ).monomial,
    ]
    for (k, m) in monomials.enumerated() {
      let c = m.canonicalized()
      var failures = 0
      CanonicalFormTests.forEveryRelabelling(of: m, seed: UInt64(900 + k)) { m2 in
        if m2.canonicalized() != c { failures += 1 }
      }
      #expect(failures == 0, "monomial \(k)")
    }
  }
}
