#!/usr/bin/env bash
# End-to-end featurize throughput on a folder of images (default: the 5000 digit PNGs) with
# ResNet18 on CPU, beside the ceilings: ONNX Runtime alone on pre-made tensors (one real image,
# preprocessed once and repeated), one run at a time at batch 1 (the ceiling the percentages are
# of), 2, 4, 8 and 32, two runs at once at batch 1 (as featurize runs them), and int8. Then
# `featurize` with its defaults (no --batch-size: the device's choice), with each batch size tried
# (2, 4, 8 and the old default 32), and with --precision int8 (calibrated on the folder's first 200 images; the first run quantizes and
# caches, so the int8 row is run twice and the second, cached, run is the one reported), and the
# mean cosine similarity of the int8 features to the fp32 ones. From GNU time: peak RSS, and CPU
# time (user + sys) per image of the whole process, which other jobs on a shared machine disturb
# far less than wall-clock img/s; plus the 1-minute load average before each run.
# Prints a Markdown table. Usage: bench/featurize.sh [images-folder] [ceiling-images]
set -euo pipefail
cd "$(dirname "$0")/.."
images=${1:-../shared/data/digits/full}
ceiling_images=${2:-320}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
dotnet build src/Pipeline.Cli -c Release -warnaserror -v quiet -nologo >/dev/null
cli=src/Pipeline.Cli/bin/Release/net10.0/pipeline
count=$(find -L "$images" -type f | wc -l)
sample=$(find -L "$images" -type f -name '*.png' | sort | awk 'NR == 1')
load() { cut -d' ' -f1 /proc/loadavg; }
# GNU time: %M is the peak resident set in KiB, %U and %S the user and system CPU seconds.
mib() { awk '{ printf "%.0f", $1 / 1024 }' "$1"; }
cpu_ms() { awk -v n="$2" '{ printf "%.1f", 1000 * ($2 + $3) / n }' "$1"; }

rows=()
ceiling() { # name batch precision runs
  local name=$1 batch=$2 precision=$3 runs=$4 before
  before=$(load)
  /usr/bin/time -f '%M %U %S' -o "$out/$name.time" "$cli" bench-inference --model resnet18 --device cpu \
    --batch-size "$batch" --precision "$precision" --runs "$runs" --images "$ceiling_images" --image "$sample" >"$out/$name.txt"
  local rate n
  rate=$(grep -oP 'images/s: \K[0-9.]+' "$out/$name.txt")
  n=$(grep -oP 'images: \K[0-9]+' "$out/$name.txt" | head -1)
  echo "$rate" >"$out/$name.rate"
  rows+=("| ONNX Runtime alone, $precision, $runs run(s) at once | $n | $batch | $rate | %CEIL:$rate% | $(cpu_ms "$out/$name.time" "$n") | $(mib "$out/$name.time") | $before |")
}
featurize() { # name label args...
  local name=$1 label=$2 before
  shift 2
  rm -rf "$out/$name"
  before=$(load)
  /usr/bin/time -f '%M %U %S' -o "$out/$name.time" "$cli" featurize --input "$images" --model resnet18 --device cpu \
    --output "$out/$name" "$@" >"$out/$name.txt" 2>"$out/$name.err"
  local rate batch
  rate=$(grep -oP 'img/s: \K[0-9.]+' "$out/$name.txt")
  batch=$(grep -oP -- '--batch-size \K[0-9]+' <<<"$*" || echo "default")
  rows+=("| pipeline featurize, $label | $count | $batch | $rate | %CEIL:$rate% | $(cpu_ms "$out/$name.time" "$count") | $(mib "$out/$name.time") | $before |")
}

for b in 1 2 4 8 32; do ceiling "fp32-b$b" "$b" fp32 1; done
ceiling fp32-b1-runs2 1 fp32 2
ceiling int8-b1 1 int8 1
featurize default "defaults (fp32)"
for b in 2 4 8; do featurize "batch$b" "fp32" --batch-size "$b"; done
featurize batch32 "fp32, the old default batch" --batch-size 32
# The first int8 run calibrates and writes the cache beside the model; the reported run reuses it.
featurize int8-calibrating "int8, first run (calibrates unless cached)" --precision int8
featurize int8 "int8, cached calibration" --precision int8
cosine=$(dotnet run bench/compare-features.cs -- "$out/default" "$out/int8" 2>/dev/null | tail -1)

ceiling1=$(cat "$out/fp32-b1.rate")
printf '| run | images | batch | img/s | %% of fp32 batch-1 ceiling | CPU ms/img | peak RSS (MiB) | load avg (1 min) before |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for row in "${rows[@]}"; do
  rate=$(grep -oP '%CEIL:\K[0-9.]+' <<<"$row")
  pct=$(awk -v p="$rate" -v c="$ceiling1" 'BEGIN { printf "%.1f%%", 100 * p / c }')
  sed "s/%CEIL:[0-9.]*%/$pct/" <<<"$row"
done
printf '\nint8 against fp32 features (defaults row): %s\n' "$cosine"
printf 'uptime after: %s\n' "$(uptime)"
