import Algebra
import Derivation
import Foundation
import Rational
import Testing

/// The statistics a layer carries are data declared in the model file (DESIGN.md, "statistics
/// as data"): the same pipeline derives any declaration, and nothing depends on the names.
@Suite struct DeclaredStatisticsTests {
  let b = BookNotation()

  static func text(_ name: String) throws -> String {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../Derivations/\(name)")
    return try String(contentsOf: url, encoding: .utf8)
  }

  static let standardDeclaration = """
    incoming z[j;a] : nearly-gaussian, per n[l-1]

    statistic K[a1,a2] : symmetric             # the metric
    statistic G1[a1,a2] : symmetric            # its 1/n correction
    statistic V[a1,a2,a3,a4] : pairs           # the four-point vertex V_{(a1 a2)(a3 a4)}

    cumulant z[j1;a1] z[j2;a2] = delta[j1,j2] (K[a1,a2] + G1[a1,a2] / n)
    cumulant z[j1;a1] z[j2;a2] z[j3;a3] z[j4;a4] = \\
        ( delta[j1,j2] delta[j3,j4] V[a1,a2,a3,a4] \\
        + delta[j1,j3] delta[j2,j4] V[a1,a3,a2,a4] \\
        + delta[j1,j4] delta[j2,j3] V[a1,a4,a2,a3] ) / n
    """

  static func mlp(replacing old: String, with new: String) throws -> Model {
    let text = try Self.text("mlp.model")
    precondition(text.contains(old), "mlp.model has no '\(old)'")
    return try ModelCompiler.compile(text.replacingOccurrences(of: old, with: new), file: "m.model")
  }

  /// Every tensor head (statistic) renamed, Gaussian averages' metrics included.
  static func renaming(_ e: Expression, _ names: [String: String]) -> Expression {
    func head(_ h: TensorHead) -> TensorHead {
      TensorHead(names[h.name] ?? h.name, layer: h.layer, symmetry: h.symmetry)
    }
    func factor(_ f: Factor) -> Factor {
      switch f {
      case .tensor(let t): return .tensor(Tensor(head(t.head), t.indices))
      case .average(let g):
        return .average(
          GaussianAverage(
            metric: head(g.metric), derivatives: g.derivatives, integrand: g.integrand.map(factor)))
      case .parenthesized(let inner): return .parenthesized(renaming(inner, names))
      default: return f
      }
    }
    return Expression(
      e.terms.map { t in
        Term(t.coefficient, t.monomial.replacingFactors(with: t.monomial.factors.map(factor)))
      }
    ).canonicalized()
  }

  /// The shorthand 'metric K, correction G1, vertex V' and the written-out declaration are
  /// one state: the same statistics, and identical recursions.
  @Test func shorthandIsTheStandardDeclaration() throws {
    let explicit = try BookNotation.derive("mlp.model")
    let shorthand = try DerivationPipeline(
      try Self.mlp(
        replacing: Self.standardDeclaration,
        with: "incoming z[j;a] : nearly-gaussian metric K, correction G1, vertex V, per n[l-1]")
    ).run()
    #expect(explicit.recursions.map(\.quantity) == ["K", "G1", "V"])
    for (x, y) in zip(
      explicit.recursions + explicit.initialConditions,
      shorthand.recursions + shorthand.initialConditions)
    {
      #expect(x.statistic == y.statistic)
      #expect(x.rhs.isEquivalent(to: y.rhs), "\(x.quantity)")
    }
  }

  /// Renamed statistics (Q, H, U) give the MLP's recursions with the heads renamed: nothing in
  /// the pipeline knows the names K, G1, V.
  @Test func renamedStatisticsDeriveTheSameRecursions() throws {
    let renamed = Self.standardDeclaration
      .replacingOccurrences(of: "K[", with: "Q[").replacingOccurrences(of: "G1[", with: "H[")
      .replacingOccurrences(of: "V[", with: "U[")
    let text = try Self.text("mlp.model").replacingOccurrences(
      of: Self.standardDeclaration, with: renamed
    ).replacingOccurrences(of: "derive K G1 V", with: "derive Q H U")
    let r = try DerivationPipeline(try ModelCompiler.compile(text, file: "m.model")).run()
    let mlp = try BookNotation.derive("mlp.model")
    let names = ["K": "Q", "G1": "H", "V": "U"]
    #expect(r.recursions.map(\.quantity) == ["Q", "H", "U"])
    for (x, y) in zip(mlp.recursions + mlp.initialConditions, r.recursions + r.initialConditions) {
      #expect(names[x.quantity] == y.quantity)
      #expect(Self.renaming(x.rhs, names).isEquivalent(to: y.rhs), "\(y.quantity)")
      #expect(y.freeIndices.count == x.statistic.rank)
    }
  }

  /// A mean-centred layer correlates distinct neurons at order 1/n. Declaring the fourth
  /// statistic R (the two-point cumulant's term without δ) is all it takes: the engine derives
  /// R′ = −C_W (n_ℓ/n_{ℓ+1}) ⟨σσ⟩ (built here by hand from E[(W_ij − W̄_j)(W_mj − W̄_j)] =
  /// (C_W/n_ℓ)(δ_im − 1/N)) and R's term (½ R ⟨∂∂(σσ)⟩, like G¹'s) in G¹′. Without R the same
  /// map is refused, naming the structure no statistic carries.
  @Test func aFourthStatisticNeedsNoCodeChange() throws {
    let r = try BookNotation.derive("mean-centred.model")
    #expect(r.recursions.map(\.quantity) == ["K", "G1", "R", "V"])
    let a = b.alpha
    let rPrime =
      Expression(Rational(-1)) * b.CW * .symbol(.width(.ell))
      * .symbol(.width(.relative(1)), power: -1) * b.average([a[0], a[1]])
    #expect(try #require(r.recursion("R")).isEquivalent(to: rPrime))
    let R = TensorHead("R", layer: .ell, symmetry: .symmetric)
    let g1 = try #require(r.recursion("G1"))
    let rTerm =
      Expression(Rational(1, 2)) * b.CW * b.ratio
      * (Expression.tensor(R, [b.beta[0], b.beta[1]])
      * b.average([a[0], a[1]], derivatives: [b.beta[0], b.beta[1]])).summed(over: [
        b.beta[0], b.beta[1],
      ])
    // G¹′'s R content is exactly that term: removing it leaves no R.
    func readsR(_ e: Expression) -> Bool {
      e.nestedFactors.contains {
        if case .tensor(let t) = $0 { return t.head.name == "R" }
        return false
      }
    }
    #expect(readsR(g1))
    #expect(!readsR((g1 - rTerm).canonicalized()))

    let text = try Self.text("mean-centred.model")
      .replacingOccurrences(of: " + R[a1,a2] / n", with: "")
      .replacingOccurrences(
        of:
          "statistic R[a1,a2] : symmetric             # the covariance of distinct neurons, times n\n",
        with: ""
      ).replacingOccurrences(of: "derive K G1 R V", with: "derive K G1 V")
    #expect {
      try DerivationPipeline(try ModelCompiler.compile(text, file: "m.model")).run()
    } throws: { e in
      "\(e)".contains("no declared statistic carries") && "\(e)".contains("neuron structure no δ")
    }
  }

  /// Without a four-point cumulant the layer's connected four-point function must vanish at
  /// order 1/n; the MLP's does not, so a state without V is refused rather than iterated with
  /// V silently zero.
  @Test func anUndeclaredFourPointFunctionMustVanish() throws {
    let text = try Self.text("mlp.model").replacingOccurrences(
      of: Self.standardDeclaration,
      with: "incoming z[j;a] : nearly-gaussian metric K, correction G1, per n[l-1]"
    ).replacingOccurrences(of: "derive K G1 V", with: "derive K G1")
    let model = try ModelCompiler.compile(text, file: "m.model")
    #expect {
      try DerivationPipeline(model).run()
    } throws: { e in
      "\(e)".contains("connected four-point function does not vanish")
    }
  }

  /// Malformed declarations are refused at their statement.
  @Test(arguments: [
    ("statistic G1[a1,a2] : symmetric ", "statistic G1[a1,a2] : diagonal ", "unknown symmetry"),
    (
      "statistic V[a1,a2,a3,a4] : pairs",
      "statistic V[a1,a2,a3,a4] : pairs\nstatistic W2[a1] : symmetric", "appears in no cumulant"
    ),
    ("(K[a1,a2] + G1[a1,a2] / n)", "(K[a1,a2] + G1[a1,a2])", "the same neuron structure"),
    ("V[a1,a4,a2,a3] ) / n", "V[a1,a4,a2,a3] )", "is of order 0 like the metric"),
    ("(K[a1,a2] + G1[a1,a2] / n)", "(K[a1,a2] + G1[a1,a2] n)", "grows with the width"),
    (
      "cumulant z[j1;a1] z[j2;a2] =", "cumulant y[j1;a1] z[j2;a2] =",
      "other fields are not supported"
    ),
    ("(K[a1,a2] + G1[a1,a2] / n)", "(K[a1,a2] + G1[a1,a1] / n)", "every sample index"),
    (
      "delta[j1,j2] (K[a1,a2]", "delta[j1,j3] (K[a1,a2]", "not a neuron index of the left-hand side"
    ),
    (
      "V[a1,a4,a2,a3] ) / n", "V[a1,a4,a2,a3] ) / n + delta[j1,j2] delta[j3,j4] G1[a1,a2] / n",
      "must take every sample index"
    ),
  ])
  func malformedDeclarations(old: String, new: String, message: String) throws {
    #expect {
      _ = try Self.mlp(replacing: old, with: new)
    } throws: { e in
      "\(e)".contains(message) && "\(e)".contains("m.model:")
    }
  }

  /// Two statistics with one neuron structure and order cannot be told apart.
  @Test func ambiguousStatisticsAreRefused() throws {
    #expect {
      _ = try Self.mlp(
        replacing: "statistic V[a1,a2,a3,a4] : pairs",
        with: "statistic V[a1,a2,a3,a4] : pairs\nstatistic U[a1,a2,a3,a4] : pairs"
      ).state
      _ = try Self.mlp(
        replacing: "+ delta[j1,j4] delta[j2,j3] V[a1,a4,a2,a3] )",
        with:
          "+ delta[j1,j4] delta[j2,j3] V[a1,a4,a2,a3] + delta[j1,j2] delta[j3,j4] U[a1,a2,a3,a4] )")
    } throws: { e in
      "\(e)".contains("appears in no cumulant") || "\(e)".contains("the same neuron structure")
    }
  }
}
