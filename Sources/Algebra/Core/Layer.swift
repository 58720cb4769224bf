/// A layer label: either relative to the generic layer ℓ (ℓ, ℓ−1, ℓ+1) or an absolute layer
/// number (0 for the inputs, 1 for the first layer).
///
/// Order: relative layers before absolute ones, each by offset. The order is part of the
/// canonical form, so it must never change silently.
public enum Layer: Hashable, Comparable, Sendable {
  /// The layer ℓ + `offset`.
  case relative(Int)
  /// A fixed layer number.
  case absolute(Int)

  /// The generic layer ℓ.
  public static let ell = Layer.relative(0)

  /// The layer `k` steps above this one.
  public func shifted(by k: Int) -> Layer {
    switch self {
    case .relative(let o): return .relative(o + k)
    case .absolute(let a): return .absolute(a + k)
    }
  }

  public static func < (lhs: Layer, rhs: Layer) -> Bool {
    switch (lhs, rhs) {
    case (.relative(let a), .relative(let b)): return a < b
    case (.absolute(let a), .absolute(let b)): return a < b
    case (.relative, .absolute): return true
    case (.absolute, .relative): return false
    }
  }
}

extension Optional where Wrapped == Layer {
  /// Order of optional layer labels: no layer first, then ``Layer`` order.
  static func precedes(_ lhs: Layer?, _ rhs: Layer?) -> Bool {
    switch (lhs, rhs) {
    case (nil, nil): return false
    case (nil, _): return true
    case (_, nil): return false
    case (let a?, let b?): return a < b
    }
  }
}
