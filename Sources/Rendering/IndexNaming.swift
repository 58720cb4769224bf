import Algebra

/// Display names for the dummy indices of each term.
///
/// Canonical dummies carry numbers, not names. A term's dummies are named per index space in
/// their ``Algebra/Index`` order: sample dummies `beta1, beta2, …` (the first base of
/// ``Notation/sampleDummyBases`` that no named index of the expression uses), neuron dummies
/// from ``Notation/neuronDummyNames``. Names already shown by named indices of the expression —
/// or by the dummies of an enclosing term, inside a parenthesised factor — are skipped, so a
/// displayed name never denotes two different indices.
///
/// The result depends only on the expression, never on hashing order.
struct IndexNaming: Sendable {
  let notation: Notation
  /// Display names that dummies must not take.
  private(set) var taken: Set<DisplayName>
  /// The base letter for sample dummies.
  let sampleBase: String

  /// A naming context for the expressions `scope` (e.g. both sides of an equation).
  init(notation: Notation, scope: [Expression]) {
    self.notation = notation
    var named: [DisplayName] = []
    for e in scope { IndexNaming.collectNamed(e, into: &named) }
    taken = Set(named)
    let usedBases = Set(named.map { $0.base })
    sampleBase =
      notation.sampleDummyBases.first { !usedBases.contains(MathLetter.normalised($0)) }
      .map(MathLetter.normalised) ?? MathLetter.normalised(notation.sampleDummyBases[0])
  }

  /// Names for every dummy-labelled index of `monomial` (its own dummies; parenthesised
  /// factors name theirs when rendered, through ``entering(_:)``).
  func dummyNames(for monomial: Monomial) -> [Index: DisplayName] {
    var dummies = Set<Index>()
    for i in monomial.summed where i.isDummyLabel { dummies.insert(i) }
    for group in monomial.distinct { for i in group where i.isDummyLabel { dummies.insert(i) } }
    for f in monomial.factors {
      if case .parenthesized = f { continue }
      for i in f.slots where i.isDummyLabel { dummies.insert(i) }
    }
    var used = taken
    var names: [Index: DisplayName] = [:]
    var nextSampleNumber = 1
    var nextNeuronName = 0
    var nextNeuronNumber = 1
    for d in dummies.sorted() {
      var name: DisplayName
      switch d.space {
      case .sample:
        repeat {
          name = DisplayName(base: sampleBase, subscriptText: String(nextSampleNumber))
          nextSampleNumber += 1
        } while used.contains(name)
      case .neuron:
        repeat {
          if nextNeuronName < notation.neuronDummyNames.count {
            name = DisplayName(parsing: notation.neuronDummyNames[nextNeuronName])
            nextNeuronName += 1
          } else {
            name = DisplayName(
              parsing: notation.neuronDummyNames[0] + "_" + String(nextNeuronNumber))
            nextNeuronNumber += 1
          }
        } while used.contains(name)
      }
      used.insert(name)
      names[d] = name
    }
    return names
  }

  /// The context inside a parenthesised factor of a term whose dummies are named `outer`.
  func entering(_ outer: [Index: DisplayName]) -> IndexNaming {
    var inner = self
    inner.taken.formUnion(outer.values)
    return inner
  }

  private static func collectNamed(_ e: Expression, into names: inout [DisplayName]) {
    for t in e.terms {
      let m = t.monomial
      for i in m.summed {
        if case .named(let s) = i.label { names.append(DisplayName(parsing: s)) }
      }
      for f in m.factors {
        if case .parenthesized(let inner) = f {
          collectNamed(inner, into: &names)
          continue
        }
        for i in f.slots {
          if case .named(let s) = i.label { names.append(DisplayName(parsing: s)) }
        }
      }
    }
  }
}
