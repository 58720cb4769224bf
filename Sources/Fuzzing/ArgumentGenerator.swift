/// A generator of argument lists for `derive` (recursions), `derive eval`, `derive check` and
/// `derive merge`, mixing valid values with extremes (0, negative, 1e308, nan, inf,
/// 9223372036854775807, empty, unknown names).
///
/// With `cheap` set (quick mode), `check` runs are kept tiny — few samples, narrow and shallow
/// networks, short scans — since a check samples real networks; extremes then appear only in
/// values the command validates before doing work.
public struct ArgumentGenerator: Sendable {
  public var cheap: Bool

  public init(cheap: Bool) { self.cheap = cheap }

  /// Extreme and malformed values for numeric options.
  public static let extremeNumbers = [
    "0", "-1", "1e308", "-1e308", "1e150", "1e200", "nan", "inf", "-inf", "9223372036854775807",
    "-9223372036854775808", "", "1,", "0x10", "1e-320", " ", "½",
  ]

  /// Activation names, valid and not.
  public static let activations = [
    "linear", "relu", "tanh", "erf", "erf:2", "gelu", "swish", "sin", "softplus", "leaky_relu:0.1",
    "leaky_relu:1e308", "leaky_relu:-1e308", "leaky_relu:nan", "leaky_relu:", "leaky_relu:inf",
    "erf:1e300", "erf:0", "cos", "", "RELU", "tanh:2",
  ]

  public func generate(using rng: inout FuzzRandom) -> (arguments: [String], label: String) {
    switch rng.int(0...9) {
    case 0...2: return recursions(using: &rng)
    case 3...5: return numeric("eval", using: &rng)
    case 6...8: return numeric("check", using: &rng)
    default: return merge(using: &rng)
    }
  }

  func model(using rng: inout FuzzRandom) -> [String] {
    rng.pick([[], ["mlp"], ["mlp-no-bias"], ["deep-linear"], [FuzzCase.modelPlaceholder], ["nope"]])
  }

  func recursions(using rng: inout FuzzRandom) -> ([String], String) {
    var args = model(using: &rng)
    if rng.chance(0.6) {
      args += [
        "--format", rng.pick(["latex", "text", "json", "sympy", "mathematica", "garbage", ""]),
      ]
    }
    if rng.chance(0.4) { args.append("--single-input") }
    if rng.chance(0.4) { args += ["--activation", rng.pick(Self.activations)] }
    if rng.chance(0.15) { args.append("--steps") }
    if rng.chance(0.15) { args.append("--document") }
    if rng.chance(0.1) { args += ["--output", FuzzCase.outputPlaceholder + "/out.tex"] }
    if rng.chance(0.05) { args.append(rng.pick(["--bogus", "-x", "--", "help"])) }
    return (args, "recursions")
  }

  func value(_ valid: [String], extremeChance: Double, using rng: inout FuzzRandom) -> String {
    rng.chance(extremeChance) ? rng.pick(Self.extremeNumbers) : rng.pick(valid)
  }

  func numeric(_ command: String, using rng: inout FuzzRandom) -> ([String], String) {
    var args = [command] + model(using: &rng).filter { $0 != "nope" || rng.chance(0.3) }
    let extreme = cheap ? 0.1 : 0.25
    var label = command
    if rng.chance(0.95) { args += ["--activation", rng.pick(Self.activations)] }
    if rng.chance(0.8) {
      args += ["--cb", value(["0", "0.1", "1"], extremeChance: extreme, using: &rng)]
    }
    if rng.chance(0.8) {
      args += ["--cw", value(["1", "2", "0.5"], extremeChance: extreme, using: &rng)]
    }
    if rng.chance(0.1) {
      args += ["--set", rng.pick(["xi=1", "C_b=2", "=1", "xi", "xi=nan", "xi=1e308"])]
    }
    if rng.chance(0.1) {
      args += [
        "--function",
        rng.pick(["tau=relu", "sigma=tanh", "sigma=", "=relu", "tau=bogus", "sigma=tanh=1"]),
      ]
    }
    let widths = cheap ? ["1", "2", "3"] : ["1", "4", "64", "1024"]
    let depths = cheap ? ["1", "2"] : ["1", "3", "10", "100"]
    if rng.chance(0.85) {
      args += ["--width", value(widths, extremeChance: extreme, using: &rng)]
      args += ["--depth", value(depths, extremeChance: extreme, using: &rng)]
    } else {
      args += [
        "--widths", rng.pick(["2,3", "1", "", "2,,3", "0,1", "9223372036854775807", "3,2,1"]),
      ]
    }
    let inputCount = rng.pick([0, 1, 1, 2, 2, 3, 9])
    let dimension = rng.int(1...3)
    for _ in 0..<inputCount {
      let components = (0..<dimension).map { _ in
        value(["1", "0.5", "-0.5", "0"], extremeChance: extreme / 2, using: &rng)
      }
      args += ["--input", components.joined(separator: ",")]
    }
    if command == "check" {
      let samples = cheap ? ["100", "100", "128"] : ["100", "1000"]
      args += ["--samples", value(samples, extremeChance: extreme, using: &rng)]
      args += [
        "--scan",
        rng.chance(extreme)
          ? rng.pick(["9223372036854775807", "-1", "9", "1000000", "nan"])
          : rng.pick(cheap ? ["0", "1"] : ["0", "1", "3"]),
      ]
      if rng.chance(0.5) {
        args += ["--seed", value(["1", "42"], extremeChance: extreme, using: &rng)]
      }
      if rng.chance(0.3) {
        args += [
          "--threads",
          value(["1", "2", "1024"], extremeChance: extreme, using: &rng),
        ]
      }
      if rng.chance(0.3) {
        args += ["--sampler", rng.pick(["auto", "weights", "conditional", "bogus", ""])]
      }
      if rng.chance(0.15) {
        args += ["--negative-control", rng.pick(["G1", "V", "K", "W", ""])]
      }
      if rng.chance(0.2) {
        args += [
          "--shard",
          rng.pick(["1/2", "2/2", "0/2", "3/2", "1/0", "1", "/", "1/9223372036854775807"]),
        ]
        args += ["--output", FuzzCase.outputPlaceholder]
      } else if rng.chance(0.1) {
        args += ["--output", FuzzCase.outputPlaceholder]
      }
      if cheap { label += ":cheap" }
    }
    if rng.chance(0.3) { args += ["--format", rng.pick(["text", "json", "latex", ""])] }
    return (args, label)
  }

  func merge(using rng: inout FuzzRandom) -> ([String], String) {
    var args = [
      "merge",
      rng.pick([
        FuzzCase.outputPlaceholder, FuzzCase.modelPlaceholder, "", "/nonexistent-derive-fuzz",
      ]),
    ]
    if rng.chance(0.3) { args += ["--output", FuzzCase.outputPlaceholder + "/report"] }
    return (args, "merge")
  }
}
