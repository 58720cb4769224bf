/// Where a step of a ``TermPlan`` reads or writes: an offset into the worker's scratch arena,
/// the inputs, the previous layer's preactivations, or the layer output.
enum PlanBuffer: Hashable, Sendable {
  case arena(Int)
  case inputs
  case previous
  case output
}

/// `target[t] (+)= scale · Σ source[s]` over an odometer of `extents`: one step that permutes,
/// takes diagonals (a repeated source label has the sum of its strides), sums labels out
/// (target stride 0) and broadcasts (source stride 0). Dimensions run outermost first.
struct ReshapeStep: Hashable, Sendable {
  var source: PlanBuffer
  var target: PlanBuffer
  var extents: [Int]
  var sourceStrides: [Int]
  var targetStrides: [Int]
  /// Entries of the target, zeroed first unless ``accumulates``.
  var targetCount: Int
  var accumulates: Bool
  var scale: Double
}

/// Batched `C[b, m, p] = Σ_k A[b, m, k] · B[b, p, k]` (row-major, `k` contiguous in both
/// operands, so every entry of `C` is one dot product).
struct ContractStep: Hashable, Sendable {
  var a: PlanBuffer
  var b: PlanBuffer
  var c: PlanBuffer
  var batch: Int
  var m: Int
  var p: Int
  var k: Int
}

enum PlanStep: Hashable, Sendable {
  case reshape(ReshapeStep)
  case contract(ContractStep)
}

/// The steps evaluating one term into the layer output, and the arena it needs.
struct TermPlan: Hashable, Sendable {
  var steps: [PlanStep]
  /// Multiply–adds of the contractions (for the documentation of the chosen order and tests).
  var multiplyAdds: Int
}

/// Plans the einsum of one term: factors contracted pairwise, greedily.
///
/// 1. Each operand sums out at once the labels nobody else needs (not the output, no other
///    operand) and takes its diagonals.
/// 2. While two or more operands remain, contract the pair whose result is smallest (ties: the
///    fewer multiply–adds, then the earlier pair). Labels the pair shares and nobody else needs
///    are summed; shared labels still needed are batch labels. Each operand is permuted (only
///    when its layout differs) to `[batch, free, contracted]` so the product is a batch of dot
///    products.
/// 3. The last operand is added, times the term's scale, to the output `z[α·n + i]`.
///
/// For the MLP term `W[i,j] σ(z[j;α])` this is one product of `n·n_prev·S` multiply–adds with
/// no copies; for `U[i,k] W[k,j] σ(z[j;α])` it first forms `W σ` (`n_k × S`), never `U W`.
struct ContractionPlanner {
  /// Label extents.
  let extents: [Int]
  /// `[outputSample, outputNeuron]`: the layout of the output `z[α·n + i]`.
  let output: [Int]
  /// Next free arena offset.
  var arenaSize: Int

  private struct Operand {
    var buffer: PlanBuffer
    /// Labels in storage order, outermost first (row-major); may repeat.
    var labels: [Int]
  }

  private func size(_ labels: [Int]) -> Int { labels.reduce(1) { $0 * extents[$1] } }

  private mutating func allocate(_ count: Int) -> PlanBuffer {
    defer { arenaSize += Swift.max(count, 1) }
    return .arena(arenaSize)
  }

  /// Row-major strides of distinct `labels`.
  private func strides(_ labels: [Int]) -> [Int: Int] {
    var result: [Int: Int] = [:]
    var stride = 1
    for label in labels.reversed() {
      result[label] = stride
      stride *= extents[label]
    }
    return result
  }

  /// A step writing `source` into the layout `target` (distinct labels).
  private func reshape(
    _ source: Operand, into buffer: PlanBuffer, labels target: [Int], accumulates: Bool,
    scale: Double
  ) -> ReshapeStep {
    // Source strides per label (a repeated label: the sum of its strides, the diagonal).
    var sourceStride: [Int: Int] = [:]
    var stride = 1
    for label in source.labels.reversed() {
      sourceStride[label, default: 0] += stride
      stride *= extents[label]
    }
    let targetStride = strides(target)
    var order = target
    for label in source.labels where !order.contains(label) { order.append(label) }
    return ReshapeStep(
      source: source.buffer, target: buffer, extents: order.map { extents[$0] },
      sourceStrides: order.map { sourceStride[$0] ?? 0 },
      targetStrides: order.map { targetStride[$0] ?? 0 }, targetCount: size(target),
      accumulates: accumulates, scale: scale)
  }

  /// Distinct labels in order of first appearance.
  private static func distinct(_ labels: [Int]) -> [Int] {
    var seen: [Int] = []
    for label in labels where !seen.contains(label) { seen.append(label) }
    return seen
  }

  /// `operand` in the layout `labels` (distinct), copying only when the layout differs.
  private mutating func laidOut(
    _ operand: Operand, as labels: [Int], steps: inout [PlanStep]
  ) -> Operand {
    if operand.labels == labels { return operand }
    let buffer = allocate(size(labels))
    steps.append(
      .reshape(reshape(operand, into: buffer, labels: labels, accumulates: false, scale: 1)))
    return Operand(buffer: buffer, labels: labels)
  }

  /// The plan of one term whose factors read `buffers` with `labels` (storage order).
  mutating func plan(_ factors: [(buffer: PlanBuffer, labels: [Int])], scale: Double) -> TermPlan {
    var steps: [PlanStep] = []
    var multiplyAdds = 0
    var operands = factors.map { Operand(buffer: $0.buffer, labels: $0.labels) }
    func needed(_ label: Int, except skipped: [Int]) -> Bool {
      if output.contains(label) { return true }
      for (index, operand) in operands.enumerated() where !skipped.contains(index) {
        if operand.labels.contains(label) { return true }
      }
      return false
    }
    // 1. Sum out private labels and take diagonals.
    for index in operands.indices {
      let keep = Self.distinct(operands[index].labels).filter {
        needed($0, except: [index])
      }
      operands[index] = laidOut(operands[index], as: keep, steps: &steps)
    }
    // 2. Greedy pairwise contraction.
    while operands.count > 1 {
      var best: (x: Int, y: Int, size: Int, work: Int)?
      for x in operands.indices {
        for y in (x + 1)..<operands.count {
          let union = Self.distinct(operands[x].labels + operands[y].labels)
          let kept = union.filter { needed($0, except: [x, y]) }
          let candidate = (x: x, y: y, size: size(kept), work: size(union))
          if let current = best,
            (current.size, current.work) <= (candidate.size, candidate.work)
          {
            continue
          }
          best = candidate
        }
      }
      guard let (x, y, _, work) = best else { preconditionFailure("two operands remain") }
      let left = operands[x]
      let right = operands[y]
      let kept = Self.distinct(left.labels + right.labels).filter {
        needed($0, except: [x, y])
      }
      let batch = left.labels.filter { right.labels.contains($0) && kept.contains($0) }
      let contracted = left.labels.filter { right.labels.contains($0) && !kept.contains($0) }
      let leftFree = left.labels.filter { !right.labels.contains($0) && kept.contains($0) }
      let rightFree = right.labels.filter { !left.labels.contains($0) && kept.contains($0) }
      let a = laidOut(left, as: batch + leftFree + contracted, steps: &steps)
      let b = laidOut(right, as: batch + rightFree + contracted, steps: &steps)
      let resultLabels = batch + leftFree + rightFree
      let c = allocate(size(resultLabels))
      steps.append(
        .contract(
          ContractStep(
            a: a.buffer, b: b.buffer, c: c, batch: size(batch), m: size(leftFree),
            p: size(rightFree), k: size(contracted))))
      multiplyAdds += work
      operands.remove(at: y)
      operands[x] = Operand(buffer: c, labels: resultLabels)
    }
    // 3. Into the output.
    steps.append(
      .reshape(reshape(operands[0], into: .output, labels: output, accumulates: true, scale: scale))
    )
    return TermPlan(steps: steps, multiplyAdds: multiplyAdds)
  }
}

/// The arithmetic of the plan steps. Fixed summation orders, so results never depend on
/// threads.
enum PlanKernels {
  static func reshape(
    _ step: ReshapeStep, source: UnsafePointer<Double>, target: UnsafeMutablePointer<Double>
  ) {
    if !step.accumulates { target.update(repeating: 0, count: step.targetCount) }
    let dimensions = step.extents.count
    let scale = step.scale
    guard dimensions > 0 else {
      target[0] += scale * source[0]
      return
    }
    step.extents.withUnsafeBufferPointer { extents in
      step.sourceStrides.withUnsafeBufferPointer { sourceStrides in
        step.targetStrides.withUnsafeBufferPointer { targetStrides in
          withUnsafeTemporaryAllocation(of: Int.self, capacity: dimensions) { counters in
            counters.initialize(repeating: 0)
            let inner = dimensions - 1
            let innerExtent = extents[inner]
            let innerSource = sourceStrides[inner]
            let innerTarget = targetStrides[inner]
            var sourceOffset = 0
            var targetOffset = 0
            while true {
              var s = sourceOffset
              var t = targetOffset
              for _ in 0..<innerExtent {
                target[t] += scale * source[s]
                s += innerSource
                t += innerTarget
              }
              var d = inner - 1
              while d >= 0 {
                counters[d] += 1
                sourceOffset += sourceStrides[d]
                targetOffset += targetStrides[d]
                if counters[d] < extents[d] { break }
                sourceOffset -= sourceStrides[d] * extents[d]
                targetOffset -= targetStrides[d] * extents[d]
                counters[d] = 0
                d -= 1
              }
              if d < 0 { return }
            }
          }
        }
      }
    }
  }

  static func contract(
    _ step: ContractStep, a: UnsafePointer<Double>, b: UnsafePointer<Double>,
    c: UnsafeMutablePointer<Double>
  ) {
    let (m, p, k) = (step.m, step.p, step.k)
    for batch in 0..<step.batch {
      let aBlock = a + batch * m * k
      let bBlock = b + batch * p * k
      let cBlock = c + batch * m * p
      if k == 1 {
        for row in 0..<m {
          let x = aBlock[row]
          for column in 0..<p { cBlock[row * p + column] = x * bBlock[column] }
        }
        continue
      }
      for row in 0..<m {
        let aRow = aBlock + row * k
        for column in 0..<p {
          cBlock[row * p + column] = SamplingVectorKernels.dot(aRow, bBlock + column * k, count: k)
        }
      }
    }
  }
}
