import CGMP

extension Rational {
  /// The nearest `Double`, correctly rounded (round half to even), as IEEE 754 requires of a
  /// conversion. Values beyond the `Double` range give ±infinity; tiny ones give subnormals or
  /// ±0 with correct rounding.
  ///
  /// (GMP's `mpq_get_d` truncates toward zero instead, which is off by one ulp about half the
  /// time.)
  public var doubleValue: Double {
    if case .small(let n, let d) = representation, n.magnitude <= 1 << 53, d <= 1 << 53 {
      // Both operands are exact doubles, so IEEE division rounds the true quotient once.
      return Double(n) / Double(d)
    }
    return box.withPointer { Rational.correctlyRoundedDouble($0) }
  }

  /// Correctly rounded `n/d` for a canonical GMP fraction.
  ///
  /// Scales so that the integer quotient `Q = ⌊|n|·2^s / d⌋` carries at least two bits below the
  /// last bit the result keeps, records whether the division was inexact (sticky), and rounds `Q`
  /// by hand. The result's last kept bit is 52 below its leading bit, but never below 2^-1074
  /// (the subnormal spacing), and `s` is capped accordingly so subnormals round only once.
  static func correctlyRoundedDouble(_ q: UnsafePointer<__mpq_struct>) -> Double {
    let sign = cgmp_mpq_sgn(q)
    guard sign != 0 else { return 0 }
    let top = MPZStorage()
    let bottom = MPZStorage()
    let quotient = MPZStorage()
    let remainder = MPZStorage()
    return top.withPointer { n in
      bottom.withPointer { d in
        quotient.withPointer { qz in
          remainder.withPointer { rz in
            cgmp_mpz_abs(n, cgmp_mpq_numref_const(q))
            cgmp_mpz_set(d, cgmp_mpq_denref_const(q))
            // |n|/d lies in [2^(ln-ld-1), 2^(ln-ld+1)); this s puts Q in [2^54, 2^56).
            let ln = cgmp_mpz_sizeinbase(n, 2)
            let ld = cgmp_mpz_sizeinbase(d, 2)
            let s = min(55 - (ln - ld), 1076)
            if s >= 0 {
              cgmp_mpz_mul_2exp(n, n, UInt(s))
            } else {
              cgmp_mpz_mul_2exp(d, d, UInt(-s))
            }
            cgmp_mpz_tdiv_qr(qz, rz, n, d)
            let sticky = cgmp_mpz_sgn(rz) != 0
            let scaled = UInt64(cgmp_mpz_get_ui(qz))  // < 2^56
            let leading = scaled == 0 ? 0 : UInt64.bitWidth - 1 - scaled.leadingZeroBitCount
            // Q·2^-s has its leading bit at 2^(leading - s); keep 53 bits, or down to 2^-1074.
            let lastKept = max(leading - s - 52, -1074)
            let dropped = lastKept + s  // 2 or 3 bits (2 whenever the cap applies)
            var mantissa = scaled >> UInt64(dropped)
            let rest = scaled & ((1 << UInt64(dropped)) - 1)
            let half: UInt64 = 1 << UInt64(dropped - 1)
            if rest > half || (rest == half && (sticky || mantissa & 1 == 1)) { mantissa += 1 }
            // mantissa ≤ 2^53, so this product is exact unless it overflows to infinity.
            let magnitude = Double(sign: .plus, exponent: lastKept, significand: Double(mantissa))
            return sign < 0 ? -magnitude : magnitude
          }
        }
      }
    }
  }
}
