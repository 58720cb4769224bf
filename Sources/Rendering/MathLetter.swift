/// A Greek letter (or ℓ) known by its spelled name, its Unicode character and its LaTeX command.
struct MathLetter: Hashable, Sendable {
  var spelled: String
  var unicode: String

  /// `\alpha`, `\Gamma`, … The spelled name is the command name.
  var latex: String { "\\" + spelled }

  /// The letter spelled `name` ("alpha", "Gamma"), if any.
  init?(spelled name: String) {
    guard let u = MathLetter.unicodeBySpelling[name] else { return nil }
    self.spelled = name
    self.unicode = u
  }

  /// The letter written as the single Unicode character `character`, if any.
  init?(unicode character: String) {
    guard let s = MathLetter.spellingByUnicode[character] else { return nil }
    self.spelled = s
    self.unicode = character
  }

  /// `name` with a Unicode Greek letter replaced by its spelling ("α" → "alpha"); other names
  /// are returned unchanged.
  static func normalised(_ name: String) -> String {
    MathLetter(unicode: name)?.spelled ?? name
  }

  // Lookup tables only: never iterated, so their order cannot reach any output.
  private static let pairs: [(String, String)] = [
    ("alpha", "α"), ("beta", "β"), ("gamma", "γ"), ("delta", "δ"), ("epsilon", "ε"),
    ("varepsilon", "ϵ"), ("zeta", "ζ"), ("eta", "η"), ("theta", "θ"), ("vartheta", "ϑ"),
    ("iota", "ι"), ("kappa", "κ"), ("lambda", "λ"), ("mu", "μ"), ("nu", "ν"), ("xi", "ξ"),
    ("pi", "π"), ("rho", "ρ"), ("sigma", "σ"), ("tau", "τ"), ("upsilon", "υ"), ("phi", "φ"),
    ("varphi", "ϕ"), ("chi", "χ"), ("psi", "ψ"), ("omega", "ω"), ("Gamma", "Γ"),
    ("Delta", "Δ"), ("Theta", "Θ"), ("Lambda", "Λ"), ("Xi", "Ξ"), ("Pi", "Π"),
    ("Sigma", "Σ"), ("Upsilon", "Υ"), ("Phi", "Φ"), ("Psi", "Ψ"), ("Omega", "Ω"), ("ell", "ℓ"),
  ]
  private static let unicodeBySpelling: [String: String] = Dictionary(
    uniqueKeysWithValues: pairs.map { ($0.0, $0.1) })
  private static let spellingByUnicode: [String: String] = Dictionary(
    uniqueKeysWithValues: pairs.map { ($0.1, $0.0) })
}
