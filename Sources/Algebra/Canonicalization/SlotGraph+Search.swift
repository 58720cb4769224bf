extension SlotGraph {
  /// The labellings at the leaves of the individualisation–refinement search (see
  /// ``SlotGraph``), one per distinct leaf form, in the order the search meets them. The
  /// smallest relabelled monomial over them, by any fixed order, is a canonical form.
  public func leafLabellings() -> [[Int]] {
    var search = Search(graph: self, keepsEveryForm: true)
    search.run()
    return search.labellings
  }

  /// The leaf with the smallest form (lexicographic order of ``form(labels:)``): a canonical
  /// labelling and the canonical form itself.
  public func smallestLeaf() -> (labels: [Int], form: [Int]) {
    if vertexCount == 1 {
      let labels = [0]
      return (labels, form(labels: labels))
    }
    var search = Search(graph: self, keepsEveryForm: false)
    search.run()
    return (search.labellings[0], search.smallest)
  }

  /// The search state: the leaves found so far.
  struct Search {
    let graph: SlotGraph
    let keepsEveryForm: Bool
    var twins: [Int] = []
    var labellings: [[Int]] = []
    var forms: Set<[Int]> = []
    var smallest: [Int] = []

    init(graph: SlotGraph, keepsEveryForm: Bool) {
      self.graph = graph
      self.keepsEveryForm = keepsEveryForm
    }

    mutating func run() {
      let start = graph.refinedColours()
      twins = graph.twinClasses(start)
      _ = search(start)
    }

    /// Searches below the refined colouring `colours` (dense ranks); returns the form of the
    /// first leaf.
    mutating func search(_ colours: [Int]) -> [Int] {
      let cell = targetCell(colours)
      if cell.isEmpty {
        let form = graph.form(labels: colours)
        record(form, labels: colours)
        return form
      }
      var firstLeaf: [Int] = []
      for (n, x) in cell.enumerated() {
        let child = graph.refine(individualized(colours, x))
        if n > 0 && greedyLeaf(child) == firstLeaf { continue }
        let first = search(child)
        if n == 0 { firstLeaf = first }
      }
      return firstLeaf
    }

    mutating func record(_ form: [Int], labels: [Int]) {
      if keepsEveryForm {
        if forms.insert(form).inserted { labellings.append(labels) }
      } else if labellings.isEmpty || form.lexicographicallyPrecedes(smallest) {
        smallest = form
        labellings = [labels]
      }
    }

    /// The members of the first cell (by colour) with several members, one per twin class, in
    /// vertex order; empty when the colouring is discrete.
    func targetCell(_ colours: [Int]) -> [Int] {
      let cellCount = SlotGraph.cellCount(colours)
      if cellCount == colours.count { return [] }
      var sizes = Array(repeating: 0, count: cellCount)
      for c in colours { sizes[c] += 1 }
      guard let cell = sizes.firstIndex(where: { $0 > 1 }) else { return [] }
      var seen: [Int] = []
      var out: [Int] = []
      for d in colours.indices where colours[d] == cell && !seen.contains(twins[d]) {
        seen.append(twins[d])
        out.append(d)
      }
      return out
    }

    /// `colours` with `x` made the first of its cell.
    func individualized(_ colours: [Int], _ x: Int) -> [Int] {
      let c = colours[x]
      return colours.indices.map { d in
        colours[d] < c || d == x ? colours[d] : colours[d] + 1
      }
    }

    /// The form of the leaf reached from the refined colouring `start` by always
    /// individualising the first member of the target cell (the first leaf that ``search(_:)``
    /// from `start` meets).
    func greedyLeaf(_ start: [Int]) -> [Int] {
      var colours = start
      while true {
        let cell = targetCell(colours)
        if cell.isEmpty { return graph.form(labels: colours) }
        colours = graph.refine(individualized(colours, cell[0]))
      }
    }
  }
}
