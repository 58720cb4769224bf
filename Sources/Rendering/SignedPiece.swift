/// One rendered term (or block of terms) and its sign, as the LaTeX and text renderers join
/// them into a sum.
struct SignedPiece {
  var isNegative: Bool
  /// The term without its sign.
  var body: String

  /// `a + b - c`, a leading minus written `-a`; `0` for no pieces.
  static func joined(_ pieces: [SignedPiece]) -> String {
    if pieces.isEmpty { return "0" }
    var out = pieces[0].isNegative ? "-" + pieces[0].body : pieces[0].body
    for p in pieces.dropFirst() { out += (p.isNegative ? " - " : " + ") + p.body }
    return out
  }
}
