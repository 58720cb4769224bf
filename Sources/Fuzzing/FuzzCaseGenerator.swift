/// The cases of a campaign: case `k` of seed `s` is a pure function of `(s, k)` and the profile.
public struct FuzzCaseGenerator: Sendable {
  /// How large and how expensive the cases may be.
  public struct Profile: Hashable, Sendable {
    /// Size of the model mutator's extremes (1 = full size).
    public var mutationScale: Double
    /// Keep numeric commands tiny.
    public var cheapNumerics: Bool
    /// Share of model cases that are not mutated at all (each costs a full derivation).
    public var unmutatedShare: Double
    /// Largest number of terms in the generator's sums (the cost of a derivation grows
    /// factorially with the number of parameters per term).
    public var maximumTerms: Int

    public init(
      mutationScale: Double, cheapNumerics: Bool, unmutatedShare: Double, maximumTerms: Int
    ) {
      self.mutationScale = mutationScale
      self.cheapNumerics = cheapNumerics
      self.unmutatedShare = unmutatedShare
      self.maximumTerms = maximumTerms
    }

    /// For `swift test`: full-size extremes (the known crash classes need them), tiny numerics,
    /// few full derivations.
    public static let quick = Profile(
      mutationScale: 1, cheapNumerics: true, unmutatedShare: 0.03, maximumTerms: 2)
    /// For campaigns with `derive-fuzz`.
    public static let campaign = Profile(
      mutationScale: 1, cheapNumerics: false, unmutatedShare: 0.1, maximumTerms: 4)
  }

  public var seed: UInt64
  public var profile: Profile

  public init(seed: UInt64, profile: Profile) {
    self.seed = seed
    self.profile = profile
  }

  /// Model case number `index`: a seed or generated model, usually mutated, derived with
  /// `{MODEL} --format text`.
  public func modelCase(_ index: UInt64) -> FuzzCase {
    var rng = FuzzRandom(seed: seed, case: index)
    let generated = rng.chance(0.3)
    let base =
      generated
      ? ModelGenerator(maximumTerms: profile.maximumTerms).generate(using: &rng)
      : rng.pick(ModelGenerator.seedModels)
    var label = generated ? "generated" : "seed"
    var bytes = Array(base.utf8)
    if !rng.chance(profile.unmutatedShare) {
      let mutated = ModelMutator(scale: profile.mutationScale).mutate(base, using: &rng)
      bytes = mutated.bytes
      label += "+" + mutated.label
    }
    let format = rng.pick(["text", "text", "json", "latex"])
    return FuzzCase(
      kind: .model, label: label, model: bytes,
      arguments: [FuzzCase.modelPlaceholder, "--format", format])
  }

  /// Command-line case number `index`; the model file, when named, is a seed model.
  public func commandLineCase(_ index: UInt64) -> FuzzCase {
    // A different stream from the model case with the same index.
    var rng = FuzzRandom(seed: seed ^ 0x5EED_C11, case: index)
    let (arguments, label) = ArgumentGenerator(cheap: profile.cheapNumerics).generate(using: &rng)
    let model = Array(rng.pick(ModelGenerator.seedModels).utf8)
    return FuzzCase(kind: .commandLine, label: label, model: model, arguments: arguments)
  }

  /// Case number `index` of a campaign with `modelCases` model cases: model cases first, then
  /// command-line cases.
  public func fuzzCase(_ index: Int, modelCases: Int) -> FuzzCase {
    index < modelCases
      ? modelCase(UInt64(index)) : commandLineCase(UInt64(index - modelCases))
  }
}
