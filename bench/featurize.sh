#!/usr/bin/env bash
# End-to-end featurize throughput on the 5000 digit PNGs with ResNet18 on CPU, beside the ceiling:
# ONNX Runtime alone on pre-made tensors with the same model, batch size and threads. Peak RSS of
# each from GNU time. Usage: bench/featurize.sh [images-folder] [batch-size]
set -euo pipefail
cd "$(dirname "$0")/.."
images=${1:-../shared/data/digits/full}
batch=${2:-32}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
dotnet build src/Pipeline.Cli -c Release -warnaserror -v quiet -nologo >/dev/null
cli=src/Pipeline.Cli/bin/Release/net10.0/pipeline
count=$(find "$images" -type f | wc -l)

/usr/bin/time -f '%M' -o "$out/ceiling.rss" "$cli" bench-inference --model resnet18 --device cpu \
  --batch-size "$batch" --images "$count" >"$out/ceiling.txt"
/usr/bin/time -f '%M' -o "$out/pipeline.rss" "$cli" featurize --input "$images" --model resnet18 --device cpu \
  --batch-size "$batch" --output "$out/store" >"$out/pipeline.txt" 2>&1

ceiling=$(grep -oP 'images/s: \K[0-9.]+' "$out/ceiling.txt")
pipeline=$(grep -oP 'img/s: \K[0-9.]+' "$out/pipeline.txt")
printf '| run | images | img/s | %% of ceiling | peak RSS (MiB) |\n|---|---|---|---|---|\n'
printf '| ONNX Runtime alone (ceiling) | %s | %s | 100%% | %s |\n' "$count" "$ceiling" "$(( $(cat "$out/ceiling.rss") / 1024 ))"
printf '| pipeline featurize | %s | %s | %.1f%% | %s |\n' "$count" "$pipeline" \
  "$(echo "100 * $pipeline / $ceiling" | bc -l)" "$(( $(cat "$out/pipeline.rss") / 1024 ))"
