import Algebra
import ArgumentParser
import Derivation
import Evaluation
import Foundation
import JSON
import Numerics
import Rendering

/// `derive continuum`: the depth-to-time limit t = ℓ/L of the derived recursions of a shaped
/// network, printed as ODEs, solved, and compared with the discrete recursion.
struct ContinuumCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "continuum",
    abstract:
      "Derive the continuum limit t = ℓ/L of the recursions of a shaped network: ODEs for K, G1, V.",
    discussion: """
      The couplings named by --scale shape the activation with the depth L: each becomes \
      γ = γ̂/√L (γ̂ is written γ in the output). The weight variance is derived: the exact \
      single-input kernel map of the activation is C_W K A(1/√L), and C_W is solved order by \
      order so that it stays fixed through O(L^{-3/2}). Every recursion the engine derives \
      from MODEL is expanded in 1/√L at equal widths; the 1/n statistics are written per unit \
      depth (V = L v, G1 = L g, so V/n = (L/n) v: depth/width is the expansion parameter); \
      averages of odd integrands are dropped. Each step must be the identity plus O(1/L); the \
      O(1/L) terms are the ODEs, and when the O(L^{-3/2}) terms vanish the discrete recursion \
      approaches their solution like 1/L. Activations: the exact ones (linear, relu, \
      leaky_relu:SLOPE, abs).

      With --input, the ODEs are solved by RK4 from the derived first layer (at L = ∞) up to \
      --time, with the error estimated by step doubling; with --compare, the discrete \
      recursion (as derive eval computes it, at the couplings of depth L) is iterated L steps \
      for each depth and its distance to the solution at t = 1 is printed with the fitted \
      power of L.

      Example (the shaped ReLU of Li, Nica and Roy 2022, s± = 1 ± γ̂/√L):
        derive continuum Derivations/shaped-relu.model --activation abs --scale gamma
        derive continuum Derivations/shaped-relu.model --activation abs --scale gamma \\
            --set gamma=1 --input 1,0 --input 0.6,0.8 --compare 16,32,64
      """)

  @Argument(help: "Model file or built-in model name.")
  var model: String

  @Option(
    help: ArgumentHelp(
      "The activation of the model's function: linear, relu, leaky_relu:SLOPE, abs.",
      valueName: "ACTIVATION"))
  var activation: String

  @Option(
    name: .customLong("scale"),
    help: ArgumentHelp(
      "A coupling of the activation's shape, scaled as NAME = c/√L (repeatable).",
      valueName: "NAME"))
  var shape: [String] = []

  @Option(
    name: .customLong("set"),
    help: ArgumentHelp(
      "The value c of a scaled coupling (NAME = c/√L), for --input (repeatable).",
      valueName: "NAME=VALUE"))
  var values: [String] = []

  @Option(help: "One input vector, comma-separated (repeat for several inputs): solve the ODEs.")
  var input: [String] = []

  @Option(help: "The time t = ℓ/L the ODEs are solved to (default 1).")
  var time: Double = 1

  @Option(help: "RK4 steps (the solution uses twice as many; default 16).")
  var steps: Int = 16

  @Option(
    help: ArgumentHelp(
      "Comma-separated depths L: compare the discrete recursion after L steps with the solution at t = 1.",
      valueName: "L1,L2,…"))
  var compare: String?

  @Option(help: "Output format: text, latex or json.")
  var format: Format = .text

  enum Format: String, ExpressibleByArgument { case text, latex, json }

  func execute(into out: inout CommandOutput) throws {
    let (model, _) = try ModelLoading.load(self.model)
    let exact: ActivationSpecialization
    do {
      exact = try ActivationSpecialization.parse(activation)
    } catch {
      throw CommandFailure.usage(
        "\(error) (the continuum limit uses the exact closed forms)")
    }
    let derivation: DerivationResult
    let limit: ContinuumLimit
    do {
      derivation = try DerivationPipeline(model).run()
      limit = try ContinuumLimit(
        model: model, result: derivation, activation: exact, shape: shape)
    } catch let e as DerivationError {
      throw CommandFailure.usage(e.description)
    } catch let e as SpecializationError {
      throw CommandFailure.usage(e.description)
    }
    let numbers = try self.numbers(model: model, derivation: derivation, limit: limit, exact)
    let statistics = model.statistics.map(\.name)
    switch format {
    case .text: out.write(Self.text(limit, model: model, statistics: statistics, numbers))
    case .latex: out.write(Self.latex(limit, model: model, statistics: statistics))
    case .json: out.write(Self.json(limit, statistics: statistics, numbers))
    }
  }

  /// The solution and the comparison with the discrete recursion, when asked for.
  struct Numbers {
    var solver: ContinuumSolver
    var solution: ContinuumSolver.Solution
    var comparison: [(depth: Int, differences: [(name: String, difference: Double)])]
    var slopes: [(name: String, slope: Double)]
  }

  func numbers(
    model: Model, derivation: DerivationResult, limit: ContinuumLimit,
    _ exact: ActivationSpecialization
  ) throws -> Numbers? {
    guard !input.isEmpty else {
      if compare != nil || !values.isEmpty {
        throw CommandFailure.usage("error: --set and --compare need the inputs (--input)")
      }
      return nil
    }
    guard steps >= 1, steps <= 10_000 else {
      throw CommandFailure.usage("error: --steps must be between 1 and 10000 (got \(steps))")
    }
    guard time.isFinite, time > 0, time <= 100 else {
      throw CommandFailure.usage("error: --time must be in (0, 100] (got \(time))")
    }
    var shapeValues: [String: Double] = [:]
    for v in values {
      let parts = v.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, shape.contains(parts[0]), let x = Double(parts[1]), x.isFinite
      else {
        throw CommandFailure.usage(
          "error: --set expects NAME=VALUE with NAME a coupling given to --scale (\(shape.joined(separator: ", "))), got '\(v)'"
        )
      }
      shapeValues[parts[0]] = x
    }
    let inputs = try input.map { text -> [Double] in
      let xs = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
      guard !xs.isEmpty, xs.allSatisfy({ $0?.isFinite ?? false }) else {
        throw CommandFailure.usage("error: --input expects comma-separated numbers, got '\(text)'")
      }
      return xs.compactMap { $0 }
    }
    let depths = try (compare ?? "").split(separator: ",").map { s -> Int in
      guard let d = Int(s.trimmingCharacters(in: .whitespaces)), d >= 1, d <= 10_000 else {
        throw CommandFailure.usage("error: --compare expects depths 1…10000, got '\(s)'")
      }
      return d
    }
    if !depths.isEmpty && time != 1 {
      throw CommandFailure.usage("error: --compare compares at t = 1 (leave out --time)")
    }
    let solver = ContinuumSolver(
      limit: limit, model: model, derivation: derivation, shape: shapeValues, inputs: inputs,
      activation: Self.numeric(exact))
    do {
      let solution = try solver.solve(until: time, steps: steps)
      let comparison = try depths.map { d in
        (d, solver.differences(try solver.discrete(depth: d), solution.state))
      }
      var slopes: [(String, Double)] = []
      if depths.count >= 2 {
        for (k, e) in limit.equations.enumerated() {
          let ds = comparison.map { Double($0.0) }
          let ys = comparison.map { $0.1[k].difference }
          if ys.allSatisfy({ $0 > 0 }) {
            slopes.append((e.statistic.name, ContinuumSolver.logLogSlope(ds, ys)))
          }
        }
      }
      return Numbers(
        solver: solver, solution: solution, comparison: comparison, slopes: slopes)
    } catch let e as EvaluationError {
      throw CommandFailure.usage(e.description)
    }
  }

  /// The numeric backend's activation for an exact one (slopes a, 1).
  static func numeric(_ exact: ActivationSpecialization) -> Activation {
    switch exact {
    case .linear: return .linear
    case .piecewiseLinear(_, let a, _):
      return a.isZero ? .relu : .leakyRelu(slope: a.doubleValue)
    }
  }

  static let sqrtDepth = Symbol.parameter("sqrtL")
  static let depth = Symbol.parameter("L")

  /// Σ c_k L^{-k/2}, the coupling's series.
  static func series(_ s: ContinuumLimit.Scaling) -> Expression {
    var e = Expression.zero
    for (k, c) in s.series.enumerated() {
      e = e + c * .symbol(depth, power: -(k / 2)) * .symbol(sqrtDepth, power: -(k % 2))
    }
    return e.canonicalized()
  }

  static func notation(_ statistics: [String], latex: Bool) -> Notation {
    var n = Notation.book.taggingOrders(of: statistics)
    n.symbols[sqrtDepth.name] = latex ? "\\sqrt{L}" : "√L"
    return n
  }

  static func header(_ limit: ContinuumLimit, model: Model) -> [String] {
    let shaped = limit.scalings.filter { !$0.derived }.map(\.coupling.name)
    let scaled = limit.equations.filter { $0.depthPower > 0 }.map { e in
      e.depthPower == 1 ? "\(e.statistic.name)/L" : "\(e.statistic.name)/L^\(e.depthPower)"
    }
    var lines = [
      "model: \(model.name)",
      "activation: \(limit.function.name) = \(limit.activation.name)",
      "time t = ℓ/L; every statistic below is at time t, widths equal. Scaled with the depth L: "
        + shaped.map { "\($0) → \($0)/√L" }.joined(separator: ", ")
        + "; below, each scaled coupling stands for its coefficient of 1/√L.",
    ]
    if !scaled.isEmpty {
      lines.append(
        "The 1/n statistics grow like the depth: below, "
          + limit.equations.filter { $0.depthPower > 0 }.map(\.statistic.name).joined(
            separator: " and ")
          + " denote " + scaled.joined(separator: " and ")
          + " (a 1/n term X/n = (L/n)·X/L: depth/width is the expansion parameter).")
    }
    return lines
  }

  static func footer(_ limit: ContinuumLimit) -> String {
    if limit.convergesLikeInverseDepth {
      return
        "The O(L^{-3/2}) terms of every step vanish: the discrete recursion approaches the solution like 1/L."
    }
    let names = limit.equations.filter { !$0.nextOrder.isZero }.map(\.statistic.name)
    return
      "The O(L^{-3/2}) terms of the step of \(names.joined(separator: ", ")) do not vanish: the discrete recursion approaches the solution like 1/√L."
  }

  static func text(
    _ limit: ContinuumLimit, model: Model, statistics: [String], _ numbers: Numbers?
  ) -> String {
    let r = TextRenderer(notation: notation(statistics, latex: false))
    var lines = header(limit, model: model)
    for s in limit.scalings where s.derived {
      lines.append(
        "Weight variance (derived: the single-input kernel map stays fixed through O(L^{-3/2})): "
          + r.renderEquation(lhs: .symbol(s.coupling), rhs: series(s)))
    }
    lines.append("")
    for e in limit.equations {
      lines.append(
        "d/dt " + r.render(ContinuumLimit.atTime(e.variable)) + " = "
          + r.render(ContinuumLimit.atTime(e.rhs)))
    }
    lines.append("")
    lines.append(footer(limit))
    if let numbers { lines += numberLines(numbers, limit: limit) }
    return lines.joined(separator: "\n") + "\n"
  }

  static func numberLines(_ n: Numbers, limit: ContinuumLimit) -> [String] {
    var lines = [
      "",
      "Solution (RK4, \(n.solution.steps) steps; estimated error \(String(format: "%.1e", n.solution.errorEstimate)) from step doubling):",
    ]
    let s = n.solver.inputs.count
    for e in limit.equations {
      guard let values = n.solution.state[e.statistic.name] else { continue }
      let tensor = SampleTensor(rank: e.statistic.rank, sampleCount: s, values: values)
      var entries: [String] = []
      for k in values.indices {
        let idx = tensor.indices(at: k)
        // Each distinct entry once: indices in non-decreasing order within the listing.
        guard idx == idx.sorted() || e.statistic.rank == 4 && isPairCanonical(idx) else {
          continue
        }
        entries.append(
          "\(e.statistic.name)[\(idx.map(String.init).joined())] = \(EvalCommand.number(values[k]))"
        )
      }
      lines.append("  " + entries.joined(separator: "   "))
    }
    if !n.comparison.isEmpty {
      lines.append("")
      lines.append(
        "Discrete recursion after L steps (couplings of depth L, 1/n statistics divided by L) minus the solution at t = 1, largest entry:"
      )
      let names = limit.equations.map(\.statistic.name)
      lines.append(
        "  "
          + (["L"] + names).map { $0.padding(toLength: 12, withPad: " ", startingAt: 0) }
          .joined())
      for (d, diffs) in n.comparison {
        let cells = ["\(d)"] + diffs.map { String(format: "%.4e", $0.difference) }
        lines.append(
          "  " + cells.map { $0.padding(toLength: 12, withPad: " ", startingAt: 0) }.joined())
      }
      if !n.slopes.isEmpty {
        lines.append(
          "  fitted power of L: "
            + n.slopes.map { "\($0.name) \(String(format: "%.3f", $0.slope))" }.joined(
              separator: ", "))
      }
    }
    return lines
  }

  /// A rank-4 index tuple (a1 a2)(a3 a4) listed once under the pair symmetry.
  static func isPairCanonical(_ i: [Int]) -> Bool {
    i[0] <= i[1] && i[2] <= i[3] && (i[0], i[1]) <= (i[2], i[3])
  }

  static func latex(_ limit: ContinuumLimit, model: Model, statistics: [String]) -> String {
    let r = LaTeXRenderer(notation: notation(statistics, latex: true))
    var lines = header(limit, model: model).map { "% " + $0 }
    lines.append("\\begin{align}")
    var rows: [String] = []
    for s in limit.scalings where s.derived {
      rows.append(r.render(.symbol(s.coupling)) + " &= " + r.render(series(s)))
    }
    for e in limit.equations {
      rows.append(
        "\\frac{d}{dt} " + r.render(ContinuumLimit.atTime(e.variable)) + " &= "
          + r.render(ContinuumLimit.atTime(e.rhs)))
    }
    lines.append(rows.joined(separator: " \\\\\n"))
    lines.append("\\end{align}")
    lines.append("% " + footer(limit))
    return lines.joined(separator: "\n") + "\n"
  }

  static func json(_ limit: ContinuumLimit, statistics: [String], _ numbers: Numbers?) -> String {
    let text = TextRenderer(notation: notation(statistics, latex: false))
    let latex = LaTeXRenderer(notation: notation(statistics, latex: true))
    var members: [(String, JSONValue)] = [
      (
        "couplings",
        .object(
          limit.scalings.map { s in
            (
              s.coupling.name,
              .object([
                ("text", .string(text.render(series(s)))),
                ("latex", .string(latex.render(series(s)))),
                ("derived", .bool(s.derived)),
              ])
            )
          })
      ),
      (
        "equations",
        .array(
          limit.equations.map { e in
            .object([
              ("statistic", .string(e.statistic.name)),
              ("depth_power", .int(e.depthPower)),
              ("text", .string(text.render(ContinuumLimit.atTime(e.rhs)))),
              ("latex", .string(latex.render(ContinuumLimit.atTime(e.rhs)))),
            ])
          })
      ),
      ("converges_like_inverse_depth", .bool(limit.convergesLikeInverseDepth)),
    ]
    if let numbers {
      members.append(
        (
          "solution",
          .object(
            [
              ("steps", .int(numbers.solution.steps)),
              ("error_estimate", .double(numbers.solution.errorEstimate)),
            ]
              + limit.equations.map { e in
                (
                  e.statistic.name,
                  .array((numbers.solution.state[e.statistic.name] ?? []).map { .double($0) })
                )
              })
        ))
      if !numbers.comparison.isEmpty {
        members.append(
          (
            "comparison",
            .array(
              numbers.comparison.map { c in
                .object(
                  [("L", .int(c.depth))]
                    + c.differences.map { ($0.name, JSONValue.double($0.difference)) })
              })
          ))
        members.append(
          ("fitted_power", .object(numbers.slopes.map { ($0.name, .double($0.slope)) })))
      }
    }
    return JSONValue.object(members).serialized() + "\n"
  }
}
