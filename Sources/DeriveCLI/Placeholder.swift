// Module DeriveCLI.
