import Foundation

/// One input to the `derive` command line: an argument list and, optionally, a model file.
///
/// Arguments may contain two placeholders, replaced when the case is run: `{MODEL}` (the path
/// of the case's model file, written into a temporary directory) and `{OUT}` (a fresh
/// temporary output directory). Cases never name a path outside these.
public struct FuzzCase: Hashable, Sendable {
  /// Which generator produced the case.
  public enum Kind: String, Sendable, CaseIterable {
    /// A generated or mutated model file, derived with fixed, valid arguments.
    case model
    /// A generated argument list for `derive`, `derive eval`, `derive check` or `derive merge`.
    case commandLine
  }

  public var kind: Kind
  /// What the generator did, e.g. `mutate:nest-parentheses(7300)`; for reports only.
  public var label: String
  /// The bytes of the model file (not necessarily UTF-8), or nil if the case has none.
  public var model: [UInt8]?
  /// The arguments, with `{MODEL}` and `{OUT}` placeholders.
  public var arguments: [String]

  public init(kind: Kind, label: String, model: [UInt8]?, arguments: [String]) {
    self.kind = kind
    self.label = label
    self.model = model
    self.arguments = arguments
  }

  /// The placeholder for the model file's path.
  public static let modelPlaceholder = "{MODEL}"
  /// The placeholder for a temporary output directory.
  public static let outputPlaceholder = "{OUT}"

  /// The arguments with the placeholders replaced.
  public func arguments(modelPath: String, outputDirectory: String) -> [String] {
    arguments.map {
      $0.replacingOccurrences(of: Self.modelPlaceholder, with: modelPath)
        .replacingOccurrences(of: Self.outputPlaceholder, with: outputDirectory)
    }
  }

  /// Whether an exit status 2 must come with a located `FILE:LINE:COL: error:` message: true
  /// when the model file is the only thing that can be wrong (a model case).
  public var requiresLocatedErrors: Bool { kind == .model }

  /// The model text, decoded leniently (invalid bytes become U+FFFD), for inspection.
  public var modelText: String? { model.map { String(decoding: $0, as: UTF8.self) } }
}
