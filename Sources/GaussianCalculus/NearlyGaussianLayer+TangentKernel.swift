import Algebra
import Rational

/// The expectation over the joint nearly-Gaussian state of the preactivations z and their
/// tangent kernel Ĥ (FORMULAS.md §12).
///
/// Ĥ enters a product polynomially (each factor Ĥ_{pq;αγ} once), and at leading order it is
/// deterministic: its mean ``NearlyGaussianLayer/kernelMean`` (δ_{pq}Θ_{αγ}). Its corrections
/// are cumulants, alone (the 1/n mean shift, the Ĥ–Ĥ covariance) or jointly with z (the Ĥ–z–z
/// cumulant), so the joint cumulant expansion reads
///   E[F(z) P(Ĥ)] = exp( Σ_c w_c κ_c ∂^c ) ⟨F⟩_K P(mean),
/// where a kernel slot of a component differentiates one kernel factor of P (∂Ĥ_{pq;αγ}/∂Ĥ_{m₁m₂;β₁β₂}
/// = δ_{pm₁}δ_{qm₂}δ_{αβ₁}δ_{γβ₂}, every entry treated as its own variable: the moment–cumulant
/// relation holds for any random variables) and a preactivation slot differentiates the
/// single-neuron atom of its neuron, as for z alone. The neuron slots a kernel derivative pins
/// fix the neuron of their δ-block; a block pinned to two different (distinct) neurons vanishes,
/// a block pinned to none is assigned to every neuron of the product in turn.
extension NearlyGaussianLayer {
  func jointExpectation(
    base: Expression, neurons: [Index], perNeuron: [Index: [Factor]], kernelFactors: [Tensor],
    order: Int
  ) throws -> [Term] {
    var next = (base.terms.map { $0.monomial.maxDummyNumber }.max() ?? -1) + 1
    let randomSlots =
      perNeuron.values.flatMap { $0.flatMap(\.slots) } + kernelFactors.flatMap(\.indices)
    for i in randomSlots {
      if case .dummy(let k) = i.label { next = Swift.max(next, k + 1) }
    }
    var out: [Term] = []
    for insertion in insertions(upTo: order, kernel: true) {
      // Fresh sample dummies for every slot of every component; neuron slots numbered globally.
      var samples: [Index] = []
      var coefficient = Expression.one
      var blocks: [[Int]] = []
      var kernelSlots: [Int] = []
      var isKernelSlot: Set<Int> = []
      for c in insertion.components {
        let offset = samples.count
        var map: [Index: Index] = [:]
        for s in c.sampleSlots {
          let d = Index(.sample, .dummy(next))
          next += 1
          map[s] = d
          samples.append(d)
        }
        coefficient = coefficient * c.coefficient.renamingFreeIndices(map)
        blocks += c.neuronBlocks.map { $0.map { $0 + offset } }
        for k in c.kernelStarts {
          kernelSlots.append(offset + k)
          isKernelSlot.formUnion([offset + k, offset + k + 1])
        }
      }
      // Each kernel slot differentiates a different kernel factor (Ĥ is linear in each).
      for hit in injections(kernelSlots.count, into: kernelFactors.count) {
        var pinned: [Int: Index] = [:]
        var rename: [Index: Index] = [:]
        for (s, f) in zip(kernelSlots, hit) {
          let x = kernelFactors[f].indices
          pinned[s] = x[0]
          pinned[s + 1] = x[1]
          rename[samples[s]] = x[2]
          rename[samples[s + 1]] = x[3]
        }
        // The factors no slot differentiates take their mean.
        var means = Expression.one
        for (f, x) in kernelFactors.enumerated() where !hit.contains(f) {
          means = means * mean(of: x)
        }
        if means.isZero { continue }
        // Blocks: pinned to one neuron, or free.
        var fixed: [(block: [Int], neuron: Index)] = []
        var free: [[Int]] = []
        var vanishes = false
        for b in blocks {
          let values = Set(b.compactMap { pinned[$0] })
          if values.count > 1 {
            vanishes = true
            break
          }
          if let j = values.first { fixed.append((b, j)) } else { free.append(b) }
        }
        if vanishes { continue }
        if !free.isEmpty && neurons.isEmpty { continue }
        let summed = samples.filter { rename[$0] == nil }
        let renamed = coefficient.renamingFreeIndices(rename)
        var assignment = Array(repeating: 0, count: free.count)
        while true {
          var derivatives: [Index: [Index]] = [:]
          var zero = false
          let placed = fixed + zip(free, assignment).map { ($0, neurons[$1]) }
          for (b, j) in placed {
            let slots = b.filter { !isKernelSlot.contains($0) }
            if slots.isEmpty { continue }
            if perNeuron[j] == nil {
              // ∂/∂z of a neuron the product does not depend on.
              zero = true
              break
            }
            derivatives[j, default: []].append(contentsOf: slots.map { samples[$0] })
          }
          if !zero {
            var atoms = renamed * means
            for j in neurons {
              atoms =
                atoms
                * .average(
                  GaussianAverage(
                    metric: metric, derivatives: derivatives[j, default: []],
                    integrand: perNeuron[j, default: []]))
            }
            Self.appendProducts(
              of: base, with: atoms, weight: insertion.weight, summing: summed, to: &out)
          }
          if !Self.advance(&assignment, radix: neurons.count) { break }
        }
      }
    }
    return out
  }

  /// The order-0 mean of one kernel factor Ĥ_{pq;αγ}: the sum of the mean components, zero for a
  /// component whose δ joins two different (distinct) neurons.
  func mean(of x: Tensor) -> Expression {
    var sum = Expression.zero
    for c in kernelMean {
      if x.indices[0] != x.indices[1] && c.neuronBlocks.contains(where: { $0.count > 1 }) {
        continue
      }
      sum =
        sum
        + c.coefficient.renamingFreeIndices([
          c.sampleSlots[0]: x.indices[2], c.sampleSlots[1]: x.indices[3],
        ])
    }
    return sum
  }

  /// Every injective map from `k` slots into `n` targets, as the list of targets.
  func injections(_ k: Int, into n: Int) -> [[Int]] {
    if k == 0 { return [[]] }
    var out: [[Int]] = []
    for rest in injections(k - 1, into: n) {
      for t in 0..<n where !rest.contains(t) { out.append(rest + [t]) }
    }
    return out
  }
}
