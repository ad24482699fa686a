#!/usr/bin/env bash
# Do our ResNet18 features equal ML.NET's? Makes N (default 100) 224x224 8-bit grayscale PNGs from
# the seed50 digits (so neither featurizer resizes: ML.NET's ResizeImages would resample
# nearest-neighbour, ours bilinear), featurizes them with ML.NET's DnnFeaturizeImage (ResNet18,
# bench/MlNetBaseline `featurize`) and with our CLI (`featurize --model resnet18 --device cpu`), then
# prints bench/MlNetBaseline `compare-features` JSON: rows matched by <class>/<file>, max and mean
# absolute difference, max difference relative to the image's largest ML.NET feature, worst image.
# Both run the same ResNet18.onnx on the same ONNX Runtime (CPU), so a relative difference near
# float32 rounding (~1e-5) means the same preprocessing; a large one points at decode/normalisation.
#
# Usage: scripts/compare_mlnet_features.sh [N] [source-class-folder]
#   N                    images to compare (default 100; taken class by class, so 10 covers 0-9)
#   source-class-folder  folder-per-class PNG tree (default ../shared/data/digits/seed50)
# Env: PIPELINE_CLI=path to an already built `pipeline` executable (default: build src/Pipeline.Cli
#      Release), KEEP=1 keeps the temp folder (images, CSV, store) and prints its path.
# Needs: .NET 10 SDK, ../shared beside the repo. Takes ~15 s for 100 images, ~1 min for 500 (2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100}
source=${2:-../shared/data/digits/seed50}
work=$(mktemp -d)
if [[ ${KEEP:-0} == 1 ]]; then
  echo "keeping $work" >&2
else
  trap 'rm -rf "$work"' EXIT
fi

dotnet build bench/MlNetBaseline -c Release -warnaserror -v quiet -nologo >/dev/null
baseline=bench/MlNetBaseline/bin/Release/net10.0/mlnet-baseline
if [[ -z ${PIPELINE_CLI:-} ]]; then
  dotnet build src/Pipeline.Cli -c Release -warnaserror -v quiet -nologo >/dev/null
  PIPELINE_CLI=src/Pipeline.Cli/bin/Release/net10.0/pipeline
fi

"$baseline" make-gray-224 --source "$source" --output "$work/gray" --count "$count" >&2
echo "ML.NET featurize:" >&2
"$baseline" featurize --images "$work/gray" --output "$work/mlnet.csv" >&2
echo "pipeline featurize:" >&2
"$PIPELINE_CLI" featurize --input "$work/gray" --model resnet18 --device cpu --output "$work/store" >&2
# compare-features exits 1 (after printing) when no row matched: print, then pass the status on.
status=0
result=$("$baseline" compare-features --store "$work/store" --csv "$work/mlnet.csv") || status=$?
if command -v jq >/dev/null; then jq . <<<"$result"; else echo "$result"; fi
exit "$status"
