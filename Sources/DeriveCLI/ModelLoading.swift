import Derivation
import Foundation

/// Loads a model given on the command line: a path to a model file, or the name of a built-in
/// model (`mlp`, `mlp-no-bias`, `deep-linear`). No argument means the built-in MLP.
enum ModelLoading {
  static let maximumFileSize = 1 << 20

  static func load(_ argument: String?) throws -> (model: Model, source: String) {
    let loaded = try loadWithText(argument)
    return (loaded.model, loaded.source)
  }

  /// As ``load(_:)``, with the model's source text.
  static func loadWithText(_ argument: String?) throws -> (
    model: Model, source: String, text: String
  ) {
    guard let argument else {
      let d = BuiltinModels.defaultModel
      return (try compile(d.text, file: "<builtin:\(d.name)>"), d.name, d.text)
    }
    if !FileManager.default.fileExists(atPath: argument),
      let text = BuiltinModels.text(named: argument)
    {
      return (try compile(text, file: "<builtin:\(argument)>"), argument, text)
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
      let names = BuiltinModels.all.map(\.name).joined(separator: ", ")
      throw CommandFailure.usage(
        "error: no such model file '\(argument)' (built-in models: \(names))")
    }
    if isDirectory.boolValue {
      throw CommandFailure.usage("error: '\(argument)' is a directory, not a model file")
    }
    let data = try contents(of: argument, maximumSize: maximumFileSize)
    guard let text = String(data: data, encoding: .utf8) else {
      throw CommandFailure.usage("error: '\(argument)' is not UTF-8 text")
    }
    return (try compile(text, file: argument), argument, text)
  }

  static func compile(_ text: String, file: String) throws -> Model {
    do {
      return try ModelCompiler.compile(text, file: file)
    } catch let e as ModelError {
      throw CommandFailure.usage(e.description)
    }
  }

  /// The bytes of the file at `path`, refused (exit 2) when larger than `maximumSize` or
  /// unreadable.
  static func contents(of path: String, maximumSize: Int) throws -> Data {
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    if let size = attributes?[.size] as? Int, size > maximumSize {
      throw CommandFailure.usage("error: '\(path)' is larger than \(maximumSize) bytes")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CommandFailure.usage("error: cannot read '\(path)'")
    }
    return data
  }
}
