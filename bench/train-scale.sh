#!/usr/bin/env bash
# The trainer at scale: a generated ROWS × DIM store (default 1,000,000 × 512, 10 classes) written
# through the product's own store writer (`pipeline bench-store`, hidden), then `pipeline train` on it
# under GNU time: fit time (from the summary), wall time, peak RSS, beside the memory bound the trainer
# checks before it reads (Classifier/TrainingMemory.cs). Then the same train under a GC heap limit
# below the bound, which must be refused before loading (exit 1, one sentence), not crash.
# The store (2 GiB at the default size) goes to bench/results/, which git ignores; it is kept between runs.
# Usage: bench/train-scale.sh [rows] [dimension] [max-iter] [extra train args...]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
dim=${2:-512}
iters=${3:-100}
shift $(( $# < 3 ? $# : 3 ))
results=bench/results/train-scale
store=$results/store-${rows}x${dim}
mkdir -p "$results"

[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
dotnet build src/Pipeline.Cli -c Release -warnaserror -v quiet -nologo >/dev/null
cli=src/Pipeline.Cli/bin/Release/net10.0/pipeline
load() { cut -d' ' -f1 /proc/loadavg; }

if [ ! -f "$store/features/_SUCCESS" ]; then
  rm -rf "$store"
  /usr/bin/time -f '%e %M' -o "$results/write.time" "$cli" bench-store --output "$store" --rows "$rows" --dimension "$dim" >"$results/write.txt"
  echo "wrote $(cat "$results/write.txt") ($(du -sh "$store" | cut -f1), wall/peak KiB $(cat "$results/write.time"))" >&2
fi

matrix_gib=$(awk -v r="$rows" -v d="$dim" 'BEGIN { printf "%.2f", r * d * 4 / 2^30 }')
# The bound for the default 80/20 split (TrainingMemory.RequiredBytes): 2.8 matrices plus 256 bytes a
# row alive at the peak, times 2 for the GC's headroom.
bound=$(awk -v r="$rows" -v d="$dim" 'BEGIN { printf "%.0f", 2 * (2.8 * r * d * 4 + 256 * r) }')
gib() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 2^30 }'; }
# mawk's %X stops at 2^32: bash's printf takes the whole number.
hex() { printf '0x%X' "$(awk -v b="$1" -v f="$2" 'BEGIN { printf "%.0f", b * f }')"; }

# One train: $1 the run's name, $2 a GC heap limit (empty: none). GNU time -v gives wall and peak RSS.
run() {
  local name=$1 limit=$2 status=0 before
  shift 2
  before=$(load)
  rm -rf "$results/model-$name"
  /usr/bin/time -v -o "$results/$name.time" env ${limit:+DOTNET_GCHeapHardLimit=$limit} "$cli" train --features "$store" \
    --output "$results/model-$name" --max-iter "$iters" "$@" >"$results/$name.txt" 2>"$results/$name.err" || status=$?
  local fit iterations wall rss
  fit=$(grep -oP 'seconds: \K[0-9.]+' "$results/$name.txt" | head -1 || true)
  iterations=$(grep -oP '^iterations: \K[0-9]+' "$results/$name.txt" | head -1 || true)
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$results/$name.time")
  rss=$(grep -oP 'Maximum resident set size \(kbytes\): \K[0-9]+' "$results/$name.time")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${limit:-none}" "$status" "${iterations:--}" "${fit:--}" \
    "$( [ -n "$fit" ] && awk -v f="$fit" -v i="$iterations" 'BEGIN { printf "%.2f", f / i }' || echo -)" "$wall" \
    "$(awk -v k="$rss" 'BEGIN { printf "%.2f", k / 2^20 }')" "$before" "$name"
}

echo "$rows × $dim, 10 classes: matrix $matrix_gib GiB, bound $(gib "$bound") GiB; pipeline train defaults (80/20 split), --max-iter $iters"
echo
printf '| GC heap limit | exit | iterations | fit (s) | s/iteration | wall (s) | peak RSS (GiB) | load avg before | run |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
run unlimited "" "$@"
# 1.1 × the bound: it must train, so the bound covers what training keeps alive.
run above-bound "$(hex "$bound" 1.1)" "$@"
# Half the bound: it must be refused before any row is read (exit 1, one sentence), not run out of memory.
run below-bound "$(hex "$bound" 0.5)" "$@"
echo
sed 's/^/    /' "$results/below-bound.err"
