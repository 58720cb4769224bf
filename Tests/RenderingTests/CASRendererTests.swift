import Algebra
import Foundation
import Rational
import Rendering
import Testing

/// SymPy and Mathematica exports: snapshots, and — when python3 with SymPy is installed — the
/// SymPy script is executed and small numeric values are checked.
@Suite struct CASRendererTests {
  typealias F = Fixtures

  static let python: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let candidate = String(directory) + "/python3"
      guard FileManager.default.isExecutableFile(atPath: candidate) else { continue }
      if (try? run(candidate, ["-c", "import sympy"]))?.status == 0 { return candidate }
    }
    print("note: python3 with sympy not found; the SymPy execution test is skipped")
    return nil
  }()

  static func run(_ executable: String, _ arguments: [String]) throws -> (
    status: Int32, output: String
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  var equations: [Equation] {
    let g1 = Expression.tensor(
      TensorHead("G1", layer: .relative(1), symmetry: .symmetric), [F.a1, F.a2])
    return [
      Equation(lhs: F.vNext, rhs: F.vRecursion),
      Equation(lhs: g1, rhs: F.g1Recursion),
      Equation(lhs: .tensor(F.K, [F.a1, F.a2]), rhs: F.fourPoint),
      Equation(lhs: F.sym(F.cB), rhs: F.distinctNeuronSum),
      Equation(lhs: F.sym(F.cW), rhs: F.signedCoefficients),
    ]
  }

  @Test func snapshots() {
    Snapshot.expect(SymPyRenderer().script(equations), named: "Recursions.py")
    let mathematica = MathematicaRenderer()
    Snapshot.expect(
      equations.map { mathematica.render($0) }.joined(separator: "\n"), named: "Recursions.wl")
  }

  @Test func exactSmallCases() {
    let sympy = SymPyRenderer()
    let wl = MathematicaRenderer()
    let e = F.sym(F.cB) - F.sym(F.cW).scaled(by: F.rational(1, 2)) + F.sym(F.cW, 3)
    #expect(sympy.render(e) == "C_b - Rational(1, 2)*C_W + C_W**3")
    #expect(wl.render(e) == "Subscript[C, b] - (1/2)*Subscript[C, W] + Subscript[C, W]^3")
    let j = Index.neuron("j", layer: .ell)
    let d = Expression.function(F.sigma, derivative: 2, of: Tensor(F.z, [j, F.a1]))
    #expect(
      sympy.render(d) == "Derivative(sigma(z[ell, j, alpha1]), (z[ell, j, alpha1], 2))")
    #expect(wl.render(d) == "Derivative[2][sigma][z[ell][j, alpha1]]")
    #expect(sympy.render(F.sym(F.nPrev, -1)) == "n(ell - 1)**(-1)")
    #expect(wl.render(F.sym(F.nPrev, -1)) == "n[ell-1]^(-1)")
    #expect(sympy.render(.zero) == "0" && wl.render(.zero) == "0")
  }

  @Test(.enabled(if: python != nil, "python3 with sympy is not installed"))
  func sympyScriptRunsAndHasTheRightValues() throws {
    let executable = try #require(Self.python)
    let j = Index.neuron("j", layer: .ell)
    let k = Index.neuron("k", layer: .ell)
    let checks = [
      // C_b − C_W/2 + C_W³ at C_b = 1, C_W = 2: 8.
      Equation(
        lhs: .zero, rhs: F.sym(F.cB) - F.sym(F.cW).scaled(by: F.rational(1, 2)) + F.sym(F.cW, 3)),
      // Σ_{j≠k} 1 at n_ℓ = 3: 6.
      Equation(lhs: .zero, rhs: Expression.one.summed(over: [j, k], distinct: true)),
    ]
    let script =
      SymPyRenderer().script(equations + checks) + """
        print(len(equations))
        print(equations[-2].rhs.subs({C_b: 1, C_W: 2}))
        print(equations[-1].rhs.subs(n(ell), 3).doit())
        """
    let directory = FileManager.default.temporaryDirectory
    let file = directory.appendingPathComponent(
      "rendering-sympy-\(ProcessInfo.processInfo.processIdentifier).py")
    try script.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let (status, output) = try Self.run(executable, [file.path])
    #expect(status == 0, "python failed:\n\(output)")
    #expect(output.split(separator: "\n").map(String.init) == ["7", "8", "6"])
  }
}
