import Foundation
import Testing

/// Snapshot files: expected renderer outputs checked into `Tests/RenderingTests/Snapshots`.
///
/// The expected text is read from the test bundle (`Bundle.module`). With the environment
/// variable `RECORD_SNAPSHOTS=1` the actual text is written into the *source tree* instead
/// (located through `#filePath`) and the comparison is skipped; rebuild to pick up new files.
enum Snapshot {
  static var isRecording: Bool {
    ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
  }

  static func expect(
    _ actual: String, named name: String, filePath: String = #filePath,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let contents = actual.hasSuffix("\n") ? actual : actual + "\n"
    if isRecording {
      let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots")
      do {
        try contents.write(
          to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        print("recorded snapshot \(name)")
      } catch {
        Issue.record("could not record snapshot \(name): \(error)", sourceLocation: sourceLocation)
      }
      return
    }
    guard
      let url = Bundle.module.url(forResource: "Snapshots", withExtension: nil)?
        .appendingPathComponent(name),
      let expected = try? String(contentsOf: url, encoding: .utf8)
    else {
      Issue.record(
        "missing snapshot \(name); run the tests with RECORD_SNAPSHOTS=1 to record it",
        sourceLocation: sourceLocation)
      return
    }
    #expect(contents == expected, "snapshot \(name) differs", sourceLocation: sourceLocation)
  }
}
