import Derivation
import Foundation
import Numerics

/// Large-depth power laws X(ℓ) ≈ c ℓ^p fitted, with a stated error, to the derived
/// single-input recursions iterated to a depth N — where ``LargeDepthAsymptotics`` cannot
/// derive them (an isolated critical point K★ > 0 such as GELU's or SWISH's, or couplings
/// off criticality).
///
/// The fit uses the windows [N/8, N/4], [N/4, N/2] and [N/2, N]. On each the local power is
/// p(a) = log₂(X(2a)/X(a)). Leading corrections to a power law are O(1/ℓ) relative (or
/// O(log ℓ/ℓ)), so p(a) = p + O(1/a) and Richardson's extrapolation p_R = 2 p(N/2) − p(N/4)
/// removes the 1/a term. The stated error is the larger of the extrapolation's size
/// |p_R − p(N/2)| and its change between windows |p_R − (2 p(N/4) − p(N/8))|. When p_R is
/// within that error (or 10⁻³) of a multiple of 1/2, the power is taken to be that multiple
/// and the coefficient c(ℓ) = X(ℓ)/ℓ^p is extrapolated the same way; otherwise
/// c = X(N)/N^{p_R} with the error that δp brings at ℓ = N.
///
/// A metric that tends to a non-zero limit (fitted power 0) is reported as that limit K∞,
/// extrapolated from K(N/4), K(N/2), K(N) as a geometric tail, and its approach K − K∞ is
/// fitted as a power law when it is one (with errors that also cover K∞ moved by its error;
/// omitted when the approach cannot be fitted over that range). A statistic that vanishes identically (below 10⁻¹²
/// of the metric) is reported as 0. Growth faster than any power (the local power itself
/// growing between windows, or the recursion leaving the range of double precision) is refused.
public struct NumericLargeDepthAsymptotics: Sendable {
  /// A fitted law X(ℓ) ≈ coefficient · ℓ^power.
  public struct Fit: Sendable, Equatable {
    public var power: Double
    public var powerError: Double
    /// Whether the power was identified with a multiple of 1/2 (within its error).
    public var powerIsExact: Bool
    public var coefficient: Double
    public var coefficientError: Double

    public init(
      power: Double, powerError: Double, powerIsExact: Bool, coefficient: Double,
      coefficientError: Double
    ) {
      self.power = power
      self.powerError = powerError
      self.powerIsExact = powerIsExact
      self.coefficient = coefficient
      self.coefficientError = coefficientError
    }
  }

  /// What was fitted.
  public struct Report: Sendable {
    /// The depth N the recursions were iterated to.
    public var depth: Int
    /// The laws by key: the metric (its limit when it has one, as power 0), `K-K∞` for its
    /// approach when that is a power law, the correction, and `V/K^2`, in the model's names.
    public var laws: [(key: String, fit: Fit)]
  }

  public var model: Model
  public var derivation: DerivationResult

  public init(model: Model, derivation: DerivationResult) {
    self.model = model
    self.derivation = derivation
  }

  /// The laws at `couplings` for `activation`, from `input` (one input vector) iterated to
  /// `depth` layers (a multiple of 8, at least 64).
  ///
  /// - Throws: ``EvaluationError`` for a depth out of range, a model without a metric and a
  ///   four-point vertex, or growth faster than any power.
  public func run(
    activation: Activation, functionActivations: [String: Activation] = [:],
    couplings: [String: Double], input: [Double], depth: Int
  ) throws -> Report {
    guard depth >= 64, depth % 8 == 0 else {
      throw EvaluationError("the numeric fit needs a depth that is a multiple of 8, at least 64")
    }
    guard let state = model.state else {
      throw EvaluationError("the model declares no statistics", at: model.location)
    }
    if derivation.path != nil {
      throw EvaluationError(
        "no large-depth fit for a map with a skip connection: its recursions read the self-feedback of every earlier layer, whose cost grows like the depth squared (iterate it with derive eval to a few tens of layers)",
        at: model.location)
    }
    let metric = state.metric.name
    let others = model.derivedStatistics.filter { $0.name != metric }
    guard let vertex = others.first(where: { $0.rank == 4 }) else {
      throw EvaluationError(
        "the numeric large-depth fit needs a derived four-point vertex", at: model.location)
    }
    let correction = others.first { $0.rank == 2 }
    let layers: [RecursionValues]
    do {
      layers = try RecursionEvaluator(model: model, derivation: derivation).evaluate(
        NumericParameters(
          couplings: couplings, widths: Array(repeating: 100, count: depth), inputs: [input],
          activation: activation, functionActivations: functionActivations))
    } catch let e as EvaluationError {
      throw EvaluationError(
        "\(e.message) — the statistics grow faster than any power of the depth: no power law")
    }
    func series(_ f: (RecursionValues) -> Double) -> [Double] { layers.map(f) }
    let k = series { $0.values(of: metric).values[0] }
    let v = series { $0.values(of: vertex.name).values[0] }
    let ratio = zip(v, k).map { $0 / ($1 * $1) }
    var laws: [(String, Fit)] = []
    laws += try Self.metricLaws(k, name: metric)
    if let correction {
      let g = series { $0.values(of: correction.name).values[0] }
      let scale = k.suffix(depth / 2).map(abs).max() ?? 1
      if g.suffix(depth / 2).allSatisfy({ abs($0) <= 1e-12 * scale }) {
        laws.append(
          (
            correction.name,
            Fit(power: 0, powerError: 0, powerIsExact: true, coefficient: 0, coefficientError: 0)
          ))
      } else {
        laws.append((correction.name, try Self.fit(g, name: correction.name)))
      }
    }
    laws.append(
      ("\(vertex.name)/\(metric)^2", try Self.fit(ratio, name: "\(vertex.name)/\(metric)^2")))
    return Report(depth: depth, laws: laws)
  }

  /// The metric's law: a power law, or its limit and the power law of its approach.
  static func metricLaws(_ k: [Double], name: String) throws -> [(String, Fit)] {
    let direct = try fit(k, name: name)
    guard direct.powerIsExact && direct.power == 0 else { return [(name, direct)] }
    let n = k.count
    let (a, b, c) = (k[n / 4 - 1], k[n / 2 - 1], k[n - 1])
    let (d1, d2) = (b - a, c - b)
    let r = d1 == 0 ? 0 : d2 / d1
    // A geometric tail of steps d2 r, d2 r², …: exact for an exponential approach, and the
    // leading term of a power-law one (r = 2^q).
    let limit = r > 0 && r < 1 ? c + d2 * r / (1 - r) : c
    let limitError = abs(limit - c) + abs(d2)
    var laws: [(String, Fit)] = [
      (
        name,
        Fit(
          power: 0, powerError: direct.powerError, powerIsExact: true, coefficient: limit,
          coefficientError: limitError)
      )
    ]
    // A slow (power-law) approach: fit K − K∞ where it is resolved. The fit is sensitive to
    // K∞, so its errors also cover the fits with K∞ moved by its own error.
    if r > 0.3, r < 1, abs(d2) > 1e-9 * abs(limit) {
      let key = "\(name)-\(name)∞"
      if var f = try? fit(k.map { $0 - limit }, name: key), f.power < 0 {
        for shifted in [limit - limitError, limit + limitError] {
          guard let g = try? fit(k.map { $0 - shifted }, name: key) else {
            f.powerError = .infinity
            f.coefficientError = .infinity
            continue
          }
          f.powerError = max(f.powerError, abs(g.power - f.power))
          f.coefficientError = max(f.coefficientError, abs(g.coefficient - f.coefficient))
        }
        if f.powerError.isFinite { laws.append((key, f)) }
      }
    }
    return laws
  }

  /// The power law of `x` on the windows ending at its last entry (x[ℓ − 1] is layer ℓ).
  static func fit(_ x: [Double], name: String) throws -> Fit {
    let n = x.count
    func at(_ l: Int) -> Double { x[l - 1] }
    let ls = [n / 8, n / 4, n / 2, n]
    let values = ls.map(at)
    guard values.allSatisfy({ $0 != 0 && $0.isFinite }),
      values.allSatisfy({ $0.sign == values[3].sign })
    else {
      throw EvaluationError(
        "\(name) changes sign or vanishes between layers \(ls[0]) and \(ls[3]): no power law is fitted (iterate deeper with --depth)"
      )
    }
    let p = (0..<3).map { log2(values[$0 + 1] / values[$0]) }
    if p[2] - p[1] > 0.5 * max(1, abs(p[1])) {
      throw EvaluationError(
        "\(name) grows faster than any power of the depth (local power \(String(format: "%.3g", p[1])) on [\(ls[1]), \(ls[2])], \(String(format: "%.3g", p[2])) on [\(ls[2]), \(ls[3])]): no power law"
      )
    }
    let extrapolated = 2 * p[2] - p[1]
    let earlier = 2 * p[1] - p[0]
    let powerError = max(abs(extrapolated - p[2]), abs(extrapolated - earlier))
    let half = (2 * extrapolated).rounded() / 2
    if abs(extrapolated - half) <= max(powerError, 1e-3) {
      let c = ls.map { at($0) / pow(Double($0), half) }
      let richardson = 2 * c[3] - c[2]
      let previous = 2 * c[2] - c[1]
      return Fit(
        power: half, powerError: powerError, powerIsExact: true, coefficient: richardson,
        coefficientError: max(abs(richardson - c[3]), abs(richardson - previous)))
    }
    let c = values[3] / pow(Double(n), extrapolated)
    return Fit(
      power: extrapolated, powerError: powerError, powerIsExact: false, coefficient: c,
      coefficientError: abs(c) * powerError * log(Double(n)))
  }
}
