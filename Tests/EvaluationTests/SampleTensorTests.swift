import Evaluation
import Testing

/// Entries of a sample tensor by position, counted and labelled: counting up from all zeros
/// visits every entry in flat order (the position ((i₁·S + i₂)·S + …)·S + i_r, computed here
/// independently) and wraps after the last; labels are digits side by side below 10 inputs
/// and comma-separated from 10 on. Catches: an index counted in the wrong order, a carry
/// lost, a label that runs two-digit indices together.
@Suite struct SampleTensorTests {
  @Test(arguments: [(0, 3), (1, 4), (2, 3), (3, 2), (4, 11)])
  func countingUpVisitsEveryEntryInFlatOrder(rank: Int, sampleCount: Int) {
    let layout = SampleTensor.zero(rank: rank, sampleCount: sampleCount)
    var entry = [Int](repeating: 0, count: rank)
    for k in layout.values.indices {
      #expect(entry == layout.indices(at: k))
      #expect(entry.reduce(0) { $0 * sampleCount + $1 } == k)
      SampleTensor.advance(&entry, sampleCount: sampleCount)
    }
    #expect(entry == [Int](repeating: 0, count: rank))
  }

  @Test func labels() {
    #expect(SampleTensor.indexText([0, 1, 9, 3]) == "0193")
    #expect(SampleTensor.indexText([1, 15]) == "1,15")
    #expect(SampleTensor.indexText([10, 0, 3, 12]) == "10,0,3,12")
    #expect(SampleTensor.indexText([]) == "")
    #expect(SampleTensor.pairText([0, 1, 2, 3]) == "(01)(23)")
    #expect(SampleTensor.pairText([1, 15, 3, 4]) == "(1,15)(3,4)")
  }
}
