#!/usr/bin/env bash
# End-to-end featurize throughput on a folder of images (default: the 5000 digit PNGs) with
# ResNet18 on CPU, beside the ceiling: ONNX Runtime alone on pre-made tensors (one real image,
# preprocessed once and repeated) with the same model, batch size and threads. From GNU time:
# peak RSS, and CPU time (user + sys) per image of the whole process, which other jobs on a shared
# machine disturb far less than wall-clock img/s; plus the 1-minute load average before each run.
# Prints a Markdown table. Usage: bench/featurize.sh [images-folder] [batch-size] [extra featurize args...]
set -euo pipefail
cd "$(dirname "$0")/.."
images=${1:-../shared/data/digits/full}
batch=${2:-32}
shift $(( $# < 2 ? $# : 2 ))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
dotnet build src/Pipeline.Cli -c Release -warnaserror -v quiet -nologo >/dev/null
cli=src/Pipeline.Cli/bin/Release/net10.0/pipeline
count=$(find "$images" -type f | wc -l)
sample=$(find "$images" -type f -name '*.png' | sort | awk 'NR == 1')
load() { cut -d' ' -f1 /proc/loadavg; }

ceiling_load=$(load)
/usr/bin/time -f '%M %U %S' -o "$out/ceiling.time" "$cli" bench-inference --model resnet18 --device cpu \
  --batch-size "$batch" --images "$count" --image "$sample" >"$out/ceiling.txt"
pipeline_load=$(load)
/usr/bin/time -f '%M %U %S' -o "$out/pipeline.time" "$cli" featurize --input "$images" --model resnet18 --device cpu \
  --batch-size "$batch" --output "$out/store" "$@" >"$out/pipeline.txt" 2>"$out/pipeline.err"

ceiling=$(grep -oP 'images/s: \K[0-9.]+' "$out/ceiling.txt")
pipeline=$(grep -oP 'img/s: \K[0-9.]+' "$out/pipeline.txt")
# GNU time: %M is the peak resident set in KiB, %U and %S the user and system CPU seconds.
mib() { awk '{ printf "%.0f", $1 / 1024 }' "$1"; }
cpu_ms() { awk -v n="$count" '{ printf "%.1f", 1000 * ($2 + $3) / n }' "$1"; }
printf '| run | images | batch | img/s | %% of ceiling | CPU ms/img | peak RSS (MiB) | load avg (1 min) before |\n'
printf '|---|---|---|---|---|---|---|---|\n'
printf '| ONNX Runtime alone (ceiling) | %s | %s | %s | 100%% | %s | %s | %s |\n' \
  "$count" "$batch" "$ceiling" "$(cpu_ms "$out/ceiling.time")" "$(mib "$out/ceiling.time")" "$ceiling_load"
printf '| pipeline featurize | %s | %s | %s | %s | %s | %s | %s |\n' \
  "$count" "$batch" "$pipeline" "$(awk -v p="$pipeline" -v c="$ceiling" 'BEGIN { printf "%.1f%%", 100 * p / c }')" \
  "$(cpu_ms "$out/pipeline.time")" "$(mib "$out/pipeline.time")" "$pipeline_load"
