import CGMP

/// The heap box that owns one GMP rational (`mpq_t`); the private storage of a ``Rational`` whose
/// numerator or denominator does not fit in a machine word.
///
/// Layout and thread-safety argument as for ``MPZStorage``: the `mpq` struct sits behind a `let`
/// pointer freed in `deinit` after `mpq_clear`; a box is mutated only while being built or when
/// `isKnownUniquelyReferenced` proves it unshared, so `@unchecked Sendable` is sound. Every box
/// handed to a ``Rational`` holds a canonical fraction (`mpq_canonicalize` has run or the
/// operation preserves canonical form).
final class MPQStorage: @unchecked Sendable {
  /// The GMP struct; allocated in `init`, cleared and freed in `deinit`, never reassigned.
  private let pointer: UnsafeMutablePointer<__mpq_struct>

  /// A new box holding zero.
  init() {
    pointer = .allocate(capacity: 1)
    cgmp_mpq_init(pointer)
  }

  /// A new box holding `numerator/denominator`, which must already be in lowest terms with
  /// `denominator > 0`.
  @inline(__always)
  static func make(canonicalNumerator numerator: Int, denominator: Int) -> MPQStorage {
    precondition(denominator > 0, "denominator must be positive")
    let box = Self()
    box.withPointer { cgmp_mpq_set_si($0, numerator, UInt(denominator)) }
    return box
  }

  deinit {
    cgmp_mpq_clear(pointer)
    pointer.deallocate()
  }

  /// Runs `body` with the address of the `mpq` struct; valid only inside `body`.
  @inline(__always)
  func withPointer<R>(_ body: (UnsafeMutablePointer<__mpq_struct>) throws -> R) rethrows -> R {
    // `self` is alive for the whole call, so `pointer` cannot be freed while `body` runs.
    try body(pointer)
  }

  /// A new box holding `op(self)`.
  @inline(__always)
  func map(_ op: (UnsafeMutablePointer<__mpq_struct>, UnsafePointer<__mpq_struct>) -> Void)
    -> MPQStorage
  {
    let result = MPQStorage()
    result.withPointer { r in withPointer { a in op(r, a) } }
    return result
  }

  /// A new box holding `op(self, other)`.
  @inline(__always)
  func combine(
    _ other: MPQStorage,
    _ op: (
      UnsafeMutablePointer<__mpq_struct>, UnsafePointer<__mpq_struct>, UnsafePointer<__mpq_struct>
    ) -> Void
  ) -> MPQStorage {
    let result = MPQStorage()
    result.withPointer { r in withPointer { a in other.withPointer { b in op(r, a, b) } } }
    return result
  }
}
