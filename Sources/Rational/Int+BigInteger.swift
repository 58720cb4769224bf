extension Int {
  /// The value of `integer` if it fits in an `Int`, else nil (the same as
  /// ``BigInteger/intValue``).
  public init?(exactly integer: BigInteger) {
    guard let value = integer.intValue else { return nil }
    self = value
  }
}
