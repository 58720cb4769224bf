import Algebra
import Derivation
import GaussianCalculus
import Sampling

extension NetworkLowering {
  /// The network the model describes as a ``NetworkProgram`` for the general weights sampler:
  /// every accepted map, term by term, with no assumption on its shape.
  ///
  /// Per layer (`first` for layer 1, `map` with ℓ = 1, 2, … after it): each term of the expanded
  /// right-hand side becomes a ``ProgramTerm`` — its coefficient times its scalars (couplings,
  /// widths with their layer offsets, evaluated as in ``layerSpecification(_:families:layer:_:)``)
  /// and its factors with integer labels: the map's output neuron and sample, then every other
  /// index of the term, each with the extent of its index space at that layer. A δ merges its
  /// two labels. The families a layer names are drawn once per layer (a family in several terms
  /// is one draw), sorted by name; an entry's variance is the family's covariance at coinciding
  /// indices (its δs set to 1).
  public func program(_ p: NumericParameters) throws -> NetworkProgram {
    guard let first = model.first else {
      throw EvaluationError("the model has no 'first' map", at: model.location)
    }
    var layers: [LayerProgram] = []
    do {
      layers.append(try layerProgram(first, families: model.firstFamilies, layer: 0, p))
    } catch let e as EvaluationError {
      throw e.located(first.location)
    }
    if p.depth > 1 {
      guard let map = model.map else {
        throw EvaluationError(
          "the model has no 'map' for layers beyond the first", at: model.location)
      }
      do {
        for l in 1..<p.depth {
          layers.append(try layerProgram(map, families: model.families, layer: l, p))
        }
      } catch let e as EvaluationError {
        throw e.located(map.location)
      }
    }
    return NetworkProgram(inputs: p.inputs, widths: p.widths, layers: layers)
  }

  /// The variance of one entry of `family` at layer `layer`: its covariance with every δ set to
  /// 1. Refused unless the covariance is a sum of scalars times δs (independent entries).
  func entryVariance(_ family: GaussianFamily, layer: Int, _ p: NumericParameters) throws -> Double
  {
    var variance = 0.0
    for c in family.covariance.terms {
      for f in c.monomial.factors {
        guard case .delta = f else {
          throw EvaluationError(
            "the covariance of \(family.head.name) is not a scalar times δs; the sampler draws independent entries"
          )
        }
      }
      let scalars = Monomial(scalars: c.monomial.scalars)
      variance += try scalarValue(Term(c.coefficient, scalars), layer: layer, p)
    }
    return variance
  }

  func layerProgram(
    _ map: LayerMap, families: [GaussianFamily], layer: Int, _ p: NumericParameters
  ) throws -> LayerProgram {
    let evaluator = ExpressionEvaluator(parameters: p, layer: layer, tensors: [:])
    var extents = [try evaluator.range(of: map.neuron), try evaluator.range(of: map.sample)]
    let used = families.filter { family in
      map.rhs.expanded().terms.contains { term in
        term.monomial.factors.contains { isParameter($0, [family]) != nil }
      }
    }.sorted { $0.head < $1.head }
    var programFamilies: [ParameterFamily] = []
    for family in used {
      let variance = try entryVariance(family, layer: layer, p)
      guard variance.isFinite, variance >= 0 else {
        throw EvaluationError(
          "the variance of \(family.head.name) at layer \(layer + 1) is \(variance), not a number ≥ 0"
        )
      }
      programFamilies.append(
        ParameterFamily(
          name: family.head.name, shape: try family.first.map { try evaluator.range(of: $0) },
          standardDeviation: variance.squareRoot()))
    }
    let incoming = model.incoming?.variable
    var terms: [ProgramTerm] = []
    for t in map.rhs.expanded().terms {
      let written = Self.modelSyntax(t)
      guard t.monomial.distinct.isEmpty else {
        throw EvaluationError(
          "the sampler cannot evaluate the restricted sum in the term \(written)")
      }
      // Labels: 0 and 1 are the outputs; δs merge labels (an output label wins).
      var label: [Index: Int] = [map.neuron: 0, map.sample: 1]
      func labelOf(_ index: Index) throws -> Int {
        if let known = label[index] { return known }
        label[index] = extents.count
        extents.append(try evaluator.range(of: index))
        return extents.count - 1
      }
      var merged: [Int: Int] = [:]
      func root(_ x: Int) -> Int { merged[x].map(root) ?? x }
      for f in t.monomial.factors {
        guard case .delta(let a, let b) = f else { continue }
        let (x, y) = (root(try labelOf(a)), root(try labelOf(b)))
        guard x != y else { continue }
        guard extents[x] == extents[y] else {
          throw EvaluationError("a δ in the term \(written) joins indices of different ranges")
        }
        // Keep the smaller label as the root, so the outputs (0, 1) stay roots.
        merged[Swift.max(x, y)] = Swift.min(x, y)
      }
      func labels(_ indices: [Index]) throws -> [Int] { try indices.map { root(try labelOf($0)) } }
      func dataSource(_ head: TensorHead) -> ProgramSource? {
        if let incoming, head == incoming { return .preactivation }
        if head.layer == nil, isParameter(.tensor(Tensor(head, [])), families) == nil {
          return .inputs
        }
        return nil
      }
      var factors: [ProgramFactor] = []
      for f in t.monomial.factors {
        switch f {
        case .delta: continue
        case .tensor(let tensor):
          if let k = used.firstIndex(where: { $0.head == tensor.head }) {
            factors.append(ProgramFactor(.parameter(k), labels: try labels(tensor.indices)))
          } else if let source = dataSource(tensor.head), tensor.indices.count == 2 {
            factors.append(ProgramFactor(.data(source), labels: try labels(tensor.indices)))
          } else {
            throw EvaluationError(
              "the sampler cannot evaluate the factor \(tensor.head.name) in the term \(written)")
          }
        case .function(let g):
          guard let source = dataSource(g.argument.head), g.argument.indices.count == 2 else {
            throw EvaluationError(
              "the sampler cannot evaluate the function \(g.head.name) in the term \(written)")
          }
          factors.append(
            ProgramFactor(
              .function(p.activation(for: g.head.name), derivative: g.derivative, of: source),
              labels: try labels(g.argument.indices)))
        default:
          throw EvaluationError("the sampler cannot evaluate the term \(written)")
        }
      }
      guard !factors.isEmpty else {
        throw EvaluationError("the term \(written) has no factor to sample")
      }
      // A skip connection reads the output neuron's own incoming preactivation: the two layers
      // must be equally wide.
      for factor in factors where factor.labels.first == 0 {
        switch factor.operand {
        case .data(.preactivation), .function(_, _, of: .preactivation):
          let incomingWidth = p.width(ofLayer: layer) ?? 0
          guard incomingWidth == extents[0] else {
            throw EvaluationError(
              "the term \(written) carries a neuron's own preactivation from layer \(layer) (width \(incomingWidth)) to layer \(layer + 1) (width \(extents[0])): a skip connection needs equal widths"
            )
          }
        default: continue
        }
      }
      terms.append(ProgramTerm(scale: try scalarValue(t, layer: layer, p), factors: factors))
    }
    return LayerProgram(
      extents: extents, outputNeuron: 0, outputSample: 1, families: programFamilies, terms: terms)
  }

  /// A term as it would be written in a model file, e.g. `U[i,k] W[k,j] sigma(z[j;a])`.
  static func modelSyntax(_ t: Term) -> String {
    func name(_ i: Index) -> String {
      switch i.label {
      case .named(let n): return n
      case .dummy(let k):
        // Summed indices by their space: j on layer ℓ, k on ℓ+1, h on ℓ−1, b for samples.
        let letter: String
        switch i.space {
        case .sample: letter = "b"
        case .neuron(.relative(0)): letter = "j"
        case .neuron(.relative(1)): letter = "k"
        case .neuron(.relative(-1)): letter = "h"
        case .neuron: letter = "m"
        }
        return k == 0 ? letter : letter + "\(k)"
      }
    }
    func tensor(_ t: Tensor) -> String {
      let neurons = t.indices.filter { $0.space != .sample }.map(name)
      let samples = t.indices.filter { $0.space == .sample }.map(name)
      let inside =
        neurons.joined(separator: ",")
        + (samples.isEmpty ? "" : ";" + samples.joined(separator: ","))
      return "\(t.head.name)[\(inside)]"
    }
    var parts: [String] = []
    if t.coefficient != 1 { parts.append("\(t.coefficient)") }
    for s in t.monomial.scalars {
      let symbol: String
      switch s.symbol.kind {
      case .width: symbol = "n[\(s.symbol.layer.map { "\($0)" } ?? "")]"
      default: symbol = s.symbol.name
      }
      parts.append(s.exponent == 1 ? symbol : "\(symbol)^\(s.exponent)")
    }
    for f in t.monomial.factors {
      switch f {
      case .tensor(let x): parts.append(tensor(x))
      case .function(let g):
        parts.append(
          g.head.name + String(repeating: "'", count: g.derivative) + "(\(tensor(g.argument)))")
      case .delta(let a, let b): parts.append("δ[\(name(a)),\(name(b))]")
      default: parts.append("\(f)")
      }
    }
    return parts.isEmpty ? "1" : parts.joined(separator: " ")
  }
}
