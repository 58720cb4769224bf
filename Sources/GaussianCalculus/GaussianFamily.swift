import Algebra

/// A declared family of centred, jointly Gaussian random tensor components: every component of
/// `head` is random, and the covariance of two components is given by an expression with
/// δ-structure and width scaling, e.g.
/// - biases: E[b_{i₁} b_{i₂}] = C_b δ_{i₁i₂};
/// - weights: E[W_{i₁j₁} W_{i₂j₂}] = (C_W / n_ℓ) δ_{i₁i₂} δ_{j₁j₂};
/// - a Gaussian layer: E[z_{i;α} z_{j;β}] = δ_{ij} K_{αβ}.
///
/// Distinct families are independent. The covariance must be symmetric under exchanging the
/// two components (it is used for either order).
public struct GaussianFamily: Hashable, Sendable {
  public var head: TensorHead
  /// Index placeholders of the first component (distinct, free in `covariance`).
  public var first: [Index]
  /// Index placeholders of the second component.
  public var second: [Index]
  /// E[head_{first} head_{second}].
  public var covariance: Expression

  public init(_ head: TensorHead, first: [Index], second: [Index], covariance: Expression) {
    precondition(first.count == second.count, "components of one family have equal rank")
    precondition(Set(first + second).count == first.count * 2, "placeholders must be distinct")
    self.head = head
    self.first = first
    self.second = second
    self.covariance = covariance
  }

  /// The covariance of the components `a` and `b` of this family.
  public func covariance(_ a: [Index], _ b: [Index]) -> Expression {
    var map: [Index: Index] = [:]
    for (p, i) in zip(first, a) { map[p] = i }
    for (p, i) in zip(second, b) { map[p] = i }
    return covariance.renamingFreeIndices(map)
  }
}
