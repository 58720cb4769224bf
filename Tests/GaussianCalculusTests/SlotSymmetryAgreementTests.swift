import Algebra
import Testing

@testable import GaussianCalculus

/// The algebra (``Factor/canonicalSlots()`` on ``Index`` values) and the Wick engine (canonical
/// slots of interned integer factors) read one ``SlotSymmetry``: on every kind of factor and
/// every declared symmetry, with random index fillings moved by random elements of the
/// factor's symmetry group, both layers must give the same canonical factor, and slot classes
/// must be constant on the group's orbits. Catches a symmetry taught to one layer only, a
/// group element that one layer does not undo, and slot classes that tell exchangeable slots
/// apart.
@Suite struct SlotSymmetryAgreementTests {
  typealias F = Fixtures

  static let pool: [Index] = ["a", "b", "c"].map(F.sample) + [Index(.sample, .dummy(0))]
  static let neurons: [Index] = ["i", "j"].map { F.neuron($0) }
  static let general = TensorHead("T")

  /// One factor of every kind and symmetry, slots filled from the pool.
  static func factors(_ rng: inout SeededRandom) -> [Factor] {
    func s() -> Index { rng.pick(pool) }
    func j() -> Index { rng.pick(neurons) }
    let sigmaK = FunctionApplication(F.sigma, derivative: 1, Tensor(F.K, [s(), s()]))
    // Integrand in the order of its shapes (z before σ before σ'), as canonical averages have it.
    let integrand: [Factor] = [
      .tensor(Tensor(F.z, [s()])),
      .function(FunctionApplication(F.sigma, Tensor(F.z, [s()]))),
      .function(FunctionApplication(F.sigma, Tensor(F.z, [s()]))),
      .function(FunctionApplication(F.sigma, derivative: 1, Tensor(F.z, [s()]))),
      .function(FunctionApplication(F.sigma, derivative: 1, Tensor(F.z, [s()]))),
    ]
    return [
      .delta(j(), j()),
      .delta(s(), s()),
      .tensor(Tensor(general, [s(), s(), s()])),
      .tensor(Tensor(F.K, [s(), s()])),
      .tensor(Tensor(F.V, [s(), s(), s(), s()])),
      .tensor(Tensor(F.z, [j(), s()])),
      .function(sigmaK),
      .function(FunctionApplication(F.sigma, Tensor(F.z, [j(), s()]))),
      .average(GaussianAverage(metric: F.K, derivatives: [s(), s(), s()], integrand: integrand)),
      .average(GaussianAverage(metric: F.K, derivatives: [], integrand: integrand)),
    ]
  }

  @Test func bothLayersAgreeOnCanonicalSlots() {
    var rng = SeededRandom(seed: 0x5107)
    for _ in 0..<300 {
      for f in Self.factors(&rng) {
        let moved = f.withSlots(f.slotSymmetry.randomlyPermuted(f.slots, &rng))
        var table = WickTable(families: [])
        // Free ids interned in ``Index`` order, so that integer order is index order.
        for i in (Self.pool + Self.neurons).sorted() { _ = table.free(i) }
        func wickCanonical(_ g: Factor) -> Factor {
          let shape = table.shape(of: g)
          let w = WickFactor(shape: shape, slots: g.slots.map { table.free($0) })
          return table.factor(w.canonicalSlots(table.shapes[shape].symmetry))
        }
        let algebra = f.canonicalSlots()
        #expect(moved.canonicalSlots() == algebra, "\(f) moved to \(moved)")
        #expect(wickCanonical(f) == algebra, "\(f)")
        #expect(wickCanonical(moved) == algebra, "\(moved)")
      }
    }
  }

  @Test func slotClassesAreConstantOnOrbits() {
    var rng = SeededRandom(seed: 0xC1A5)
    for _ in 0..<100 {
      for f in Self.factors(&rng) {
        // Fill the slots with distinct labels, move them, and read where each slot went.
        let labels = (0..<f.slots.count).map { Index(.sample, .dummy($0)) }
        let moved = f.slotSymmetry.randomlyPermuted(labels, &rng)
        let classes = f.slotClasses()
        for (position, label) in moved.enumerated() {
          guard case .dummy(let origin) = label.label else { continue }
          #expect(classes[position] == classes[origin], "\(f): slots \(origin) → \(position)")
        }
      }
    }
  }
}
