import Derivation
import Rational
import Sampling

/// The NTK statistics of a model (FORMULAS.md §12), recognised by the structure of the cumulant
/// term that defines each — never by name — with the Monte-Carlo estimator of each
/// (``Sampling/NTKStatistic``, estimated by ``Sampling/NTKSampler``).
///
/// ## The hook for `derive check`
///
/// ``MonteCarloEstimators`` refuses a derived statistic it has no estimator for. For a model
/// with NTK statistics, ``CrossValidation/ntkEstimators`` builds this set from the model's NTK
/// cumulants (``role(neuronSlots:term:)``) and ``CrossValidation/estimators()`` lets
/// ``MonteCarloEstimators`` count the statistics it ``covers(_:)`` as covered
/// (``MonteCarloEstimators/init(_:ntk:)``). ``CrossValidation/run(_:options:progress:)`` then
/// samples the scan with
/// ``CrossValidation/sampleNTK(_:options:networks:learningRates:progress:)`` (the
/// ``Sampling/NTKSampler`` with the model's learning rates; its
/// ``Sampling/NTKSamplingStatistics/base`` holds the ordinary statistics of the same networks)
/// and ``CrossValidation/compare(_:statistics:ntk:options:theory:)`` appends
/// ``CrossValidation/ntkRows(_:estimators:statistics:theory:options:)`` to each layer's K, G¹ and
/// V rows: `derive check` and `derive merge` report them like any other statistic.
/// Shards carry the NTK statistics in ``CheckShard/ntk``.
///
/// ## Structure → estimator
///
/// The NTK field `H[j1,j2;a1,a2]` has two neuron slots and two sample slots; a preactivation
/// `z[j;a]` one of each. Slots are numbered across the factors of a cumulant in order (H's
/// neurons 0, 1, then the next factor's). With coefficient 1 and arguments in slot order:
///
/// | cumulant | term | statistic |
/// |---|---|---|
/// | `H` | `δ(1,2)`, order 0 | the mean Θ — estimated by `E[Ĥ_ii]` |
/// | `H` | `δ(1,2)`, order 1 | its correction Θ¹ — `n(E[Ĥ_ii] − Θ)` over the width scan |
/// | `H H` | `δ(1,2)δ(3,4)`, order 1 | A |
/// | `H H` | `δ(1,3)δ(2,4)` (or `δ(1,4)δ(2,3)` with arguments `0,1,3,2`), order 1 | B |
/// | `H z z` | `δ(1,2)δ(3,4)`, order 1 | D |
/// | `H z z` | `δ(1,3)δ(2,4)` (or `δ(1,4)δ(2,3)` with arguments `0,1,3,2`), order 1 | F |
public struct NTKEstimators: Sendable {
  /// What a cumulant term of the NTK is (``Sampling/NTKStatistic`` plus the mean's correction).
  public enum Role: Hashable, Sendable {
    case mean
    case meanCorrection
    case statistic(NTKStatistic)
  }

  public var mean: Statistic?
  public var meanCorrection: Statistic?
  public var diagonalCovariance: Statistic?
  public var offDiagonalCovariance: Statistic?
  public var diagonalCrossCorrelation: Statistic?
  public var offDiagonalCrossCorrelation: Statistic?

  /// The set from classified statistics (``role(neuronSlots:term:)``); a role given twice keeps
  /// the first.
  public init(_ classified: [(statistic: Statistic, role: Role)]) {
    for (statistic, role) in classified {
      switch role {
      case .mean: mean = mean ?? statistic
      case .meanCorrection: meanCorrection = meanCorrection ?? statistic
      case .statistic(.mean): mean = mean ?? statistic
      case .statistic(.diagonalCovariance):
        diagonalCovariance = diagonalCovariance ?? statistic
      case .statistic(.offDiagonalCovariance):
        offDiagonalCovariance = offDiagonalCovariance ?? statistic
      case .statistic(.diagonalCrossCorrelation):
        diagonalCrossCorrelation = diagonalCrossCorrelation ?? statistic
      case .statistic(.offDiagonalCrossCorrelation):
        offDiagonalCrossCorrelation = offDiagonalCrossCorrelation ?? statistic
      }
    }
  }

  /// The NTK statistics of `model`, classified by ``role(neuronSlots:term:)`` from the cumulants
  /// of its declared state that involve the tangent kernel (empty when it declares none). Only
  /// derived statistics are included.
  public init(model: Model) {
    var classified: [(statistic: Statistic, role: Role)] = []
    if let state = model.state, let kernel = state.kernel {
      let derived = model.derivedStatistics
      for ansatz in state.ansatze where ansatz.fields.contains(kernel.name) {
        for term in ansatz.terms {
          guard let role = Self.role(neuronSlots: ansatz.slotsPerField, term: term),
            let statistic = derived.first(where: { $0.name == term.statistic })
          else { continue }
          classified.append((statistic, role))
        }
      }
    }
    self.init(classified)
  }

  /// The statistics this set estimates.
  public var statistics: [Statistic] {
    [
      mean, meanCorrection, diagonalCovariance, offDiagonalCovariance, diagonalCrossCorrelation,
      offDiagonalCrossCorrelation,
    ].compactMap { $0 }
  }

  /// Whether `statistic` has an NTK estimator here.
  public func covers(_ statistic: Statistic) -> Bool { statistics.contains(statistic) }

  /// The role of a cumulant term, from its structure only (see the type's table), or nil when
  /// it is none of the NTK statistics. `neuronSlots[k]` is the number of neuron slots of the
  /// cumulant's factor k: `[2]` for `H`, `[2, 2]` for `H H`, `[2, 1, 1]` for `H z z`.
  public static func role(neuronSlots: [Int], term: CumulantTerm) -> Role? {
    guard term.coefficient == .one else { return nil }
    let blocks = term.neuronBlocks.map { $0.sorted() }.sorted { $0.lexicographicallyPrecedes($1) }
    let inOrder = term.arguments == Array(0..<term.arguments.count)
    let swapped = term.arguments == [0, 1, 3, 2]
    switch neuronSlots {
    case [2]:
      guard blocks == [[0, 1]], term.arguments.count == 2 else { return nil }
      switch term.order {
      case 0: return .mean
      case 1: return .meanCorrection
      default: return nil
      }
    case [2, 2], [2, 1, 1]:
      guard term.order == 1, term.arguments.count == 4 else { return nil }
      let covariance = neuronSlots == [2, 2]
      if blocks == [[0, 1], [2, 3]], inOrder {
        return .statistic(covariance ? .diagonalCovariance : .diagonalCrossCorrelation)
      }
      if (blocks == [[0, 2], [1, 3]] && inOrder) || (blocks == [[0, 3], [1, 2]] && swapped) {
        return .statistic(covariance ? .offDiagonalCovariance : .offDiagonalCrossCorrelation)
      }
      return nil
    default:
      return nil
    }
  }
}
