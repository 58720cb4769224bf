import Testing

@testable import Sampling

/// The co-moment kernel computes four dots at a time; each entry must be the one
/// `SamplingVectorKernels.dot` computes, bit for bit (the sums' order is part of the result:
/// statistics do not depend on the number of threads or the kernel).
@Suite struct PackedGramTests {
  @Test(arguments: [(1, 1), (5, 3), (64, 9), (67, 12), (3, 17)])
  func equalsOneDotPerEntry(count: Int, dimension: Int) {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    let columns = (0..<(count * dimension)).map { _ -> Double in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(Int64(bitPattern: state >> 11)) / Double(1 << 50) - 1
    }
    var packed = [Double](repeating: .nan, count: dimension * (dimension + 1) / 2)
    columns.withUnsafeBufferPointer { c in
      packed.withUnsafeMutableBufferPointer { m in
        SampleMoments.packedGram(c.baseAddress!, count: count, dimension: dimension, into: m)
      }
    }
    var k = 0
    for i in 0..<dimension {
      for j in i..<dimension {
        let expected = columns.withUnsafeBufferPointer { c in
          SamplingVectorKernels.dot(
            c.baseAddress! + i * count, c.baseAddress! + j * count, count: count)
        }
        #expect(packed[k].bitPattern == expected.bitPattern, "(\(i), \(j))")
        k += 1
      }
    }
  }
}
