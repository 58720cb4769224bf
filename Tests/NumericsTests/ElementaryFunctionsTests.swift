import Foundation
import Testing

@testable import Numerics

@Suite("Inlinable elementary functions")
struct ElementaryFunctionsTests {
  /// |a − b| in units of the spacing of doubles at b.
  func ulps(_ a: Double, _ b: Double) -> Double {
    b == 0 ? (a == 0 ? 0 : .infinity) : abs(a - b) / b.ulp
  }

  @Test("exp, expm1 and tanh agree with glibc to a few ulp")
  func agreeWithLibm() {
    var worstExp = 0.0
    var worstExpm1 = 0.0
    var worstTanh = 0.0
    var x = -40.0
    while x <= 40 {
      worstExp = max(worstExp, ulps(ElementaryFunctions.exp(x), Foundation.exp(x)))
      worstExpm1 = max(worstExpm1, ulps(ElementaryFunctions.expm1(x), Foundation.expm1(x)))
      worstTanh = max(worstTanh, ulps(ElementaryFunctions.tanh(x), Foundation.tanh(x)))
      x += 0.001_37
    }
    for tiny in [1e-300, 1e-20, 1e-9, -1e-9, 3e-5] {
      worstExpm1 = max(worstExpm1, ulps(ElementaryFunctions.expm1(tiny), Foundation.expm1(tiny)))
      worstTanh = max(worstTanh, ulps(ElementaryFunctions.tanh(tiny), Foundation.tanh(tiny)))
    }
    #expect(worstExp <= 2)
    #expect(worstExpm1 <= 2)
    #expect(worstTanh <= 3)
  }

  /// The two-lane tanh is the scalar one in vector form: bitwise equal in each lane, over the
  /// whole range, the saturation, tiny arguments and signed zeros.
  @Test("two-lane tanh is bitwise the scalar tanh")
  func twoLaneTanh() {
    var values: [Double] = [0, -0.0, 1e-300, -1e-20, 3e-5, 19.999, 20, 20.001, -25, 1e6, -1e6]
    var x = -30.0
    while x <= 30 {
      values.append(x)
      x += 0.003_71
    }
    var mismatches = 0
    for k in stride(from: 0, to: values.count - 1, by: 1) {
      let pair = ElementaryFunctions.tanh(SIMD2(values[k], values[k + 1]))
      let a = ElementaryFunctions.tanh(values[k])
      let b = ElementaryFunctions.tanh(values[k + 1])
      if pair[0].bitPattern != a.bitPattern || pair[1].bitPattern != b.bitPattern {
        mismatches += 1
      }
    }
    #expect(mismatches == 0)
  }

  @Test("saturation and clamping")
  func extremes() {
    #expect(ElementaryFunctions.tanh(1e6) == 1)
    #expect(ElementaryFunctions.tanh(-1e6) == -1)
    #expect(ElementaryFunctions.tanh(0) == 0)
    #expect(ElementaryFunctions.exp(-1e6) >= 0)
    #expect(ElementaryFunctions.exp(-1e6) < 1e-300)
    #expect(ElementaryFunctions.exp(1e6).isFinite)
    #expect(ElementaryFunctions.logUpperBound(1) >= 0)
    for x in [1.0, 1.5, 2, 3.7, 1e3, 1e200] {
      let bound = ElementaryFunctions.logUpperBound(x)
      #expect(bound >= log(x) && bound <= log(x) + 0.07)
    }
  }
}
