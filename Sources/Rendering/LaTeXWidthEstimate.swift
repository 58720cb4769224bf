/// An estimate of the natural width, in TeX points, of a math-mode formula as the renderers write
/// it, typeset in Computer Modern at 10 pt (LaTeX's default). Used to break long equations into
/// lines that fit a page (``LaTeXRenderer/Options/lineWidth``) without running TeX.
///
/// The estimate follows TeX's math layout closely enough to place line breaks: glyph widths
/// from the `cmmi10`/`cmr10`/`cmsy10`/`cmex10` metrics (rounded), scripts at 70 % (50 % for a
/// script's scripts), fractions as wide as their wider part, the limits of a display-style
/// `\sum` beneath it, and the spaces TeX puts around binary operators, relations and
/// punctuation. Unknown control words count as a wide glyph, so the estimate errs on the wide
/// side. It is a layout heuristic, not a typesetter: the pdflatex tests check the result.
struct LaTeXWidthEstimate {
  /// TeX's math styles, as far as sizes and spacing go.
  enum Style {
    case display, text, script, scriptScript

    var scale: Double {
      switch self {
      case .display, .text: return 1
      case .script: return 0.77
      case .scriptScript: return 0.62
      }
    }

    /// The style of a upper or lower.
    var scripts: Style {
      switch self {
      case .display, .text: return .script
      case .script, .scriptScript: return .scriptScript
      }
    }

    /// The style of a fraction's numerator and denominator.
    var fractionParts: Style {
      switch self {
      case .display: return .text
      case .text: return .script
      case .script, .scriptScript: return .scriptScript
      }
    }

    /// Whether TeX puts spaces around operators in this style (not in scripts).
    var spaced: Bool { self == .display || self == .text }
  }

  /// The width of `latex` in `style` (display style: a line of an `align` environment).
  static func width(of latex: String, style: Style = .display) -> Double {
    var parser = LaTeXWidthEstimate(characters: Array(latex))
    return parser.list(style: style, stopAtRight: false)
  }

  // MARK: Parsing

  private enum Kind {
    case ordinary, largeOperator, binary, relation, open, close, punctuation, inner
  }

  private struct Atom {
    var kind: Kind
    var width: Double
    /// The widths of the superscript and subscript.
    var upper = 0.0
    var lower = 0.0
    /// Scripts go above and below (a display-style `\sum`), not to the right.
    var limits = false

    var total: Double {
      let scripts = max(upper, lower)
      if limits { return max(width, scripts) }
      return width + (scripts > 0 ? scripts + 0.5 : 0)
    }
  }

  private var characters: [Character]
  private var position = 0

  private init(characters: [Character]) {
    self.characters = characters
  }

  private var atEnd: Bool { position >= characters.count }

  /// Reads atoms up to the end, a closing brace (consumed) or, with `stopAtRight`, a `\right`
  /// (not consumed), and returns their width with TeX's inter-atom spacing.
  private mutating func list(style: Style, stopAtRight: Bool) -> Double {
    var atoms: [Atom] = []
    while !atEnd {
      let c = characters[position]
      if c == "}" {
        position += 1
        break
      }
      if stopAtRight, peekControlWord() == "right" { break }
      position += 1
      switch c {
      case "{":
        atoms.append(Atom(kind: .ordinary, width: list(style: style, stopAtRight: false)))
      case "^", "_":
        let w = argument(style: style.scripts)
        if atoms.isEmpty { atoms.append(Atom(kind: .ordinary, width: 0)) }
        if c == "^" {
          atoms[atoms.count - 1].upper = max(atoms[atoms.count - 1].upper, w)
        } else {
          atoms[atoms.count - 1].lower = max(atoms[atoms.count - 1].lower, w)
        }
      case "\\":
        if let atom = controlSequence(style: style) { atoms.append(atom) }
      case "'":
        // A prime is a upper.
        if atoms.isEmpty { atoms.append(Atom(kind: .ordinary, width: 0)) }
        atoms[atoms.count - 1].upper += 2.75 * style.scripts.scale
      case " ", "\n", "&":
        continue
      default:
        atoms.append(character(c, style: style))
      }
    }
    return spaced(atoms, style: style)
  }

  /// The width of the atoms with the spaces TeX inserts between them. A `+` or `-` that
  /// follows nothing, an operator, a relation, an opening or punctuation is unary (no space).
  private func spaced(_ atoms: [Atom], style: Style) -> Double {
    var total = 0.0
    var previous: Kind? = nil
    for var atom in atoms {
      if atom.kind == .binary {
        switch previous {
        case nil, .binary, .relation, .open, .punctuation, .largeOperator: atom.kind = .ordinary
        default: break
        }
      }
      total += atom.total
      if style.spaced, let p = previous {
        total += Self.space(between: p, and: atom.kind) * style.scale
      }
      previous = atom.kind
    }
    return total
  }

  /// TeX's inter-atom spaces (TeXbook chapter 18) in points at 10 pt: thin 1.67, medium 2.22,
  /// thick 2.78.
  private static func space(between a: Kind, and b: Kind) -> Double {
    let thin = 1.67
    let medium = 2.22
    let thick = 2.78
    switch (a, b) {
    case (.binary, _), (_, .binary): return medium
    case (.relation, .relation): return 0
    case (.relation, _), (_, .relation): return thick
    case (.punctuation, _): return thin
    case (.largeOperator, .ordinary), (.ordinary, .largeOperator),
      (.largeOperator, .largeOperator), (.largeOperator, .inner), (.inner, .largeOperator),
      (.close, .largeOperator):
      return thin
    case (.inner, .ordinary), (.ordinary, .inner), (.inner, .inner), (.close, .inner),
      (.inner, .open):
      return thin
    default: return 0
    }
  }

  /// A braced group or a single token, in `style`.
  private mutating func argument(style: Style) -> Double {
    skipSpaces()
    guard !atEnd else { return 0 }
    let c = characters[position]
    position += 1
    if c == "{" { return list(style: style, stopAtRight: false) }
    if c == "\\" { return controlSequence(style: style)?.total ?? 0 }
    return character(c, style: style).total
  }

  private mutating func skipSpaces() {
    while !atEnd, characters[position] == " " { position += 1 }
  }

  private func peekControlWord() -> String? {
    guard position < characters.count, characters[position] == "\\" else { return nil }
    var end = position + 1
    while end < characters.count, characters[end].isLetter { end += 1 }
    return String(characters[(position + 1)..<end])
  }

  /// Reads a control word (letters) or control symbol after the backslash.
  private mutating func controlName() -> String {
    guard !atEnd else { return "" }
    if !characters[position].isLetter {
      position += 1
      return String(characters[position - 1])
    }
    var name = ""
    while !atEnd, characters[position].isLetter {
      name.append(characters[position])
      position += 1
    }
    return name
  }

  private mutating func controlSequence(style: Style) -> Atom? {
    let name = controlName()
    let s = style.scale
    switch name {
    case "frac":
      let numerator = argument(style: style.fractionParts)
      let denominator = argument(style: style.fractionParts)
      return Atom(kind: .inner, width: max(numerator, denominator) + 2.4 * s)
    case "left":
      let open = delimiter(style: style)
      let body = list(style: style, stopAtRight: true)
      var close = 0.0
      if peekControlWord() == "right" {
        position += "\\right".count
        close = delimiter(style: style)
      }
      return Atom(kind: .inner, width: open + body + close)
    case "right":
      return Atom(kind: .close, width: delimiter(style: style))
    case "bigl", "Bigl", "biggl", "Biggl":
      return Atom(kind: .open, width: delimiter(style: style) + 1 * s)
    case "bigr", "Bigr", "biggr", "Biggr":
      return Atom(kind: .close, width: delimiter(style: style) + 1 * s)
    case "mathrm", "text", "mathit", "operatorname", "textrm":
      skipSpaces()
      var count = 0
      if !atEnd, characters[position] == "{" {
        position += 1
        var depth = 1
        while !atEnd {
          let c = characters[position]
          position += 1
          if c == "{" { depth += 1 }
          if c == "}" {
            depth -= 1
            if depth == 0 { break }
          }
          count += 1
        }
      }
      return Atom(kind: .ordinary, width: Double(count) * 5.0 * s)
    case "sum", "prod":
      let limits = style == .display
      return Atom(kind: .largeOperator, width: (limits ? 14.44 : 10.56) * s, limits: limits)
    case "!": return Atom(kind: .ordinary, width: -1.67 * s)
    case ",": return Atom(kind: .ordinary, width: 1.67 * s)
    case ":": return Atom(kind: .ordinary, width: 2.22 * s)
    case ";": return Atom(kind: .ordinary, width: 2.78 * s)
    case " ": return Atom(kind: .ordinary, width: 3.33 * s)
    case "quad": return Atom(kind: .ordinary, width: 10 * s)
    case "qquad": return Atom(kind: .ordinary, width: 20 * s)
    case "{", "}": return Atom(kind: name == "{" ? .open : .close, width: 5.0 * s)
    case "\\": return nil
    case "notag", "nonumber", "displaystyle", "limits", "nolimits": return nil
    default:
      if let (kind, width) = Self.symbols[name] { return Atom(kind: kind, width: width * s) }
      if let width = Self.greek[name] { return Atom(kind: .ordinary, width: width * s) }
      return Atom(kind: .ordinary, width: 8 * s)
    }
  }

  /// The width of the delimiter after `\left`, `\right` or `\Biggl`: a stretched delimiter is
  /// a little wider than its text-size glyph; `.` is the null delimiter.
  private mutating func delimiter(style: Style) -> Double {
    skipSpaces()
    guard !atEnd else { return 0 }
    let c = characters[position]
    position += 1
    if c == "." { return 1.2 * style.scale }
    if c == "\\" { _ = controlName() }
    return 5.9 * style.scale
  }

  private func character(_ c: Character, style: Style) -> Atom {
    let s = style.scale
    switch c {
    case "+", "-", "*": return Atom(kind: .binary, width: 7.78 * s)
    case "=", "<", ">": return Atom(kind: .relation, width: 7.78 * s)
    case ",", ";": return Atom(kind: .punctuation, width: 2.78 * s)
    case "(": return Atom(kind: .open, width: 3.89 * s)
    case ")": return Atom(kind: .close, width: 3.89 * s)
    case "[": return Atom(kind: .open, width: 2.78 * s)
    case "]": return Atom(kind: .close, width: 2.78 * s)
    case ".", "|": return Atom(kind: .ordinary, width: 2.78 * s)
    case "/": return Atom(kind: .ordinary, width: 5.0 * s)
    default:
      if c.isNumber { return Atom(kind: .ordinary, width: 5.0 * s) }
      if let w = Self.italic[c] { return Atom(kind: .ordinary, width: w * s) }
      return Atom(kind: .ordinary, width: 8 * s)
    }
  }

  // MARK: Metrics (points at 10 pt, rounded from the Computer Modern fonts, italic corrections
  // included where a upper follows)

  private static let italic: [Character: Double] = [
    "a": 5.29, "b": 4.29, "c": 4.33, "d": 5.2, "e": 4.66, "f": 5.9, "g": 4.77, "h": 5.76,
    "i": 3.45, "j": 4.12, "k": 5.21, "l": 2.98, "m": 8.78, "n": 6.0, "o": 4.85, "p": 5.03,
    "q": 4.46, "r": 4.51, "s": 4.69, "t": 3.61, "u": 5.72, "v": 4.85, "w": 7.16, "x": 5.72,
    "y": 4.9, "z": 4.65, "A": 7.5, "B": 7.59, "C": 7.85, "D": 8.28, "E": 7.38, "F": 7.43,
    "G": 7.86, "H": 8.31, "I": 4.4, "J": 5.55, "K": 8.49, "L": 6.81, "M": 9.7, "N": 8.03,
    "O": 7.63, "P": 7.42, "Q": 7.91, "R": 7.59, "S": 6.13, "T": 6.84, "U": 6.83, "V": 6.83,
    "W": 9.44, "X": 8.28, "Y": 6.81, "Z": 6.83,
  ]

  private static let greek: [String: Double] = [
    "alpha": 6.4, "beta": 5.66, "gamma": 5.17, "delta": 4.44, "epsilon": 4.05,
    "varepsilon": 4.66, "zeta": 4.38, "eta": 4.97, "theta": 4.69, "vartheta": 5.9,
    "iota": 3.45, "kappa": 5.76, "lambda": 5.83, "mu": 6.03, "nu": 4.94, "xi": 4.38,
    "pi": 5.7, "varpi": 8.3, "rho": 5.17, "varrho": 5.17, "sigma": 5.71, "varsigma": 4.69,
    "tau": 4.37, "upsilon": 5.4, "phi": 5.96, "varphi": 6.51, "chi": 6.26, "psi": 6.51,
    "omega": 6.22, "ell": 4.16, "partial": 5.7, "Gamma": 6.25, "Delta": 8.33, "Theta": 7.78,
    "Lambda": 6.94, "Xi": 6.67, "Pi": 7.5, "Sigma": 7.22, "Upsilon": 7.78, "Phi": 7.22,
    "Psi": 7.78, "Omega": 7.22, "hbar": 5.76, "imath": 3.45, "jmath": 4.12,
  ]

  private static let symbols: [String: (Kind, Double)] = [
    "langle": (.open, 3.89), "rangle": (.close, 3.89), "dots": (.inner, 13.4),
    "ldots": (.inner, 13.4), "cdots": (.inner, 13.4), "neq": (.relation, 7.78),
    "leq": (.relation, 7.78), "geq": (.relation, 7.78), "approx": (.relation, 7.78),
    "to": (.relation, 10), "times": (.binary, 7.78), "cdot": (.binary, 2.78),
    "pm": (.binary, 7.78), "infty": (.ordinary, 10), "parallel": (.ordinary, 5),
    "perp": (.ordinary, 7.78), "star": (.binary, 5), "surd": (.ordinary, 8.33),
    "mid": (.relation, 2.78),
  ]
}
