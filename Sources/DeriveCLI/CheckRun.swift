import Evaluation

/// What the check's reports say about a run besides its numbers: the header of the table, the
/// sampler, the model and its derived recursions, and the numeric parameters. `derive check`
/// and `derive merge` fill it in the same way, so they write the same report.
struct CheckRun {
  /// The first line(s) of the table (`check: model mlp (mlp), σ = tanh, …`).
  var header: String
  /// Which sampler ran and why (``Evaluation/SamplerDecision/summary``).
  var sampler: String
  /// The model's name, where it came from (a file path or a built-in name) and its text.
  var modelName: String
  var modelSource: String
  var modelText: String
  /// The activation every function not bound by name takes (nil when the model applies none).
  var activation: String?
  /// Couplings, widths of the base step of the scan, inputs.
  var parameters: NumericParameters
  /// The derived recursions, as `derive MODEL --document` shows them.
  var recursions: Presentation
}
