// swift-tools-version:6.0
//
// Module graph (dependencies point down only):
//
//   derive, derive-bench          executables (thin)
//        │                        derive-fuzz (runs the derive binary as a subprocess;
//        │                          depends on Fuzzing only)
//        │                        Fuzzing: seeded case generators and the fuzz oracle,
//        │                          Foundation only (no engine module)
//   DeriveCLI                     argument parsing, commands, exit codes
//        │
//   Evaluation                    compiles derived expressions to numbers; eval, check
//     │      │
//   Derivation   Numerics         model files + pipeline │ activations, quadrature, RNG, samplers
//     │    │
//   GaussianCalculus  Rendering   Wick, partitions, 1/n expansion │ LaTeX, text, JSON
//         │          │
//        Algebra                  indexed expressions, canonical form, passes
//           │
//        Rational                 exact GMP rationals (value type)
//           │
//         CGMP                    system library + shim
import PackageDescription

let package = Package(
  name: "PerturbativeNets",
  products: [
    .executable(name: "derive", targets: ["derive"]),
    .executable(name: "derive-bench", targets: ["derive-bench"]),
    .executable(name: "derive-fuzz", targets: ["derive-fuzz"]),
    .library(name: "Rational", targets: ["Rational"]),
    .library(name: "Algebra", targets: ["Algebra"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    .systemLibrary(
      name: "CGMP",
      pkgConfig: "gmp",
      providers: [.apt(["libgmp-dev"])]
    ),
    .target(name: "Rational", dependencies: ["CGMP"]),
    .target(name: "Algebra", dependencies: ["Rational"]),
    .target(name: "GaussianCalculus", dependencies: ["Algebra", "Rational"]),
    .target(name: "Rendering", dependencies: ["Algebra", "Rational"]),
    .target(name: "Derivation", dependencies: ["GaussianCalculus", "Algebra", "Rational"]),
    .target(name: "Numerics"),
    .target(
      name: "Evaluation",
      dependencies: ["Derivation", "GaussianCalculus", "Algebra", "Rational", "Numerics"]
    ),
    .target(
      name: "DeriveCLI",
      dependencies: [
        "Evaluation", "Derivation", "Rendering", "Algebra", "Rational", "Numerics",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "derive", dependencies: ["DeriveCLI"]),
    .executableTarget(
      name: "derive-bench",
      dependencies: [
        "Rational", "Algebra", "GaussianCalculus", "Derivation", "Numerics", "Evaluation",
      ]
    ),
    .target(name: "Fuzzing"),
    .executableTarget(name: "derive-fuzz", dependencies: ["Fuzzing"]),
    .testTarget(name: "RationalTests", dependencies: ["Rational"]),
    .testTarget(name: "AlgebraTests", dependencies: ["Algebra", "Rational"]),
    .testTarget(
      name: "GaussianCalculusTests", dependencies: ["GaussianCalculus", "Algebra", "Rational"]),
    .testTarget(
      name: "RenderingTests", dependencies: ["Rendering", "Algebra", "Rational"],
      resources: [.copy("Snapshots")]),
    .testTarget(
      name: "DerivationTests",
      dependencies: ["Derivation", "GaussianCalculus", "Algebra", "Rational"]),
    .testTarget(name: "NumericsTests", dependencies: ["Numerics"]),
    .testTarget(
      name: "EvaluationTests", dependencies: ["Evaluation", "Derivation", "Numerics"]),
    .testTarget(name: "DeriveCLITests", dependencies: ["DeriveCLI"], exclude: ["Golden"]),
    .testTarget(
      name: "FuzzingTests", dependencies: ["Fuzzing", "DeriveCLI"],
      resources: [.copy("Reproducers")]),
  ]
)
