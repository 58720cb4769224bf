import Algebra
import Derivation
import Foundation
import Rational
import Testing

/// The couplings found by their role in the maps (bias variance, weight variance), and the
/// criticality conditions written in them: a model that renames its couplings is the same
/// model.
@Suite struct CouplingRolesTests {
  static let mlp: String = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../Derivations/mlp.model")
    return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
  }()

  /// The MLP with each `old` replaced by its `new` (which must occur).
  static func variant(_ replacements: [(String, String)]) -> String {
    var text = mlp
    for (old, new) in replacements {
      precondition(text.contains(old), "the MLP text has no '\(old)'")
      text = text.replacingOccurrences(of: old, with: new)
    }
    return text
  }

  /// The MLP with its couplings renamed: `coupling s_b s_w`, `b[i] : s_b`, `W[i,j] : s_w / n(j)`.
  static let renamed = variant([
    ("coupling C_b C_W", "coupling s_b s_w"), ("gaussian b[i] : C_b", "gaussian b[i] : s_b"),
    ("gaussian W[i,j] : C_W / n(j)", "gaussian W[i,j] : s_w / n(j)"),
  ])

  func roles(_ text: String) throws -> CouplingRoles {
    CouplingRoles(try ModelCompiler.compile(text, file: "test.model"))
  }

  func roles(file: String) throws -> CouplingRoles {
    CouplingRoles(try BookNotation.loadModel(file))
  }

  static let (cb, cw) = (Symbol.parameter("C_b"), Symbol.parameter("C_W"))

  /// The checked-in models: the bias is b (absent without it), the weights W; a family of fixed
  /// variance beside W (U in the stacked model, the gain g) takes no role. Catches: roles read
  /// from names, a coupling-free family counted as a second weight family.
  @Test func checkedInModels() throws {
    #expect(
      try roles(file: "mlp.model") == CouplingRoles(biasVariance: Self.cb, weightVariance: Self.cw))
    #expect(try roles(file: "mlp-no-bias.model") == CouplingRoles(weightVariance: Self.cw))
    #expect(try roles(file: "deep-linear.model") == CouplingRoles(weightVariance: Self.cw))
    #expect(
      try roles(file: "stacked-weights.model")
        == CouplingRoles(biasVariance: Self.cb, weightVariance: Self.cw))
    #expect(
      try roles(file: "random-gain.model")
        == CouplingRoles(biasVariance: Self.cb, weightVariance: Self.cw))
    #expect(Set(try BookNotation.loadModel("mlp.model").couplings) == ["C_b", "C_W"])
  }

  /// Renamed couplings play the same roles. Catches: a lookup of the names C_b and C_W.
  @Test func renamedCouplings() throws {
    #expect(
      try roles(Self.renamed)
        == CouplingRoles(biasVariance: .parameter("s_b"), weightVariance: .parameter("s_w")))
  }

  /// Where the structure does not name one coupling the role is nil. Each case names what a
  /// looser rule would get wrong.
  @Test(
    arguments: [
      // A second weight family with a coupling: which one is --cw?
      (
        [
          (
            "gaussian W[i,j] : C_W / n(j)",
            "gaussian W[i,j] : C_W / n(j)\ngaussian U[i,j] : C_U / n(j)"
          ),
          ("coupling C_b C_W", "coupling C_b C_W C_U"),
          ("W[i,j] sigma(z[j;a])\n", "W[i,j] sigma(z[j;a]) + U[i,j] z[j;a]\n"),
        ], "C_b", nil
      ),
      // A variance that is not one coupling over the fan-in.
      ([("gaussian W[i,j] : C_W / n(j)", "gaussian W[i,j] : C_W * C_W / n(j)")], "C_b", nil),
      (
        [
          ("coupling C_b C_W", "coupling C_b C_W C_V"),
          ("gaussian W[i,j] : C_W / n(j)", "gaussian W[i,j] : (C_W + C_V) / n(j)"),
        ], "C_b", nil
      ),
      // Scaled by the output width, not the fan-in.
      ([("gaussian W[i,j] : C_W / n(j)", "gaussian W[i,j] : C_W / n(i)")], "C_b", nil),
      // A bias variance that is not the coupling alone.
      ([("gaussian b[i] : C_b", "gaussian b[i] : C_b / n(i)")], nil, "C_W"),
      // Two bias families.
      (
        [
          ("gaussian b[i] : C_b", "gaussian b[i] : C_b\ngaussian c[i] : C_W"),
          ("map z[i;a] = b[i] +", "map z[i;a] = b[i] + c[i] +"),
        ], nil, "C_W"
      ),
      // One coupling in both roles: --cb and --cw would set the same number.
      ([("gaussian W[i,j] : C_W / n(j)", "gaussian W[i,j] : C_b / n(j)")], nil, nil),
      // The first layer's weights have their own coupling: --cw is not one number.
      (
        [
          ("coupling C_b C_W", "coupling C_b C_W C_0"),
          (
            "gaussian W[i,j] : C_W / n(j)",
            "gaussian W[i,j] : C_W / n(j)\ngaussian A[i,j] : C_0 / n(j)"
          ),
          ("first z[i;a] = b[i] + W[i,j] x[j;a]", "first z[i;a] = b[i] + A[i,j] x[j;a]"),
        ], "C_b", nil
      ),
    ] as [([(String, String)], String?, String?)])
  func ambiguousOrAbsent(replacements: [(String, String)], bias: String?, weight: String?) throws {
    let model = try ModelCompiler.compile(Self.variant(replacements), file: "test.model")
    #expect(
      CouplingRoles(model)
        == CouplingRoles(
          biasVariance: bias.map { .parameter($0) }, weightVariance: weight.map { .parameter($0) }))
  }

  /// The roles of one map: the recursion's weights are C_W even where the first layer's have
  /// another coupling (the criticality conditions are about the recursion).
  @Test func rolesOfTheRecursionMap() throws {
    let model = try ModelCompiler.compile(
      Self.variant([
        ("coupling C_b C_W", "coupling C_b C_W C_0"),
        (
          "gaussian W[i,j] : C_W / n(j)",
          "gaussian W[i,j] : C_W / n(j)\ngaussian A[i,j] : C_0 / n(j)"
        ),
        ("first z[i;a] = b[i] + W[i,j] x[j;a]", "first z[i;a] = b[i] + A[i,j] x[j;a]"),
      ]), file: "test.model")
    let map = try #require(model.map)
    #expect(
      CouplingRoles(map, families: model.families)
        == CouplingRoles(biasVariance: Self.cb, weightVariance: Self.cw))
    #expect(CouplingRoles(model).weightVariance == nil)
  }

  /// ReLU criticality in the renamed model is s_b = 0, s_w = 2, and every equation of the
  /// specialisation is the MLP's with the couplings renamed. Catches: criticality looking for
  /// C_b/C_W ("No closed-form criticality solution"), renamed couplings treated differently.
  @Test func renamedModelBehavesLikeTheMLP() throws {
    let renamed = try ModelCompiler.compile(Self.renamed, file: "renamed.model")
    let mlp = try BookNotation.loadModel("mlp.model")
    let relu = try ActivationSpecialization.parse("relu")
    func specialised(_ m: Model) throws -> Specialization {
      try Specialization(model: m, result: try DerivationPipeline(m).run()).singleInput()
        .specialized(to: relu)
    }
    let (a, b) = (try specialised(mlp), try specialised(renamed))
    #expect(b.notes.isEmpty)
    #expect(a.sections.map(\.title) == b.sections.map(\.title))
    let rename = { (e: Expression) in
      e.substituting(.parameter("C_b"), by: .symbol(.parameter("s_b")))
        .substituting(.parameter("C_W"), by: .symbol(.parameter("s_w")))
    }
    for (x, y) in zip(a.sections.flatMap(\.equations), b.sections.flatMap(\.equations)) {
      #expect(rename(x.lhs).isEquivalent(to: y.lhs), "\(y.lhs)")
      #expect(rename(x.rhs).isEquivalent(to: y.rhs), "\(y.lhs)")
    }
    let critical = try #require(b.sections.last)
    #expect(critical.equations.count == 2)
    #expect(critical.equations.first?.lhs == .symbol(.parameter("s_b")))
    #expect(critical.equations.first?.rhs.isZero == true)
    #expect(critical.equations.last?.lhs == .symbol(.parameter("s_w")))
    #expect(critical.equations.last?.rhs.isEquivalent(to: Expression(Rational(2))) == true)
  }

  /// A bias-free model is critical at C_W = 2 alone: no bias variance is invented. Catches the
  /// old output, which printed C_b = 0 for a model without C_b.
  @Test func biasFreeCriticalityNamesOnlyTheWeightVariance() throws {
    let model = try BookNotation.loadModel("mlp-no-bias.model")
    let s = try Specialization(model: model, result: try DerivationPipeline(model).run())
      .singleInput().specialized(to: try ActivationSpecialization.parse("relu"))
    let critical = try #require(s.sections.last)
    #expect(critical.title.hasPrefix("Criticality"))
    #expect(critical.equations.map(\.lhs) == [.symbol(Self.cw)])
    #expect(critical.equations.first?.rhs.isEquivalent(to: Expression(Rational(2))) == true)
  }

  /// The criticality condition is about the coupling, whatever number multiplies it in the
  /// variance: with W[i,j] : 2 C_W / n(j), χ = C_W at ReLU, so C_W = 1. Catches: a rule that
  /// drops the role for a scaled variance, or a critical value that ignores the scale.
  @Test func scaledWeightVariance() throws {
    let model = try ModelCompiler.compile(
      Self.variant([("gaussian W[i,j] : C_W / n(j)", "gaussian W[i,j] : 2 C_W / n(j)")]),
      file: "test.model")
    #expect(CouplingRoles(model) == CouplingRoles(biasVariance: Self.cb, weightVariance: Self.cw))
    let s = try Specialization(model: model, result: try DerivationPipeline(model).run())
      .singleInput().specialized(to: try ActivationSpecialization.parse("relu"))
    let critical = try #require(s.sections.last)
    #expect(critical.equations.map(\.lhs) == [.symbol(Self.cb), .symbol(Self.cw)])
    #expect(critical.equations.last?.rhs.isEquivalent(to: Expression(Rational(1))) == true)
  }

  /// Without a weight variance there is no criticality to state (a note instead of a guess).
  @Test func noWeightVarianceNoCriticality() throws {
    let model = try ModelCompiler.compile(
      Self.variant([
        ("coupling C_b C_W", "coupling C_b C_W C_V"),
        ("gaussian W[i,j] : C_W / n(j)", "gaussian W[i,j] : (C_W + C_V) / n(j)"),
      ]), file: "test.model")
    let s = try Specialization(model: model, result: try DerivationPipeline(model).run())
      .singleInput().specialized(to: try ActivationSpecialization.parse("relu"))
    #expect(!(s.sections.last?.title.hasPrefix("Criticality") ?? true))
    #expect(s.notes == ["No closed-form criticality solution for σ = relu."])
  }
}
