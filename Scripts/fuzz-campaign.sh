#!/bin/sh
# A long fuzzing campaign against the release `derive` binary.
#
#   Scripts/fuzz-campaign.sh [CASES] [SEED] [OUT]
#
# Builds derive and derive-fuzz in release mode, runs CASES model-file cases and CASES/2
# command-line cases (seed SEED, 10 s per case, 4 GB address space per case, all cores) and
# writes one reproducer per distinct failure into OUT (default fuzz-findings). Exit status 1
# when anything failed. See README.md, "Fuzzing".
set -eu
cases=${1:-100000}
seed=${2:-1}
out=${3:-fuzz-findings}
swift build -c release --product derive
swift build -c release --product derive-fuzz
bin=$(swift build -c release --show-bin-path)
exec "$bin/derive-fuzz" --cases "$cases" --seed "$seed" --timeout 10 --memory 4096 --out "$out"
