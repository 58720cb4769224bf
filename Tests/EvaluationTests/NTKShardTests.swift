import Evaluation
import Foundation
import Numerics
import Sampling
import Testing

/// A shard that carries the NTK statistics: the same bytes as Foundation's encoder, reads back,
/// and two shards merge into the statistics of the whole range; a shard without them is
/// unchanged (its checksum does not mix an absent NTK). Catches an NTK member missing from the
/// file, a merge that forgets the NTK, a checksum that ignores it.
@Suite struct NTKShardTests {
  static let inputs: [[Double]] = [[1, 0.5], [-0.5, 1]]

  static func shard(_ range: Range<Int>, ntk: Bool) throws -> CheckShard {
    let sampler = try NTKSampler(
      .multilayerPerceptron(
        inputs: inputs, widths: [3, 4], activation: .tanh, biasVariance: 0.1, weightVariance: 1),
      learningRates: NTKLearningRates(bias: 0.5, weights: 1))
    let statistics = sampler.ntkStatistics(seed: 3, networks: range, threads: 1)
    let parameters = NumericParameters(
      couplings: ["C_W": 1, "C_b": 0.1], widths: [3, 4], inputs: inputs, activation: .tanh)
    return CheckShard(
      modelName: "mlp-ntk", modelText: "model mlp-ntk\n", activation: "tanh",
      parameters: parameters, scan: 0, seed: 3, networks: 300, range: range, sampler: .weights,
      statistics: [statistics.base], ntk: ntk ? [statistics] : nil)
  }

  @Test func bytesReadBackAndMerge() throws {
    let whole = try Self.shard(0..<300, ntk: true)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    #expect(try whole.encoded() == encoder.encode(whole))
    #expect(try CheckShard.decoded(whole.encoded(), file: "s.json") == whole)
    let parts = try [128..<300, 0..<128].map { try Self.shard($0, ntk: true) }
    let merged = try CheckShard.merge(parts.enumerated().map { ("p\($0.offset)", $0.element) })
    // Shards of whole chunks: the merge is the whole run, bit for bit.
    #expect(merged.ntk == whole.ntk)
    #expect(merged.ntk?.first?.networkCount == 300)
    // An edited NTK number is caught by the checksum.
    var edited = whole
    edited.ntk?[0].merge(try #require(Self.shard(300..<364, ntk: true).ntk?[0]))
    #expect(edited.checksum != edited.statisticsChecksum)
    // Shards with and without the NTK are not one run.
    let plain = try Self.shard(128..<300, ntk: false)
    #expect(!parts[1].isSameRun(as: plain))
    #expect(throws: EvaluationError.self) { try CheckShard.merge([("a", parts[1]), ("b", plain)]) }
  }
}
