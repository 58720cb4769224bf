extension NetworkSpecificationError: CustomStringConvertible {
  /// A sentence for the user. The cases' `layer` and `sample` are 0-based positions (in the
  /// widths, the layers and the inputs); the sentences count from 1, as the command line does
  /// (layer 1 is the first hidden layer, input 1 the first `--input`).
  public var description: String {
    switch self {
    case .noInputs:
      return "there are no inputs: give at least one input vector"
    case .emptyInput(let sample):
      return "input \(sample + 1) has no components"
    case .inputDimensionMismatch(let sample, let expected, let found):
      return
        "input \(sample + 1) has \(found) component\(found == 1 ? "" : "s") but input 1 has \(expected): all inputs need the same number"
    case .nonFiniteInput(let sample):
      return "input \(sample + 1) has a component that is not a finite number"
    case .noLayers:
      return "the network has no layers: give at least one width"
    case .layerCountMismatch(let widths, let layers):
      return "\(widths) widths were given for \(layers) layer maps: give one width per layer"
    case .nonPositiveWidth(let layer, let width):
      return "layer \(layer + 1) has width \(width): every width must be at least 1"
    case .emptyLayer(let layer):
      return "the map of layer \(layer + 1) has no terms"
    case .invalidVariance(let layer, let variance):
      return
        "the map of layer \(layer + 1) has a variance of \(variance): variances must be finite and non-negative"
    case .invalidCoefficient(let layer, let coefficient):
      return
        "the map of layer \(layer + 1) has a coefficient of \(coefficient): coefficients must be finite"
    case .firstLayerReadsPreviousLayer:
      return
        "the first layer reads a previous layer, but before layer 1 there are only the inputs"
    case .mismatchedCovarianceSides(let layer):
      return
        "a conditional-covariance term of layer \(layer + 1) pairs the inputs with the previous layer's neurons: the sum over their index is undefined"
    case .widthTooSmallForEstimators(let layer, let width):
      return
        "layer \(layer + 1) has width \(width), but every width must be at least 2: the four-point function is estimated from pairs of distinct neurons of a layer"
    case .invalidProgram(let layer, let reason):
      return "the map of layer \(layer + 1) cannot be sampled: \(reason)"
    case .skipWidthMismatch(let layer, let previousWidth, let width):
      return
        "layer \(layer + 1) carries each neuron's own preactivation from layer \(layer) (width \(previousWidth)) to layer \(layer + 1) (width \(width)): a skip connection needs equal widths"
    case .firstLayerCarriesPreactivation:
      return
        "the first layer has a skip connection, but before layer 1 there are only the inputs: there is no preactivation to carry"
    }
  }
}
