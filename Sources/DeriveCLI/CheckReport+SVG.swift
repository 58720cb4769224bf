import Evaluation
import Foundation

extension CheckReport {
  /// The residual of a statistic's rows per step of the width scan: the width (the geometric
  /// mean of the rows' widths, the width itself when every layer has the same), the root mean
  /// square of MC − theory over the rows, and that of the MC standard errors (the noise floor).
  static func residualScaling(_ rows: [CrossValidation.Row]) -> [(
    width: Double, residual: Double, noise: Double
  )] {
    guard !rows.isEmpty else { return [] }
    let steps = rows.map(\.points.count).min() ?? 0
    func rms(_ values: [Double]) -> Double {
      (values.map { $0 * $0 }.reduce(0, +) / Double(values.count)).squareRoot()
    }
    return (0..<steps).map { k in
      (
        exp(rows.map { log(Double($0.points[k].width)) }.reduce(0, +) / Double(rows.count)),
        rms(rows.map { $0.points[k].estimate.value - $0.points[k].theory }),
        rms(rows.map { $0.points[k].estimate.standardError })
      )
    }
  }

  /// `check.svg`: for each compared statistic (in the report's order), up to three components
  /// against the layer at the largest width — theory as a line (the leading order dashed where
  /// the 1/n correction moves it), MC as dots with ±1 s.e. bars — and one panel of the width
  /// scaling: the root-mean-square |MC − theory| of each statistic against the width on log–log
  /// axes, the MC standard error dotted, with slopes −1 and −2. Ticks are round values
  /// (``AxisTicks``) and every label lies inside its panel.
  static func svg(_ report: CrossValidation.Report, title: String) -> String {
    var panels: [(title: String, rows: [CrossValidation.Row])] = []
    for quantity in report.quantities {
      for component in CheckReportDocument.components(report, quantity).prefix(3) {
        let n = component.rows[0].points.last?.width ?? 0
        panels.append(("\(name(component.rows[0])) at n = \(n)", component.rows))
      }
    }
    let columns = 3
    let titleLines = title.split(separator: "\n").map(String.init)
    let top = Double(titleLines.count) * 16 + 26
    let rowsOfPanels = (panels.count + columns - 1) / columns + 1
    let height = top + Double(rowsOfPanels) * SVGPanel.height
    var out = [
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(SVGPanel.width) * columns)\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">",
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
    ]
    for (k, line) in titleLines.enumerated() {
      out.append(
        "<text x=\"8\" y=\"\(16 * (k + 1))\" font-size=\"12\">\(escape(line))</text>")
    }
    out.append(
      "<text x=\"8\" y=\"\(Int(top) - 8)\" fill=\"#444\">Lines: theory at the largest width (dashed: leading order). Dots: Monte Carlo ± 1 s.e.</text>"
    )
    let depth = report.rows.map(\.layer).max() ?? 1
    for (k, panel) in panels.enumerated() {
      let frame = SVGPanel(
        x: Double(k % columns) * SVGPanel.width, y: top + Double(k / columns) * SVGPanel.height)
      out += frame.layerPlot(panel.rows, title: panel.title, depth: depth)
    }
    let scaling = SVGPanel(
      x: 0, y: top + Double((panels.count + columns - 1) / columns) * SVGPanel.height)
    out += scaling.scalingPlot(report)
    out.append("</svg>")
    return out.joined(separator: "\n") + "\n"
  }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;")
  }
}

/// One panel of `check.svg`: a plot area with margins wide enough for its tick labels, title
/// and axis label.
private struct SVGPanel {
  static let width = 320.0
  static let height = 250.0
  static let left = 58.0
  static let right = 16.0
  static let top = 26.0
  static let bottom = 44.0
  static let theoryColor = "#1f5fbf"
  static let mcColor = "#c0392b"
  static let statisticColors = ["#1f5fbf", "#c0392b", "#2e8b57", "#8e44ad", "#d35400"]

  var x: Double
  var y: Double

  var plotLeft: Double { x + Self.left }
  var plotRight: Double { x + Self.width - Self.right }
  var plotTop: Double { y + Self.top }
  var plotBottom: Double { y + Self.height - Self.bottom }

  static func f(_ v: Double) -> String { String(format: "%.1f", v) }

  func frame(title: String, xLabel: String) -> [String] {
    let f = Self.f
    return [
      "<rect x=\"\(f(plotLeft))\" y=\"\(f(plotTop))\" width=\"\(f(plotRight - plotLeft))\" height=\"\(f(plotBottom - plotTop))\" fill=\"none\" stroke=\"#888\"/>",
      "<text x=\"\(f((plotLeft + plotRight) / 2))\" y=\"\(f(plotTop - 8))\" text-anchor=\"middle\">\(CheckReport.escape(title))</text>",
      "<text x=\"\(f((plotLeft + plotRight) / 2))\" y=\"\(f(plotBottom + 34))\" text-anchor=\"middle\" fill=\"#444\">\(xLabel)</text>",
    ]
  }

  /// A horizontal grid line with its label at the left of the plot area.
  func yTick(_ py: Double, label: String) -> [String] {
    let f = Self.f
    return [
      "<line x1=\"\(f(plotLeft))\" x2=\"\(f(plotRight))\" y1=\"\(f(py))\" y2=\"\(f(py))\" stroke=\"#e4e4e4\"/>",
      "<text x=\"\(f(plotLeft - 5))\" y=\"\(f(py + 4))\" text-anchor=\"end\">\(label)</text>",
    ]
  }

  func xTick(_ px: Double, label: String) -> String {
    let f = Self.f
    return
      "<line x1=\"\(f(px))\" x2=\"\(f(px))\" y1=\"\(f(plotBottom))\" y2=\"\(f(plotBottom + 4))\" stroke=\"#888\"/><text x=\"\(f(px))\" y=\"\(f(plotBottom + 16))\" text-anchor=\"middle\">\(label)</text>"
  }

  /// A component against the layer: theory line, leading order dashed where it differs, MC dots
  /// with error bars.
  func layerPlot(_ rows: [CrossValidation.Row], title: String, depth: Int) -> [String] {
    let f = Self.f
    let points = rows.compactMap { r in r.points.last.map { (Double(r.layer), $0) } }
    let values = points.flatMap { l, p in
      [
        p.theory, p.leadingOrder, p.estimate.value - p.estimate.standardError,
        p.estimate.value + p.estimate.standardError,
      ]
    }.filter(\.isFinite)
    let ticks = AxisTicks(low: values.min() ?? 0, high: values.max() ?? 1, count: 5)
    func px(_ l: Double) -> Double {
      plotLeft + (l - 0.5) / Double(depth) * (plotRight - plotLeft)
    }
    func py(_ v: Double) -> Double {
      plotBottom - (v - ticks.lower) / (ticks.upper - ticks.lower) * (plotBottom - plotTop)
    }
    var out: [String] = []
    for t in ticks.values { out += yTick(py(t), label: ticks.label(t)) }
    out += frame(title: title, xLabel: "layer")
    let every = max(1, (depth + 9) / 10)
    for l in stride(from: 1, through: depth, by: every) {
      out.append(xTick(px(Double(l)), label: "\(l)"))
    }
    let theory = points.map { "\(f(px($0.0))),\(f(py($0.1.theory)))" }.joined(separator: " ")
    out.append(
      "<polyline fill=\"none\" stroke=\"\(Self.theoryColor)\" stroke-width=\"1.5\" points=\"\(theory)\"/>"
    )
    if points.contains(where: {
      abs($0.1.theory - $0.1.leadingOrder) > 1e-12 * max(1, abs($0.1.theory))
    }) {
      let leading = points.map { "\(f(px($0.0))),\(f(py($0.1.leadingOrder)))" }.joined(
        separator: " ")
      out.append(
        "<polyline fill=\"none\" stroke=\"\(Self.theoryColor)\" stroke-dasharray=\"4 3\" points=\"\(leading)\"/>"
      )
    }
    for (l, p) in points where p.estimate.value.isFinite && p.estimate.standardError.isFinite {
      let cx = px(l)
      out.append(
        "<line x1=\"\(f(cx))\" x2=\"\(f(cx))\" y1=\"\(f(py(p.estimate.value - p.estimate.standardError)))\" y2=\"\(f(py(p.estimate.value + p.estimate.standardError)))\" stroke=\"\(Self.mcColor)\"/>"
      )
      out.append(
        "<circle cx=\"\(f(cx))\" cy=\"\(f(py(p.estimate.value)))\" r=\"2.5\" fill=\"\(Self.mcColor)\"/>"
      )
    }
    return out
  }

  /// The root-mean-square |MC − theory| of every statistic against the width, log–log, with
  /// the MC standard error dotted and the slopes −1 and −2 through the first width.
  func scalingPlot(_ report: CrossValidation.Report) -> [String] {
    let f = Self.f
    let series = report.quantities.map { q in
      (q, CheckReport.residualScaling(report.rows.filter { $0.quantity == q }))
    }
    let widths = series.flatMap { $0.1.map(\.width) }
    let title = "|MC − theory| (rms over rows) vs width"
    guard Set(widths).count >= 2, let n0 = widths.min(), let n1 = widths.max() else {
      return frame(title: title, xLabel: "width n") + [
        "<text x=\"\(f(plotLeft + 8))\" y=\"\(f((plotTop + plotBottom) / 2))\">one width: no scaling (run with --scan 1 or more)</text>"
      ]
    }
    let positive = series.flatMap { $0.1.flatMap { [$0.residual, $0.noise] } }.filter {
      $0 > 0 && $0.isFinite
    }
    let decades = AxisTicks.decades(low: positive.min() ?? 1e-3, high: positive.max() ?? 1)
    // decades(low:high:) has at least two entries.
    let (lo, hi) = (log10(decades.first ?? 1e-3), log10(decades.last ?? 1))
    func px(_ n: Double) -> Double {
      plotLeft + 10 + (log2(n) - log2(n0)) / (log2(n1) - log2(n0)) * (plotRight - plotLeft - 20)
    }
    func py(_ v: Double) -> Double {
      plotBottom - (log10(v) - lo) / (hi - lo) * (plotBottom - plotTop)
    }
    var out: [String] = []
    for d in decades {
      let exponent = Int(log10(d).rounded())
      out += yTick(py(d), label: "10<tspan dy=\"-5\" font-size=\"8\">\(exponent)</tspan>")
    }
    out += frame(title: title, xLabel: "width n")
    for n in Set(report.rows.flatMap { $0.points.map(\.width) }).sorted() {
      out.append(xTick(px(Double(n)), label: "\(n)"))
    }
    func path(_ points: [(Double, Double)]) -> String {
      points.filter { $0.1 > 0 && $0.1.isFinite }.map { "\(f(px($0.0))),\(f(py($0.1)))" }
        .joined(separator: " ")
    }
    // Reference slopes through the largest residual at the first width.
    if let y0 = series.compactMap({ $0.1.first?.residual }).filter({ $0 > 0 && $0.isFinite })
      .max()
    {
      for (p, dash) in [(1.0, "6 3"), (2.0, "2 3")] {
        out.append(
          "<polyline fill=\"none\" stroke=\"#999\" stroke-dasharray=\"\(dash)\" points=\"\(path([(n0, y0), (n1, y0 * pow(n1 / n0, -p))]))\"/>"
        )
      }
    }
    var legend: [String] = []
    for (k, (quantity, points)) in series.enumerated() {
      let color = Self.statisticColors[k % Self.statisticColors.count]
      out.append(
        "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(path(points.map { ($0.width, $0.residual) }))\"/>"
      )
      out.append(
        "<polyline fill=\"none\" stroke=\"\(color)\" stroke-dasharray=\"1 2\" points=\"\(path(points.map { ($0.width, $0.noise) }))\"/>"
      )
      let order = report.rows.first { $0.quantity == quantity }?.residualOrder ?? 1
      legend.append(
        "<text x=\"\(f(plotRight + 16))\" y=\"\(f(plotTop + 14 + 16 * Double(k)))\" fill=\"\(color)\">\(CheckReport.escape(quantity)): residual, s.e. dotted (expected slope −\(order))</text>"
      )
    }
    legend.append(
      "<text x=\"\(f(plotRight + 16))\" y=\"\(f(plotTop + 14 + 16 * Double(series.count)))\" fill=\"#777\">grey: slopes −1 (dashed) and −2 (dotted)</text>"
    )
    return out + legend
  }
}
