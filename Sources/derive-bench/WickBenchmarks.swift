import Algebra
import Foundation
import GaussianCalculus
import Glibc
import Rational

/// Foundation also declares an `Expression`.
private typealias Expression = Algebra.Expression

/// Wick-contraction benchmarks: the anchor tasks of `/work/shared/anchors/bench_form.py`, run in
/// the engine and, in the same run, in FORM (the peer) when `form` is installed.
///
/// - **T1** scalar Isserlis: E[x_{p₁}⋯x_{p₂ₘ}] with E[x_p x_q] = C_{pq}, free p's:
///   (2m−1)!! terms.
/// - **T2** indexed: E[Π_k Σ_{i_k} z_{i_k;a_{2k−1}} z_{i_k;a_{2k}}] with
///   E[z_{i;a} z_{j;b}] = δ_{ij} K_{ab}, free a's: (2m−1)!! terms, each n^{#cycles} Π K.
/// - **T2s** the same with one input a: n(n+2)⋯(n+2m−2) K_{aa}^m, m terms.
/// - **T4s** integrating out W: E_W[(z·z)^m] with z_i = Σ_j W_{ij} σ(z_{j;a}) and
///   E[W_{ij} W_{kl}] = (C_W/n_ℓ) δ_{ik} δ_{jl}: m terms C_W^m n_{ℓ+1}^k n_ℓ^{−m} (Σ_j σ_j σ_j)^m.
///
/// Environment: `WICK_CASES=<substring>` keeps only the matching cases; `WICK_PEER=0` skips FORM,
/// `WICK_PEER=stepwise` runs only the stepwise program where a case has one (the anchor's
/// coefficient check is then skipped: the stepwise result is checked by its number of terms);
/// `WICK_REPEATS=<k>` times every case k times (profiling); `WICK_CLOCK=cpu` measures CPU time
/// instead of elapsed time — the engine's thread's, FORM's user + system time (and its start-up's
/// likewise) — which the other processes of a loaded machine inflate far less.
///
/// Before timing, each case's engine result is checked against FORM's — T1: the number of terms,
/// all with coefficient 1; T2: the number of terms with each power of n (the cycle histogram of
/// the pairings, from an untimed FORM run with every K set to 1); T2s and T4s: every coefficient
/// of the polynomial in n. The verdict goes to standard error so that `--json` output stays one
/// object per line; a mismatch stops the run.
func wickBenchmarks() -> [BenchmarkCase] {
  var cases: [BenchmarkCase] = []
  for m in 4...7 {
    cases.append(
      wickCase(
        "T1 scalar Isserlis \(2 * m)-pt", repeats: m >= 7 ? 3 : 7,
        engine: { WickTasks.scalarIsserlis(m) },
        form: FormProgram.scalarIsserlis(m),
        verify: { (result: Expression, form: FormOutput) -> Bool in
          result.terms.count == form.terms
            && result.terms.allSatisfy { $0.coefficient == Rational(1) }
        }))
  }
  for m in 4...7 {
    // Checked beyond the count: FORM's output with every K set to 1 is Σ_k c_k n^k, c_k the
    // number of pairings with k neuron cycles — the engine's n-power histogram.
    cases.append(
      wickCase(
        "T2 indexed \(2 * m)-pt", repeats: m >= 7 ? 3 : 7,
        engine: { WickTasks.indexed(m) },
        form: FormProgram.indexed(m, singleInput: false),
        stepwise: FormProgram.setIndexed(m),
        verification: FormProgram.indexed(m, singleInput: false, histogram: true),
        verify: { result, form in
          var histogram: [Int: Int] = [:]
          for t in result.terms where t.coefficient == Rational(1) {
            histogram[t.monomial.exponent(of: WickTasks.n), default: 0] += 1
          }
          let ours = histogram.mapValues { "\($0)" }
          return result.terms.count
            == Int(form.polynomial(in: "n").values.compactMap { Int($0) }.reduce(0, +))
            && ours == form.polynomial(in: "n")
        }))
  }
  for m in [4, 6, 8, 12] {
    cases.append(
      wickCase(
        "T2s single input \(2 * m)-pt", repeats: 7,
        engine: { WickTasks.indexedSingleInput(m) },
        // The all-pairings program enumerates (2m−1)!! pairings: beyond 16 points only the
        // stepwise one is run.
        form: m <= 8 ? FormProgram.indexed(m, singleInput: true) : nil,
        stepwise: FormProgram.stepwiseSingleInput(m),
        verify: { result, form in
          let ours = WickTasks.widthPolynomial(result, width: WickTasks.n)
          return result.terms.count == form.terms && ours == form.polynomial(in: "n")
        }))
  }
  for m in [4, 6, 7, 12] {
    cases.append(
      wickCase(
        "T4s weight-Wick \(2 * m)-pt", repeats: 7,
        engine: { WickTasks.weightWick(m) },
        form: m <= 7 ? FormProgram.weightWick(m) : nil,
        stepwise: FormProgram.stepwiseWeightWick(m),
        verify: { result, form in
          // FORM uses one width n for both layers: compare n_{ℓ+1}^k n_ℓ^{−m} ↔ n^{k−m}.
          let ours = WickTasks.widthPolynomial(result, width: WickTasks.nOut, shift: -m)
          return result.terms.count == form.terms && ours == form.polynomial(in: "n")
        }))
  }
  let environment = ProcessInfo.processInfo.environment
  if let only = environment["WICK_CASES"] { cases = cases.filter { $0.name.contains(only) } }
  if environment["WICK_PEER"] == "0" { for i in cases.indices { cases[i].peers = [] } }
  if environment["WICK_PEER"] == "stepwise" {
    for i in cases.indices where cases[i].peers.contains(where: { $0.name == stepwisePeerName }) {
      cases[i].peers.removeAll { $0.name != stepwisePeerName }
    }
  }
  if let text = environment["WICK_REPEATS"], let repeats = Int(text), repeats > 0 {
    for i in cases.indices { cases[i].repeats = repeats }
  }
  if FormRunner.clock == .cpu { for i in cases.indices { cases[i].clock = .cpu } }
  return cases
}

/// A case that times `engine`, and FORM as the peers: `form` (the anchor's program, which
/// enumerates every pairing and merges at the end) and `stepwise` (the strongest formulation: one
/// pair contracted per module, identical terms merged after each `.sort`, as an experienced FORM
/// user writes it — `/work/shared/anchors/bench_form_stepwise.py`). Both report FORM's start-up
/// (an empty program) beside the ratio: for the anchor, the median of 15 runs measured once per
/// run; for the stepwise program (15 runs, the claim), the median of 15 empty runs alternating
/// with its own, so that both see the same load. Before the first peer
/// measurement, `verify` compares the engine's result with the anchor program's output (of
/// `verification`, an untimed program run once, when given); the stepwise program's result must
/// have as many terms as the engine's.
private func wickCase(
  _ name: String, repeats: Int, engine: @escaping () -> Expression, form: String?,
  stepwise: String? = nil, verification: String? = nil,
  verify: @escaping (Expression, FormOutput) -> Bool
) -> BenchmarkCase {
  let box = ResultBox()
  var c = BenchmarkCase(group: "wick", name: name, repeats: repeats) { box.result = engine() }
  guard let formPath = FormRunner.executable else { return c }
  let startup = { FormRunner.startup }
  let clock = FormRunner.clock
  if let form {
    c.peers.append(
      Peer(
        name: "form (anchor: all pairings)",
        measure: {
          guard let run = FormRunner.run(form, executable: formPath) else { return nil }
          if !box.verified, let result = box.result {
            box.verified = true
            var output = run.output
            if let program = verification, let check = FormRunner.run(program, executable: formPath)
            {
              output = check.output
            }
            let ok = verify(result, output)
            FileHandle.standardError.write(
              Data(
                "wick/\(name): engine \(result.terms.count) terms, form \(run.output.terms) terms — \(ok ? "results agree" : "MISMATCH")\n"
                  .utf8))
            precondition(ok, "engine and FORM disagree on \(name)")
          }
          return clock == .cpu ? run.cpuSeconds : run.seconds
        }, startup: startup))
  }
  if let stepwise {
    c.peers.append(
      Peer(
        name: stepwisePeerName,
        measure: {
          guard let run = FormRunner.run(stepwise, executable: formPath) else { return nil }
          if !box.stepwiseVerified, let result = box.result {
            box.stepwiseVerified = true
            let ok = result.terms.count == run.output.terms
            FileHandle.standardError.write(
              Data(
                "wick/\(name): engine \(result.terms.count) terms, stepwise form \(run.output.terms) terms — \(ok ? "counts agree" : "MISMATCH")\n"
                  .utf8))
            precondition(ok, "engine and stepwise FORM disagree on \(name)")
          }
          return clock == .cpu ? run.cpuSeconds : run.seconds
        }, startup: startup, repeats: 15, startupSample: { FormRunner.startupSample() }))
  }
  return c
}

/// The name of the stepwise FORM peer (the claim); `WICK_PEER=stepwise` keeps only it where it
/// exists.
private let stepwisePeerName = "form (stepwise)"

/// Holds the last engine result so that the peer closure can verify it.
private final class ResultBox: @unchecked Sendable {
  var result: Expression?
  var verified = false
  var stepwiseVerified = false
}

/// The engine side of the tasks.
private enum WickTasks {
  static let n = Symbol.width(.ell)
  static let nOut = Symbol.width(.relative(1))
  static let cW = Symbol.parameter("C_W")
  static let K = TensorHead("K", layer: .ell, symmetry: .symmetric)
  static let z = TensorHead("z", layer: .ell)
  static let W = TensorHead("W", layer: .relative(1))
  static let sigma = FunctionHead("σ")

  static func scalarIsserlis(_ m: Int) -> Expression {
    let x = TensorHead("x")
    let C = TensorHead("C", symmetry: .symmetric)
    let p = Index.sample("p"), q = Index.sample("q")
    let family = GaussianFamily(x, first: [p], second: [q], covariance: .tensor(C, [p, q]))
    var e = Expression.one
    for k in 1...(2 * m) { e = e * .tensor(x, [.sample("p\(k)")]) }
    return WickContraction([family]).expectation(of: e)
  }

  static var zFamily: GaussianFamily {
    let i = Index.neuron("i", layer: .ell), j = Index.neuron("j", layer: .ell)
    let a = Index.sample("a"), b = Index.sample("b")
    return GaussianFamily(
      z, first: [i, a], second: [j, b], covariance: .delta(i, j) * .tensor(K, [a, b]))
  }

  /// Π_k Σ_{i_k} z_{i_k;a_{2k−1}} z_{i_k;a_{2k}} with the given sample indices.
  static func dotProducts(_ samples: [Index]) -> Expression {
    var e = Expression.one
    var summed: [Index] = []
    for k in 0..<(samples.count / 2) {
      let i = Index.neuron("i\(k)", layer: .ell)
      summed.append(i)
      e = e * .tensor(z, [i, samples[2 * k]]) * .tensor(z, [i, samples[2 * k + 1]])
    }
    return e.summed(over: summed)
  }

  static func indexed(_ m: Int) -> Expression {
    WickContraction([zFamily]).expectation(
      of: dotProducts((1...(2 * m)).map { Index.sample("a\($0)") }))
  }

  static func indexedSingleInput(_ m: Int) -> Expression {
    WickContraction([zFamily]).expectation(
      of: dotProducts(Array(repeating: Index.sample("a"), count: 2 * m)))
  }

  static var wFamily: GaussianFamily {
    let i = Index.neuron("i", layer: .relative(1)), k = Index.neuron("k", layer: .relative(1))
    let j = Index.neuron("j", layer: .ell), l = Index.neuron("l", layer: .ell)
    return GaussianFamily(
      W, first: [i, j], second: [k, l],
      covariance: Expression.symbol(cW) * .symbol(n, power: -1) * .delta(i, k) * .delta(j, l))
  }

  static func weightWick(_ m: Int) -> Expression {
    let a = Index.sample("a")
    var e = Expression.one
    var summed: [Index] = []
    for k in 0..<m {
      let i = Index.neuron("i\(k)", layer: .relative(1))
      summed.append(i)
      for s in 0..<2 {
        let j = Index.neuron("j\(k)_\(s)", layer: .ell)
        summed.append(j)
        e = e * .tensor(W, [i, j]) * .function(sigma, of: Tensor(z, [j, a]))
      }
    }
    return WickContraction([wFamily]).expectation(of: e.summed(over: summed))
  }

  /// The coefficients of the expression as a polynomial in `width` (exponent + `shift` → exact
  /// integer coefficient), every other scalar and factor ignored.
  static func widthPolynomial(_ e: Expression, width: Symbol, shift: Int = 0) -> [Int: String] {
    var out: [Int: String] = [:]
    for t in e.terms { out[t.monomial.exponent(of: width) + shift] = "\(t.coefficient)" }
    return out
  }
}

/// FORM's output: the number of terms and the printed expression (if any).
private struct FormOutput {
  var terms: Int
  var printed: String

  /// The printed expression as a polynomial in `symbol`: exponent → coefficient (as text).
  /// Recognises FORM's term syntax `± c*n^k*…`, `n*…`, `n^-k*…`.
  func polynomial(in symbol: String) -> [Int: String] {
    var out: [Int: String] = [:]
    var text = printed.replacingOccurrences(of: " ", with: "").replacingOccurrences(
      of: "\n", with: "")
    text = text.replacingOccurrences(of: "-", with: "+-").replacingOccurrences(
      of: "^+-", with: "^-")
    for raw in text.split(separator: "+") where !raw.isEmpty {
      var coefficient = 1
      var exponent = 0
      var sign = 1
      var factors = Substring(raw)
      if factors.hasPrefix("-") {
        sign = -1
        factors = factors.dropFirst()
      }
      for f in factors.split(separator: "*") {
        if let c = Int(f) {
          coefficient *= c
        } else if f == symbol {
          exponent += 1
        } else if f.hasPrefix(symbol + "^"), let k = Int(f.dropFirst(symbol.count + 1)) {
          exponent += k
        }
      }
      out[exponent] = "\(sign * coefficient)"
    }
    return out
  }
}

/// Runs FORM programs in a temporary directory and times them (wall clock from spawn to exit, and
/// the process's CPU time), FORM's start-up of a few milliseconds included.
private enum FormRunner {
  /// The `form` executable, or nil when FORM is not installed.
  static let executable: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
      let candidate = "\(dir)/form"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }()

  /// The clock of the Wick cases (`WICK_CLOCK=cpu`: CPU time; elapsed time otherwise).
  static let clock: BenchmarkClock =
    ProcessInfo.processInfo.environment["WICK_CLOCK"] == "cpu" ? .cpu : .wall

  /// FORM's start-up: the median time (by ``clock``) of 15 runs of an empty program, measured
  /// once, the first time a peer asks (a lazily initialised constant).
  static let startup: Double? = executable.flatMap { exe in
    let times = (0..<15).compactMap { _ in
      run("#-\nLocal E = 1;\n.end\n", executable: exe).map {
        clock == .cpu ? $0.cpuSeconds : $0.seconds
      }
    }
    return times.isEmpty ? nil : median(times)
  }

  /// One run of an empty program (by ``clock``): FORM's start-up, sampled between the stepwise
  /// program's runs.
  static func startupSample() -> Double? {
    guard let exe = executable, let run = run("#-\nLocal E = 1;\n.end\n", executable: exe) else {
      return nil
    }
    return clock == .cpu ? run.cpuSeconds : run.seconds
  }

  /// Runs `program`: its elapsed time, its CPU time (user + system, from `wait4`) and its output.
  static func run(_ program: String, executable: String) -> (
    seconds: Double, cpuSeconds: Double, output: FormOutput
  )? {
    let fm = FileManager.default
    let dir = fm.temporaryDirectory.appendingPathComponent("wick-bench-\(UUID().uuidString)")
    guard (try? fm.createDirectory(at: dir, withIntermediateDirectories: true)) != nil else {
      return nil
    }
    defer { try? fm.removeItem(at: dir) }
    let file = dir.appendingPathComponent("task.frm")
    guard (try? program.write(to: file, atomically: true, encoding: .utf8)) != nil else {
      return nil
    }
    // posix_spawn + wait4 rather than Foundation's Process, whose run-loop machinery adds tens
    // of milliseconds per launch on a loaded machine; FORM's own start-up (a few ms) is counted.
    let output = dir.appendingPathComponent("task.log").path
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let filePath: String = file.path
    let words: [String] = [executable, "-l", filePath]
    let arguments: [UnsafeMutablePointer<CChar>?] = words.map { (w: String) in strdup(w) }
    defer { for a in arguments { free(a) } }
    var argv = arguments + [nil]
    var pid: pid_t = 0
    // The child inherits the working directory (FORM writes its log and scratch files there).
    let previous = fm.currentDirectoryPath
    guard fm.changeCurrentDirectoryPath(dir.path) else { return nil }
    defer { _ = fm.changeCurrentDirectoryPath(previous) }
    let start = DispatchTime.now().uptimeNanoseconds
    guard posix_spawn(&pid, executable, &actions, nil, &argv, environ) == 0 else { return nil }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    func secondsOf(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    let cpuSeconds = secondsOf(usage.ru_utime) + secondsOf(usage.ru_stime)
    guard status == 0, let data = fm.contents(atPath: output) else { return nil }
    let text = String(decoding: data, as: UTF8.self)
    return (seconds, cpuSeconds, parse(text))
  }

  static func parse(_ text: String) -> FormOutput {
    var terms = 0
    for line in text.split(separator: "\n") where line.contains("Terms in output") {
      if let last = line.split(separator: "=").last,
        let k = Int(last.trimmingCharacters(in: .whitespaces))
      {
        terms = k
      }
    }
    var printed = ""
    if let range = text.range(of: "E =") {
      let rest = text[range.upperBound...]
      printed = String(rest.prefix { $0 != ";" })
    }
    return FormOutput(terms: terms, printed: printed)
  }
}

/// The FORM programs of `bench_form.py` and `bench_form_stepwise.py`, ported line by line.
private enum FormProgram {
  /// T2s stepwise: one pair z z → δ K contracted per module, terms merged after each `.sort`.
  static func stepwiseSingleInput(_ m: Int) -> String {
    let idx = (1...m).map { "i\($0)" }.joined(separator: ",")
    return [
      "#-", "On statistics;", "Symbols n, K;", "Dimension n;", "Indices \(idx),j,k;",
      "CTensor z, zz;",
      "Local E = " + (1...m).map { "z(i\($0))*z(i\($0))" }.joined(separator: "*") + ";",
      "sum \(idx);", ".sort", "#do s = 1, \(m)", "  id,once z(j?) = zz(j);",
      "  id,all zz(j?)*z(k?) = d_(j,k)*K;", "  .sort", "#enddo", "Print;", ".end",
    ].joined(separator: "\n") + "\n"
  }

  /// T4s stepwise: one W pair integrated per module.
  static func stepwiseWeightWick(_ m: Int) -> String {
    let n2 = 2 * m
    let i = (1...m).map { "i\($0)" }.joined(separator: ",")
    let j = (1...n2).map { "j\($0)" }.joined(separator: ",")
    let product = (1...n2).map { "W(i\(($0 + 1) / 2),j\($0))*sig(j\($0),a)" }.joined(separator: "*")
    return [
      "#-", "On statistics;", "Symbols n, CW;", "Dimension n;", "Indices \(i),\(j),p,q,r,s;",
      "Index a;", "CTensor W, WW, sig;", "Local E = \(product);", "sum \(i),\(j);", ".sort",
      "#do t = 1, \(m)", "  id,once W(p?,q?) = WW(p,q);",
      "  id,all WW(p?,q?)*W(r?,s?) = d_(p,r)*d_(q,s)*CW/n;", "  .sort", "#enddo", "Print;", ".end",
    ].joined(separator: "\n") + "\n"
  }

  /// T2 with one set-indexed pattern instead of one `id` per pair, and large sort buffers.
  static func setIndexed(_ m: Int) -> String {
    let n2 = 2 * m
    let ps = (1...n2).map { "p\($0)" }.joined(separator: ",")
    return [
      "#-", "#: WorkSpace 100M", "#: LargeSize 1G", "#: SmallSize 500M", "#: SmallExtension 600M",
      "#: TermsInSmall 10M", "#: ScratchSize 500M", "On statistics;", "Symbols n, K;",
      "Dimension n;", "Indices " + (1...m).map { "i\($0)" }.joined(separator: ",") + ";",
      "Dimension 4;", "Indices \(ps);",
      "Symbols " + (1...n2).map { "a\($0)" }.joined(separator: ",") + ";",
      "CFunction Kf(symmetric);", "Set P: \(ps);",
      "Set I: " + (1...n2).map { "i\(($0 + 1) / 2)" }.joined(separator: ",") + ";",
      "Set A: " + (1...n2).map { "a\($0)" }.joined(separator: ",") + ";", "Symbols x, y;",
      "Indices u, v;", "Local E = dd_(\(ps));",
      "id d_(u?P[x], v?P[y]) = d_(I[x],I[y])*Kf(A[x],A[y]);", ".sort", ".end",
    ].joined(separator: "\n") + "\n"
  }

  static func scalarIsserlis(_ m: Int) -> String {
    let n = 2 * m
    let ps = (1...n).map { "p\($0)" }.joined(separator: ",")
    var lines = [
      "#-", "On statistics;", "Off totalsize;", "Indices \(ps);", "CFunction C(symmetric);",
      "Local E = dd_(\(ps));",
    ]
    for k in 1...n {
      for l in stride(from: k + 1, through: n, by: 1) {
        lines.append("id d_(p\(k),p\(l)) = C(\(k),\(l));")
      }
    }
    lines += [".sort", ".end"]
    return lines.joined(separator: "\n") + "\n"
  }

  /// T2/T2s; with `histogram`, every K is then set to 1 and the result printed (verification).
  static func indexed(_ m: Int, singleInput: Bool, histogram: Bool = false) -> String {
    let n = 2 * m
    let ps = (1...n).map { "p\($0)" }.joined(separator: ",")
    var lines = [
      "#-", "On statistics;", "Symbols n, K;", "Dimension n;",
      "Indices " + (1...m).map { "i\($0)" }.joined(separator: ",") + ";",
      "Dimension 4;", "Indices \(ps);",
      "Symbols " + (1...n).map { "a\($0)" }.joined(separator: ",") + ";",
      "CFunction Kf(symmetric);", "Local E = dd_(\(ps));",
    ]
    func neuron(_ k: Int) -> String { "i\((k + 1) / 2)" }
    for k in 1...n {
      for l in stride(from: k + 1, through: n, by: 1) {
        let rhs = singleInput ? "K" : "Kf(a\(k),a\(l))"
        lines.append("id d_(p\(k),p\(l)) = d_(\(neuron(k)),\(neuron(l)))*\(rhs);")
      }
    }
    if singleInput { lines.append("Print;") }
    lines.append(".sort")
    if histogram { lines += ["Symbols w1, w2;", "id Kf(w1?,w2?) = 1;", "Print;", ".sort"] }
    lines.append(".end")
    return lines.joined(separator: "\n") + "\n"
  }

  static func weightWick(_ m: Int) -> String {
    let n = 2 * m
    let ps = (1...n).map { "p\($0)" }.joined(separator: ",")
    let js = (1...n).map { "j\($0)" }.joined(separator: ",")
    var lines = [
      "#-", "On statistics;", "Symbols n, CW;", "Dimension n;",
      "Indices " + (1...m).map { "i\($0)" }.joined(separator: ",") + ",\(js);",
      "Dimension 4;", "Indices \(ps);", "Index a;", "CTensor sig;",
      "Local E = dd_(\(ps))*" + (1...n).map { "sig(j\($0),a)" }.joined(separator: "*") + ";",
    ]
    func neuron(_ k: Int) -> String { "i\((k + 1) / 2)" }
    for k in 1...n {
      for l in stride(from: k + 1, through: n, by: 1) {
        lines.append("id d_(p\(k),p\(l)) = d_(\(neuron(k)),\(neuron(l)))*d_(j\(k),j\(l))*CW/n;")
      }
    }
    lines += ["sum \(js);", "Print;", ".sort", ".end"]
    return lines.joined(separator: "\n") + "\n"
  }
}
