import Derivation
import Numerics
import Quadrature

/// The numbers a derived recursion is evaluated at.
public struct NumericParameters: Sendable {
  /// Values of the model's couplings by name ("C_b", "C_W", …).
  public var couplings: [String: Double]
  /// Widths n₁…n_L of the hidden layers (the depth is their count).
  public var widths: [Int]
  /// The inputs: one vector of n₀ components per sample.
  public var inputs: [[Double]]
  /// The activation of every function of the model not named in ``functionActivations``.
  public var activation: Activation
  /// Activations of particular functions of the model, by the name the model file declares
  /// (`function tau` and `--function tau=relu`).
  public var functionActivations: [String: Activation]

  /// The accuracy asked of every Gaussian average, relative to the scale of its integrand:
  /// ``defaultTolerance`` (10⁻¹²) unless a coarser one (up to 10⁻⁴) buys speed.
  public var tolerance: Double

  /// The default accuracy of a Gaussian average: 10⁻¹², the contract of `GaussianExpectation`.
  public static let defaultTolerance = 1e-12
  /// The finest tolerance accepted: the default (the quadrature is not built to go further).
  public static let finestTolerance = defaultTolerance
  /// The coarsest tolerance accepted: 10⁻⁴.
  public static let coarsestTolerance = 1e-4

  /// The quadrature's options for ``tolerance``: its a-priori node-selection target is scaled
  /// from the default one, which meets 10⁻¹² (achieved errors are 0.01–1 times the target).
  public var quadratureOptions: GaussianExpectation.Options {
    let defaults = GaussianExpectation.Options()
    if tolerance == Self.defaultTolerance { return defaults }
    return GaussianExpectation.Options(
      tolerance: defaults.tolerance * (tolerance / Self.defaultTolerance))
  }

  public init(
    couplings: [String: Double], widths: [Int], inputs: [[Double]], activation: Activation,
    functionActivations: [String: Activation] = [:], tolerance: Double = defaultTolerance
  ) {
    self.tolerance = tolerance
    self.couplings = couplings
    self.widths = widths
    self.inputs = inputs
    self.activation = activation
    self.functionActivations = functionActivations
  }

  /// The activation the model's function `name` stands for.
  public func activation(for name: String) -> Activation {
    functionActivations[name] ?? activation
  }

  /// n₀, the number of input components.
  public var inputDimension: Int { inputs.first?.count ?? 0 }
  public var sampleCount: Int { inputs.count }
  public var depth: Int { widths.count }

  /// The width of an absolute layer (0 is the input dimension).
  public func width(ofLayer l: Int) -> Int? {
    if l == 0 { return inputDimension }
    return (1...widths.count).contains(l) ? widths[l - 1] : nil
  }
}

/// A bad number or shape in the parameters, with a message for the user.
public struct EvaluationError: Error, Sendable, CustomStringConvertible {
  public var message: String
  /// The statement of the model file the error is about, when it is about the model.
  public var location: SourceLocation?
  public init(_ message: String, at location: SourceLocation? = nil) {
    self.message = message
    self.location = location
  }
  public var description: String {
    if let location { return "\(location): error: \(message)" }
    return "error: \(message)"
  }

  /// The error with `location` if it has none yet: errors about a map's terms point at the map.
  public func located(_ location: SourceLocation?) -> EvaluationError {
    var e = self
    if e.location == nil { e.location = location }
    return e
  }
}
