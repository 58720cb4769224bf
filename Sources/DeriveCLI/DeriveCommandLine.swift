/// Entry point of the `derive` executable (placeholder until the derivation engine lands).
public enum DeriveCommandLine {
  /// Runs the command line and exits the process with the command's status.
  public static func main() {
    print("derive — perturbation theory of deep networks at initialization")
  }
}
