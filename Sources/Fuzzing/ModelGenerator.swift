/// A grammar-aware generator of model files (grammar: `Derivations/README.md`).
///
/// It writes mostly-valid models: index declarations with relative or absolute layers,
/// couplings, Gaussian parameters with variances built from numbers, couplings and widths, and
/// a `map` whose right-hand side is a random sum of products of couplings, numbers, parameters,
/// `sigma(z[j;a])`, `z[j;a]` and parenthesised sums. ``ModelMutator`` then breaks them.
public struct ModelGenerator: Sendable {
  /// Largest number of terms in a generated sum.
  public var maximumTerms = 4
  /// Largest nesting depth of generated parentheses.
  public var maximumDepth = 2

  public init(maximumTerms: Int = 4, maximumDepth: Int = 2) {
    self.maximumTerms = maximumTerms
    self.maximumDepth = maximumDepth
  }

  /// The checked-in models the generator and mutator start from (`Derivations/*.model` and
  /// the worked example of `Derivations/README.md`).
  public static let seedModels: [String] = [
    """
    model residual
    index i : neuron l+1
    index j : neuron l
    index a : sample
    coupling C_b C_W xi
    function sigma
    gaussian b[i] : C_b
    gaussian W[i,j] : C_W / n(j)
    input x[j;a]
    incoming z[j;a] : nearly-gaussian metric K, correction G1, vertex V, per n[l-1], path
    map z[i;a] = xi z[i;a] + b[i] + W[i,j] sigma(z[j;a])
    first z[i;a] = b[i] + W[i,j] x[j;a]
    derive K G1 V to order 1
    """,
    """
    model mlp
    index i : neuron l+1
    index j : neuron l
    index a : sample
    coupling C_b C_W
    function sigma
    gaussian b[i] : C_b
    gaussian W[i,j] : C_W / n(j)
    input x[j;a]
    incoming z[j;a] : nearly-gaussian metric K, correction G1, vertex V, per n[l-1]
    map z[i;a] = b[i] + W[i,j] sigma(z[j;a])
    first z[i;a] = b[i] + W[i,j] x[j;a]
    derive K G1 V to order 1

    """,
    """
    model mlp-no-bias
    index i : neuron l+1
    index j : neuron l
    index a : sample
    coupling C_W
    function sigma
    gaussian W[i,j] : C_W / n(j)
    input x[j;a]
    incoming z[j;a] : nearly-gaussian metric K, correction G1, vertex V, per n[l-1]
    map z[i;a] = W[i,j] sigma(z[j;a])
    first z[i;a] = W[i,j] x[j;a]
    derive K G1 V to order 1

    """,
    """
    model deep-linear
    index i : neuron l+1
    index j : neuron l
    index a : sample
    coupling C_W
    gaussian W[i,j] : C_W / n(j)
    input x[j;a]
    incoming z[j;a] : nearly-gaussian metric K, correction G1, vertex V, per n[l-1]
    map z[i;a] = W[i,j] z[j;a]
    first z[i;a] = W[i,j] x[j;a]
    derive K G1 V to order 1

    """,
    """
    model scaled
    index i : neuron l+1
    index j : neuron l
    index a : sample
    coupling C_W
    function sigma
    gaussian W[i,j] : C_W / n(j)
    input x[j;a]
    incoming z[j;a] : nearly-gaussian metric K, correction G1, vertex V, per n[l-1]
    map z[i;a] = 2 W[i,j] sigma(z[j;a])
    first z[i;a] = W[i,j] x[j;a]
    derive K G1 V to order 1

    """,
  ]

  /// A random model file.
  public func generate(using rng: inout FuzzRandom) -> String {
    var lines: [String] = []
    if rng.chance(0.8) { lines.append("model m\(rng.int(0...99))") }
    lines.append("index i : neuron \(layer(base: 1, using: &rng))")
    lines.append("index j\(rng.chance(0.3) ? ", k" : "") : neuron \(layer(base: 0, using: &rng))")
    lines.append("index a\(rng.chance(0.2) ? ", c" : "") : sample")
    let couplings = Array(["C_b", "C_W", "xi"].prefix(rng.int(1...3)))
    lines.append("coupling " + couplings.joined(separator: " "))
    if rng.chance(0.8) { lines.append("function sigma") }
    var parameters: [(String, [String])] = [("W", ["i", "j"])]
    if rng.chance(0.7) { parameters.append(("b", ["i"])) }
    if rng.chance(0.3) {
      parameters.append(("U", rng.pick([["i"], ["i", "k"], ["j"], ["i", "j"]])))
    }
    for (name, indices) in parameters {
      lines.append(
        "gaussian \(name)[\(indices.joined(separator: ","))] : \(variance(couplings, using: &rng))")
    }
    lines.append("input x[j;a]")
    lines.append(
      "incoming z[j;a] : nearly-gaussian metric K, correction G1, vertex V, per n[\(layer(base: -1, using: &rng))]"
        + (rng.chance(0.3) ? ", path" : "")
    )
    let context = Context(couplings: couplings, parameters: parameters)
    lines.append("map z[i;a] = " + sum(context, depth: 0, variable: "z", using: &rng))
    if rng.chance(0.8) {
      lines.append(
        "first z[i;a] = "
          + (rng.chance(0.6)
            ? "b[i] + W[i,j] x[j;a]" : sum(context, depth: 0, variable: "x", using: &rng)))
    }
    let targets = rng.pick(["K G1 V", "K", "K G1", "K V", "K G1 V"])
    lines.append("derive \(targets)\(rng.chance(0.7) ? " to order \(rng.pick([0, 1, 1, 2]))" : "")")
    if rng.chance(0.3) { lines.shuffle(using: &rng) }
    return lines.joined(separator: "\n") + "\n"
  }

  struct Context {
    var couplings: [String]
    var parameters: [(String, [String])]
  }

  /// A layer: mostly `l+base`, sometimes another offset or an absolute layer.
  func layer(base: Int, using rng: inout FuzzRandom) -> String {
    let offset = rng.chance(0.85) ? base : rng.int(-3...3)
    if rng.chance(0.05) { return String(rng.int(0...4)) }
    return offset == 0 ? "l" : offset > 0 ? "l+\(offset)" : "l\(offset)"
  }

  /// A product or quotient of numbers, couplings and widths.
  func variance(_ couplings: [String], using rng: inout FuzzRandom) -> String {
    var factors: [String] = []
    for _ in 0..<rng.int(1...3) {
      factors.append(
        rng.pick(couplings + ["1", "2", "1/2", "n(j)", "n[l]", "n(i)", String(rng.int(0...9))]))
    }
    var out = factors[0]
    for f in factors.dropFirst() { out += rng.chance(0.5) ? " / \(f)" : " \(f)" }
    return out
  }

  func sum(_ context: Context, depth: Int, variable: String, using rng: inout FuzzRandom)
    -> String
  {
    var terms: [String] = []
    for _ in 0..<rng.int(1...maximumTerms) {
      terms.append(product(context, depth: depth, variable: variable, using: &rng))
    }
    var out = terms[0]
    for t in terms.dropFirst() { out += rng.chance(0.85) ? " + \(t)" : " - \(t)" }
    return out
  }

  func product(_ context: Context, depth: Int, variable: String, using rng: inout FuzzRandom)
    -> String
  {
    var factors: [String] = []
    for _ in 0..<rng.int(1...3) {
      switch rng.int(0...9) {
      case 0: factors.append(rng.pick(context.couplings))
      case 1: factors.append(rng.pick(["2", "1/2", "3", "0"]))
      case 2, 3, 4:
        let (name, indices) = rng.pick(context.parameters)
        factors.append("\(name)[\(indices.joined(separator: ","))]")
      case 5, 6:
        factors.append(variable == "z" ? "sigma(\(variable)[j;a])" : "\(variable)[j;a]")
      case 7: factors.append("\(variable)[\(rng.pick(["j", "k", "i"]));a]")
      case 8 where depth < maximumDepth:
        factors.append("(" + sum(context, depth: depth + 1, variable: variable, using: &rng) + ")")
      default: factors.append(rng.pick(["W[i,j]", "b[i]"]))
      }
    }
    return factors.joined(separator: " ")
  }
}
