import Algebra
import Foundation
import Rational
import Rendering
import Testing

/// Structured output: valid JSON, fixed key order, exact coefficients, determinism.
@Suite struct JSONRendererTests {
  typealias F = Fixtures
  let json = JSONRenderer()

  func parse(_ s: String) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(s.utf8))
    return try #require(object as? [String: Any])
  }

  @Test func outputIsValidJSONWithTheExpressionsTerms() throws {
    let e = F.vRecursion
    let parsed = try parse(json.render(e))
    let terms = try #require(parsed["terms"] as? [[String: Any]])
    #expect(terms.count == e.terms.count)
    #expect(
      terms.map { $0["coefficient"] as? String } == e.terms.map { $0.coefficient.description })
    let v = try #require(terms.first { ($0["factors"] as? [Any])?.count == 3 })
    #expect(v["coefficient"] as? String == "1/4")
    #expect((v["summed"] as? [Any])?.count == 4)
    let scalars = try #require(v["scalars"] as? [[String: Any]])
    #expect(scalars.map { $0["symbol"] as? String } == ["C_W", "n", "n"])
    #expect(scalars.map { $0["exponent"] as? Int } == [2, -1, 1])
    #expect(v["inverseWidthOrder"] as? Int == 0)
  }

  @Test func prettyAndCompactAgree() throws {
    let compact = try JSONSerialization.jsonObject(with: Data(json.render(F.g1Recursion).utf8))
    let pretty = try JSONSerialization.jsonObject(
      with: Data(JSONRenderer(prettyPrinted: true).render(F.g1Recursion).utf8))
    #expect((compact as? NSDictionary) == (pretty as? NSDictionary))
  }

  @Test func keysAreInTheDocumentedOrder() {
    let s = json.render(F.signedCoefficients)
    #expect(
      s.hasPrefix(
        #"{"terms":[{"coefficient":"-3/4","inverseWidthOrder":0,"scalars":[{"symbol":"C_b","#
          + #""kind":"parameter","layer":null,"exponent":1}],"factors":[],"summed":[],"distinct":[]}"#
      ))
  }

  @Test func factorsAreEncodedWithTheirStructure() throws {
    let j = Index.neuron("j", layer: .ell)
    let i = Index.neuron("i", layer: .ell)
    let e =
      (Expression.delta(j, i) * .function(F.sigma, derivative: 1, of: Tensor(F.z, [j, F.a1])))
      .summed(over: [j]).canonicalized()
    let s = json.render(e)
    let order = e.terms[0].monomial.inverseWidthOrder
    #expect(
      s == #"{"terms":[{"coefficient":"1","inverseWidthOrder":"# + "\(order)"
        + #","scalars":[],"factors":["#
        + #"{"kind":"delta","indices":[{"space":"neuron","layer":{"relative":0},"name":"i"},"#
        + #"{"space":"neuron","layer":{"relative":0},"dummy":0}]},"#
        + #"{"kind":"function","head":"σ","layer":null,"derivative":1,"argument":"#
        + #"{"head":{"name":"z","layer":{"relative":0},"symmetry":"none"},"indices":["#
        + #"{"space":"neuron","layer":{"relative":0},"dummy":0},"#
        + #"{"space":"sample","layer":null,"name":"alpha1"}]}}],"#
        + #""summed":[{"space":"neuron","layer":{"relative":0},"dummy":0}],"distinct":[]}]}"#)
    _ = try parse(s)
  }

  @Test func distinctGroupsAndParenthesesAndEquations() throws {
    let parsed = try parse(json.render(F.distinctNeuronSum))
    let terms = try #require(parsed["terms"] as? [[String: Any]])
    #expect((terms[0]["distinct"] as? [[Any]])?.first?.count == 2)
    let product = Expression.tensor(F.K, [F.a1, F.a2]) * (F.sym(F.cB) + F.sym(F.cW))
    #expect(json.render(product).contains(#"{"kind":"parenthesized","expression":{"terms":["#))
    let eq = try parse(json.renderEquation(lhs: F.vNext, rhs: .zero))
    #expect((eq["rhs"] as? [String: Any])?["terms"] as? [Any] != nil)
    #expect(json.render(.zero) == #"{"terms":[]}"#)
  }

  @Test func stringsAreEscaped() throws {
    let odd = Symbol.parameter("a\"b\\c\n")
    let parsed = try parse(json.render(F.sym(odd)))
    let terms = try #require(parsed["terms"] as? [[String: Any]])
    let scalars = try #require(terms[0]["scalars"] as? [[String: Any]])
    #expect(scalars[0]["symbol"] as? String == "a\"b\\c\n")
  }

  @Test func deterministicWithinAndAcrossRuns() {
    // Across runs: the snapshot was written by an earlier process (with its own hash seed).
    let s = JSONRenderer(prettyPrinted: true).render(F.vRecursion)
    #expect(s == JSONRenderer(prettyPrinted: true).render(F.vRecursion))
    Snapshot.expect(s, named: "VRecursion.json")
  }
}
