#!/usr/bin/env bash
# Sharded featurize on Slurm against one process, on the same images (default: the 5000 digit PNGs),
# ResNet18 on CPU. Brings the one-node cluster up (deploy/slurm/local-cluster.sh, root; it is taken down
# at the end if this script started it), runs featurize once without shards, then the same images as a
# TASKS-task array (deploy/slurm/featurize.sbatch, one CPU a task) into one store, checks that store with
# `pipeline store verify` and prints a Markdown table of wall times. On one machine the array cannot be
# faster than one process using every core: it measures what sharding costs (a model load and a process
# per task, the commit protocol, the scheduler), not a speed-up, which needs the tasks on machines of their own.
# PIPELINE_CMD replaces the CLI (a stand-in, to try the script without a build); the store is then not verified.
# Usage: bench/slurm.sh [images-folder] [tasks] [extra featurize args...]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
images=$(realpath "${1:-../shared/data/digits/full}")
tasks=${2:-4}
shift $(( $# < 2 ? $# : 2 ))
results=$root/bench/results/slurm
rm -rf "$results"
mkdir -p "$results/logs"

[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
if [ -z "${PIPELINE_CMD:-}" ]; then
  dotnet build src/Pipeline.Cli -c Release -warnaserror -v quiet -nologo >/dev/null
  export PIPELINE_CMD=$root/src/Pipeline.Cli/bin/Release/net10.0/pipeline
  verify=1
fi
count=$(find "$images" -type f | wc -l)
load() { cut -d' ' -f1 /proc/loadavg; }

export SLURM_CONF=${SLURM_CONF:-${PIPELINE_SLURM_DIR:-/var/tmp/pipeline-slurm}/slurm.conf}
if ! sinfo -h >/dev/null 2>&1; then
  deploy/slurm/local-cluster.sh up
  trap 'deploy/slurm/local-cluster.sh down' EXIT
fi
cpus=$(sinfo -h -o '%c' | head -1)

single_load=$(load)
/usr/bin/time -f '%e %M' -o "$results/single.time" $PIPELINE_CMD featurize --input "$images" --output "$results/single" \
  --device cpu "$@" >"$results/single.txt" 2>"$results/single.err"
read -r single_wall single_rss <"$results/single.time"

# --wait: sbatch returns when every task has ended, with the highest exit code among them.
array_load=$(load)
start=$(date +%s.%N)
status=0
sbatch --wait --quiet --array="0-$((tasks - 1))" --cpus-per-task=1 --mem=2G --output="$results/logs/%A_%a.log" \
  deploy/slurm/featurize.sbatch "$images" "$results/store" --device cpu "$@" || status=$?
array_wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
[ "$status" -eq 0 ] || { echo "the array failed (exit $status); logs in $results/logs" >&2; tail -n 5 "$results"/logs/*.log >&2; exit 1; }

verified="not verified (PIPELINE_CMD stand-in)"
rows="-"
if [ -n "${verify:-}" ]; then
  $PIPELINE_CMD store verify "$results/store" >"$results/verify.txt"
  verified=$(head -1 "$results/verify.txt")
  rows=$(grep -oP 'rows: \K[0-9]+' "$results/verify.txt" | head -1)
fi
# Each task's own featurize time, from the summary line it logs.
task_seconds=$(grep -ohP 'seconds: \K[0-9.]+' "$results"/logs/*.log 2>/dev/null | paste -sd/ - || true)

echo "$count images from $images; node: $cpus CPUs; featurize --device cpu $*"
echo
printf '| run | processes | CPUs each | wall (s) | img/s | vs one process | rows | load avg before |\n'
printf '|---|---|---|---|---|---|---|---|\n'
printf '| featurize, no shards | 1 | %s | %s | %s | 1.00 | %s | %s |\n' "$cpus" "$single_wall" \
  "$(awk -v n="$count" -v s="$single_wall" 'BEGIN { printf "%.1f", n / s }')" \
  "$(grep -oP 'featurized: \K[0-9]+' "$results/single.txt" | head -1 || echo -)" "$single_load"
printf '| sbatch --array=0-%s, --shard auto | %s (%s at once) | 1 | %s | %s | %s | %s | %s |\n' "$((tasks - 1))" "$tasks" "$cpus" "$array_wall" \
  "$(awk -v n="$count" -v s="$array_wall" 'BEGIN { printf "%.1f", n / s }')" \
  "$(awk -v a="$array_wall" -v s="$single_wall" 'BEGIN { printf "%.2f", a / s }')" "$rows" "$array_load"
echo
echo "tasks' own featurize seconds: ${task_seconds:-?}; store verify: $verified"
