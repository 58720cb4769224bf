import DeriveCLI

DeriveCommandLine.main()
