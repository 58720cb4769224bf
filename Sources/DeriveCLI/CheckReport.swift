import Algebra
import Derivation
import Evaluation
import Foundation
import JSON
import Sampling

/// Text, JSON, CSV and SVG forms of a ``CrossValidation/Report``. Rows keep the report's order
/// (layer, quantity, indices), never dictionary order.
enum CheckReport {
  static func f(_ x: Double, _ digits: Int = 6) -> String { String(format: "%.\(digits)g", x) }

  static func name(_ r: CrossValidation.Row) -> String {
    r.symmetry == .pairOfPairs
      ? "\(r.quantity)[\(SampleTensor.pairText(r.indices))]"
      : "\(r.quantity)[\(SampleTensor.indexText(r.indices))]"
  }

  static func table(_ report: CrossValidation.Report, header: String) -> String {
    var lines = [header, ""]
    let widths = report.widths.map { "n=\($0[0])" }.joined(separator: " ")
    lines.append(
      "quantity        layer  LO theory     theory(+1/n)  MC (largest n) ± s.e.        z per width [\(widths)]   residual·n^p per width                  limit z    fit p      detectable  verdict"
    )
    for r in report.rows {
      guard let last = r.points.last else { continue }
      let z = r.points.map { String(format: "%+.1f", $0.zScore) }.joined(separator: " ")
      let scaled = r.points.map { f($0.scaledResidual, 3) }.joined(separator: " ")
      lines.append(
        name(r).padding(toLength: 16, withPad: " ", startingAt: 0)
          + String(r.layer).padding(toLength: 7, withPad: " ", startingAt: 0)
          + f(last.leadingOrder).padding(toLength: 14, withPad: " ", startingAt: 0)
          + f(last.theory).padding(toLength: 14, withPad: " ", startingAt: 0)
          + "\(f(last.estimate.value)) ± \(f(last.estimate.standardError, 2))".padding(
            toLength: 29, withPad: " ", startingAt: 0)
          + z.padding(toLength: 30, withPad: " ", startingAt: 0)
          + scaled.padding(toLength: 40, withPad: " ", startingAt: 0)
          + String(format: "%+.2f", r.limitZ).padding(toLength: 11, withPad: " ", startingAt: 0)
          + (r.degreesOfFreedom > 0 ? f(r.fitProbability, 2) : "-").padding(
            toLength: 11, withPad: " ", startingAt: 0)
          + (f(r.detectable, 2) + (r.resolved ? "" : " *")).padding(
            toLength: 12, withPad: " ", startingAt: 0)
          + (r.passed ? "pass" : "FAIL"))
    }
    lines.append("")
    lines.append(contentsOf: summary(report))
    return lines.joined(separator: "\n") + "\n"
  }

  /// The verdict, what the run could detect, and the negative control's reading.
  static func summary(_ report: CrossValidation.Report) -> [String] {
    var lines: [String] = []
    let failed = report.rows.filter { !$0.passed }.count
    lines.append(
      report.passed
        ? "PASS: \(report.rows.count) quantities agree with the theory (fitted residual at n → ∞ within 4 s.e., and the fit's χ² p-value at least 6.3e-5)."
        : "FAIL: \(failed) of \(report.rows.count) quantities disagree with the theory.")
    lines.append(estimatorsSentence(report.estimators))
    lines.append(
      "detectable: the smallest constant error of a quantity's theory that this run flags with 95% probability ((4 + 1.645) s.e. of the fitted limit)."
    )
    var power: [String] = []
    for quantity in report.quantities {
      let ratios = report.rows.filter { $0.quantity == quantity }.compactMap {
        r -> Double? in
        let value = abs(r.points.last?.theory ?? 0)
        return value > CrossValidation.Row.zero ? r.detectable / value : nil
      }.sorted()
      guard !ratios.isEmpty else { continue }
      power.append(
        "\(quantity) \(percent(ratios[ratios.count / 2])) (best \(percent(ratios[0])), worst \(percent(ratios[ratios.count - 1])))"
      )
    }
    if !power.isEmpty {
      lines.append(
        "detectable relative to |theory|, median over rows: " + power.joined(separator: "; "))
    }
    let unresolved = report.rows.filter { !$0.resolved }
    lines.append(
      unresolved.isEmpty
        ? "resolved: every quantity (a theory of zero for any of them would have been flagged)."
        : "not resolved (*: detectable ≥ |theory|, so this run cannot tell the value from zero): "
          + unresolved.map { "\(name($0)) at layer \($0.layer)" }.joined(separator: ", ") + ".")
    if let control = report.negativeControl {
      lines.append(
        report.passed
          ? "negative control (\(control) removed from the theory): the run PASSES without \(control), so it has no power to confirm \(control)."
          : "negative control (\(control) removed from the theory): FAILS as it must — the run has the power to see \(control)."
      )
    }
    return lines
  }

  /// What each compared statistic's estimator is:
  /// "(K: MC two-point vs K + G1/n, residual ~1/n²; V: n·(connected four-point) vs V and G1:
  /// n·(MC − K) vs G1, residual ~1/n.)" for the MLP's names.
  static func estimatorsSentence(_ e: MonteCarloEstimators) -> String {
    let k = e.metric.name
    var parts = [
      e.correction.map { "\(k): MC two-point vs \(k) + \($0.name)/n, residual ~1/n²" }
        ?? "\(k): MC two-point vs \(k), residual ~1/n"
    ]
    var linear: [String] = []
    if let v = e.vertex { linear.append("\(v.name): n·(connected four-point) vs \(v.name)") }
    if let g = e.correction { linear.append("\(g.name): n·(MC − \(k)) vs \(g.name)") }
    if !linear.isEmpty { parts.append(linear.joined(separator: " and ") + ", residual ~1/n") }
    if let ntk = e.ntk { parts += ntkEstimatorParts(ntk) }
    return "(" + parts.joined(separator: "; ") + ".)"
  }

  /// The NTK statistics' estimators (``Sampling/NTKSampler``: H̄ = E[Ĥ_ii | previous layer],
  /// Ĝ = E[z_i z_i | previous layer], and for i ≠ k the conditional E[Ĥ_ik Ĥ_ik] and
  /// E[Ĥ_ik z_i z_k]), in the sentence's form.
  static func ntkEstimatorParts(_ e: NTKEstimators) -> [String] {
    var parts: [String] = []
    if let mean = e.mean {
      parts.append(
        e.meanCorrection.map {
          "\(mean.name): MC mean NTK E[H̄] vs \(mean.name) + \($0.name)/n, residual ~1/n²"
        } ?? "\(mean.name): MC mean NTK E[H̄] vs \(mean.name), residual ~1/n")
    }
    var linear: [String] = []
    if let mean = e.mean, let c = e.meanCorrection {
      linear.append("\(c.name): n·(MC − \(mean.name)) vs \(c.name)")
    }
    let fourIndex: [(Statistic?, String)] = [
      (e.diagonalCovariance, "n·Cov(H̄, H̄)"),
      (e.offDiagonalCovariance, "n·E[Ĥ_ik Ĥ_ik] (i ≠ k)"),
      (e.diagonalCrossCorrelation, "n·Cov(H̄, Ĝ)"),
      (e.offDiagonalCrossCorrelation, "n·E[Ĥ_ik z_i z_k] (i ≠ k)"),
    ]
    for case let (statistic?, estimator) in fourIndex {
      linear.append("\(statistic.name): \(estimator) vs \(statistic.name)")
    }
    if !linear.isEmpty { parts.append(linear.joined(separator: ", ") + ", residual ~1/n") }
    return parts
  }

  static func percent(_ x: Double) -> String {
    x < 0.1 ? String(format: "%.1f%%", 100 * x) : String(format: "%.0f%%", 100 * x)
  }

  /// `check.json`: the run and one object per row, each row on a line of its own. Numbers with
  /// 17 significant digits (they read back exactly), `null` where not finite.
  static func json(_ report: CrossValidation.Report, header: String, sampler: String? = nil)
    -> String
  {
    func number(_ x: Double) -> JSONValue { .double(x, .significantDigits(17)) }
    let rows = report.rows.map { r -> JSONValue in
      let points = r.points.map { p -> JSONValue in
        .object([
          ("width", .int(p.width)), ("lo", number(p.leadingOrder)), ("theory", number(p.theory)),
          ("mc", number(p.estimate.value)), ("se", number(p.estimate.standardError)),
          ("z", number(p.zScore)),
        ])
      }
      return .object([
        ("quantity", .string(r.quantity)), ("layer", .int(r.layer)),
        ("indices", .array(r.indices.map(JSONValue.int))),
        ("residual_order", .int(r.residualOrder)), ("points", .array(points)),
        ("limit_residual", number(r.limitResidual.value)),
        ("limit_residual_se", number(r.limitResidual.standardError)),
        ("limit_z", number(r.limitZ)), ("chi_square", number(r.chiSquare)),
        ("degrees_of_freedom", .int(r.degreesOfFreedom)), ("fit_p", number(r.fitProbability)),
        ("detectable", number(r.detectable)), ("resolved", .bool(r.resolved)),
        ("passed", .bool(r.passed)),
      ])
    }
    var members: [(String, JSONValue)] = [("header", .string(header))]
    if let sampler { members.append(("sampler", .string(sampler))) }
    members += [
      ("networks", .int(report.networks)), ("seed", .number(JSONNumber(report.seed))),
      ("passed", .bool(report.passed)),
      ("negative_control", report.negativeControl.map(JSONValue.string) ?? .null),
      (
        "unresolved",
        .array(report.rows.filter { !$0.resolved }.map { .string("\(name($0))@\($0.layer)") })
      ),
      ("rows", .array(rows)),
    ]
    return JSONValue.object(members).serialized(JSONStyle(recordArrays: ["rows"])) + "\n"
  }

  static func csv(_ report: CrossValidation.Report) -> String {
    var lines = [
      "quantity,layer,indices,width,lo_theory,theory,mc,se,z,residual_order,limit_z,passed"
    ]
    for r in report.rows {
      for p in r.points {
        lines.append(
          [
            r.quantity, String(r.layer), SampleTensor.indexText(r.indices), String(p.width),
            f(p.leadingOrder, 12), f(p.theory, 12),
            f(p.estimate.value, 12), f(p.estimate.standardError, 6), f(p.zScore, 4),
            String(r.residualOrder), f(r.limitZ, 4), r.passed ? "pass" : "fail",
          ].joined(separator: ","))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

extension CheckReport {
  /// Writes the table to standard output, the report files to `output` (if given), and sets the
  /// exit code (0 pass, 1 fail): the end of `derive check` and `derive merge`.
  ///
  /// The report files are `check.json`, `check.csv`, `check.svg` and `report.tex`; with
  /// `compilesPDF`, `report.pdf` too when pdflatex is on PATH. LaTeX never fails the check: a
  /// missing pdflatex or a failed compilation is reported in the `report:` line.
  static func emit(
    _ report: CrossValidation.Report, run: CheckRun, output: String?, compilesPDF: Bool,
    into out: inout CommandOutput
  ) throws {
    out.write(table(report, header: run.header + "\n" + run.sampler))
    if let output {
      let dir = URL(fileURLWithPath: output)
      do {
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try json(report, header: run.header, sampler: run.sampler).write(
          to: dir.appendingPathComponent("check.json"), atomically: true, encoding: .utf8)
        try csv(report).write(
          to: dir.appendingPathComponent("check.csv"), atomically: true, encoding: .utf8)
        try svg(report, title: run.header).write(
          to: dir.appendingPathComponent("check.svg"), atomically: true, encoding: .utf8)
        try CheckReportDocument.latex(report, run: run).write(
          to: dir.appendingPathComponent("report.tex"), atomically: true, encoding: .utf8)
        out.write("report files: \(output)/check.json, check.csv, check.svg\n")
      } catch {
        throw CommandFailure.usage(
          "error: cannot write the report to '\(output)': \(error.localizedDescription)")
      }
      let tex = "report: \(output)/report.tex"
      if !compilesPDF {
        out.write(tex + " (not compiled: --no-pdf)\n")
      } else if let pdflatex = PDFLaTeX.onPath() {
        switch pdflatex.compile("report", in: dir) {
        case .compiled: out.write(tex + ", report.pdf\n")
        case .failed(let reason): out.write(tex + " (report.pdf not written: \(reason))\n")
        }
      } else {
        out.write(
          tex
            + " (report.pdf not written: pdflatex is not on PATH; it is in Debian's texlive-latex-base, with pgfplots in texlive-pictures)\n"
        )
      }
    }
    out.exitCode = report.passed ? 0 : 1
  }
}
