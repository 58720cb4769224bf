import Algebra
import Foundation
import GaussianCalculus

/// An estimate of the work of deriving a k-point function of a map, checked before the work
/// starts so that a model too large to derive is refused instead of running for hours.
///
/// The product of k copies of a map of T terms has T^k terms. In each, the r sums over the
/// incoming layer's neurons of each copy give kr neuron indices, split into every partition
/// into coincident classes (Stirling numbers S(kr, m) with m distinct neurons); the cumulant
/// expansion of each partition distributes the metric correction and the four-point vertex
/// over pairs of its m neurons (about m² placements), and each placement differentiates
/// single-neuron products of up to k·d factors (d functions of the incoming variable per term)
/// up to four times, whose size grows about like d⁶ (measured: d = 2, 3, 4 cost 10, 56 and 250
/// times d = 1). The estimate is
///   T^k · Σ_m S(kr, m) m² · d⁶.
/// It is a model of the dominant cost, measured on release builds (1 unit ≈ 0.6–3 µs): the
/// MLP's four-point function is 16 · 99 units (0.04 s); a map of eight weight families
/// 9⁴ · 99 units (0.4 s, refused); `W[i,j] z[j;a]²` 16 · 99 · 64 units (0.4 s); `W[i,j] z[j;a]³`
/// 16 · 99 · 729 units (2.2 s, refused).
struct DerivationWork: Sendable {
  /// Terms of the map, after like terms are collected.
  var terms: Int
  /// Most sums over the incoming layer's neurons in one term.
  var incomingSums: Int
  /// Most factors that are the incoming variable or a function of it in one term (at least 1).
  var incomingDegree: Int

  /// The largest estimate accepted: about 0.2–0.8 s of a release build (the per-unit cost
  /// varies by a few times between maps; a map of six weight families is 2.4·10⁵ units, 0.15 s;
  /// `W σ(z) + W z²` with a bias is 5.1·10⁵ units, 1.5 s, and refused).
  static let maximum = 2.5e5

  init(map: LayerMap, incoming: NearlyGaussianLayer?) {
    terms = map.rhs.terms.count
    var r = 0
    var d = 1
    if let incoming, let layer = incoming.variable.layer {
      for t in map.rhs.terms {
        r = max(r, t.monomial.summed.filter { $0.space == .neuron(layer) }.count)
        d = max(
          d,
          t.monomial.factors.filter { f in
            switch f {
            case .tensor(let x): return x.head == incoming.variable
            case .function(let g): return g.argument.head == incoming.variable
            default: return false
            }
          }.count)
      }
    }
    incomingSums = r
    incomingDegree = d
  }

  func estimate(points k: Int) -> Double {
    let partitions = Self.weightedPartitions(k * incomingSums)
    var products = 1.0
    for _ in 0..<k { products *= Double(terms) }
    return products * partitions * pow(Double(incomingDegree), 6)
  }

  func summary(points k: Int) -> String {
    "\(terms) term(s) with up to \(incomingSums) sum(s) over the incoming neurons and \(incomingDegree) function(s) of them: about \(Int(min(estimate(points: k), 1e18))) units"
  }

  /// Σ_m S(n, m) m², with Stirling numbers of the second kind (in Double: only compared
  /// against a bound).
  static func weightedPartitions(_ n: Int) -> Double {
    if n == 0 { return 1 }
    if n > 40 { return .infinity }
    var row = [1.0]  // S(0, 0)
    for i in 1...n {
      var next = [Double](repeating: 0, count: i + 1)
      for m in 1...i {
        let stay = m < row.count ? Double(m) * row[m] : 0
        next[m] = stay + row[m - 1]
      }
      row = next
    }
    var total = 0.0
    for (m, s) in row.enumerated() { total += s * Double(m * m) }
    return total
  }
}
