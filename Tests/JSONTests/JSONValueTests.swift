import Foundation
import JSON
import Testing

/// The serializer against Foundation (which parses every output and, for the shard files,
/// wrote them before) and against exact layouts.
@Suite struct JSONValueTests {
  /// The SplitMix64 finaliser of `i`: a fixed, well-mixed 64-bit pattern per index.
  static func mixed(_ i: UInt64) -> UInt64 {
    var z = i &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Every scalar below U+0080 and a few beyond, in one string, survives a round trip through
  /// JSONSerialization. Catches: an unescaped control character, a wrong escape.
  @Test(arguments: [false, true])
  func stringsRoundTrip(escapesSlashes: Bool) throws {
    let text =
      String(String.UnicodeScalarView((0..<0x80).compactMap(Unicode.Scalar.init)))
      + "σ ℓ → Ĝ 😀 \u{2028}"
    let json = JSONValue.array([.string(text)]).serialized(
      JSONStyle(escapesSlashes: escapesSlashes))
    let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String]
    #expect(parsed == [text])
    #expect(json.contains("\\/") == escapesSlashes)
  }

  @Test func escapes() {
    #expect(
      JSONValue.string("a\"b\\c\u{8}\u{C}\n\r\t\u{1}\u{1F}/é").serialized()
        == #""a\"b\\c\b\f\n\r\t\u0001\u001f/é""#)
  }

  @Test func numberText() {
    func shortest(_ x: Double) -> String? { JSONNumber(x)?.text }
    #expect(shortest(0.1) == "0.1")
    #expect(shortest(2) == "2")
    #expect(shortest(-0.0) == "-0")
    #expect(shortest(1e-5) == "1e-05")
    #expect(shortest(1e16) == "1e+16")
    #expect(shortest(.leastNonzeroMagnitude) == "5e-324")
    #expect(shortest(.infinity) == nil && shortest(.nan) == nil)
    #expect(JSONNumber(0.725, format: .significantDigits(17))?.text == "0.72499999999999998")
    #expect(JSONNumber(1e100, format: .significantDigits(15))?.text == "1e+100")
    #expect(JSONNumber(UInt64.max).text == "18446744073709551615")
    #expect(JSONValue.double(.nan).serialized() == "null")
  }

  /// `.significantDigits(N)` is the text `String(format: "%.Ng")` writes, for 2,000 doubles of
  /// every magnitude (fixed bit patterns, subnormals and extremes) and N from 1 to 40.
  /// Catches: a report or an eval output whose numbers change bytes, a text cut at the buffer.
  @Test func significantDigitsMatchStringFormat() {
    let values =
      (0..<2000).map { Double(bitPattern: Self.mixed($0 + 7000)) }.filter(\.isFinite)
      + [
        0, -0.0, 1, -2, 0.725, 1e16, 1e-7, 123_456_789, .greatestFiniteMagnitude,
        -.greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude,
      ]
    for (k, x) in values.enumerated() {
      for digits in [1 + k % 40, 15, 17] {
        #expect(
          JSONNumber(x, format: .significantDigits(digits))?.text
            == String(format: "%.\(digits)g", x), "\(x.bitPattern) to \(digits) digits")
      }
    }
  }

  /// The shortest form is the text Foundation's JSONEncoder writes, for 2,000 doubles of
  /// every magnitude (fixed bit patterns). Catches: a shard file whose numbers change bytes.
  @Test func shortestMatchesJSONEncoder() throws {
    let values =
      (0..<2000).map { Double(bitPattern: Self.mixed($0)) }.filter(\.isFinite)
      + [0, -0.0, 1, -2, 0.5, 1e16, 1e-7, 123_456_789, .greatestFiniteMagnitude]
    let ours = JSONValue.array(values.map { .double($0) }).serialized()
    let foundation = try JSONEncoder().encode(values)
    #expect(ours == String(decoding: foundation, as: UTF8.self))
  }

  /// Keys that are data sort by their UTF-8 bytes, as JSONEncoder's `.sortedKeys` writes them
  /// (not case-insensitively or numerically).
  @Test func sortedKeysMatchJSONEncoder() throws {
    let couplings = ["b_1": 1.0, "B_1": 2, "a10": 3, "a2": 4, "C_W": 5, "C_b": 6, "Zed": 7, "é": 8]
    let ours = JSONValue.object(sortingKeys: couplings.mapValues { .double($0) }).serialized()
    #expect(ours == #"{"B_1":2,"C_W":5,"C_b":6,"Zed":7,"a10":3,"a2":4,"b_1":1,"é":8}"#)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    #expect(ours == String(decoding: try encoder.encode(couplings), as: UTF8.self))
  }

  static let document = JSONValue.object([
    ("a", .array([.int(1), .bool(false), .null])),
    ("rows", .array([.object([("x", .int(1))]), .object([("x", .int(2))])])),
    ("empty", .array([])),
    ("none", .object([])),
  ])

  @Test func layouts() {
    #expect(
      Self.document.serialized()
        == #"{"a":[1,false,null],"rows":[{"x":1},{"x":2}],"empty":[],"none":{}}"#)
    #expect(
      Self.document.serialized(JSONStyle(recordArrays: ["rows", "empty"]))
        == "{\"a\":[1,false,null],\"rows\":[\n{\"x\":1},\n{\"x\":2}\n],\"empty\":[],\"none\":{}}")
    #expect(
      Self.document.serialized(.indented(2)) == """
        {
          "a": [
            1,
            false,
            null
          ],
          "rows": [
            {
              "x": 1
            },
            {
              "x": 2
            }
          ],
          "empty": [],
          "none": {}
        }
        """)
  }
}
