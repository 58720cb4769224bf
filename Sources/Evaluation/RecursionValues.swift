/// K, G¹ and V of one layer for every combination of sample indices (0-based, input order).
public struct RecursionValues: Sendable, Equatable {
  public var layer: Int
  public var sampleCount: Int
  /// K[α][β].
  public var K: [[Double]]
  /// G¹[α][β].
  public var G1: [[Double]]
  /// V[(α,β),(γ,δ)] stored at ((α·S + β)·S + γ)·S + δ.
  public var V: [Double]

  public init(layer: Int, sampleCount: Int, K: [[Double]], G1: [[Double]], V: [Double]) {
    self.layer = layer
    self.sampleCount = sampleCount
    self.K = K
    self.G1 = G1
    self.V = V
  }

  public func v(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Double {
    let s = sampleCount
    return V[((a * s + b) * s + c) * s + d]
  }
}
