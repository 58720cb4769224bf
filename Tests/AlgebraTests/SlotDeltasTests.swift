import Algebra
import Testing

/// The rules of δ contraction on slot values (``SlotDeltas``), which both
/// ``Expression/contractingDeltas()`` and the Wick engine run, start ⇒ goal. Catches the wrong
/// dummy surviving (names of results would depend on contraction order), a constraint that does
/// not kill the term, a δ of two free indices contracted, and wrong n − m counts.
@Suite struct SlotDeltasTests {
  static func dummy(_ d: Int) -> Int { SlotGraph.slotValue(ofVertex: d) }

  @Test func identifications() throws {
    let (d0, d1, d2) = (Self.dummy(0), Self.dummy(1), Self.dummy(2))
    // δ_{d1 d2} δ_{d2 d0}: the class {d0, d1, d2} keeps d0; δ_{a d1} then binds it to a (free 0).
    let c = try #require(
      SlotDeltas.contract(dummyCount: 3, deltas: [(d1, d2), (d2, d0), (0, d1)], groups: []))
    #expect(c.representatives == [0, 0, 0])
    #expect(c.removed == [true, true, true])
    #expect(c.identifiedAny)
    // δ_{ab} of free indices stays; δ_{aa} is 1.
    let f = try #require(SlotDeltas.contract(dummyCount: 0, deltas: [(0, 1), (2, 2)], groups: []))
    #expect(f.removed == [false, true])
    #expect(!f.identifiedAny)
    // Σ_{j≠k} δ_{jk} = 0, also through a chain δ_{j d2} δ_{d2 k}.
    #expect(SlotDeltas.contract(dummyCount: 2, deltas: [(d0, d1)], groups: [[d0, d1]]) == nil)
    #expect(
      SlotDeltas.contract(dummyCount: 3, deltas: [(d0, d2), (d2, d1)], groups: [[d0, d1]]) == nil)
  }

  @Test func summingOut() {
    let (d0, d1, d2) = (Self.dummy(0), Self.dummy(1), Self.dummy(2))
    // Σ_{j≠k≠l} f(k): j is summed out first (n − 2 from its group of three), then l (n − 1).
    let terms = SlotDeltas.summingOut(
      summed: [d0, d1, d2], inFactor: [false, true, false], groups: [[d0, d1, d2]])
    let described = terms.map { "\($0.multiplier) \($0.summedOut) \($0.summed) \($0.groups)" }
    #expect(
      described == [
        "1 [-1, -3] [-2] []",
        "-1 [-1] [-2] []",
        "-2 [-3] [-2] []",
        "2 [] [-2] []",
      ])
    // A dummy in two groups stays summed.
    let kept = SlotDeltas.summingOut(
      summed: [d0], inFactor: [false], groups: [[d0, 0], [d0, 1]])
    #expect(kept.count == 1 && kept[0].summedOut.isEmpty)
  }

  @Test func freeDeltaStar() {
    // δ_{3 1} δ_{2 3}: one class {1, 2, 3} written as δ_{1 2} δ_{1 3}.
    let s = SlotDeltas.freeDeltaStar([(3, 1), (2, 3)])
    #expect(s.representatives == [1: 1, 2: 1, 3: 1])
    #expect(s.star.map { [$0.0, $0.1] } == [[1, 2], [1, 3]])
  }
}
