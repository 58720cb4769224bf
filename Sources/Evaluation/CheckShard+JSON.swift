import Foundation
import JSON
import Sampling

/// The shard file's JSON, member for member the `Codable` form that ``CheckShard/decoded(_:file:)``
/// reads back: every object's keys sorted by their UTF-8 bytes, doubles in their shortest
/// round-trip form, `/` escaped — the bytes Foundation's `JSONEncoder` with `.sortedKeys` wrote
/// for format version 3 (the shard files kept their bytes when the project got one JSON writer);
/// version 4 holds each scan step's blocks (``StatisticsBlock``) instead of its total; version 5
/// keeps only the co-moments the estimators read (``Sampling/CoMomentPattern``, named by a
/// `pattern` member of the moments that keep fewer than all).
extension CheckShard {
  /// The shard file: one line of JSON, keys sorted (deterministic bytes for the same content).
  ///
  /// - Throws: ``EvaluationError`` if a number is not finite (JSON cannot hold it).
  public func encoded() throws -> Data {
    Data(try json.serialized(Self.fileStyle).utf8)
  }

  /// One line, `/` written as `\/`.
  static let fileStyle = JSONStyle(escapesSlashes: true)

  /// - Throws: ``EvaluationError`` if a number is not finite.
  var json: JSONValue {
    get throws {
      var members: [String: JSONValue] = [
        "format": .string(format), "version": .int(version),
        "modelName": .string(modelName), "modelText": .string(modelText),
        "activation": .string(activation),
        "couplings": .object(sortingKeys: try couplings.mapValues(Self.number)),
        "widths": .array(widths.map(JSONValue.int)),
        "inputs": .array(try inputs.map { .array(try $0.map(Self.number)) }),
        "scan": .int(scan), "seed": .number(JSONNumber(seed)), "sampler": .string(sampler.rawValue),
        "networks": .int(networks), "lower": .int(lower), "upper": .int(upper),
        "statistics": .array(try statistics.map(Self.json)),
        "checksum": .string(checksum),
      ]
      if let ntk { members["ntk"] = .array(try ntk.map(Self.json)) }
      return .object(sortingKeys: members)
    }
  }

  /// `NTKSamplingStatistics`, member for member its `Codable` form (blocks; the total is folded
  /// from them when the file is read).
  static func json(_ statistics: NTKSamplingStatistics) throws -> JSONValue {
    .object(sortingKeys: [
      "layout": .int(statistics.layout.sampleCount),
      "widths": .array(statistics.widths.map(JSONValue.int)),
      "learningRates": .object(sortingKeys: [
        "bias": try number(statistics.learningRates.bias),
        "weights": try number(statistics.learningRates.weights),
      ]),
      "inputDimension": .int(statistics.inputDimension),
      "base": try json(statistics.base),
      "blocks": .array(
        try statistics.blocks.map { block in
          .object(sortingKeys: [
            "level": .int(block.level), "index": .int(block.index),
            "lower": .int(block.lower), "upper": .int(block.upper),
            "moments": .array(try block.moments.map(json)),
          ])
        }),
    ])
  }

  /// A finite double in its shortest round-trip form.
  static func number(_ x: Double) throws -> JSONValue {
    guard let number = JSONNumber(x) else {
      throw EvaluationError("cannot encode the shard statistics (a value is not finite)")
    }
    return .number(number)
  }

  /// `SamplingStatistics`: the layout as its sample count, the widths, the blocks (the total is
  /// folded from them when the file is read).
  static func json(_ statistics: SamplingStatistics) throws -> JSONValue {
    .object(sortingKeys: [
      "layout": .int(statistics.layout.sampleCount),
      "widths": .array(statistics.widths.map(JSONValue.int)),
      "blocks": .array(
        try statistics.blocks.map { block in
          .object(sortingKeys: [
            "level": .int(block.level), "index": .int(block.index),
            "lower": .int(block.lower), "upper": .int(block.upper),
            "layers": .array(
              try block.layers.map { layer in
                .object(sortingKeys: [
                  "layer": .int(layer.layer), "width": .int(layer.width),
                  "preactivation": try json(layer.preactivation),
                  "metric": try json(layer.metric),
                ])
              }),
          ])
        }),
    ])
  }

  /// `SampleMoments`: count, mean, the kept co-moments and, unless dense, the pattern's kind.
  static func json(_ moments: SampleMoments) throws -> JSONValue {
    var members: [String: JSONValue] = [
      "count": .int(moments.count),
      "mean": .array(try moments.mean.map(number)),
      "comoment": .array(try moments.comoment.map(number)),
    ]
    if moments.pattern.kind != .dense {
      members["pattern"] = .string(moments.pattern.kind.rawValue)
    }
    return .object(sortingKeys: members)
  }
}
