import Algebra
import Derivation
import Foundation
import GaussianCalculus
import Rendering

/// The derived equations of a model, grouped in sections, ready to be rendered in any format.
/// Specialisations (single input, activation closed forms) are transformations of this value.
struct Presentation {
  struct Section {
    var title: String
    var equations: [Equation]
  }

  var modelName: String
  var sections: [Section]
  var steps: [DerivationStep]
  var notes: [String] = []
  let model: Model
  let result: DerivationResult
  var isSingleInput = false

  init(model: Model, source: String, result: DerivationResult) {
    self.model = model
    self.result = result
    modelName = model.name
    steps = result.steps
    sections = []
    if !result.initialConditions.isEmpty {
      sections.append(
        Section(
          title: "Initial conditions (first layer)",
          equations: result.initialConditions.map { Equation(lhs: $0.lhs, rhs: $0.rhs) }))
    }
    if !result.recursions.isEmpty {
      sections.append(
        Section(
          title: "Recursions (layer ℓ → ℓ+1, order 1/n)",
          equations: result.recursions.map { Equation(lhs: $0.lhs, rhs: $0.rhs) }))
    }
  }

  var statisticNames: Set<String> {
    Set(model.statistics.map(\.name))
  }

  /// The activation function used by the model's map (the first one found).
  var function: FunctionHead? {
    for t in (model.map?.rhs.terms ?? []) {
      for f in t.monomial.factors { if case .function(let g) = f { return g.head } }
    }
    return nil
  }

  func singleInput() -> Presentation {
    var p = self
    let s = SingleInput(statistics: statisticNames)
    p.sections = sections.map { sec in
      Section(
        title: sec.title,
        equations: sec.equations.map { Equation(lhs: s.apply($0.lhs), rhs: s.apply($0.rhs)) })
    }
    p.isSingleInput = true
    if let kernel = result.recursions.first(where: { $0.quantity == model.state?.metric.name }),
      let metric = model.incoming?.metric
    {
      let chi = Susceptibilities(
        kernel: kernel.rhs, metric: metric, samples: (.sample("alpha1"), .sample("alpha2")),
        singleInput: s)
      let layer = metric.layer
      p.sections.append(
        Section(
          title: "Susceptibilities (single input)",
          equations: [
            Equation(lhs: .symbol(Self.chiParallel(layer)), rhs: chi.parallel),
            Equation(lhs: .symbol(Self.chiPerpendicular(layer)), rhs: chi.perpendicular),
          ]))
    }
    return p
  }

  func specialized(to activation: ActivationSpecialization) throws -> Presentation {
    var p = self
    guard let function else {
      throw CommandFailure.usage("error: the model has no activation function to specialise")
    }
    if activation.requiresSingleInput && !isSingleInput {
      throw CommandFailure.usage(
        "error: exact closed forms for '\(activation.name)' need --single-input (multi-input averages of piecewise-linear activations involve arccos)"
      )
    }
    do {
      p.sections = try sections.map { sec in
        Section(
          title: sec.title,
          equations: try sec.equations.map { eq in
            let rhs =
              isSingleInput
              ? try activation.applySingleInput(eq.rhs, function: function)
              : activation.applyLinear(eq.rhs, function: function)
            return Equation(lhs: eq.lhs, rhs: rhs)
          })
      }
    } catch let e as ActivationSpecialization.DistributionalIntegrand {
      throw CommandFailure.usage(e.description)
    }
    p.sections = p.sections.map { sec in
      var s = sec
      s.title += " — σ = \(activation.name)"
      return s
    }
    if isSingleInput, let metric = model.incoming?.metric {
      func rhs(of lhs: Symbol) -> Expression? {
        p.sections.flatMap(\.equations).first { $0.lhs == .symbol(lhs) }?.rhs
      }
      if let k = rhs(of: .parameter(metric.name, layer: metric.layer?.shifted(by: 1))),
        let par = rhs(of: Self.chiParallel(metric.layer)),
        let perp = rhs(of: Self.chiPerpendicular(metric.layer)),
        let crit = Criticality(
          kernel: k, parallel: par, perpendicular: perp, metric: SingleInput.scalar(metric))
      {
        p.sections.append(
          Section(
            title: "Criticality (χ_∥ = χ_⊥ = 1 at a fixed point K★)",
            equations: [
              Equation(lhs: .symbol(.parameter("C_b")), rhs: Expression(crit.cb)),
              Equation(lhs: .symbol(.parameter("C_W")), rhs: Expression(crit.cw)),
            ]))
      } else {
        p.notes.append("No closed-form criticality solution for σ = \(activation.name).")
      }
    }
    return p
  }

  /// The symbols naming the susceptibilities χ_∥ and χ_⊥ of a layer.
  static func chiParallel(_ layer: Layer?) -> Symbol { .parameter("chi_parallel", layer: layer) }
  static func chiPerpendicular(_ layer: Layer?) -> Symbol { .parameter("chi_perp", layer: layer) }

  // MARK: Rendering

  static let latexNotation: Notation = {
    var n = Notation.book
    n.symbols["chi_parallel"] = "chi_{\\parallel}"
    n.symbols["chi_perp"] = "chi_{\\perp}"
    return n
  }()

  static let textNotation: Notation = {
    var n = Notation.book
    n.symbols["chi_parallel"] = "χ_∥"
    n.symbols["chi_perp"] = "χ_⊥"
    return n
  }()

  func render(format: OutputFormat, document: Bool, steps showSteps: Bool) -> String {
    switch format {
    case .latex: return renderLaTeX(document: document, steps: showSteps)
    case .text: return renderText(steps: showSteps)
    case .json: return renderJSON(steps: showSteps)
    case .sympy:
      return "# derive: model \(modelName)\n"
        + SymPyRenderer(notation: Self.textNotation).script(sections.flatMap(\.equations))
    case .mathematica:
      let r = MathematicaRenderer(notation: Self.textNotation)
      return "(* derive: model \(modelName) *)\n"
        + sections.flatMap(\.equations).map { r.render($0) + ";" }.joined(separator: "\n") + "\n"
    }
  }

  func renderLaTeX(document: Bool, steps showSteps: Bool) -> String {
    let r = LaTeXRenderer(
      notation: Self.latexNotation, options: .init(layout: .book, breaksLinesBetweenBlocks: false))
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
    for s in sections {
      lines.append(
        document ? "\\subsection*{" + LaTeXRenderer.escapingText(s.title) + "}" : "% " + s.title)
      lines.append("\\begin{align}")
      lines.append(r.renderEquations(s.equations))
      lines.append("\\end{align}")
    }
    for note in notes { lines.append(document ? LaTeXRenderer.escapingText(note) : "% " + note) }
    if showSteps {
      for step in steps {
        lines.append(
          document
            ? "\\subsection*{" + LaTeXRenderer.escapingText(step.title) + "}"
            : "% step: " + step.title)
        lines.append("\\begin{multline*}")
        lines.append(r.render(step.expression))
        lines.append("\\end{multline*}")
      }
    }
    if document { lines.append("\\end{document}") }
    return lines.joined(separator: "\n") + "\n"
  }

  func renderText(steps showSteps: Bool) -> String {
    let r = TextRenderer(notation: Self.textNotation, layout: .book)
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
