import Derivation
import JSON
import Rendering

extension Presentation {
  /// `derive --format json`: one line,
  /// `{"model": name, "sections": [{"title", "equations": [equation, …]}, …], "notes": […]}`
  /// with `"steps": [{"title", "expression"}, …]` after the notes when asked for; equations and
  /// expressions in ``JSONRenderer``'s schema.
  func renderJSON(steps showSteps: Bool) -> String {
    var members: [(String, JSONValue)] = [
      ("model", .string(modelName)),
      (
        "sections",
        .array(
          sections.map { section in
            .object([
              ("title", .string(section.title)),
              (
                "equations",
                .array(section.equations.map { JSONRenderer.value(lhs: $0.lhs, rhs: $0.rhs) })
              ),
            ])
          })
      ),
      ("notes", .array(notes.map(JSONValue.string))),
    ]
    if showSteps {
      members.append(
        (
          "steps",
          .array(
            steps.map {
              .object([
                ("title", .string($0.title)), ("expression", JSONRenderer.value(of: $0.expression)),
              ])
            })
        ))
    }
    return JSONValue.object(members).serialized() + "\n"
  }
}
