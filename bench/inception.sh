#!/usr/bin/env bash
# InceptionV3 from PNG, ours against the PyTorch peer, in one run on the same images (default: the
# first 32 digit PNGs of each class, 320 in all, linked into one ImageFolder tree):
#   - PyTorch: Debian's python3-torch/torchvision, ImageFolder + DataLoader (2 workers, batch 32)
#     with torchvision's eval transform (resize the shorter side to 342, center-crop 299, normalise)
#     and the InceptionV3 trunk's forward (fc replaced by Identity: the pooled 2048 features), at
#     torch's default intra-op threads (the peer, the ratio's denominator) and again with one per core;
#   - `pipeline featurize --model inceptionv3 --device cpu` with its defaults (batch and runs at
#     once: the device's choice), with --batch-size 32 (the peer's), and with --precision int8, run
#     twice: the first calibrates and caches the quantized graph, the second reuses it;
#   - ONNX Runtime alone at batch 1 (`bench-inference`), the ceiling, with two runs at once, and at batch 32.
# Throughput is images over the whole process's wall time (start-up, model load, decode, inference,
# writing), so both sides pay their own start-up; plus peak RSS and CPU ms per image from GNU time,
# and the 1-minute load average before each run. Needs models/inceptionv3.onnx: exported here with
# scripts/export_torchvision_models.py when absent (random weights: speed does not depend on them).
# Usage: bench/inception.sh [digits-folder] [per-class]
set -euo pipefail
cd "$(dirname "$0")/.."
digits=${1:-../shared/data/digits/full}
per_class=${2:-32}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
/usr/bin/python3 -c 'import torch, torchvision, onnx' 2>/dev/null \
  || apt-get install -y -qq python3-torch python3-torchvision python3-onnx >/dev/null
[ -f models/inceptionv3.onnx ] || /usr/bin/python3 scripts/export_torchvision_models.py --models-dir models
dotnet build src/Pipeline.Cli -c Release -warnaserror -v quiet -nologo >/dev/null
cli=src/Pipeline.Cli/bin/Release/net10.0/pipeline

for class in "$digits"/*/; do
  name=$(basename "$class")
  mkdir -p "$out/images/$name"
  find "$class" -type f -name '*.png' | sort | awk -v n="$per_class" 'NR <= n' | while read -r f; do ln -s "$(realpath "$f")" "$out/images/$name/"; done
done
count=$(find "$out/images" -type l | wc -l)

cat >"$out/peer.py" <<'EOF'
import sys, time
import torch, torchvision
from torchvision import transforms
start = time.perf_counter()
# 0 leaves torch's own default: Debian's build runs 1 intra-op thread on this machine.
if int(sys.argv[2]) > 0:
    torch.set_num_threads(int(sys.argv[2]))
tf = transforms.Compose([transforms.Resize(342), transforms.CenterCrop(299), transforms.ToTensor(),
                         transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
data = torchvision.datasets.ImageFolder(sys.argv[1], transform=lambda im: tf(im.convert("RGB")))
loader = torch.utils.data.DataLoader(data, batch_size=32, num_workers=2)
model = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False).eval()
model.fc = torch.nn.Identity()
n = 0
with torch.no_grad():
    for x, _ in loader:
        n += model(x).shape[0]
print(f"img/s: {n / (time.perf_counter() - start):.2f}")
EOF

load() { cut -d' ' -f1 /proc/loadavg; }
mib() { awk '{ printf "%.0f", $1 / 1024 }' "$1"; }
cpu_ms() { awk -v n="$2" '{ printf "%.1f", 1000 * ($2 + $3) / n }' "$1"; }
wall_rate() { awk -v n="$2" '{ printf "%.2f", n / $4 }' "$1"; }
rows=()
timed() { # name label command...
  local name=$1 label=$2 before
  shift 2
  before=$(load)
  /usr/bin/time -f '%M %U %S %e' -o "$out/$name.time" "$@" >"$out/$name.txt" 2>"$out/$name.err"
  rows+=("$label|$(wall_rate "$out/$name.time" "$count")|$(cpu_ms "$out/$name.time" "$count")|$(mib "$out/$name.time")|$before")
}

timed pytorch "PyTorch 2-worker DataLoader, batch 32 (the peer; torch's default threads: $(/usr/bin/python3 -c 'import torch; print(torch.get_num_threads())'))" /usr/bin/python3 "$out/peer.py" "$out/images" 0
timed default "pipeline featurize, defaults" "$cli" featurize --input "$out/images" --model inceptionv3 --device cpu --output "$out/s1"
timed batch32 "pipeline featurize, --batch-size 32" "$cli" featurize --input "$out/images" --model inceptionv3 --device cpu --batch-size 32 --output "$out/s2"
# The quantized graph is cached in the run's temporary folder, so no run leaves one beside the model.
export PIPELINE_CACHE_DIR="$out/cache"
timed int8 "pipeline featurize, --precision int8 (calibrates on the 200 first)" "$cli" featurize --input "$out/images" --model inceptionv3 --device cpu --precision int8 --output "$out/s3"
timed int8cached "pipeline featurize, --precision int8 (cached calibration)" "$cli" featurize --input "$out/images" --model inceptionv3 --device cpu --precision int8 --output "$out/s4"
unset PIPELINE_CACHE_DIR
timed pytorch2 "PyTorch as above, torch.set_num_threads($(nproc))" /usr/bin/python3 "$out/peer.py" "$out/images" "$(nproc)"
timed ceiling "ONNX Runtime alone, batch 1 (no decode; wall includes load)" "$cli" bench-inference --model inceptionv3 --device cpu --batch-size 1 --images "$count"
timed ceiling2 "ONNX Runtime alone, batch 1, two runs at once (no decode; wall includes load)" "$cli" bench-inference --model inceptionv3 --device cpu --batch-size 1 --runs 2 --images "$count"
timed ceiling32 "ONNX Runtime alone, batch 32 (no decode; wall includes load)" "$cli" bench-inference --model inceptionv3 --device cpu --batch-size 32 --images "$count"

peer=$(cut -d'|' -f2 <<<"${rows[0]}")
printf '| run | images | img/s (whole process) | × PyTorch | CPU ms/img | peak RSS (MiB) | load avg (1 min) before |\n'
printf '|---|---|---|---|---|---|---|\n'
for row in "${rows[@]}"; do
  IFS='|' read -r label rate cpu rss before <<<"$row"
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$count" "$rate" "$(awk -v r="$rate" -v p="$peer" 'BEGIN { printf "%.2f", r / p }')" "$cpu" "$rss" "$before"
done
printf '\nONNX Runtime alone, steady state: batch 1 %s, two runs at once %s, batch 32 %s img/s\n' "$(grep -oP 'images/s: \K[0-9.]+' "$out/ceiling.txt")" "$(grep -oP 'images/s: \K[0-9.]+' "$out/ceiling2.txt")" "$(grep -oP 'images/s: \K[0-9.]+' "$out/ceiling32.txt")"
# Start-up (process, model read and graph edit, session creation, the warm-up batch): the
# bench-inference process's wall time less its steady-state Runs.
awk '{ print $4 }' "$out/ceiling.time" | paste - <(grep -oP 'seconds: \K[0-9.]+' "$out/ceiling.txt") \
  | awk '{ printf "ONNX Runtime alone, batch 1: start-up and warm-up batch %.1f s of %.1f s\n", $1 - $2, $1 }'
printf 'uptime after: %s\n' "$(uptime)"
