import Foundation

/// A failing case saved for replay: `NAME.args` (one argument per line, with the `{MODEL}` and
/// `{OUT}` placeholders; lines starting with `#` are comments) and, if the case has one,
/// `NAME.model` (the model file's exact bytes).
///
/// A `.model` file without an `.args` file is run with `{MODEL} --format text`. Comment lines
/// record the verdict and label of the run that found it; they are not read back.
public struct Reproducer: Hashable, Sendable {
  public var name: String
  public var fuzzCase: FuzzCase

  public init(name: String, fuzzCase: FuzzCase) {
    self.name = name
    self.fuzzCase = fuzzCase
  }

  /// The default arguments of a reproducer without an `.args` file.
  public static let defaultArguments = [FuzzCase.modelPlaceholder, "--format", "text"]

  /// The contents of the `.args` file, with `comments` as `#` lines first.
  public func argumentsFile(comments: [String]) -> String {
    (comments.map { "# " + $0.replacingOccurrences(of: "\n", with: " ") }
      + fuzzCase.arguments.map { $0.replacingOccurrences(of: "\n", with: " ") })
      .joined(separator: "\n") + "\n"
  }

  /// Writes `NAME.args` and `NAME.model` into `directory`.
  public func write(to directory: URL, comments: [String]) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try Data(argumentsFile(comments: comments).utf8).write(
      to: directory.appendingPathComponent(name + ".args"))
    if let model = fuzzCase.model {
      try Data(model).write(to: directory.appendingPathComponent(name + ".model"))
    }
  }

  /// All reproducers in `directory`, sorted by name.
  public static func load(from directory: URL) throws -> [Reproducer] {
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    let names = Set(
      files.filter { $0.hasSuffix(".args") || $0.hasSuffix(".model") }.map {
        String($0[..<($0.lastIndex(of: ".") ?? $0.endIndex)])
      })
    return try names.sorted().map { name in
      let modelURL = directory.appendingPathComponent(name + ".model")
      let argsURL = directory.appendingPathComponent(name + ".args")
      let model =
        FileManager.default.fileExists(atPath: modelURL.path)
        ? [UInt8](try Data(contentsOf: modelURL)) : nil
      var arguments = defaultArguments
      if FileManager.default.fileExists(atPath: argsURL.path) {
        let text = String(decoding: try Data(contentsOf: argsURL), as: UTF8.self)
        arguments = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
          .filter { !$0.hasPrefix("#") }
        if arguments.last == "" { arguments.removeLast() }
      }
      let kind: FuzzCase.Kind =
        arguments.first == FuzzCase.modelPlaceholder && model != nil ? .model : .commandLine
      return Reproducer(
        name: name, fuzzCase: FuzzCase(kind: kind, label: name, model: model, arguments: arguments))
    }
  }
}
