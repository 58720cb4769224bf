#!/usr/bin/env bash
# A sharded `derive check` as a real Slurm array job on this machine, compared with the
# unsharded check.
#
#   Scripts/slurm-check.sh [SHARDS] [WORKDIR]
#
# Run as root from the package root. It
#   1. installs Debian's slurm-wlm and munge when they are missing, and starts munged if no
#      munge daemon answers;
#   2. writes a single-node cluster's configuration under WORKDIR (never /etc/slurm: every
#      Slurm command here reads it through SLURM_CONF), with the controller and the node on
#      127.0.0.1, one CPU per array task, and starts slurmctld and slurmd;
#   3. builds the release `derive` and runs the README's tanh check unsharded (WORKDIR/unsharded);
#   4. submits the same check as `sbatch --array=1-SHARDS --wait`, each task writing
#      `--shard K/SHARDS` into WORKDIR/shards, then `derive merge` into WORKDIR/merged;
#   5. compares the two reports: the verdict table, check.csv, check.json (without its header
#      line, which names the merge) and report.tex, byte for byte, and where JSON numbers
#      differ, by how much;
#   6. stops the daemons it started (by their pid files).
# Exit status 0 when the verdict table, check.csv and every number of check.json are identical
# (shards hold whole chunks reduced over one tree: the merge is bitwise the unsharded run), 1
# otherwise. Not part of `swift test` (it needs root and starts
# daemons). Defaults: 4 shards, WORKDIR slurm-check.
set -euo pipefail

shards=${1:-4}
work=$(realpath -m "${2:-slurm-check}")
check_args=(--activation tanh --cb 0.1 --cw 1 --width 8 --depth 5
  --input 1,0.5 --input -0.5,1 --samples 200000 --seed 1)

[ "$(id -u)" = 0 ] || { echo "slurm-check: run as root (it installs packages and starts daemons)" >&2; exit 2; }
say() { printf '== %s\n' "$*"; }

# 1. Packages and munge.
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  say "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slurm-wlm munge >/dev/null
fi
started_munge=""
if ! munge -n >/dev/null 2>&1; then
  [ -s /etc/munge/munge.key ] || mungekey --create
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged
  started_munge=1
  say "munged started"
fi
munge -n | unmunge >/dev/null && say "munge: credentials round-trip"

# 2. A single-node cluster under $work.
if [ -e "$work" ] && [ ! -e "$work/slurm.conf" ]; then
  echo "slurm-check: $work exists and is not a slurm-check directory; give another WORKDIR" >&2
  exit 2
fi
rm -rf "$work"
mkdir -p "$work/spool/ctld" "$work/spool/d" "$work/log" "$work/shards"
node=$(hostname -s)
# The node's real topology and memory, as slurmd sees them ("NodeName=… CPUs=… RealMemory=…").
hardware=$(slurmd -C | head -n 1 | sed "s/^NodeName=[^ ]*/NodeName=$node NodeAddr=127.0.0.1/")
export SLURM_CONF="$work/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=derive-check
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$work/spool/ctld
SlurmdSpoolDir=$work/spool/d
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
$hardware State=UNKNOWN
PartitionName=check Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
stop() {
  for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid"; do
    [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  if [ -n "$started_munge" ] && [ -s /run/munge/munged.pid ]; then
    kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
  fi
}
trap stop EXIT
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 60); do
  state=$(sinfo -h -n "$node" -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  case "$state" in down* | drain* | unk*) scontrol update nodename="$node" state=resume 2>/dev/null || true ;; esac
  sleep 1
done
sinfo
[ "$(sinfo -h -n "$node" -o %t)" = idle ] || { echo "slurm-check: the node did not come up (see $work/log)" >&2; exit 2; }

# 3. derive, and the unsharded check.
say "building derive (release)"
swift build -c release --product derive >/dev/null
cp "$(swift build -c release --show-bin-path)/derive" "$work/derive"
say "unsharded: derive check ${check_args[*]}"
status=0
"$work/derive" check "${check_args[@]}" --output "$work/unsharded" >"$work/unsharded.txt" 2>"$work/log/unsharded.err" || status=$?
echo "exit status $status; $(grep -E '^(PASS|FAIL)' "$work/unsharded.txt")"

# 4. The array job, and the merge.
cat >"$work/shard.sbatch" <<EOF
#!/bin/sh
#SBATCH --job-name=derive-check
#SBATCH --cpus-per-task=1
#SBATCH --output=$work/log/shard-%a.out
exec "$work/derive" check ${check_args[*]} --threads 1 \\
  --shard "\$SLURM_ARRAY_TASK_ID/$shards" --output "$work/shards"
EOF
say "sbatch --array=1-$shards --wait $work/shard.sbatch"
started=$(date +%s)
sbatch --wait --array="1-$shards" "$work/shard.sbatch"
echo "array job finished in $(($(date +%s) - started)) s"
for k in $(seq 1 "$shards"); do grep -h "statistics written" "$work/log/shard-$k.out" || true; done
say "derive merge $work/shards --output $work/merged"
status=0
"$work/derive" merge "$work/shards" --output "$work/merged" >"$work/merged.txt" 2>"$work/log/merged.err" || status=$?
echo "exit status $status; $(grep -E '^(PASS|FAIL)' "$work/merged.txt")"

# 5. Compare.
say "comparing merged ($shards shards) with unsharded"
table() { sed -e '1d' -e '/^report/d' "$1"; }
agree=1
if cmp -s <(table "$work/unsharded.txt") <(table "$work/merged.txt"); then
  echo "verdict table: identical"
else
  echo "verdict table: DIFFERENT"; diff <(table "$work/unsharded.txt") <(table "$work/merged.txt") | head -n 20; agree=0
fi
if cmp -s "$work/unsharded/check.csv" "$work/merged/check.csv"; then
  echo "check.csv: identical"
else
  # A difference is a failure; say how large it is.
  agree=0
  python3 - "$work/unsharded/check.csv" "$work/merged/check.csv" <<'EOF' || true
import sys
a, b = (open(p).read().splitlines() for p in sys.argv[1:3])
assert len(a) == len(b), "different numbers of lines"
differ, worst = 0, 0.0
for x, y in zip(a, b):
    if x == y: continue
    differ += 1
    for u, v in zip(x.split(","), y.split(",")):
        if u == v: continue
        u, v = float(u), float(v)
        worst = max(worst, abs(u - v) / max(abs(u), abs(v)))
print(f"check.csv: {differ} of {len(a) - 1} lines differ in their last digits "
      f"(12 significant), largest relative difference {worst:.1e}")
sys.exit(0 if worst <= 1e-6 else 1)
EOF
fi
for name in report.tex check.svg; do
  if cmp -s "$work/unsharded/$name" "$work/merged/$name"; then
    echo "$name: identical"
  elif cmp -s "$work/unsharded/$name" <(sed "s/ (merged from $shards shards)//" "$work/merged/$name"); then
    echo "$name: identical but for the title naming the merge"
  else
    echo "$name: different"
  fi
done
python3 - "$work/unsharded/check.json" "$work/merged/check.json" <<'EOF' || agree=0
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
headers = (a.pop("header"), b.pop("header"))
worst, count, total = 0.0, 0, 0
def walk(x, y, path):
    global worst, count, total
    if isinstance(x, dict):
        assert x.keys() == y.keys(), path
        for k in x: walk(x[k], y[k], path + "." + k)
    elif isinstance(x, list):
        assert len(x) == len(y), path
        for i, (u, v) in enumerate(zip(x, y)): walk(u, v, f"{path}[{i}]")
    elif isinstance(x, float) and isinstance(y, float):
        total += 1
        if x != y:
            count += 1
            worst = max(worst, abs(x - y) / max(abs(x), abs(y)))
    else:
        assert x == y, (path, x, y)
walk(a, b, "")
print(f"check.json: headers {'equal' if headers[0] == headers[1] else 'differ (the merged one names the merge)'}; "
      + ("every other member bitwise identical" if count == 0 else
         f"{count} of {total} numbers differ, largest relative difference {worst:.2e}"))
sys.exit(0 if count == 0 else 1)
EOF
say "done: $work"
[ "$agree" = 1 ]
