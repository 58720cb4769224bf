import Algebra
import GaussianCalculus

/// The couplings of a model found by the role they play in its layer maps, read from the maps'
/// structure and never from the couplings' names: a model declaring `coupling s_b s_w` with
/// `gaussian b[i] : s_b` and `gaussian W[i,j] : s_w / n(j)` has the bias variance `s_b` and the
/// weight variance `s_w`, exactly as the MLP has `C_b` and `C_W`.
///
/// The rule, for one map and the Gaussian families it uses:
///
/// - A term of the map *reads the layer* when one of its factors (inside parentheses too) is a
///   function application or a tensor that is not one of the families: the incoming variable
///   `z[j;a]`, a function of it `sigma(z[j;a])`, or an input `x[j;a]` in the `first` map. The
///   width of that tensor's neuron layer is the term's *fan-in*.
/// - Only families whose variance mentions a coupling take part: a family of fixed variance
///   (`U[i,k] : 1 / n(k)`, `g[j] : 1`) has no coupling to name.
/// - The **bias variance** is the coupling of the one such family in the terms that do not read
///   the layer (`b[i]` in `z[i;a] = b[i] + W[i,j] sigma(z[j;a])`), when that family's variance is
///   a number times the coupling (`b[i] : C_b`).
/// - The **weight variance** is the coupling of the one such family in the terms that read the
///   layer, when that family's variance is a number times the coupling over the fan-in
///   (`W[i,j] : C_W / n(j)` or `2 C_W / n(j)`, `j` on the incoming layer).
///
/// A role is nil where the map has no such family, or it is ambiguous: two bias (or two weight)
/// families, a variance that is not a single coupling in that form (`(C_W + C_V) / n(j)`,
/// `C_W * C_W / n(j)`, `C_W / n(i)`, `C_b / n(i)`), or one coupling in both roles. For a whole model
/// (``init(_:)``) each map present — the recursion step and the first layer — must agree:
/// a map without the role does not veto the other's, but a map where it is ambiguous, or two
/// maps naming different couplings, leave it nil.
public struct CouplingRoles: Hashable, Sendable {
  /// The bias variance (`C_b` in the MLP), if the maps have exactly one.
  public var biasVariance: Symbol?
  /// The weight variance (`C_W` in the MLP), if the maps have exactly one.
  public var weightVariance: Symbol?

  public init(biasVariance: Symbol? = nil, weightVariance: Symbol? = nil) {
    self.biasVariance = biasVariance
    self.weightVariance = weightVariance
  }

  /// The roles in a whole model: the couplings `map` and `first` agree on (the couplings a
  /// user sets for the numbers of every layer).
  public init(_ model: Model) {
    let maps: [(LayerMap, [GaussianFamily])] = [
      model.map.map { ($0, model.families) }, model.first.map { ($0, model.firstFamilies) },
    ].compactMap { $0 }
    let found = maps.map { Self.candidates(in: $0.0, families: $0.1) }
    self.init(
      resolving: Self.agreement(found.map(\.bias)), Self.agreement(found.map(\.weight)))
  }

  /// The roles in one map, with the Gaussian families it uses (a model's `map` with its
  /// `families`: the couplings its recursions are written in).
  public init(_ map: LayerMap, families: [GaussianFamily]) {
    let found = Self.candidates(in: map, families: families)
    self.init(resolving: found.bias, found.weight)
  }

  /// What one map says about a role.
  enum Finding: Hashable {
    /// No family of the map takes the role.
    case absent
    /// Exactly one family takes it, and its variance names this coupling in the required form.
    case coupling(Symbol)
    /// Several families take it, or the one that does has a variance of another form.
    case ambiguous

    var coupling: Symbol? {
      if case .coupling(let s) = self { return s }
      return nil
    }
  }

  /// The roles from the findings: nil unless found, and nil for both when they name one
  /// coupling (it cannot be set as the bias variance and as the weight variance at once).
  init(resolving bias: Finding, _ weight: Finding) {
    let (b, w) = (bias.coupling, weight.coupling)
    self.init(
      biasVariance: b == w ? nil : b, weightVariance: b == w ? nil : w)
  }

  /// The maps' findings combined: absent maps do not count, and any ambiguity or disagreement
  /// makes the role ambiguous.
  static func agreement(_ findings: [Finding]) -> Finding {
    let present = Set(findings.filter { $0 != .absent })
    return present.isEmpty ? .absent : present.count == 1 ? present.first ?? .absent : .ambiguous
  }

  /// The bias and weight findings of one map (the rule in the type's documentation).
  static func candidates(in map: LayerMap, families: [GaussianFamily]) -> (
    bias: Finding, weight: Finding
  ) {
    let byName = Dictionary(families.map { ($0.head.name, $0) }, uniquingKeysWith: { a, _ in a })
    var bias: Set<String> = []
    // Each weight family with the fan-in layers of the terms it appears in.
    var weight: [String: Set<Layer>] = [:]
    for term in map.rhs.expanded().terms {
      var used: Set<String> = []
      // The neuron layers the term reads: empty for a term that does not read the layer.
      var fanIn: Set<Layer> = []
      var reads = false
      for f in Expression([term]).nestedFactors {
        switch f {
        case .tensor(let t) where byName[t.head.name] != nil:
          used.insert(t.head.name)
        case .tensor(let t):
          reads = true
          fanIn.formUnion(t.indices.compactMap(Self.neuronLayer))
        case .function(let g):
          reads = true
          fanIn.formUnion(g.argument.indices.compactMap(Self.neuronLayer))
        default: continue
        }
      }
      for name in used where byName[name].map(Self.mentionsCoupling) ?? false {
        if reads {
          weight[name, default: []].formUnion(fanIn)
        } else {
          bias.insert(name)
        }
      }
    }
    func finding(_ names: [String], _ accepts: (GaussianFamily, String) -> Symbol?) -> Finding {
      guard let name = names.first else { return .absent }
      guard names.count == 1, let family = byName[name], let s = accepts(family, name) else {
        return .ambiguous
      }
      return .coupling(s)
    }
    return (
      finding(bias.sorted()) { family, _ in Self.coupling(of: family, over: nil) },
      finding(weight.keys.sorted()) { family, name in
        guard let layers = weight[name], layers.count == 1, let layer = layers.first else {
          return nil
        }
        return Self.coupling(of: family, over: layer)
      }
    )
  }

  /// The layer of a neuron index (nil for a sample index).
  static func neuronLayer(_ i: Index) -> Layer? {
    if case .neuron(let l) = i.space { return l }
    return nil
  }

  /// Whether a family's variance mentions a coupling.
  static func mentionsCoupling(_ family: GaussianFamily) -> Bool {
    family.covariance.terms.contains { t in
      t.monomial.scalars.contains { $0.symbol.kind == .parameter }
    }
  }

  /// The coupling c when the family's variance is a number times c (`fanIn` nil) or times
  /// c / n_{fanIn}, and the δ's that make its components independent.
  static func coupling(of family: GaussianFamily, over fanIn: Layer?) -> Symbol? {
    let c = family.covariance.canonicalized()
    guard c.terms.count == 1, let t = c.terms.first,
      t.monomial.factors.allSatisfy({ if case .delta = $0 { return true } else { return false } })
    else { return nil }
    let couplings = t.monomial.scalars.filter { $0.symbol.kind == .parameter }
    let widths = t.monomial.scalars.filter { $0.symbol.kind != .parameter }
    guard couplings.count == 1, let coupling = couplings.first, coupling.exponent == 1 else {
      return nil
    }
    let expected = fanIn.map { [SymbolPower(.width($0), -1)] } ?? []
    return widths == expected ? coupling.symbol : nil
  }
}
