#!/usr/bin/env bash
# Model quality (issue 12): the tutorial's settings, the last layer + grid and several layers + grid,
# on the bundled 500 digits over 5 split seeds (80/20) and on Fashion-MNIST (t10k), with each
# recipe's cross-validated F1 on the training split (what chooses the recipe), its test accuracy,
# feature dimension and train time. Every digits store is featurized once with all four ResNet18
# stages (one inference pass); the layer subsets are `train --layers` column selections of it,
# which give exactly the features a run naming only those layers writes (FeatureLayersTests).
#
#   bench/quality.sh [digits|fashion|fashion-full|policy|all]     results: bench/results/quality/*.tsv
#
# policy (a dev step, not in all): the input policy where it matters. Both bundled sets are square,
# so stretch, pad and centre crop give them the same image; bench/offcentre_digits.py writes the 500
# digits each at a seeded offset on a black 40x20 or 20x40 canvas, featurized once per --resize
# with the four stages, and compared by the same seed protocol. Its training runs at nice 10 too
# (TRAIN_NICE=10), as the box is shared with a long featurization.
#
# FASHION_TRAIN (default 10000) bounds the Fashion-MNIST training images of mode `fashion` (the first N
# of the train set, written as IDX by this script); mode `fashion-full` featurizes all 70,000 images.
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT=${1:-all}
OUT=bench/results/quality
mkdir -p "$OUT"
P="dotnet ${PIPELINE_DLL:-src/Pipeline.Cli/bin/Release/net10.0/pipeline.dll}"
[ -n "${PIPELINE_DLL:-}" ] || dotnet build Pipeline.sln -c Release
STAGES=stage1,stage2,stage3,stage4
GRID=(--grid-reg-param 0.001,0.01,0.1 --grid-elastic-net 0,0.5 --max-iter 300)
TUTORIAL=(--max-iter 5 --reg-param 0.03 --elastic-net-param 0.5)

featurize() { # input output [extra options]
    local input=$1 output=$2; shift 2
    [ -f "$output/features/_SUCCESS" ] || nice -n 10 $P featurize -i "$input" -o "$output" --layers "$STAGES" "$@" > "$output.log" 2>&1
}

# One train run: appends recipe, seed, dimension, CV f1 of the chosen point, test accuracy, fit s
# (the grid's fits and the refit, as the summary's seconds), and the process's wall time.
train() { # tsv recipe seed store layers [train options]
    local tsv=$1 recipe=$2 seed=$3 store=$4 layers=$5; shift 5
    local log="$OUT/last-train.log" start end
    start=$(date +%s.%N)
    nice -n "${TRAIN_NICE:-0}" $P train -f "$store" -o "$OUT/model" --layers "$layers" --seed "$seed" "$@" > "$log" 2>&1
    end=$(date +%s.%N)
    awk -v r="$recipe" -v s="$seed" -v wall="$(echo "$end - $start" | bc)" '
        /features from/ { for (i = 1; i <= NF; i++) if ($(i+1) == "features") d = $i }
        /^\| regParam/ { n = split($0, c, "|"); for (i = 1; i <= n; i++) if (c[i] ~ / mean \(/) m = i }
        /\| \* \|$/ { split($0, c, "|"); cv = c[m] + 0 }
        /^iterations:/ { for (i = 1; i <= NF; i++) if ($i == "seconds:") fit = $(i+1) }
        /^accuracy:/ { acc = $2 }
        END { printf "%s\t%s\t%s\t%s\t%s\t%s\t%.1f\n", r, s, d, (cv == "" ? "-" : cv), acc, fit, wall }' "$log" >> "$tsv"
}

header() { printf "recipe\tseed\tdimension\tcv_f1\ttest_accuracy\tfit_s\ttrain_wall_s\n" > "$1"; }

if [ "$WHAT" = digits ] || [ "$WHAT" = all ]; then
    D=$OUT/digits
    featurize samples/digits "$D-gap"
    featurize samples/digits "$D-spp" --pooling SpatialPyramid
    TSV=$OUT/digits.tsv
    header "$TSV"
    for seed in 42 1 2 3 4; do
        train "$TSV" "tutorial (stage4, maxIter 5, λ 0.03, α 0.5)" $seed "$D-gap" stage4 "${TUTORIAL[@]}"
        train "$TSV" "last layer + grid (stage4)" $seed "$D-gap" stage4 "${GRID[@]}"
        for layers in stage3,stage4 stage2,stage3,stage4 $STAGES; do
            train "$TSV" "$layers + grid" $seed "$D-gap" $layers "${GRID[@]}"
        done
        train "$TSV" "$STAGES + grid, standardization false" $seed "$D-gap" $STAGES "${GRID[@]}" --standardization false
        train "$TSV" "stage2,stage3,stage4 spatial pyramid + grid" $seed "$D-spp" stage2,stage3,stage4 "${GRID[@]}"
        train "$TSV" "$STAGES spatial pyramid + grid" $seed "$D-spp" $STAGES "${GRID[@]}"
    done
fi

if [ "$WHAT" = policy ]; then
    V=$OUT/offcentre
    [ -d "$V/images" ] || python3 bench/offcentre_digits.py samples/digits "$V/images" --seed 12
    TSV=$OUT/policy.tsv
    header "$TSV"
    for resize in stretch pad center-crop; do
        featurize "$V/images" "$V-$resize" --resize $resize
    done
    # The last layer first, then the four stages (global average; the pyramid's 4,800 columns fit
    # 5x slower on a CPU shared with a long featurization).
    for layers in stage4 $STAGES; do
        for seed in 42 1 2 3 4; do
            for resize in stretch pad center-crop; do
                train "$TSV" "$layers + grid, resize $resize" $seed "$V-$resize" $layers "${GRID[@]}"
            done
        done
    done
fi

if [ "$WHAT" = fashion ] || [ "$WHAT" = all ]; then
    F=$OUT/fashion
    N=${FASHION_TRAIN:-10000}
    SRC=/usr/share/datasets/fashion-mnist
    mkdir -p "$F"
    if [ ! -f "$F/train$N-labels-idx1-ubyte.gz" ]; then
        # The first N images and labels, as IDX: the train set is already shuffled (about N/10 per class).
        { printf '\x00\x00\x08\x03'; printf '%08x' "$N" | xxd -r -p; printf '\x00\x00\x00\x1c\x00\x00\x00\x1c'; zcat $SRC/train-images-idx3-ubyte.gz | tail -c +17 | head -c $((N * 784)); } | gzip > "$F/train$N-images-idx3-ubyte.gz"
        { printf '\x00\x00\x08\x01'; printf '%08x' "$N" | xxd -r -p; zcat $SRC/train-labels-idx1-ubyte.gz | tail -c +9 | head -c "$N"; } | gzip > "$F/train$N-labels-idx1-ubyte.gz"
    fi
    featurize "idx:$F/train$N-images-idx3-ubyte.gz,$F/train$N-labels-idx1-ubyte.gz" "$F/train$N" --batch-size 64
    featurize "idx:$SRC/t10k-images-idx3-ubyte.gz,$SRC/t10k-labels-idx1-ubyte.gz" "$F/t10k" --batch-size 64
    TSV=$OUT/fashion.tsv
    header "$TSV"
    T=(--test-features "$F/t10k")
    # L2 only and one more small λ: on the digits α 0.5 never won a fold, and OWL-QN fits on 10,000 rows are the slow ones.
    GRID=(--grid-reg-param 0.0001,0.001,0.01 --grid-elastic-net 0 --max-iter 300)
    train "$TSV" "tutorial (stage4, maxIter 5, λ 0.03, α 0.5)" 42 "$F/train$N" stage4 "${T[@]}" "${TUTORIAL[@]}"
    train "$TSV" "last layer + grid (stage4)" 42 "$F/train$N" stage4 "${T[@]}" "${GRID[@]}"
    for layers in stage3,stage4 stage2,stage3,stage4 $STAGES; do
        train "$TSV" "$layers + grid" 42 "$F/train$N" $layers "${T[@]}" "${GRID[@]}"
    done
    # The grid above chose its largest λ for the four stages: search past that edge.
    train "$TSV" "$STAGES + grid λ 0.01..0.1" 42 "$F/train$N" $STAGES "${T[@]}" --grid-reg-param 0.01,0.03,0.1 --grid-elastic-net 0 --max-iter 300
fi
# All 60,000 training images, the four stages as a 2x2 spatial pyramid (4,800 columns): about
# 35 min of featurization on an idle 2-core CPU for the 70,000 images, then the choice and the fit.
if [ "$WHAT" = fashion-full ]; then
    F=$OUT/fashion
    SRC=/usr/share/datasets/fashion-mnist
    mkdir -p "$F"
    featurize "idx:$SRC/train-images-idx3-ubyte.gz,$SRC/train-labels-idx1-ubyte.gz" "$F/train-spp" --pooling SpatialPyramid
    featurize "idx:$SRC/t10k-images-idx3-ubyte.gz,$SRC/t10k-labels-idx1-ubyte.gz" "$F/t10k-spp" --pooling SpatialPyramid
    TSV=$OUT/fashion-full.tsv
    header "$TSV"
    FULL_GRID=(--grid-reg-param 0.001,0.003,0.01,0.03 --grid-elastic-net 0 --max-iter 300)
    # The pooling choice on the training set only: 10,000 random training rows, 3-fold CV (to set
    # beside the global average's CV F1 on 10,000 training rows above); its "test" column is the
    # other 50,000 training rows, never t10k.
    train "$TSV" "$STAGES spatial pyramid + grid, 10,000 training rows (test: the other 50,000)" 42 "$F/train-spp" $STAGES --test-fraction 0.8333 "${FULL_GRID[@]}"
    train "$TSV" "$STAGES spatial pyramid + grid, all 60,000 (test: t10k)" 42 "$F/train-spp" $STAGES --test-features "$F/t10k-spp" "${FULL_GRID[@]}"
fi

# Markdown: per recipe, the mean and sample standard deviation over the seeds of each column.
for tsv in "$OUT"/digits.tsv "$OUT"/fashion.tsv "$OUT"/fashion-full.tsv "$OUT"/policy.tsv; do
    [ -f "$tsv" ] || continue
    echo "## $(basename "$tsv" .tsv)"
    python3 - "$tsv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
recipes = list(dict.fromkeys(r["recipe"] for r in rows))
def stat(values):
    values = [float(v) for v in values if v != "-"]
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.4f}"
    return f"{statistics.mean(values):.4f} ± {statistics.stdev(values):.4f}"
print("| recipe | seeds | dimension | CV F1 (train split) | test accuracy | fit s (grid + refit) |")
print("|---|---:|---:|---:|---:|---:|")
for recipe in recipes:
    rs = [r for r in rows if r["recipe"] == recipe]
    fit = statistics.mean(float(r["fit_s"]) for r in rs)
    print(f"| {recipe} | {len(rs)} | {rs[0]['dimension']} | {stat(r['cv_f1'] for r in rs)} | {stat(r['test_accuracy'] for r in rs)} | {fit:.1f} |")
PY
done
uptime
