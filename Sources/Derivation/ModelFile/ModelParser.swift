/// Recursive-descent parser of the line-oriented model language (grammar in
/// `Derivations/README.md`). Every error carries file:line:column and says what was expected.
struct ModelParser {
  /// Deepest nesting of parentheses accepted in an expression. The parser is recursive, so the
  /// bound keeps its stack use small; no meaningful model comes near it.
  static let maximumNesting = 64
  /// Largest |k| accepted in a layer `l+k`, `l-k` or an absolute layer `k`. A model describes
  /// one step ℓ → ℓ+1 (and the first layer), so offsets beyond a few are meaningless; the bound
  /// keeps layer arithmetic far from integer overflow.
  static let maximumLayerOffset = 1000

  private var tokens: [Token] = []
  private var position = 0
  private var nesting = 0

  static func parse(_ text: String, file: String) throws -> ModelSyntax {
    var syntax = ModelSyntax(file: file)
    for line in try ModelLexer.tokenize(text, file: file) {
      var p = ModelParser()
      p.tokens = line
      try p.statement(into: &syntax)
    }
    return syntax
  }

  // MARK: Token helpers

  private var current: Token { tokens[position] }

  private mutating func advance() -> Token {
    let t = tokens[position]
    if position < tokens.count - 1 { position += 1 }
    return t
  }

  private func error(_ expected: String) -> ModelError {
    ModelError(current.location, "expected \(expected), found \(current.text)")
  }

  private mutating func identifier(_ what: String) throws -> ModelSyntax.Name {
    guard case .identifier(let s) = current.kind else { throw error(what) }
    let t = advance()
    return ModelSyntax.Name(text: s, location: t.location)
  }

  private mutating func keyword(_ word: String) throws {
    guard case .identifier(let s) = current.kind, s == word else { throw error("'\(word)'") }
    _ = advance()
  }

  private func isKeyword(_ word: String) -> Bool {
    if case .identifier(let s) = current.kind { return s == word }
    return false
  }

  private func isSymbol(_ c: Character) -> Bool {
    if case .symbol(let s) = current.kind { return s == c }
    return false
  }

  private mutating func symbol(_ c: Character) throws {
    guard isSymbol(c) else { throw error("'\(c)'") }
    _ = advance()
  }

  private mutating func integer(_ what: String) throws -> Int {
    guard case .integer(let n) = current.kind else { throw error(what) }
    _ = advance()
    return n
  }

  private mutating func endOfLine() throws {
    guard case .endOfLine = current.kind else { throw error("end of line") }
  }

  // MARK: Statements

  private mutating func statement(into m: inout ModelSyntax) throws {
    if case .endOfLine = current.kind { return }
    let head = try identifier(
      "a statement (model, index, coupling, function, gaussian, input, incoming, statistic, cumulant, map, first, derive)"
    )
    switch head.text {
    case "model":
      m.name = try identifier("a model name")
    case "index":
      var names = [try identifier("an index name")]
      while isSymbol(",") {
        _ = advance()
        names.append(try identifier("an index name"))
      }
      try symbol(":")
      let space: ModelSyntax.SpaceSyntax
      if isKeyword("sample") {
        _ = advance()
        space = .sample
      } else if isKeyword("neuron") {
        _ = advance()
        space = .neuron(try layer())
      } else {
        throw error("'neuron' or 'sample'")
      }
      m.indices.append(ModelSyntax.IndexDeclaration(names: names, space: space))
    case "coupling":
      m.couplings.append(try identifier("a coupling name"))
      while case .identifier = current.kind {
        m.couplings.append(try identifier("a coupling name"))
      }
    case "function":
      m.functions.append(try identifier("a function name"))
    case "gaussian":
      let t = try tensor()
      try symbol(":")
      var g = ModelSyntax.GaussianDeclaration(tensor: t, variance: try expression())
      if isSymbol(",") {
        _ = advance()
        try keyword("learning-rate")
        g.learningRate = try expression()
      }
      m.gaussians.append(g)
    case "input":
      m.inputs.append(try tensor())
    case "incoming":
      let v = try tensor()
      try symbol(":")
      if isKeyword("tangent-kernel") {
        _ = advance()
        if let previous = m.tangentKernel {
          throw ModelError(
            head.location,
            "a second tangent-kernel declaration (the first is at \(previous.location))")
        }
        try keyword("of")
        let base = try identifier("the preactivation the kernel belongs to")
        m.tangentKernel = ModelSyntax.TangentKernelDeclaration(
          field: v, base: base, location: head.location)
        break
      }
      if let previous = m.incoming {
        throw ModelError(
          head.location, "a second 'incoming' declaration (the first is at \(previous.location))")
      }
      if !isKeyword("nearly-gaussian") { throw error("'nearly-gaussian' or 'tangent-kernel'") }
      try keyword("nearly-gaussian")
      var decl = ModelSyntax.StatisticsDeclaration(variable: v, location: head.location)
      if isSymbol(",") { _ = advance() }
      while case .identifier(let word) = current.kind {
        _ = advance()
        switch word {
        case "metric": decl.metric = try identifier("the metric's name")
        case "correction": decl.correction = try identifier("the metric correction's name")
        case "vertex": decl.vertex = try identifier("the four-point vertex's name")
        case "per":
          try keyword("n")
          try symbol("[")
          decl.suppression = try layer()
          try symbol("]")
        case "path":
          decl.path = tokens[position - 1].location
        default:
          throw ModelError(
            tokens[position - 1].location,
            "expected 'metric', 'correction', 'vertex', 'per' or 'path', found '\(word)'")
        }
        if isSymbol(",") { _ = advance() }
      }
      if decl.metric == nil && (decl.correction != nil || decl.vertex != nil) {
        throw error("'metric NAME' (the shorthand names the metric first)")
      }
      m.incoming = decl
    case "statistic":
      let name = try identifier("a statistic's name")
      try symbol("[")
      var slots = [try identifier("a sample index")]
      while isSymbol(",") {
        _ = advance()
        slots.append(try identifier("a sample index"))
      }
      try symbol("]")
      var symmetry: ModelSyntax.Name? = nil
      if isSymbol(":") {
        _ = advance()
        symmetry = try identifier("a symmetry ('symmetric' or 'pairs')")
      }
      m.statistics.append(
        ModelSyntax.StatisticDeclaration(
          name: name, slots: slots, symmetry: symmetry, location: head.location))
    case "cumulant":
      var fields = [try tensor()]
      while case .identifier = current.kind { fields.append(try tensor()) }
      try symbol("=")
      m.cumulants.append(
        ModelSyntax.CumulantDeclaration(
          fields: fields, rhs: try expression(), location: head.location))
    case "map", "first":
      let lhs = try tensor()
      try symbol("=")
      let rhs = try expression()
      let decl = ModelSyntax.MapDeclaration(lhs: lhs, rhs: rhs, location: head.location)
      if head.text == "map" {
        if m.map != nil { throw ModelError(head.location, "a second 'map' statement") }
        m.map = decl
      } else {
        if m.first != nil { throw ModelError(head.location, "a second 'first' statement") }
        m.first = decl
      }
    case "derive":
      if let previous = m.derive {
        throw ModelError(
          head.location, "a second 'derive' statement (the first is at \(previous.location))")
      }
      var targets: [ModelSyntax.Name] = []
      while case .identifier(let w) = current.kind, w != "to" {
        targets.append(try identifier("a quantity to derive"))
      }
      if targets.isEmpty { throw error("a quantity to derive (K, G1, V)") }
      var order = 1
      if isKeyword("to") {
        _ = advance()
        try keyword("order")
        order = try integer("an order in 1/n")
      }
      m.derive = ModelSyntax.DeriveDeclaration(
        targets: targets, order: order, location: head.location)
    default:
      throw ModelError(
        head.location,
        "unknown statement '\(head.text)'; expected model, index, coupling, function, gaussian, input, incoming, statistic, cumulant, map, first or derive"
      )
    }
    try endOfLine()
  }

  /// `l`, `l+1`, `l-2` or an integer.
  private mutating func layer() throws -> ModelSyntax.LayerSyntax {
    if case .integer(let n) = current.kind {
      try checkLayerOffset(n)
      _ = advance()
      return .absolute(n)
    }
    guard isKeyword("l") else { throw error("a layer ('l', 'l+1', 'l-1' or a number)") }
    _ = advance()
    if isSymbol("+") || isSymbol("-") {
      let negative = isSymbol("-")
      _ = advance()
      if case .integer(let n) = current.kind { try checkLayerOffset(n) }
      let k = try integer("a layer offset")
      return .relative(negative ? -k : k)
    }
    return .relative(0)
  }

  private func checkLayerOffset(_ k: Int) throws {
    if k > Self.maximumLayerOffset {
      throw ModelError(
        current.location,
        "layer \(k) is out of range: layers and layer offsets are at most \(Self.maximumLayerOffset)"
      )
    }
  }

  /// `name[i, j]` or `name[j; a]`.
  private mutating func tensor() throws -> ModelSyntax.TensorSyntax {
    let head = try identifier("a tensor name")
    return try tensorIndices(head)
  }

  private mutating func tensorIndices(_ head: ModelSyntax.Name) throws -> ModelSyntax.TensorSyntax {
    try symbol("[")
    var indices = [try identifier("an index")]
    var semicolon = false
    var before: Int? = nil
    while isSymbol(",") || isSymbol(";") {
      if isSymbol(";") {
        if semicolon { throw error("',' (only one ';' is allowed)") }
        semicolon = true
        before = indices.count
      }
      _ = advance()
      indices.append(try identifier("an index"))
    }
    try symbol("]")
    return ModelSyntax.TensorSyntax(
      head: head, indices: indices, hasSemicolon: semicolon, indicesBeforeSemicolon: before)
  }

  // MARK: Expressions

  private mutating func expression() throws -> ModelSyntax.ExpressionSyntax {
    var terms: [ModelSyntax.TermSyntax] = []
    var negative = false
    if isSymbol("-") {
      negative = true
      _ = advance()
    } else if isSymbol("+") {
      _ = advance()
    }
    terms.append(try term(negative: negative))
    while isSymbol("+") || isSymbol("-") {
      let neg = isSymbol("-")
      _ = advance()
      terms.append(try term(negative: neg))
    }
    return ModelSyntax.ExpressionSyntax(terms: terms)
  }

  private mutating func term(negative: Bool) throws -> ModelSyntax.TermSyntax {
    let location = current.location
    var numerator = [try factor()]
    var denominator: [ModelSyntax.FactorSyntax] = []
    while true {
      if isSymbol("*") {
        _ = advance()
        numerator.append(try factor())
      } else if isSymbol("/") {
        _ = advance()
        denominator.append(try factor())
      } else if case .identifier = current.kind {
        numerator.append(try factor())
      } else if case .integer = current.kind {
        numerator.append(try factor())
      } else if isSymbol("(") {
        numerator.append(try factor())
      } else {
        break
      }
    }
    return ModelSyntax.TermSyntax(
      negative: negative, numerator: numerator, denominator: denominator, location: location)
  }

  private mutating func factor() throws -> ModelSyntax.FactorSyntax {
    let location = current.location
    if case .integer(let n) = current.kind {
      _ = advance()
      return .number(n, location)
    }
    if isSymbol("(") {
      if nesting >= Self.maximumNesting {
        throw ModelError(
          location, "parentheses are nested more than \(Self.maximumNesting) levels deep")
      }
      nesting += 1
      defer { nesting -= 1 }
      _ = advance()
      let e = try expression()
      try symbol(")")
      return .parenthesized(e, location)
    }
    let name = try identifier("a number, name, tensor, function call or '('")
    if name.text == "n" && isSymbol("[") {
      _ = advance()
      let l = try layer()
      try symbol("]")
      return .widthOfLayer(l, location)
    }
    if name.text == "n" && isSymbol("(") {
      _ = advance()
      let i = try identifier("an index")
      try symbol(")")
      return .widthOfIndex(i)
    }
    if isSymbol("[") { return .tensor(try tensorIndices(name)) }
    if isSymbol("(") {
      _ = advance()
      let argument = try tensor()
      if !isSymbol(")") {
        throw ModelError(
          name.location,
          "'\(name.text)(' reads as a function applied to one tensor, and this argument goes on past it; to multiply by a parenthesised sum write '\(name.text) * (…)'"
        )
      }
      _ = advance()
      return .call(name, argument)
    }
    return .name(name)
  }
}
