/// Scratch buffers of one ``NTKSampler`` worker, private to one worker at a time and freed on
/// `deinit`. `W` is the largest width or input dimension, `S` the sample count.
final class NTKWorkspace {
  /// Preactivations of the current and the previous layer, sample-major (`z[α·n + i]`).
  var current: UnsafeMutablePointer<Double>
  var previous: UnsafeMutablePointer<Double>
  /// `f(z_{j;α})` and `f'(z_{j;α})` of the previous layer, sample-major.
  let source: UnsafeMutablePointer<Double>
  let slope: UnsafeMutablePointer<Double>
  /// The standard normals of one weight matrix, row-major `n × m`, and one bias vector.
  let weights: UnsafeMutablePointer<Double>
  /// Their transpose, `m × n`.
  let transposedWeights: UnsafeMutablePointer<Double>
  let bias: UnsafeMutablePointer<Double>
  /// The NTK of the current and previous layer: `S²` matrices `W × W`, matrix `(α₁, α₂)` at
  /// `(α₁·S + α₂)·W²`, row-major with row stride equal to the layer's width.
  var ntk: UnsafeMutablePointer<Double>
  var previousNTK: UnsafeMutablePointer<Double>
  /// `M^{α₁α₂}_{jk} = f'_{j;α₁} Ĥ_{jk;α₁α₂} f'_{k;α₂}`, same layout.
  let weighted: UnsafeMutablePointer<Double>
  /// One `W × W` intermediate, and `S` vectors of length `W`.
  let product: UnsafeMutablePointer<Double>
  let vectors: UnsafeMutablePointer<Double>
  /// Products `z_α z_β` per pair (the preactivation statistics), and the `S × S` metric.
  let products: UnsafeMutablePointer<Double>
  let metric: UnsafeMutablePointer<Double>
  /// The parameter part of the new NTK, `λ_b + λ_W/m Σ_j f_{j;α₁} f_{j;α₂}` (`S × S`).
  let parameterPart: UnsafeMutablePointer<Double>
  /// The per-network statistics row.
  let statistics: UnsafeMutablePointer<Double>
  let matrixSize: Int
  private let allocations: [UnsafeMutablePointer<Double>]

  init(maxWidth: Int, sampleCount s: Int, pairCount: Int, statisticsLength: Int) {
    func make(_ count: Int) -> UnsafeMutablePointer<Double> {
      let pointer = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(count, 1))
      pointer.initialize(repeating: 0, count: Swift.max(count, 1))
      return pointer
    }
    let w = maxWidth
    matrixSize = w * w
    current = make(w * s)
    previous = make(w * s)
    source = make(w * s)
    slope = make(w * s)
    weights = make(w * w)
    transposedWeights = make(w * w)
    bias = make(w)
    ntk = make(s * s * w * w)
    previousNTK = make(s * s * w * w)
    weighted = make(s * s * w * w)
    product = make(w * w)
    vectors = make(s * w)
    products = make(pairCount * w)
    metric = make(s * s)
    parameterPart = make(s * s)
    statistics = make(statisticsLength)
    allocations = [
      current, previous, source, slope, weights, transposedWeights, bias, ntk, previousNTK,
      weighted, product,
      vectors, products, metric, parameterPart, statistics,
    ]
  }

  /// Doubles allocated for these dimensions (for memory estimates).
  static func doubles(maxWidth w: Int, sampleCount s: Int, pairCount: Int, statisticsLength: Int)
    -> Int
  {
    4 * w * s + 2 * w * w + w + 3 * s * s * w * w + w * w + s * w + pairCount * w + 2 * s * s
      + statisticsLength
  }

  deinit { for pointer in allocations { pointer.deallocate() } }

  /// Matrix `(a, b)` of the current NTK.
  func ntkMatrix(_ a: Int, _ b: Int, samples s: Int) -> UnsafeMutablePointer<Double> {
    ntk + (a * s + b) * matrixSize
  }

  func previousNTKMatrix(_ a: Int, _ b: Int, samples s: Int) -> UnsafeMutablePointer<Double> {
    previousNTK + (a * s + b) * matrixSize
  }

  func weightedMatrix(_ a: Int, _ b: Int, samples s: Int) -> UnsafeMutablePointer<Double> {
    weighted + (a * s + b) * matrixSize
  }

  /// Swaps the current and previous layer (preactivations and NTK).
  func advance() {
    swap(&current, &previous)
    swap(&ntk, &previousNTK)
  }
}
