import Algebra
import Rational

/// The shared core of the computer-algebra exports (``SymPyRenderer``,
/// ``MathematicaRenderer``): the same structure, two syntaxes.
///
/// Mapping: widths are functions of the layer (`n(ell - 1)`, `n[ell-1]`), tensors are indexed
/// by layer then indices (`K[ell, alpha1, alpha2]`, `K[ell][alpha1, alpha2]`), σ^{(k)} is a
/// derivative of an undefined function, Gaussian averages are an opaque
/// `GaussianAverage(metric, derivative indices, integrand)`, Einstein sums become `Sum` over
/// `1…n(layer)` or `1…N_D`, and a distinctness group multiplies the summand by
/// `1 - KroneckerDelta` (SymPy) or `Boole[j != k]` (Mathematica) for each pair.
struct CASWriter {
  enum Dialect {
    case sympy
    case mathematica
  }

  /// Names met while writing, for the SymPy preamble (sorted when used).
  struct Usage {
    var indices: Set<String> = []
    var symbols: Set<String> = []
    var layeredSymbols: Set<String> = []
    var tensors: Set<String> = []
    var functions: Set<String> = []
    var usesLayer = false
    var usesAverage = false
    /// Whether a self-feedback atom of a path layer occurs.
    var usesFeedback = false
  }

  let dialect: Dialect
  let notation: Notation
  var usage = Usage()

  init(dialect: Dialect, notation: Notation) {
    self.dialect = dialect
    self.notation = notation
  }

  /// The layer variable's name.
  static let layerVariable = "ell"

  mutating func expression(_ e: Expression, naming: IndexNaming) -> String {
    if e.terms.isEmpty { return "0" }
    var out = ""
    for (n, t) in e.terms.enumerated() {
      let (negative, body) = term(t, naming: naming)
      if n == 0 {
        out = negative ? "-" + body : body
      } else {
        out += (negative ? " - " : " + ") + body
      }
    }
    return out
  }

  private mutating func term(_ t: Term, naming: IndexNaming) -> (Bool, String) {
    let m = t.monomial
    let names = naming.dummyNames(for: m)
    var parts: [String] = []
    let magnitude = t.coefficient.sign < 0 ? -t.coefficient : t.coefficient
    if !magnitude.isOne { parts.append(rational(magnitude)) }
    for p in m.scalars.sorted() { parts.append(power(p)) }
    var summand: [String] = []
    for f in m.factors { summand.append(factor(f, names: names, inner: naming.entering(names))) }
    for group in m.distinct {
      let shown = group.map { index($0, names: names) }
      for a in shown.indices {
        for b in shown.indices where b > a {
          switch dialect {
          case .sympy: summand.append("(1 - KroneckerDelta(" + shown[a] + ", " + shown[b] + "))")
          case .mathematica: summand.append("Boole[" + shown[a] + " != " + shown[b] + "]")
          }
        }
      }
    }
    let body = summand.isEmpty ? "1" : summand.joined(separator: "*")
    if m.summed.isEmpty {
      parts.append(contentsOf: summand)
    } else {
      let limits = m.summed.sorted().map { i -> String in
        let upper = symbol(i.space.dimension)
        switch dialect {
        case .sympy: return "(" + index(i, names: names) + ", 1, " + upper + ")"
        case .mathematica: return "{" + index(i, names: names) + ", 1, " + upper + "}"
        }
      }
      switch dialect {
      case .sympy: parts.append("Sum(" + body + ", " + limits.joined(separator: ", ") + ")")
      case .mathematica: parts.append("Sum[" + body + ", " + limits.joined(separator: ", ") + "]")
      }
    }
    return (t.coefficient.sign < 0, parts.isEmpty ? "1" : parts.joined(separator: "*"))
  }

  private func rational(_ r: Rational) -> String {
    let parts = r.description.split(separator: "/", maxSplits: 1).map(String.init)
    if parts.count == 1 { return parts[0] }
    switch dialect {
    case .sympy: return "Rational(" + parts[0] + ", " + parts[1] + ")"
    case .mathematica: return "(" + parts[0] + "/" + parts[1] + ")"
    }
  }

  private mutating func power(_ p: SymbolPower) -> String {
    let base = symbol(p.symbol)
    if p.exponent == 1 { return base }
    let e = p.exponent < 0 ? "(" + String(p.exponent) + ")" : String(p.exponent)
    return base + (dialect == .sympy ? "**" : "^") + e
  }

  // MARK: Names

  private func identifier(_ raw: String) -> String {
    var id = DisplayName(parsing: raw).identifier
    // Mathematica symbol names cannot contain underscores (they denote patterns).
    if dialect == .mathematica { id.removeAll { $0 == "_" } }
    // Python keywords and names starting with a digit are not identifiers.
    if dialect == .sympy && CASWriter.pythonKeywords.contains(id) { return id + "_" }
    if let first = id.first, first.isNumber { return "x" + id }
    return id
  }

  private static let pythonKeywords: Set<String> = [
    "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
    "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
    "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "None",
    "True", "False",
  ]

  private mutating func layer(_ l: Layer) -> String {
    switch l {
    case .absolute(let n): return String(n)
    case .relative(let k):
      usage.usesLayer = true
      if k == 0 { return CASWriter.layerVariable }
      let sign = k > 0 ? "+" : "-"
      return dialect == .sympy
        ? CASWriter.layerVariable + " " + sign + " " + String(abs(k))
        : CASWriter.layerVariable + sign + String(abs(k))
    }
  }

  /// A scalar symbol: `C_W` / `Subscript[C, W]`; with a layer, applied to it.
  private mutating func symbol(_ s: Symbol) -> String {
    let name = notation.displayName(of: s)
    let base: String
    switch dialect {
    case .sympy:
      base = identifier(name.base + (name.subscriptText.isEmpty ? "" : "_" + name.subscriptText))
    case .mathematica:
      let b = mathematicaAtom(name.base)
      base =
        name.subscriptText.isEmpty
        ? b : "Subscript[" + b + ", " + mathematicaAtom(name.subscriptText) + "]"
    }
    guard let l = s.layer else {
      usage.symbols.insert(base)
      return base
    }
    usage.layeredSymbols.insert(base)
    let shown = layer(l)
    return dialect == .sympy ? base + "(" + shown + ")" : base + "[" + shown + "]"
  }

  private func mathematicaAtom(_ atom: String) -> String {
    if let g = MathLetter(spelled: atom), g.spelled != "ell" {
      let first = g.spelled.prefix(1)
      let capital = first.uppercased() == first
      let name = capital ? "Capital" + g.spelled : first.uppercased() + g.spelled.dropFirst()
      return "\\[" + name + "]"
    }
    return identifier(atom)
  }

  private mutating func index(_ i: Index, names: [Index: DisplayName]) -> String {
    let shown: String
    switch i.label {
    case .named(let s): shown = identifier(s)
    case .dummy(let k):
      shown = identifier((names[i] ?? DisplayName(base: "d", subscriptText: String(k))).identifier)
    }
    usage.indices.insert(shown)
    return shown
  }

  // MARK: Factors

  private mutating func head(_ h: TensorHead) -> String {
    let name = identifier(h.name)
    usage.tensors.insert(name)
    guard let l = h.layer else { return name }
    return name + "[" + layer(l) + "]"
  }

  private mutating func tensor(_ t: Tensor, names: [Index: DisplayName]) -> String {
    let name = identifier(t.head.name)
    usage.tensors.insert(name)
    var slots: [String] = []
    if let l = t.head.layer { slots.append(layer(l)) }
    let indices = t.indices.map { index($0, names: names) }
    switch dialect {
    case .sympy:
      slots += indices
      return slots.isEmpty ? name : name + "[" + slots.joined(separator: ", ") + "]"
    case .mathematica:
      let withLayer = slots.isEmpty ? name : name + "[" + slots[0] + "]"
      return indices.isEmpty ? withLayer : withLayer + "[" + indices.joined(separator: ", ") + "]"
    }
  }

  private mutating func factor(_ f: Factor, names: [Index: DisplayName], inner: IndexNaming)
    -> String
  {
    switch f {
    case .delta(let a, let b):
      let x = index(a, names: names)
      let y = index(b, names: names)
      return dialect == .sympy
        ? "KroneckerDelta(" + x + ", " + y + ")" : "KroneckerDelta[" + x + ", " + y + "]"
    case .tensor(let t):
      return tensor(t, names: names)
    case .function(let g):
      let name = identifier(notation.functions[g.head.name] ?? g.head.name)
      usage.functions.insert(name)
      let argument = tensor(g.argument, names: names)
      var layerArgument: String? = nil
      if let l = g.head.layer { layerArgument = layer(l) }
      switch dialect {
      case .sympy:
        let call = name + "(" + (layerArgument.map { $0 + ", " } ?? "") + argument + ")"
        if g.derivative == 0 { return call }
        return "Derivative(" + call + ", (" + argument + ", " + String(g.derivative) + "))"
      case .mathematica:
        let function = layerArgument.map { name + "[" + $0 + "]" } ?? name
        if g.derivative == 0 { return function + "[" + argument + "]" }
        return "Derivative[" + String(g.derivative) + "][" + function + "][" + argument + "]"
      }
    case .average(let g):
      usage.usesAverage = true
      let metric = head(g.metric)
      let derivatives = g.derivatives.map { index($0, names: names) }.joined(separator: ", ")
      let integrand =
        g.integrand.isEmpty
        ? "1" : g.integrand.map { factor($0, names: names, inner: inner) }.joined(separator: "*")
      if g.isFeedback {
        usage.usesFeedback = true
        let pair = g.feedback.map { index($0, names: names) }.joined(separator: ", ")
        switch dialect {
        case .sympy:
          return "SelfFeedback(" + metric + ", Tuple(" + derivatives + "), " + integrand
            + ", Tuple(" + pair + "))"
        case .mathematica:
          return "SelfFeedback[" + metric + ", {" + derivatives + "}, " + integrand + ", {" + pair
            + "}]"
        }
      }
      switch dialect {
      case .sympy:
        return "GaussianAverage(" + metric + ", Tuple(" + derivatives + "), " + integrand + ")"
      case .mathematica:
        return "GaussianAverage[" + metric + ", {" + derivatives + "}, " + integrand + "]"
      }
    case .parenthesized(let e):
      return "(" + expression(e, naming: inner) + ")"
    }
  }
}
