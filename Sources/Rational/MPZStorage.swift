import CGMP

/// The heap box that owns one GMP integer (`mpz_t`); the private storage of ``BigInteger``.
///
/// The `mpz` struct lives at a separately allocated, never-reassigned address (a `let` pointer),
/// so C calls may alias input and output freely and no Swift exclusivity check is involved.
/// (`ManagedBuffer` would save that allocation but is explicitly non-`Sendable`.) `deinit` calls
/// `mpz_clear` and frees the struct.
///
/// `@unchecked Sendable` is sound because of the copy-on-write discipline of the value types that
/// hold it: a box is written only while it is being built (before it is returned to a value type)
/// or when `isKnownUniquelyReferenced` has proved that exactly one value refers to it. A box that
/// could be visible to another thread is therefore never mutated, and reading GMP numbers
/// concurrently is thread-safe.
final class MPZStorage: @unchecked Sendable {
  /// The GMP struct; allocated in `init`, cleared and freed in `deinit`, never reassigned.
  private let pointer: UnsafeMutablePointer<__mpz_struct>

  /// A new box holding zero.
  init() {
    pointer = .allocate(capacity: 1)
    cgmp_mpz_init(pointer)
  }

  /// A new box holding `value`.
  @inline(__always)
  static func make(_ value: Int) -> MPZStorage {
    let box = Self()
    box.withPointer { cgmp_mpz_set_si($0, value) }
    return box
  }

  deinit {
    cgmp_mpz_clear(pointer)
    pointer.deallocate()
  }

  /// Runs `body` with the address of the `mpz` struct; valid only inside `body`.
  @inline(__always)
  func withPointer<R>(_ body: (UnsafeMutablePointer<__mpz_struct>) throws -> R) rethrows -> R {
    // `self` is alive for the whole call, so `pointer` cannot be freed while `body` runs.
    try body(pointer)
  }

  /// A new box holding `op(self)`.
  @inline(__always)
  func map(_ op: (UnsafeMutablePointer<__mpz_struct>, UnsafePointer<__mpz_struct>) -> Void)
    -> MPZStorage
  {
    let result = MPZStorage()
    result.withPointer { r in withPointer { a in op(r, a) } }
    return result
  }

  /// A new box holding `op(self, other)`.
  @inline(__always)
  func combine(
    _ other: MPZStorage,
    _ op: (
      UnsafeMutablePointer<__mpz_struct>, UnsafePointer<__mpz_struct>, UnsafePointer<__mpz_struct>
    ) -> Void
  ) -> MPZStorage {
    let result = MPZStorage()
    result.withPointer { r in withPointer { a in other.withPointer { b in op(r, a, b) } } }
    return result
  }
}
