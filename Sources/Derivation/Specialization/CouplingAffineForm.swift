import Algebra

/// An expression written as e = e₀ + Σ_c c·e_c, affine in a chosen list of couplings c, each
/// e_c (and e₀) free of every coupling of the model: the single-input kernel map of the MLP is
/// K′ = 1·C_b + C_W·⟨σσ⟩_K (e₀ = 0), and its susceptibilities are C_W times coupling-free
/// averages.
///
/// This is what makes a criticality search a linear problem in the couplings at a fixed kernel
/// K: each part is a function of K alone, evaluated once, and the couplings solve a linear
/// system. The form is read from the expression's terms (after expansion): a term's couplings
/// are its scalar symbols named like a coupling of the model.
public struct CouplingAffineForm: Sendable {
  /// The couplings the form is affine in, in the order given.
  public var couplings: [Symbol]
  /// e₀: the terms with no coupling.
  public var constant: Expression
  /// e_c for each coupling of ``couplings``, in the same order (zero where c does not occur).
  public var coefficients: [Expression]

  /// Why an expression has no affine form.
  public enum Failure: Error, Hashable, Sendable {
    /// A term carries a coupling of the model that is not one of the chosen couplings.
    case otherCoupling(String)
    /// A term carries a power or product of the chosen couplings (C_W², C_b·C_W, 1/C_W).
    case nonlinear(String)
    /// A term carries a width (the map depends on the network's widths).
    case width
  }

  /// The affine form of `e` in `couplings`; `modelCouplings` are the names every coupling of
  /// the model goes by (the chosen ones among them).
  ///
  /// - Throws: ``Failure`` naming the first term that is not affine in the chosen couplings.
  public init(_ e: Expression, in couplings: [Symbol], modelCouplings: Set<String>) throws {
    self.couplings = couplings
    var constant: [Term] = []
    var coefficients = [[Term]](repeating: [], count: couplings.count)
    for term in e.expanded().terms {
      var rest: [SymbolPower] = []
      var found: [(Int, Int)] = []
      for p in term.monomial.scalars {
        if p.symbol.kind == .width { throw Failure.width }
        if p.symbol.kind == .parameter, modelCouplings.contains(p.symbol.name) {
          guard let k = couplings.firstIndex(of: p.symbol) else {
            throw Failure.otherCoupling(p.symbol.name)
          }
          found.append((k, p.exponent))
        } else {
          rest.append(p)
        }
      }
      let stripped = Term(term.coefficient, term.monomial.replacingScalars(with: rest))
      switch found.count {
      case 0:
        constant.append(stripped)
      case 1 where found[0].1 == 1:
        coefficients[found[0].0].append(stripped)
      default:
        throw Failure.nonlinear(
          found.map { "\(couplings[$0.0].name)^\($0.1)" }.joined(separator: "·"))
      }
    }
    self.constant = Expression(constant).canonicalized()
    self.coefficients = coefficients.map { Expression($0).canonicalized() }
  }

  /// The coefficient of a coupling (nil if it is not one of ``couplings``).
  public func coefficient(of coupling: Symbol) -> Expression? {
    couplings.firstIndex(of: coupling).map { coefficients[$0] }
  }
}
