import Derivation
import Testing

/// The model language of the neural tangent kernel (Derivations/README.md): learning rates, the
/// kernel field and its cumulants; every mistake refused with its location.
@Suite struct TangentKernelModelFileTests {
  /// mlp-ntk.model with one replacement, compiled and derived.
  static func derive(replacing old: String, with new: String) throws -> DerivationResult {
    let text = try BookNotation.modelText("mlp-ntk.model")
    precondition(text.contains(old), "mlp-ntk.model has no '\(old)'")
    let model = try ModelCompiler.compile(
      text.replacingOccurrences(of: old, with: new), file: "m.model")
    return try DerivationPipeline(model).run()
  }

  /// The message of the error `body` throws (nil if it throws none).
  static func message(_ body: () throws -> Void) -> String? {
    do {
      try body()
      return nil
    } catch {
      return "\(error)"
    }
  }

  @Test func learningRatesAreScaledLikeVariances() throws {
    let model = try BookNotation.loadModel("mlp-ntk.model")
    let rates = model.learningRates.keys.map(\.name).sorted()
    #expect(rates == ["W", "b"])
    #expect(model.tangentKernel?.name == "H")
  }

  /// Catches: a negative learning rate accepted (the kernel would not be positive).
  @Test func negativeLearningRateIsRefused() {
    let m = Self.message {
      _ = try Self.derive(
        replacing: "learning-rate lambda_b", with: "learning-rate - lambda_b")
    }
    #expect(m?.contains("m.model:17:") == true)
    #expect(m?.contains("learning rate of 'b' must be positive") == true)
  }

  /// Catches: a learning rate that mentions a random tensor (it must be a scalar).
  @Test func learningRateIsAScalar() {
    let m = Self.message {
      _ = try Self.derive(
        replacing: "learning-rate lambda_W / n(j)", with: "learning-rate lambda_W W[i,j]")
    }
    #expect(m?.contains("the learning rate of 'W' must be a scalar") == true)
  }

  /// Catches: a kernel cumulant accepted with the preactivation factor first (slots misnumbered).
  @Test func kernelFactorsComeFirst() {
    let m = Self.message {
      _ = try Self.derive(
        replacing: "cumulant H[j1,j2;a1,a2] z[j3;a3] z[j4;a4] =",
        with: "cumulant z[j3;a3] H[j1,j2;a1,a2] z[j4;a4] =")
    }
    #expect(m?.contains("write the tangent kernel's factors first") == true)
  }

  /// Catches: an order-0 Ĥ–Ĥ cumulant accepted (the kernel is deterministic at leading order).
  @Test func kernelFluctuationsAreSuppressed() {
    let m = Self.message {
      _ = try Self.derive(
        replacing: "+ delta[j1,j4] delta[j2,j3] B[a1,a2,a4,a3] ) / n",
        with: "+ delta[j1,j4] delta[j2,j3] B[a1,a2,a4,a3] )")
    }
    #expect(m?.contains("tangent kernel is deterministic") == true)
  }

  /// Catches: a kernel of a field the model does not have.
  @Test func kernelOfAnUnknownField() {
    let m = Self.message {
      _ = try Self.derive(replacing: "tangent-kernel of z", with: "tangent-kernel of y")
    }
    #expect(m?.contains("not of 'y'") == true)
  }

  /// Catches: a B term with the wrong sample order accepted. The δ(1,4)δ(2,3) term of the Ĥ–Ĥ
  /// cumulant carries B[a1,a2,a4,a3] (the pairs (α1,α4) and (α2,α3) sit on one neuron each);
  /// with B[a1,a2,a3,a4] there the derived correlator is not of the declared form.
  @Test func closureRefusesAWrongPairingOfB() {
    let m = Self.message {
      _ = try Self.derive(
        replacing: "+ delta[j1,j4] delta[j2,j3] B[a1,a2,a4,a3] ) / n",
        with: "+ delta[j1,j4] delta[j2,j3] B[a1,a2,a3,a4] ) / n")
    }
    #expect(m?.contains("do not close") == true)
  }

  /// An untrained family (no learning rate) drops out of the kernel: without the bias's rate,
  /// Θ′ has no λ_b.
  @Test func untrainedFamilyDropsOut() throws {
    let r = try Self.derive(
      replacing: "gaussian b[i] : C_b, learning-rate lambda_b", with: "gaussian b[i] : C_b")
    let theta = try #require(r.recursions.first { $0.quantity == "Theta" }?.rhs)
    #expect(!"\(theta)".contains("lambda_b"))
    #expect("\(theta)".contains("lambda_W"))
  }
}
