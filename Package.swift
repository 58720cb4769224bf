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
//     │          │         │
//   Derivation  Quadrature  Sampling   model files + pipeline │ Gaussian expectations │
//     │    │         │       │           network samplers, RNG, moments
//     │    │         Numerics          activations, elementary functions, χ² distribution
//     │    │
//   GaussianCalculus  Rendering   Wick, partitions, 1/n expansion │ LaTeX, text, JSON
//         │          │
//        Algebra                  indexed expressions, canonical form, passes
//           │
//        Rational                 exact GMP rationals (value type)
//           │
//         CGMP                    system library + shim
//
//   JSON                          the one JSON writer (no dependencies): Rendering,
//                                   Evaluation (shard files), DeriveCLI and derive-bench use it
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
    .target(name: "JSON"),
    .target(name: "Rendering", dependencies: ["Algebra", "Rational", "JSON"]),
    .target(name: "Derivation", dependencies: ["GaussianCalculus", "Algebra", "Rational"]),
    .target(name: "Numerics"),
    .target(name: "Quadrature", dependencies: ["Numerics"]),
    .target(name: "Sampling", dependencies: ["Numerics"]),
    .target(
      name: "Evaluation",
      dependencies: [
        "Derivation", "GaussianCalculus", "Algebra", "Rational", "Numerics", "Quadrature",
        "Sampling", "JSON",
      ]
    ),
    .target(
      name: "DeriveCLI",
      dependencies: [
        "Evaluation", "Derivation", "Rendering", "Algebra", "Rational", "Numerics", "Quadrature",
        "Sampling", "JSON",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "derive", dependencies: ["DeriveCLI"]),
    .executableTarget(
      name: "derive-bench",
      dependencies: [
        "Rational", "Algebra", "GaussianCalculus", "Derivation", "Numerics", "Quadrature",
        "Sampling", "Evaluation", "JSON",
      ]
    ),
    .target(name: "Fuzzing"),
    .executableTarget(name: "derive-fuzz", dependencies: ["Fuzzing"]),
    .testTarget(name: "RationalTests", dependencies: ["Rational"]),
    .testTarget(name: "JSONTests", dependencies: ["JSON"]),
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
    .testTarget(name: "QuadratureTests", dependencies: ["Quadrature", "Numerics"]),
    .testTarget(name: "SamplingTests", dependencies: ["Sampling", "Numerics"]),
    // An independent numeric implementation of FORMULAS.md §6, §11–12 (own quadrature), checked
    // against the NTK sampler and usable against `derive eval` output (hence DeriveCLI).
    .testTarget(
      name: "NTKReferenceTests",
      dependencies: [
        "Sampling", "Numerics", "Evaluation", "Derivation", "Algebra", "Rational", "DeriveCLI",
      ]),
    .testTarget(
      name: "EvaluationTests",
      dependencies: ["Evaluation", "Derivation", "Numerics", "Quadrature", "Sampling"]),
    .testTarget(name: "DeriveCLITests", dependencies: ["DeriveCLI"], exclude: ["Golden"]),
    .testTarget(name: "BenchmarkArgumentsTests", dependencies: ["derive-bench"]),
    .testTarget(
      name: "FuzzingTests", dependencies: ["Fuzzing", "DeriveCLI"],
      resources: [.copy("Reproducers")]),
  ]
)
