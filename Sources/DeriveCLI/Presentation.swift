import Algebra
import Derivation
import Foundation
import Rendering

/// The derived equations of a model, grouped in sections, ready to be rendered in any format.
/// What the sections hold (the specialisations to a single input and to an activation, the
/// criticality conditions) is the derivation's ``Specialization``; this value only arranges
/// and renders it.
struct Presentation {
  struct Section {
    var title: String
    var equations: [Equation]
  }

  var modelName: String
  var sections: [Section]
  var steps: [DerivationStep]
  var notes: [String]
  /// The model's statistics (their order tags are typeset like the book's G^{\{1\}}).
  var statistics: [String]

  init(_ specialization: Specialization) {
    statistics = specialization.model.statistics.map(\.name)
    modelName = specialization.model.name
    steps = specialization.result.steps
    sections = specialization.sections.map { s in
      Section(title: s.title, equations: s.equations.map { Equation(lhs: $0.lhs, rhs: $0.rhs) })
    }
    notes = specialization.notes
  }

  // MARK: Rendering

  var latexNotation: Notation {
    var n = Notation.book.taggingOrders(of: statistics)
    n.symbols[Specialization.chiParallel(nil).name] = "chi_{\\parallel}"
    n.symbols[Specialization.chiPerpendicular(nil).name] = "chi_{\\perp}"
    return n
  }

  var textNotation: Notation {
    var n = Notation.book.taggingOrders(of: statistics)
    n.symbols[Specialization.chiParallel(nil).name] = "χ_∥"
    n.symbols[Specialization.chiPerpendicular(nil).name] = "χ_⊥"
    return n
  }

  func render(format: OutputFormat, document: Bool, steps showSteps: Bool) -> String {
    switch format {
    case .latex: return renderLaTeX(document: document, steps: showSteps)
    case .text: return renderText(steps: showSteps)
    case .json: return renderJSON(steps: showSteps)
    case .sympy:
      return "# derive: model \(modelName)\n"
        + SymPyRenderer(notation: textNotation).script(sections.flatMap(\.equations))
    case .mathematica:
      let r = MathematicaRenderer(notation: textNotation)
      return "(* derive: model \(modelName) *)\n"
        + sections.flatMap(\.equations).map { r.render($0) + ";" }.joined(separator: "\n") + "\n"
    }
  }

  func renderLaTeX(document: Bool, steps showSteps: Bool) -> String {
    // A document breaks long equations to fit the article class's text width; the fragment
    // printed without --document keeps one line per equation (for pasting into any layout).
    let r = LaTeXRenderer(
      notation: latexNotation,
      options: .init(
        layout: .book, breaksLinesBetweenBlocks: false,
        textWidth: document ? LaTeXRenderer.articleTextWidth : nil))
    var lines: [String] = []
    if document {
      lines += [
        "\\documentclass{article}", "\\usepackage{amsmath}", "\\allowdisplaybreaks",
        "\\begin{document}",
        "\\section*{" + LaTeXRenderer.escapingText("Model: \(modelName)") + "}",
      ]
    } else {
      lines.append("% derive: model \(modelName)")
    }
    if document {
      lines += documentSections(heading: "subsection")
    } else {
      for s in sections {
        lines.append("% " + s.title)
        lines.append("\\begin{align}")
        lines.append(r.renderEquations(s.equations))
        lines.append("\\end{align}")
      }
      for note in notes { lines.append("% " + note) }
    }
    if showSteps {
      for step in steps {
        lines.append(
          document
            ? "\\subsection*{" + LaTeXRenderer.escapingText(step.title) + "}"
            : "% step: " + step.title)
        if document {
          // One line as an equation (multline would stretch its spaces to the full width).
          let broken = r.renderLines(
            step.expression, width: LaTeXRenderer.articleTextWidth - Self.multlineGap)
          let environment = broken.count > 1 ? "multline*" : "equation*"
          lines.append("\\begin{\(environment)}")
          lines.append(broken.joined(separator: " \\\\\n"))
          lines.append("\\end{\(environment)}")
        } else {
          lines.append("\\begin{multline*}")
          lines.append(r.render(step.expression))
          lines.append("\\end{multline*}")
        }
      }
    }
    if document { lines.append("\\end{document}") }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The sections and notes as document text: a `\\HEADING*{title}` and an `align` per
  /// section, equations broken to fit the article class's text width. The body of
  /// `--document`, and the recursions of the check's report.
  func documentSections(heading: String) -> [String] {
    let r = LaTeXRenderer(
      notation: latexNotation,
      options: .init(layout: .book, textWidth: LaTeXRenderer.articleTextWidth))
    var lines: [String] = []
    for s in sections {
      lines.append("\\\(heading)*{" + LaTeXRenderer.escapingText(s.title) + "}")
      lines.append("\\begin{align}")
      lines.append(r.renderEquations(s.equations))
      lines.append("\\end{align}")
    }
    for note in notes { lines.append(LaTeXRenderer.escapingText(note)) }
    return lines
  }

  /// `multline`'s indentation of its first and last lines (amsmath's `\\multlinegap`, 10 pt).
  static let multlineGap = 10.0

  func renderText(steps showSteps: Bool) -> String {
    let r = TextRenderer(notation: textNotation, layout: .book)
    var lines = ["model: \(modelName)"]
    for s in sections {
      lines.append("")
      lines.append("## " + s.title)
      for eq in s.equations { lines.append(r.renderEquation(lhs: eq.lhs, rhs: eq.rhs)) }
    }
    for note in notes { lines.append("note: " + note) }
    if showSteps {
      for step in steps {
        lines.append("")
        lines.append("## step: " + step.title)
        lines.append(r.render(step.expression))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
