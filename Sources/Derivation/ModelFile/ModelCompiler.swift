import Algebra
import GaussianCalculus
import Rational

/// Checks a parsed model and compiles it into a ``Model``.
///
/// Layers in index declarations are relative to ℓ; the `map` statement is compiled as written,
/// the `first` statement with ℓ bound to 0 (so `l` is the input layer 0 and `l+1` is layer 1).
public enum ModelCompiler {
  /// Parses and compiles model text. Errors are ``ModelError``s with locations.
  public static func compile(_ text: String, file: String) throws -> Model {
    let syntax = try ModelParser.parse(text, file: file)
    var compilation = Compilation(syntax)
    return try compilation.run()
  }
}

private struct Compilation {
  let syntax: ModelSyntax
  var indexSpaces: [String: ModelSyntax.SpaceSyntax] = [:]
  var couplings: Set<String> = []
  var functions: Set<String> = []
  var gaussians: [String: ModelSyntax.GaussianDeclaration] = [:]
  var inputs: [String: ModelSyntax.TensorSyntax] = [:]

  init(_ syntax: ModelSyntax) { self.syntax = syntax }

  var fileStart: SourceLocation { SourceLocation(file: syntax.file, line: 1, column: 1) }

  mutating func run() throws -> Model {
    var seen: [String: SourceLocation] = [:]
    func declare(_ n: ModelSyntax.Name) throws {
      if let previous = seen[n.text] {
        throw ModelError(n.location, "'\(n.text)' is already declared (at \(previous))")
      }
      if n.text == "n" { throw ModelError(n.location, "'n' is reserved for widths") }
      seen[n.text] = n.location
    }
    for d in syntax.indices {
      for n in d.names {
        try declare(n)
        indexSpaces[n.text] = d.space
      }
    }
    for c in syntax.couplings {
      try declare(c)
      couplings.insert(c.text)
    }
    for f in syntax.functions {
      try declare(f)
      functions.insert(f.text)
    }
    for g in syntax.gaussians {
      try declare(g.tensor.head)
      try checkIndices(g.tensor)
      gaussians[g.tensor.head.text] = g
    }
    for x in syntax.inputs {
      try declare(x.head)
      try checkIndices(x)
      inputs[x.head.text] = x
    }
    guard syntax.map != nil || syntax.first != nil else {
      throw ModelError(fileStart, "the model has neither a 'map' nor a 'first' statement")
    }
    guard let derive = syntax.derive else {
      throw ModelError(
        fileStart, "the model has no 'derive' statement (e.g. 'derive K G1 V to order 1')")
    }
    if derive.order != 1 {
      throw ModelError(
        derive.location, "only order 1 in 1/n is supported (found order \(derive.order))")
    }

    // Incoming statistics.
    var incoming: NearlyGaussianLayer? = nil
    var names = StatisticsNames(metric: "K", correction: "G1", vertex: "V")
    var incomingLayer = Layer.ell
    var suppression = Symbol.width(.relative(-1))
    if let s = syntax.incoming {
      if s.variable.indices.count != 2 || !s.variable.hasSemicolon {
        throw ModelError(
          s.variable.head.location,
          "the incoming variable needs one neuron and one sample index: \(s.variable.head.text)[j;a]"
        )
      }
      try checkIndices(s.variable)
      guard case .neuron(let l) = indexSpaces[s.variable.indices[0].text] ?? .sample else {
        throw ModelError(
          s.variable.indices[0].location, "'\(s.variable.indices[0].text)' must be a neuron index")
      }
      guard indexSpaces[s.variable.indices[1].text] == .sample else {
        throw ModelError(
          s.variable.indices[1].location, "'\(s.variable.indices[1].text)' must be a sample index")
      }
      incomingLayer = layer(l, first: false)
      suppression = .width(incomingLayer.shifted(by: -1))
      if let p = s.suppression { suppression = .width(layer(p, first: false)) }
      names = StatisticsNames(
        metric: s.metric.text, correction: s.correction?.text, vertex: s.vertex?.text)
      for n in [s.metric] + [s.correction, s.vertex].compactMap({ $0 }) {
        try declare(n)
      }
      incoming = statistics(
        variable: s.variable.head.text, layer: incomingLayer, names: names, suppression: suppression
      )
    }
    for t in derive.targets {
      if ![names.metric, names.correction, names.vertex].contains(t.text) {
        let known = [names.metric, names.correction, names.vertex].compactMap { $0 }.joined(
          separator: ", ")
        throw ModelError(
          t.location, "cannot derive '\(t.text)': the model's statistics are \(known)")
      }
    }

    var map: LayerMap? = nil
    var families: [GaussianFamily] = []
    if let m = syntax.map {
      guard incoming != nil, let s = syntax.incoming else {
        throw ModelError(
          m.location, "a 'map' needs an 'incoming' declaration of the previous layer's statistics")
      }
      (map, families) = try compileMap(
        m, first: false, incomingName: s.variable.head.text, incoming: incoming)
    }
    var first: LayerMap? = nil
    var firstFamilies: [GaussianFamily] = []
    if let f = syntax.first {
      (first, firstFamilies) = try compileMap(f, first: true, incomingName: nil)
    }
    return Model(
      name: syntax.name?.text ?? "model", families: families, firstFamilies: firstFamilies,
      map: map,
      first: first, incoming: incoming, names: names, targets: derive.targets.map(\.text),
      order: derive.order)
  }

  func layer(_ l: ModelSyntax.LayerSyntax, first: Bool) -> Layer {
    switch l {
    case .relative(let k): return first ? .absolute(k) : .relative(k)
    case .absolute(let a): return .absolute(a)
    }
  }

  func space(of name: ModelSyntax.Name, first: Bool) throws -> IndexSpace {
    guard let s = indexSpaces[name.text] else {
      throw ModelError(
        name.location,
        "undeclared index '\(name.text)' (declare it with 'index \(name.text) : neuron l' or ': sample')"
      )
    }
    switch s {
    case .sample: return .sample
    case .neuron(let l): return .neuron(layer(l, first: first))
    }
  }

  func checkIndices(_ t: ModelSyntax.TensorSyntax) throws {
    for i in t.indices { _ = try space(of: i, first: false) }
    if t.hasSemicolon {
      // neuron indices before ';', sample indices after.
      var afterSemicolon = false
      for (k, i) in t.indices.enumerated() {
        if k == t.indices.count - 1 { afterSemicolon = true }
        let isSample = indexSpaces[i.text] == .sample
        if afterSemicolon != isSample {
          throw ModelError(
            i.location,
            "in \(t.head.text)[…;…] neuron indices come before ';' and one sample index after it")
        }
      }
    }
  }

  func statistics(variable: String, layer l: Layer, names: StatisticsNames, suppression: Symbol)
    -> NearlyGaussianLayer
  {
    let z = TensorHead(variable, layer: l)
    let metric = TensorHead(names.metric, layer: l, symmetry: .symmetric)
    let slots = (0..<4).map { Index(.sample, .named("s\($0)")) }
    var components: [CumulantComponent] = []
    let inverse = Expression.symbol(suppression, power: -1)
    if let c = names.correction {
      let g1 = TensorHead(c, layer: l, symmetry: .symmetric)
      components.append(
        CumulantComponent(
          neuronBlocks: [[0, 1]], sampleSlots: Array(slots[0..<2]),
          coefficient: inverse * .tensor(g1, [slots[0], slots[1]])))
    }
    if let v = names.vertex {
      let vh = TensorHead(v, layer: l, symmetry: .pairOfPairs)
      for blocks in [[[0, 1], [2, 3]], [[0, 2], [1, 3]], [[0, 3], [1, 2]]] {
        let order = blocks.flatMap { $0 }.map { slots[$0] }
        components.append(
          CumulantComponent(
            neuronBlocks: blocks, sampleSlots: slots, coefficient: inverse * .tensor(vh, order)))
      }
    }
    return NearlyGaussianLayer(variable: z, metric: metric, components: components)
  }

  /// Compiles a map statement and the families of the parameters it uses.
  func compileMap(
    _ m: ModelSyntax.MapDeclaration, first: Bool, incomingName: String?,
    incoming: NearlyGaussianLayer? = nil
  ) throws -> (LayerMap, [GaussianFamily]) {
    let lhs = m.lhs
    guard lhs.indices.count == 2, lhs.hasSemicolon else {
      throw ModelError(
        lhs.head.location,
        "the left-hand side must be \(lhs.head.text)[i;a] (one neuron, one sample index)")
    }
    let i = Index(try space(of: lhs.indices[0], first: first), .named(lhs.indices[0].text))
    let a = Index(try space(of: lhs.indices[1], first: first), .named(lhs.indices[1].text))
    guard case .neuron(let outLayer) = i.space else {
      throw ModelError(lhs.indices[0].location, "'\(lhs.indices[0].text)' must be a neuron index")
    }
    guard a.space == .sample else {
      throw ModelError(lhs.indices[1].location, "'\(lhs.indices[1].text)' must be a sample index")
    }
    var families: [TensorHead: GaussianFamily] = [:]
    var rhs = Expression.zero
    for t in m.rhs.terms {
      var context = TermContext(first: first, incomingName: incomingName)
      context.incomingLayer = incoming?.variable.layer
      var e = try compileTerm(t, &context, &families)
      let free: Set<Index> = [i, a]
      let summed = Array(context.indicesUsed.subtracting(free)).sorted()
      e = e.summed(over: summed)
      rhs = rhs + e
    }
    let output = TensorHead(lhs.head.text, layer: outLayer)
    let ordered = families.values.sorted { $0.head < $1.head }
    return (LayerMap(output: output, neuron: i, sample: a, rhs: rhs), ordered)
  }

  struct TermContext {
    var first: Bool
    var incomingName: String?
    var incomingLayer: Layer? = nil
    var indicesUsed: Set<Index> = []
  }

  func index(_ n: ModelSyntax.Name, _ c: inout TermContext) throws -> Index {
    let idx = Index(try space(of: n, first: c.first), .named(n.text))
    c.indicesUsed.insert(idx)
    return idx
  }

  func compileTerm(
    _ t: ModelSyntax.TermSyntax, _ c: inout TermContext,
    _ families: inout [TensorHead: GaussianFamily]
  ) throws -> Expression {
    var e = Expression(t.negative ? Rational(-1) : Rational.one)
    for f in t.numerator { e = e * (try compileFactor(f, &c, &families, inverse: false)) }
    for f in t.denominator { e = e * (try compileFactor(f, &c, &families, inverse: true)) }
    return e
  }

  func compileFactor(
    _ f: ModelSyntax.FactorSyntax, _ c: inout TermContext,
    _ families: inout [TensorHead: GaussianFamily],
    inverse: Bool
  ) throws -> Expression {
    func scalarOnly(_ loc: SourceLocation, _ what: String) throws {
      if inverse { throw ModelError(loc, "cannot divide by \(what)") }
    }
    switch f {
    case .number(let k, let loc):
      if inverse {
        if k == 0 { throw ModelError(loc, "division by zero") }
        return Expression(Rational(1, k))
      }
      return Expression(Rational(k))
    case .name(let n):
      guard couplings.contains(n.text) else {
        throw ModelError(
          n.location, "unknown name '\(n.text)' (declare couplings with 'coupling \(n.text)')")
      }
      return .symbol(.parameter(n.text), power: inverse ? -1 : 1)
    case .widthOfLayer(let l, _):
      return .symbol(.width(layer(l, first: c.first)), power: inverse ? -1 : 1)
    case .widthOfIndex(let n):
      guard case .neuron(let l) = try space(of: n, first: c.first) else {
        throw ModelError(n.location, "n(\(n.text)): '\(n.text)' is not a neuron index")
      }
      return .symbol(.width(l), power: inverse ? -1 : 1)
    case .parenthesized(let inner, let loc):
      try scalarOnly(loc, "a parenthesised expression")
      var sum = Expression.zero
      for t in inner.terms { sum = sum + (try compileTerm(t, &c, &families)) }
      return sum
    case .call(let fn, let arg):
      try scalarOnly(fn.location, "a function")
      guard functions.contains(fn.text) else {
        throw ModelError(
          fn.location, "unknown function '\(fn.text)' (declare it with 'function \(fn.text)')")
      }
      guard let incomingName = c.incomingName, arg.head.text == incomingName else {
        throw ModelError(
          arg.head.location,
          c.first
            ? "the first layer's map acts on inputs, not on '\(arg.head.text)'"
            : "functions apply to the incoming variable \(c.incomingName ?? "")[j;a], not to '\(arg.head.text)'"
        )
      }
      let t = try variable(arg, &c)
      return .function(FunctionHead(fn.text), of: t)
    case .tensor(let t):
      try scalarOnly(t.head.location, "a tensor")
      if let g = gaussians[t.head.text] {
        return try parameter(t, g, &c, &families)
      }
      if inputs[t.head.text] != nil {
        guard c.first else {
          throw ModelError(
            t.head.location, "input '\(t.head.text)' may only appear in the 'first' map")
        }
        let idx = try t.indices.map { try index($0, &c) }
        return .tensor(TensorHead(t.head.text), idx)
      }
      if let incomingName = c.incomingName, t.head.text == incomingName {
        let v = try variable(t, &c)
        return .tensor(v.head, v.indices)
      }
      throw ModelError(
        t.head.location, "unknown tensor '\(t.head.text)' (declare it with 'gaussian' or 'input')")
    }
  }

  func variable(_ t: ModelSyntax.TensorSyntax, _ c: inout TermContext) throws -> Tensor {
    guard t.indices.count == 2, t.hasSemicolon else {
      throw ModelError(
        t.head.location, "\(t.head.text) needs one neuron and one sample index: \(t.head.text)[j;a]"
      )
    }
    let idx = try t.indices.map { try index($0, &c) }
    guard case .neuron(let l) = idx[0].space else {
      throw ModelError(t.indices[0].location, "'\(t.indices[0].text)' must be a neuron index")
    }
    if let incomingLayer = c.incomingLayer, l != incomingLayer {
      throw ModelError(
        t.indices[0].location,
        "'\(t.indices[0].text)' is a neuron index of layer \(l), but \(t.head.text) is the incoming layer's variable: its neuron index must be of layer \(incomingLayer) (carrying a neuron's own preactivation across layers, as in residual connections, is not supported: the (K, G1, V) description does not close for it)"
      )
    }
    return Tensor(TensorHead(t.head.text, layer: l), idx)
  }

  func parameter(
    _ t: ModelSyntax.TensorSyntax, _ g: ModelSyntax.GaussianDeclaration, _ c: inout TermContext,
    _ families: inout [TensorHead: GaussianFamily]
  ) throws -> Expression {
    guard t.indices.count == g.tensor.indices.count else {
      throw ModelError(
        t.head.location,
        "'\(t.head.text)' has \(g.tensor.indices.count) indices (declared at \(g.tensor.head.location)), found \(t.indices.count)"
      )
    }
    let idx = try t.indices.map { try index($0, &c) }
    let declared = try g.tensor.indices.map { try space(of: $0, first: c.first) }
    for (k, (u, d)) in zip(idx, declared).enumerated() where u.space != d {
      throw ModelError(
        t.indices[k].location,
        "index '\(t.indices[k].text)' is in a different space than the declared slot '\(g.tensor.indices[k].text)'"
      )
    }
    let headLayer: Layer? = {
      if case .neuron(let l) = declared.first { return l }
      return nil
    }()
    let head = TensorHead(t.head.text, layer: headLayer)
    if families[head] == nil {
      // Covariance: variance · Π_slots δ(first_k, second_k); `n(j)` refers to the declared slots.
      let p1 = declared.enumerated().map { Index($1, .named("\(g.tensor.indices[$0].text)#1")) }
      let p2 = declared.enumerated().map { Index($1, .named("\(g.tensor.indices[$0].text)#2")) }
      var inner = TermContext(first: c.first, incomingName: nil)
      var variance = Expression.zero
      var dummy: [TensorHead: GaussianFamily] = [:]
      for term in g.variance.terms {
        variance = variance + (try compileTerm(term, &inner, &dummy))
      }
      if !inner.indicesUsed.isEmpty
        && inner.indicesUsed.contains(where: { i in
          !g.tensor.indices.contains { $0.text == indexName(i) }
        })
      {
        throw ModelError(
          g.tensor.head.location,
          "the variance of '\(t.head.text)' may only mention its own indices")
      }
      if variance.terms.contains(where: { !$0.monomial.factors.isEmpty }) {
        throw ModelError(
          g.tensor.head.location,
          "the variance of '\(t.head.text)' must be a scalar (couplings, numbers, widths)")
      }
      var cov = variance
      for (x, y) in zip(p1, p2) { cov = cov * .delta(x, y) }
      families[head] = GaussianFamily(head, first: p1, second: p2, covariance: cov)
    }
    return .tensor(head, idx)
  }

  func indexName(_ i: Index) -> String {
    if case .named(let s) = i.label { return s }
    return ""
  }
}
