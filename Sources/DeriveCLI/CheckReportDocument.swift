import Algebra
import Evaluation
import Foundation
import Rendering

/// `report.tex`: a check as a LaTeX article that compiles with `pdflatex` (`amsmath`,
/// `longtable` and `pgfplots`: Debian's texlive-latex-base and texlive-pictures).
///
/// Its sections, in order:
/// 1. the verdict and the run: model and its source, activation, couplings, inputs, widths of the
///    scan, networks, seed, sampler, negative control;
/// 2. the model file, verbatim;
/// 3. the derived recursions, typeset and broken to fit the page (``Presentation``);
/// 4. for each compared statistic, theory against Monte Carlo layer by layer at the largest
///    width, with error bars (±1 s.e.), the leading order dashed where the 1/n correction moves it;
/// 5. the width scaling: |MC − theory| against width on log–log axes, each row of the statistic
///    thin and grey, their root mean square and the MC standard error in black, and the slopes
///    −1 and −2 drawn through the first width (the expected one, the rows' residual order,
///    solid);
/// 6. the verdict table, one row per compared quantity, with the fitted limit, the fit's
///    p-value, the detectable deviation and the verdict, then the summary of the table.
///
/// Plots are pgfplots `axis` environments with their data inline, styled by `check …` styles
/// defined once in the preamble, so that a user can restyle every plot in one place or paste
/// one into a paper. Statistic names come from the report (its quantities and their estimators'
/// roles), never from a list in this file.
enum CheckReportDocument {
  static func latex(_ report: CrossValidation.Report, run: CheckRun) -> String {
    let names = Names(report)
    var body: [String] = []
    body += runSection(report, run: run)
    body += modelSection(run)
    body.append("\\section*{Derived recursions}")
    body += run.recursions.documentSections(heading: "subsection")
    body += layerSection(report, names: names)
    body += scalingSection(report, names: names)
    body += verdictSection(report, names: names)
    var lines = preamble(declaring: body.joined(separator: "\n"))
    lines.append("\\begin{document}")
    lines += body
    lines.append("\\end{document}")
    return lines.joined(separator: "\n") + "\n"
  }

  // MARK: Preamble

  /// The packages and the plot styles; Unicode characters the text uses that LaTeX does not
  /// know (ℓ, Σ, − in the model file and the summary) are declared, in code point order.
  static func preamble(declaring text: String) -> [String] {
    var lines = [
      "% derive check report: compile with pdflatex (packages: amsmath, longtable, pgfplots).",
      "\\documentclass{article}",
      "\\usepackage{amsmath}",
      "\\usepackage{longtable}",
      "\\usepackage{pgfplots}",
      "\\pgfplotsset{compat=1.16}",
      "\\allowdisplaybreaks",
    ]
    var seen = Set<Unicode.Scalar>()
    for scalar in text.unicodeScalars where scalar.value > 0xFF { seen.insert(scalar) }
    for scalar in seen.sorted(by: { $0.value < $1.value }) {
      lines.append(
        "\\DeclareUnicodeCharacter{\(String(scalar.value, radix: 16, uppercase: true))}{\(unicodeReplacement(scalar))}"
      )
    }
    lines += [
      "% Every plot below uses these styles: restyle them here.",
      "\\pgfplotsset{",
      "  check/.style={width=0.5\\textwidth, height=0.42\\textwidth, grid=major,",
      "    grid style={gray!20}, tick label style={font=\\scriptsize},",
      "    label style={font=\\footnotesize}, title style={font=\\footnotesize},",
      "    legend style={font=\\scriptsize, draw=none, fill=white, fill opacity=0.8,",
      "      text opacity=1}, legend cell align=left},",
      "  check theory/.style={no markers, thick},",
      "  check leading order/.style={no markers, dashed},",
      "  check mc/.style={only marks, mark size=1.6pt, error bars/y dir=both,",
      "    error bars/y explicit},",
      "  check row/.style={no markers, gray!45, very thin},",
      "  check rms/.style={black, thick, mark=*, mark size=1.4pt},",
      "  check noise/.style={black, densely dotted, thick, no markers},",
      "  check expected slope/.style={blue!70!black, no markers},",
      "  check other slope/.style={blue!70!black, dashed, no markers},",
      "}",
    ]
    return lines
  }

  /// LaTeX for a character outside Latin-1: the renderer's math command where it has one, a
  /// math accent over a letter (`Ĝ` as `\\hat{G}`), a few typographic signs, else `?`.
  static func unicodeReplacement(_ scalar: Unicode.Scalar) -> String {
    let escaped = LaTeXRenderer.escapingText(String(Character(scalar)))
    if escaped.hasPrefix("$"), escaped.hasSuffix("$"), escaped.count > 2 {
      return "\\ensuremath{" + escaped.dropFirst().dropLast() + "}"
    }
    let parts = Array(String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars)
    if parts.count == 2, parts[0].isASCII, let accent = mathAccents[parts[1].value] {
      return "\\ensuremath{\\\(accent){\(Character(parts[0]))}}"
    }
    switch scalar {
    case "−": return "\\ensuremath{-}"
    case "∼": return "\\ensuremath{\\sim}"
    case "…": return "\\ldots{}"
    case "‘", "’": return "'"
    case "“", "”": return "\""
    case "—": return "---"
    case "–": return "--"
    default: return "?"
    }
  }

  /// Combining accents (U+0300 block) and their math commands.
  static let mathAccents: [UInt32: String] = [
    0x300: "grave", 0x301: "acute", 0x302: "hat", 0x303: "tilde", 0x304: "bar", 0x306: "breve",
    0x307: "dot", 0x308: "ddot", 0x30C: "check",
  ]

  // MARK: The run

  static func runSection(_ report: CrossValidation.Report, run: CheckRun) -> [String] {
    var lines = [
      "\\section*{" + text("derive check: model \(run.modelName)") + "}",
      "\\noindent\\textbf{Verdict:} " + text(CheckReport.summary(report)[0]),
      "",
      "\\subsection*{Run}",
      "\\noindent\\begin{tabular}{@{}lp{0.7\\textwidth}@{}}",
    ]
    var rows: [(String, String)] = [
      ("model", "\\texttt{" + text(run.modelName) + "} (" + text(run.modelSource) + ")")
    ]
    var activations: [String] = []
    if let a = run.activation { activations.append(text(a)) }
    for (name, a) in run.parameters.functionActivations.sorted(by: { $0.key < $1.key }) {
      activations.append("$" + symbol(name) + "$ = " + text(a.name))
    }
    if !activations.isEmpty { rows.append(("activation", activations.joined(separator: ", "))) }
    let couplings = run.parameters.couplings.sorted { $0.key < $1.key }.map {
      "$" + symbol($0.key) + " = " + number($0.value, 10) + "$"
    }
    if !couplings.isEmpty { rows.append(("couplings", couplings.joined(separator: ", "))) }
    let inputs = run.parameters.inputs.enumerated().map { k, x in
      "$x_{\(k)} = (" + x.map { number($0, 10) }.joined(separator: ", ") + ")$"
    }
    rows.append(("inputs", inputs.joined(separator: ", ")))
    rows.append(("depth", "\(run.parameters.depth) layers"))
    let widths = report.widths.map { w -> String in
      Set(w).count == 1 ? "\(w[0])" : "(" + w.map(String.init).joined(separator: ", ") + ")"
    }
    rows.append(("widths", "$n = " + widths.joined(separator: ", ") + "$ (one scan step each)"))
    rows.append(("networks", "\(report.networks) per width, seed \(report.seed)"))
    rows.append(("sampler", text(run.sampler)))
    if let control = report.negativeControl {
      rows.append(
        (
          "negative control",
          text(
            "\(control) removed from the theory (zero at every layer): a run with power must FAIL")
        ))
    }
    lines += rows.map { "\($0.0) & \($0.1) \\\\" }
    lines.append("\\end{tabular}")
    lines.append("")
    return lines
  }

  static func modelSection(_ run: CheckRun) -> [String] {
    var lines = ["\\subsection*{Model file}", "{\\footnotesize", "\\begin{verbatim}"]
    for line in run.modelText.split(separator: "\n", omittingEmptySubsequences: false) {
      lines += wrapped(String(line).replacingOccurrences(of: "\t", with: "    "))
    }
    while lines.last == "" { lines.removeLast() }
    lines += ["\\end{verbatim}", "}"]
    return lines
  }

  /// Verbatim lines longer than fit the page (80 characters at `\footnotesize`) are wrapped
  /// at a space with the model language's `\` continuation; a comment continues as a comment.
  static func wrapped(_ line: String, limit: Int = 80) -> [String] {
    var out: [String] = []
    var rest = Substring(line)
    let comment = line.trimmingCharacters(in: .whitespaces).hasPrefix("#")
    while rest.count > limit {
      let window = rest.prefix(limit - 2)
      guard let space = window.lastIndex(of: " "), space > rest.startIndex else { break }
      out.append(comment ? String(rest[..<space]) : String(rest[..<space]) + " \\")
      rest = (comment ? "# " : "    ") + rest[rest.index(after: space)...]
    }
    out.append(String(rest))
    return out
  }

  // MARK: Theory against Monte Carlo, layer by layer

  /// The rows of a statistic grouped by component (index tuple), in the report's order.
  static func components(_ report: CrossValidation.Report, _ quantity: String) -> [(
    indices: [Int], rows: [CrossValidation.Row]
  )] {
    var keys: [[Int]] = []
    for r in report.rows where r.quantity == quantity && !keys.contains(r.indices) {
      keys.append(r.indices)
    }
    return keys.map { key in
      (key, report.rows.filter { $0.quantity == quantity && $0.indices == key })
    }
  }

  /// At most this many components share an axis.
  static let componentsPerPlot = 3

  static func layerSection(_ report: CrossValidation.Report, names: Names) -> [String] {
    let largest = report.widths.last.map { w in Set(w).count == 1 ? "\(w[0])" : "\(w)" } ?? "?"
    let lines = [
      "\\section*{Theory and Monte Carlo, layer by layer}",
      "Each statistic at the largest width of the scan ($n = \(largest)$). Lines: the theory at that width (dashed: the leading order, where the $1/n$ correction moves it); marks: the Monte-Carlo estimate $\\pm 1$ standard error. "
        + text(CheckReport.estimatorsSentence(report.estimators)),
      "",
    ]
    let depth = report.rows.map(\.layer).max() ?? 1
    var plots: [[String]] = []
    for quantity in report.quantities {
      let all = components(report, quantity)
      for start in stride(from: 0, to: all.count, by: componentsPerPlot) {
        let chunk = Array(all[start..<min(start + componentsPerPlot, all.count)])
        plots.append(layerPlot(quantity, chunk, depth: depth, names: names))
      }
    }
    return lines + sideBySide(plots)
  }

  static let colors = ["blue!75!black", "red!75!black", "green!45!black"]
  static let marks = ["*", "square*", "triangle*"]

  static func layerPlot(
    _ quantity: String, _ chunk: [(indices: [Int], rows: [CrossValidation.Row])], depth: Int,
    names: Names
  ) -> [String] {
    var ticks = ""
    if depth <= 12 {
      ticks = ", xtick={" + (1...depth).map(String.init).joined(separator: ",") + "}"
    }
    var lines = [
      "\\begin{tikzpicture}",
      "\\begin{axis}[check, title={$" + names.head(quantity) + "$}, xlabel={layer $\\ell$},",
      "  xmin=0.5, xmax=\(Double(depth) + 0.5)\(ticks), legend columns=3,",
      "  legend style={at={(0.5,-0.3)}, anchor=north}]",
    ]
    for (k, component) in chunk.enumerated() {
      let color = colors[k % colors.count]
      let points = component.rows.compactMap { r in r.points.last.map { (r.layer, $0) } }
      let theory = points.map { ($0.0, $0.1.theory) }
      let leading = points.map { ($0.0, $0.1.leadingOrder) }
      lines.append(
        "\\addplot[check theory, color=\(color), forget plot] coordinates {"
          + coordinates(theory) + "};")
      if zip(theory, leading).contains(where: { abs($0.1 - $1.1) > 1e-12 * max(1, abs($0.1)) }) {
        lines.append(
          "\\addplot[check leading order, color=\(color), forget plot] coordinates {"
            + coordinates(leading) + "};")
      }
      let mc = points.filter {
        $0.1.estimate.value.isFinite && $0.1.estimate.standardError.isFinite
      }
      .map {
        "(\($0.0),\(plain($0.1.estimate.value))) +- (0,\(plain($0.1.estimate.standardError)))"
      }
      lines.append(
        "\\addplot[check mc, color=\(color), mark=\(marks[k % marks.count])] coordinates {"
          + mc.joined(separator: " ") + "};")
      lines.append(
        "\\addlegendentry{$"
          + names.component(quantity, component.indices, component.rows[0].symmetry)
          + "$}")
    }
    lines += ["\\end{axis}", "\\end{tikzpicture}"]
    return lines
  }

  /// Pictures two to a line.
  static func sideBySide(_ plots: [[String]]) -> [String] {
    var lines: [String] = []
    for start in stride(from: 0, to: plots.count, by: 2) {
      lines.append("\\noindent")
      lines += plots[start]
      if start + 1 < plots.count {
        lines.append("\\hfill")
        lines += plots[start + 1]
      }
      lines.append("")
    }
    return lines
  }

  // MARK: Width scaling

  static func scalingSection(_ report: CrossValidation.Report, names: Names) -> [String] {
    var lines = ["\\section*{Width scaling of the residual}"]
    guard (report.widths.count) >= 2 else {
      lines.append(
        text(
          "The scan has one width: run with --scan 1 or more to see how the residual falls with the width."
        ))
      return lines + [""]
    }
    lines.append(
      "$|\\mathrm{MC} - \\mathrm{theory}|$ against the width $n$ on log--log axes. Grey: each compared quantity of the statistic; black: their root mean square, and the root mean square of the Monte-Carlo standard error (dotted), the noise floor the residual cannot fall below with this number of networks. Blue: the slopes $-1$ and $-2$ through the first width; the solid one is the order $p$ the residual is expected to fall with (the rows' residual order, fitted in the verdict table). A correct theory follows the expected slope down to the noise floor; a wrong one levels off above it."
    )
    lines.append("")
    var plots: [[String]] = []
    for quantity in report.quantities {
      plots.append(
        scalingPlot(quantity, report.rows.filter { $0.quantity == quantity }, names: names))
    }
    lines += sideBySide(plots)
    return lines
  }

  static func scalingPlot(_ quantity: String, _ rows: [CrossValidation.Row], names: Names)
    -> [String]
  {
    let scaling = CheckReport.residualScaling(rows)
    let order = rows.first?.residualOrder ?? 1
    let allWidths = Set(rows.flatMap { $0.points.map(\.width) }).sorted().map(String.init)
      .joined(separator: ",")
    var lines = [
      "\\begin{tikzpicture}",
      "\\begin{axis}[check, xmode=log, ymode=log, log basis x=2, xlabel={width $n$},",
      "  title={$" + names.head(quantity) + "$: $|\\mathrm{MC}-\\mathrm{theory}|$},",
      "  xtick={\(allWidths)}, xticklabels={\(allWidths)},",
      "  legend columns=2, legend style={at={(0.5,-0.3)}, anchor=north}]",
    ]
    for r in rows {
      let points = r.points.map { (Double($0.width), abs($0.estimate.value - $0.theory)) }
      lines.append(
        "\\addplot[check row, forget plot] coordinates {" + logCoordinates(points) + "};")
    }
    lines.append(
      "\\addplot[check rms] coordinates {"
        + logCoordinates(scaling.map { ($0.width, $0.residual) }) + "};")
    lines.append("\\addlegendentry{rms residual}")
    lines.append(
      "\\addplot[check noise] coordinates {"
        + logCoordinates(scaling.map { ($0.width, $0.noise) }) + "};")
    lines.append("\\addlegendentry{rms s.e.}")
    if let first = scaling.first, let last = scaling.last, first.residual > 0,
      first.residual.isFinite
    {
      for p in [1, 2] {
        let style = p == order ? "check expected slope" : "check other slope"
        let line = [
          (first.width, first.residual),
          (last.width, first.residual * pow(last.width / first.width, -Double(p))),
        ]
        lines.append("\\addplot[\(style)] coordinates {" + logCoordinates(line) + "};")
        lines.append("\\addlegendentry{$n^{-\(p)}$" + (p == order ? " (expected)" : "") + "}")
      }
    }
    lines += ["\\end{axis}", "\\end{tikzpicture}"]
    return lines
  }

  // MARK: Verdict

  static func verdictSection(_ report: CrossValidation.Report, names: Names) -> [String] {
    let widths = report.widths.map { w in Set(w).count == 1 ? "\(w[0])" : "\(w)" }
    var lines = [
      "\\section*{Verdict}",
      "One line per compared quantity. LO: the leading-order theory; theory (with its $1/n$ correction) and MC at the largest width ($n = \(widths.last ?? "?")$); $p$: the order the residual $\\mathrm{MC} - \\mathrm{theory}$ is expected to fall with. The residual is fitted over the scan by $a + b\\,n^{-p}$; a quantity passes when the limit $a$ is within 4 standard errors of 0 (limit $z$) and the fit's $\\chi^2$ has a $p$-value of at least $6.3\\times 10^{-5}$ (fit $p$; -- without degrees of freedom). Detectable: the smallest constant error of the theory this run flags with 95\\,\\% probability; ${}^{*}$ marks a quantity the run cannot tell from zero.",
      "",
      // Centred, and free to use 30 pt of each (wide) margin: numbers written with powers of
      // ten make some columns wider than the text.
      "{\\footnotesize\\setlength{\\tabcolsep}{2.5pt}",
      "\\setlength{\\LTleft}{-30pt plus 1fill}\\setlength{\\LTright}{-30pt plus 1fill}",
      "\\begin{longtable}{@{}llrrrrrrrl@{}}",
      "\\hline",
      "quantity & layer & LO & theory & MC & s.e. & $p$ & limit $z$ & fit $p$ & detectable \\\\",
      "\\hline",
      "\\endhead",
      "\\hline",
      "\\endfoot",
    ]
    for r in report.rows {
      guard let last = r.points.last else { continue }
      let cells = [
        "$" + names.component(r.quantity, r.indices, r.symmetry) + "$",
        "\(r.layer)",
        "$" + number(last.leadingOrder, 4) + "$",
        "$" + number(last.theory, 4) + "$",
        "$" + number(last.estimate.value, 4) + "$",
        "$" + number(last.estimate.standardError, 2) + "$",
        "\(r.residualOrder)",
        "$" + String(format: "%+.2f", r.limitZ) + "$",
        r.degreesOfFreedom > 0 ? "$" + number(r.fitProbability, 2) + "$" : "--",
        "$" + number(r.detectable, 2) + "$" + (r.resolved ? "" : "${}^{*}$")
          + (r.passed ? " pass" : " \\textbf{FAIL}"),
      ]
      lines.append(cells.joined(separator: " & ") + " \\\\")
    }
    lines += ["\\end{longtable}", "}", ""]
    for sentence in CheckReport.summary(report) {
      lines.append(text(sentence))
      lines.append("")
    }
    return lines
  }

  // MARK: Text and numbers

  /// Plain text (the table's summary sentences, names, the sampler) made safe for LaTeX; `~`
  /// (about) and `|` (absolute value), which text fonts set as an accent and a dash, as math.
  static func text(_ s: String) -> String {
    LaTeXRenderer.escapingText(s.replacingOccurrences(of: "~", with: "∼"))
      .replacingOccurrences(of: "|", with: "$|$")
  }

  /// A number for math mode, `digits` significant digits, powers of ten written out.
  static func number(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return x.isNaN ? "\\mathrm{NaN}" : (x > 0 ? "\\infty" : "-\\infty") }
    let s = String(format: "%.\(digits)g", x)
    guard let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return s }
    let exponent = Int(s[s.index(after: e)...]) ?? 0
    return String(s[..<e]) + "\\times 10^{\(exponent)}"
  }

  /// A coordinate for pgfplots (it reads `1e-05`): 6 significant digits, far below what a plot
  /// resolves; the exact numbers are in check.json.
  static func plain(_ x: Double) -> String { String(format: "%.6g", x) }

  static func coordinates(_ points: [(Int, Double)]) -> String {
    points.filter { $0.1.isFinite }.map { "(\($0.0),\(plain($0.1)))" }.joined(separator: " ")
  }

  /// Coordinates of a log–log plot: points that are not positive and finite are left out.
  static func logCoordinates(_ points: [(Double, Double)]) -> String {
    points.filter { $0.0 > 0 && $0.1 > 0 && $0.0.isFinite && $0.1.isFinite }
      .map { "(\(plain($0.0)),\(plain($0.1)))" }.joined(separator: " ")
  }

  /// A coupling's or function's name in math mode (`C_W`).
  static func symbol(_ name: String) -> String {
    LaTeXRenderer().render(.symbol(Symbol.parameter(name)))
  }

  /// How the report writes the statistics: the book's heads (G1 as `G^{\{1\}}`, a rule applied
  /// to the report's own quantities), components with their input indices as subscripts.
  struct Names {
    var renderer: LaTeXRenderer

    init(_ report: CrossValidation.Report) {
      renderer = LaTeXRenderer(notation: Notation.book.taggingOrders(of: report.quantities))
    }

    func head(_ quantity: String) -> String {
      renderer.render(.tensor(TensorHead(quantity), []))
    }

    /// `{K}_{01}`, `{V}_{(00)(01)}`.
    func component(_ quantity: String, _ indices: [Int], _ symmetry: TensorSymmetry) -> String {
      let written =
        symmetry == .pairOfPairs && indices.count == 4
        ? SampleTensor.pairText(indices)
        : SampleTensor.indexText(indices)
      return "{" + head(quantity) + "}_{" + written + "}"
    }
  }
}
