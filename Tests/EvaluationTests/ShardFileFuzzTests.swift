import Evaluation
import Foundation
import Sampling
import Testing

/// Seeded mutation fuzzing of shard files: a valid shard's JSON is edited at random (a number
/// replaced by an extreme, an array shortened or lengthened, a key removed) and its checksum
/// recomputed, so the edit reaches the shape validation behind it. Every mutant must either be
/// refused with an ``EvaluationError`` or read back, merge and give estimates — never trap (a
/// trap ends the test process: the suite fails). Catches: an index taken from the file before
/// it is checked (block levels that overflow an aligned range, moments of the wrong length,
/// blocks outside the shard's range or overlapping), a count that divides by zero.
@Suite struct ShardFileFuzzTests {
  /// A small splitmix64 stream (a fixed seed: the same mutants every run).
  struct Stream {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9e37_79b9_7f4a_7c15
      var z = state
      z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
      z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
      return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
  }

  static var extremes: [Any] {
    [0, -1, 1, 2, 63, 64, 65, 1 << 40, 1 << 62, Int.max, Int.min, 1e308, -1e308, 0.5, 5e-324]
  }

  /// Paths (keys and array positions) to every leaf of `value`.
  static func leaves(_ value: Any, _ path: [Any] = []) -> [[Any]] {
    if let object = value as? [String: Any] {
      return object.keys.sorted().flatMap { leaves(object[$0] ?? 0, path + [$0]) }
    }
    if let array = value as? [Any] {
      return array.indices.flatMap { leaves(array[$0], path + [$0]) } + [path]
    }
    return [path]
  }

  /// `value` with the element at `path` transformed by `change` (nil removes it).
  static func editing(_ value: Any, at path: ArraySlice<Any>, _ change: (Any) -> Any?) -> Any {
    guard let step = path.first else { return change(value) ?? value }
    if var object = value as? [String: Any], let key = step as? String, let child = object[key] {
      if path.count == 1 {
        object[key] = change(child)
      } else {
        object[key] = editing(child, at: path.dropFirst(), change)
      }
      return object
    }
    if var array = value as? [Any], let index = step as? Int, array.indices.contains(index) {
      if path.count == 1, change(array[index]) == nil {
        array.remove(at: index)
      } else {
        array[index] = editing(array[index], at: path.dropFirst(), change)
      }
      return array
    }
    return value
  }

  /// The element of `value` at `path` (nil when there is none).
  static func value(_ value: Any, at path: ArraySlice<Any>) -> Any? {
    guard let step = path.first else { return value }
    if let object = value as? [String: Any], let key = step as? String, let child = object[key] {
      return Self.value(child, at: path.dropFirst())
    }
    if let array = value as? [Any], let index = step as? Int, array.indices.contains(index) {
      return Self.value(array[index], at: path.dropFirst())
    }
    return nil
  }

  @Test func mutantsAreRefusedOrMergedNeverTrapped() throws {
    let sampler = try ConditionalSampler(
      .multilayerPerceptron(
        inputs: [[1, 0.5], [-0.5, 1]], widths: [3, 4], activation: .tanh, biasVariance: 0.1,
        weightVariance: 1))
    let parameters = NumericParameters(
      couplings: ["C_W": 1, "C_b": 0.1], widths: [3, 4], inputs: [[1, 0.5], [-0.5, 1]],
      activation: .tanh)
    let range = CheckShard.range(shard: 1, of: 1, networks: 400)  // blocks of 4, 2, 1 chunks
    let shard = CheckShard(
      modelName: "mlp", modelText: "model mlp\n", activation: "tanh", parameters: parameters,
      scan: 0, seed: 3, networks: 400, range: range, sampler: .conditional,
      statistics: [sampler.statistics(seed: 3, networks: range, threads: 1)])
    let original = try JSONSerialization.jsonObject(with: shard.encoded())
    let paths = Self.leaves(original)
    // Half the edits hit an array (blocks, layers, means, …): the structure is where a trap hides.
    let arrays = paths.filter { Self.value(original, at: $0[...]) is [Any] }
    var stream = Stream(state: 2026)
    var refused = 0
    var accepted = 0
    for _ in 0..<600 {
      let path =
        stream.below(2) == 0 ? arrays[stream.below(arrays.count)] : paths[stream.below(paths.count)]
      let kind = stream.below(4)
      let mutant = Self.editing(original, at: path[...]) { value in
        switch kind {
        case 0: return Self.extremes[stream.below(Self.extremes.count)]
        case 1: return nil
        case 2: return (value as? [Any]).map { $0 + $0.prefix(1) } ?? value
        default: return (value as? [Any]).map { Array($0.dropLast()) } ?? [value]
        }
      }
      var data = try JSONSerialization.data(withJSONObject: mutant)
      // Re-sign the mutant when it still decodes, so the edit reaches the shape checks.
      if var decoded = try? JSONDecoder().decode(CheckShard.self, from: data) {
        decoded.checksum = decoded.statisticsChecksum
        data = try JSONEncoder().encode(decoded)
      }
      do {
        let read = try CheckShard.decoded(data, file: "mutant.json")
        let merged = try CheckShard.merge([(file: "mutant.json", shard: read)])
        for step in merged.statistics { _ = step.estimates() }
        accepted += 1
      } catch is EvaluationError {
        refused += 1
      }
    }
    // Both outcomes occur: the mutations reach past the decoder, and they are caught.
    #expect(refused > 50, "\(refused) refused")
    #expect(accepted > 5, "\(accepted) accepted")
  }
}
