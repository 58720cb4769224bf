import Algebra

/// How heads, functions, symbols and indices are typeset.
///
/// A notation is target-neutral: it says *what* to write (which letter names the generic
/// layer, how a head is decorated, which letters name dummy indices, whether averages use the
/// book's short form); each renderer decides *how* (LaTeX commands, Unicode, identifiers).
/// Names are given in either Greek spelling ("beta") or Unicode ("β").
///
/// ``book`` follows *The Principles of Deep Learning Theory*.
public struct Notation: Hashable, Sendable {
  /// How a tensor head is written: a display name and an optional tag written before the layer
  /// in the superscript (the `{1}` of `G^{\{1\}(\ell)}`).
  public struct HeadStyle: Hashable, Sendable {
    /// The displayed name ("G", "K", "Theta").
    public var name: String
    /// A tag shown before the layer label, without braces ("{1}" is written `\{1\}` in LaTeX
    /// and `{1}` in text).
    public var tag: String?

    public init(name: String, tag: String? = nil) {
      self.name = name
      self.tag = tag
    }
  }

  /// The letter for the generic layer ℓ ("ell" is written `\ell` in LaTeX and `ℓ` in text).
  public var genericLayer: String
  /// Display styles of tensor heads, keyed by ``Algebra/TensorHead/name``. Heads not listed
  /// are written by their own name.
  public var heads: [String: HeadStyle]
  /// Display names of scalar symbols, keyed by ``Algebra/Symbol/name``. Symbols not listed are
  /// written by their own name ("C_W" → `C_W`).
  public var symbols: [String: String]
  /// Display names of functions, keyed by ``Algebra/FunctionHead/name`` ("sigma" and "σ" are
  /// both written `\sigma` without an entry).
  public var functions: [String: String]
  /// Base letters for sample dummies, in order of preference: a dummy is written `\beta_{1}`,
  /// `\beta_{2}`, …, using the first base that no named sample index of the expression uses.
  public var sampleDummyBases: [String]
  /// Names for neuron dummies, in order (`j`, `k`, `m`, …), skipping names used by named
  /// indices of the expression. When exhausted, `j_{1}`, `j_{2}`, … follow.
  public var neuronDummyNames: [String]
  /// Inside Gaussian averages, write σ(z_{α₁}) as `\sigma_{\alpha_{1}}` and the variable as
  /// `z_{\beta}` (the book's short form: an average involves one neuron of one layer).
  public var shortFormInsideAverages: Bool
  /// Write width powers as their own fraction (`\frac{C_W^{2}}{4}\frac{n_{\ell}}{n_{\ell-1}}`)
  /// so the order in 1/n stays visible; otherwise one fraction holds every scalar.
  public var separatesWidthFactors: Bool
  /// Write adjacent identical factors as a power (`\langle\sigma\sigma\rangle^{2}`).
  public var collapsesRepeatedFactors: Bool

  public init(
    genericLayer: String = "ell",
    heads: [String: HeadStyle] = [:],
    symbols: [String: String] = [:],
    functions: [String: String] = [:],
    sampleDummyBases: [String] = ["beta", "gamma", "mu", "nu", "rho", "kappa", "eta"],
    neuronDummyNames: [String] = ["j", "k", "m", "p", "q", "r", "s", "t", "u", "v", "w"],
    shortFormInsideAverages: Bool = true,
    separatesWidthFactors: Bool = true,
    collapsesRepeatedFactors: Bool = true
  ) {
    precondition(!sampleDummyBases.isEmpty && !neuronDummyNames.isEmpty, "empty dummy pool")
    self.genericLayer = genericLayer
    self.heads = heads
    self.symbols = symbols
    self.functions = functions
    self.sampleDummyBases = sampleDummyBases
    self.neuronDummyNames = neuronDummyNames
    self.shortFormInsideAverages = shortFormInsideAverages
    self.separatesWidthFactors = separatesWidthFactors
    self.collapsesRepeatedFactors = collapsesRepeatedFactors
  }

  /// The notation of *The Principles of Deep Learning Theory*: `K^{(\ell)}_{\alpha_1\alpha_2}`,
  /// `V^{(\ell)}_{(\alpha_1\alpha_2)(\alpha_3\alpha_4)}`, `z^{(\ell)}_{j;\alpha}`,
  /// `\langle\sigma_{\alpha_1}\sigma_{\alpha_2}\rangle_{K^{(\ell)}}`, `C_W`, `n_{\ell-1}`;
  /// a model's order-tagged statistics are added by ``taggingOrders(of:)``.
  public static let book = Notation()

  /// This notation with the book's order tags for the given statistics: a statistic named by
  /// letters followed by digits is a finite-width correction of that order, written like the
  /// book's G^{\{1\}} — `G1` as `G^{\{1\}(\ell)}`, `Theta1` as `\Theta^{\{1\}(\ell)}`. Other
  /// names, and heads that are not statistics (a weight `W2`), are unchanged.
  public func taggingOrders(of statistics: [String]) -> Notation {
    var n = self
    for name in statistics where n.heads[name] == nil {
      let digits = name.reversed().prefix { $0.isASCII && $0.isNumber }
      let base = name.dropLast(digits.count)
      guard !digits.isEmpty, !base.isEmpty, base.allSatisfy({ $0.isLetter }) else { continue }
      n.heads[name] = HeadStyle(name: String(base), tag: "{\(String(digits.reversed()))}")
    }
    return n
  }

  /// The display style of a head.
  func style(of head: TensorHead) -> HeadStyle {
    heads[head.name] ?? HeadStyle(name: head.name)
  }

  /// The display name of a symbol.
  func displayName(of symbol: Symbol) -> DisplayName {
    DisplayName(parsing: symbols[symbol.name] ?? symbol.name)
  }

  /// The display name of a function head.
  func displayName(of head: FunctionHead) -> DisplayName {
    DisplayName(parsing: functions[head.name] ?? head.name)
  }
}

extension Notation {
  /// A layer as written in a label: its number, or the generic layer ℓ with its offset (`ℓ`,
  /// `ℓ+1`, `ℓ-1`), the letter written by `letter` (the LaTeX or the text form of its name).
  func layerLabel(_ l: Layer, letter: (DisplayName) -> String) -> String {
    switch l {
    case .absolute(let n): return String(n)
    case .relative(let k):
      let ell = letter(DisplayName(parsing: genericLayer))
      if k == 0 { return ell }
      return ell + (k > 0 ? "+" : "-") + String(abs(k))
    }
  }
}
