/// The range an index runs over.
///
/// Neuron indices are bound to a layer (their range is that layer's width); sample indices
/// run over the inputs of the data set.
public enum IndexSpace: Hashable, Comparable, Sendable {
  /// Neurons of a layer: 1…n_layer.
  case neuron(Layer)
  /// Samples (inputs) α, β: 1…N_D.
  case sample

  /// The symbol for the number of values the index takes.
  public var dimension: Symbol {
    switch self {
    case .neuron(let layer): return .width(layer)
    case .sample: return .sampleCount
    }
  }

  public static func < (lhs: IndexSpace, rhs: IndexSpace) -> Bool {
    switch (lhs, rhs) {
    case (.neuron(let a), .neuron(let b)): return a < b
    case (.neuron, .sample): return true
    case (.sample, _): return false
    }
  }
}

/// A typed index: its space plus a label.
///
/// Labels are either names chosen by the user (free indices such as i₁, α₂, or named summed
/// indices before canonicalisation) or canonical dummy numbers assigned by
/// ``DummyCanonicalizer``. Two indices are the same index iff space and label agree.
public struct Index: Hashable, Comparable, Sendable {
  /// How an index is labelled.
  public enum Label: Hashable, Comparable, Sendable {
    /// A user-chosen name ("i1", "alpha2").
    case named(String)
    /// A canonical dummy number (0, 1, …), counted per index space.
    case dummy(Int)

    public static func < (lhs: Label, rhs: Label) -> Bool {
      switch (lhs, rhs) {
      case (.named(let a), .named(let b)): return a < b
      case (.dummy(let a), .dummy(let b)): return a < b
      case (.named, .dummy): return true
      case (.dummy, .named): return false
      }
    }
  }

  public var space: IndexSpace
  public var label: Label

  public init(_ space: IndexSpace, _ label: Label) {
    self.space = space
    self.label = label
  }

  /// A named neuron index of the given layer.
  public static func neuron(_ name: String, layer: Layer) -> Index {
    Index(.neuron(layer), .named(name))
  }

  /// A named sample index.
  public static func sample(_ name: String) -> Index {
    Index(.sample, .named(name))
  }

  /// Whether the label is a canonical dummy number.
  public var isDummyLabel: Bool {
    if case .dummy = label { return true }
    return false
  }

  public static func < (lhs: Index, rhs: Index) -> Bool {
    lhs.space != rhs.space ? lhs.space < rhs.space : lhs.label < rhs.label
  }
}
