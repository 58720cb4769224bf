import Evaluation
import Foundation
import Numerics
import Sampling
import Testing

/// The shard file: its bytes are those Foundation's JSONEncoder (`.sortedKeys`) wrote for the
/// same shard before the project had one JSON writer, so shards of either writer merge, and the
/// file reads back to the same value. Catches: a key missing or misspelt against the `Codable`
/// form, a number written in another form, an unescaped `/` or control character.
@Suite struct CheckShardFileTests {
  static func shard() throws -> CheckShard {
    let inputs = [[1, 0.5], [-0.5, 1e-300]]
    let sampler = try ConditionalSampler(
      .multilayerPerceptron(
        inputs: inputs, widths: [3, 5], activation: .tanh, biasVariance: 0.1, weightVariance: 1))
    let statistics = sampler.statistics(seed: 7, networks: 64..<200, threads: 1)
    let parameters = NumericParameters(
      couplings: ["C_W": 1, "C_b": 0.1, "b_1": 2, "a10": 1e-7, "a2": 3e16],
      widths: [3, 5], inputs: inputs, activation: .tanh)
    return CheckShard(
      modelName: "mlp/σ", modelText: "# E[W W] = C_W / n\t\"ℓ\" \\ \u{1}\nmodel mlp\n",
      activation: "tanh", parameters: parameters, scan: 0, seed: .max, networks: 300,
      range: 64..<200, sampler: .conditional, statistics: [statistics])
  }

  @Test func bytesAreJSONEncoders() throws {
    let shard = try Self.shard()
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let foundation = try encoder.encode(shard)
    let ours = try shard.encoded()
    #expect(ours == foundation)
  }

  @Test func readsBack() throws {
    let shard = try Self.shard()
    #expect(try CheckShard.decoded(shard.encoded(), file: "shard.json") == shard)
  }

  @Test func refusesNonFiniteNumbers() throws {
    var shard = try Self.shard()
    shard.couplings["C_W"] = .infinity
    #expect(throws: EvaluationError.self) { try shard.encoded() }
  }
}
