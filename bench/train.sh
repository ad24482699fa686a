#!/usr/bin/env bash
# Our elastic-net trainer against ML.NET's LbfgsMaximumEntropy on Fashion-MNIST ResNet18 features:
# same feature stores (60,000 train / 10,000 t10k rows x 512), same lambda/alpha (ML.NET gets
# l1 = n*lambda*alpha, l2 = n*lambda*(1-alpha), see bench/MlNetBaseline/README.md), same max-iter
# and tol. Prints a Markdown table: setting, trainer, standardization, fit seconds, process
# seconds, iterations, objective reached, test accuracy.
#
# Apples to apples: ML.NET never standardises, so the row that compares OBJECTIVES is ours with
# --standardization false (both minimise the same function over the same matrix). Ours with
# --standardization true (our and Spark's default) is shown for accuracy only: its objective is
# the penalty on standardised coefficients, a different function.
# Stopping rules differ by design (ML.NET: mean relative improvement over 5 iterations < tol;
# ours: Breeze's checks): in the converged setting compare objectives, not iterations.
#
# Usage: bench/train.sh        (first run featurizes 70,000 images: ~30+ min on 2 CPU cores)
# Env:   CACHE=folder for the two feature stores, kept between runs (default bench/results/fmnist,
#        gitignored); a store is reused when its features/_SUCCESS exists, and a stopped
#        featurize (Ctrl+C) is resumed by the next run.
#        PIPELINE_CLI=an already built `pipeline` executable (default: build src/Pipeline.Cli Release).
set -euo pipefail
cd "$(dirname "$0")/.."
data=/usr/share/datasets/fashion-mnist
cache=${CACHE:-bench/results/fmnist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name | max-iter | reg-param (lambda) | elastic-net-param (alpha) | tol
settings=(
  # The reference settings.
  "reference|5|0.03|0.5|1e-6"
  # Converged L2: max-iter is only a cap, the fit should stop on tol (check ours' stop reason).
  # lambda 1e-3 keeps the unstandardised problem conditioned enough to converge in a few hundred
  # iterations; on raw pixels/255 ML.NET reaches 0.8416 test accuracy with it.
  "converged L2|1000|1e-3|0|1e-6"
)

command -v jq >/dev/null || apt-get install -y -qq jq >&2
if [[ ! -d $data ]]; then
  apt-get install -y dataset-fashion-mnist >&2
fi
dotnet build bench/MlNetBaseline -c Release -warnaserror -v quiet -nologo >/dev/null
baseline=bench/MlNetBaseline/bin/Release/net10.0/mlnet-baseline
if [[ -z ${PIPELINE_CLI:-} ]]; then
  dotnet build src/Pipeline.Cli -c Release -warnaserror -v quiet -nologo >/dev/null
  PIPELINE_CLI=src/Pipeline.Cli/bin/Release/net10.0/pipeline
fi

featurize_once() { # split: train | t10k
  local store=$cache/fmnist-$1
  if [[ -f $store/features/_SUCCESS ]]; then
    echo "features: reusing $store" >&2
    return
  fi
  # No clean-up first: a store without _SUCCESS is a stopped run, and the same command resumes it.
  echo "features: featurizing $1 into $store" >&2
  "$PIPELINE_CLI" featurize --input "idx:$data/$1-images-idx3-ubyte.gz,$data/$1-labels-idx1-ubyte.gz" \
    --model resnet18 --device cpu --output "$store" >&2
}
featurize_once train
featurize_once t10k

# The one place that reads our CLI's train output (`pipeline train`'s summary lines). Prints
# "seconds iterations objective test-accuracy stop-reason", "-" for what it cannot find. Each key
# is looked up as JSON ("key": value) or text (key: value / key=value), last occurrence wins, the
# first alternative that is present is used.
parse_ours() { # output-file
  local file=$1
  value() {
    local key v
    for key in "$@"; do
      v=$(grep -oiP "(?<![A-Za-z_])\"?$key\"?\s*[:=]\s*\"?\K[^\",}\s]+" "$file" | tail -n 1 || true)
      if [[ -n $v ]]; then echo "$v"; return; fi
    done
    echo -
  }
  echo "$(value elapsedSeconds trainSeconds fitSeconds seconds)" \
    "$(value iterations totalIterations)" \
    "$(value objective finalObjective)" \
    "$(value testAccuracy test_accuracy accuracy)" \
    "$(value stopReason stop_reason stop)"
}

rows=()
run=0
elapsed_since() { awk -v start="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.2f", now - start }'; }
fmt() { # value decimals: a number rounded, anything else as it is ("-" for missing/null)
  if [[ $1 =~ ^[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$ ]]; then printf "%.${2}f" "$1"
  elif [[ $1 == null || -z $1 ]]; then echo -
  else echo "$1"; fi
}

run_ours() { # setting max-iter lambda alpha tol standardization
  local out=$work/ours-$((++run)).txt start seconds iterations objective accuracy stop wall
  start=$(date +%s.%N)
  if ! "$PIPELINE_CLI" train --features "$cache/fmnist-train" --test-features "$cache/fmnist-t10k" \
      --output "$work/model-$run" --max-iter "$2" --reg-param "$3" --elastic-net-param "$4" --tol "$5" \
      --standardization "$6" >"$out" 2>&1; then
    cat "$out" >&2
    echo "pipeline train failed ($1, standardization $6)" >&2
    exit 1
  fi
  wall=$(elapsed_since "$start")
  read -r seconds iterations objective accuracy stop < <(parse_ours "$out")
  [[ $6 == true && $objective != - ]] && objective="($(fmt "$objective" 6), standardised)" || objective=$(fmt "$objective" 6)
  rows+=("| $1 | Pipeline | $6 | $(fmt "$seconds" 2) | $wall | $iterations ($stop) | $objective | $(fmt "$accuracy" 4) |")
}

run_mlnet() { # setting max-iter lambda alpha tol
  local out=$work/mlnet-$((++run)).json start wall
  start=$(date +%s.%N)
  "$baseline" train --features "$cache/fmnist-train" --test-features "$cache/fmnist-t10k" \
    --max-iter "$2" --reg-param "$3" --elastic-net "$4" --tol "$5" >"$out"
  wall=$(elapsed_since "$start")
  rows+=("| $1 | ML.NET LbfgsMaximumEntropy | none | $(fmt "$(jq -r .seconds "$out")" 2) | $wall | n/a | $(fmt "$(jq -r .objective "$out")" 6) | $(fmt "$(jq -r .testAccuracy "$out")" 4) |")
}

# Stopping rules differ, so equal objectives are the fair finish line: the first iteration at which
# our unstandardised fit is at or below the objective ML.NET stopped at, and that share of our fit
# time (iterations cost about the same).
reach_mlnet() { # setting ours-run mlnet-run
  local history=$work/model-$2/model.json target seconds reached
  target=$(jq -r .objective "$work/mlnet-$3.json")
  seconds=$(parse_ours "$work/ours-$2.txt" | cut -d' ' -f1)
  read -r reached < <(jq -r --argjson target "$target" --argjson seconds "$seconds" '
    .training.objectiveHistory as $h
    | ([range(0; $h | length) | select($h[.] <= $target)] | first) as $i
    | if $i == null then "never (\($h[-1]))"
      else "\($i) of \($h | length - 1) iterations, \($seconds * $i / ($h | length - 1) * 100 | round / 100) s" end' "$history")
  rows+=("| $1 | Pipeline: reaching ML.NET's objective | false | - | - | $reached | ≤ $(fmt "$target" 6) | - |")
}

for s in "${settings[@]}"; do
  IFS='|' read -r name iter lambda alpha tol <<<"$s"
  label="$name (maxIter $iter, λ $lambda, α $alpha, tol $tol)"
  echo "training: $label" >&2
  run_ours "$label" "$iter" "$lambda" "$alpha" "$tol" false
  ours=$run
  run_mlnet "$label" "$iter" "$lambda" "$alpha" "$tol"
  reach_mlnet "$label" "$ours" "$run"
  run_ours "$label" "$iter" "$lambda" "$alpha" "$tol" true
done

echo "| setting | trainer | standardization | fit s | process s | iterations | objective | test accuracy |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo "| published baseline | logistic regression on raw pixels (Xiao et al. 2017, arXiv:1708.07747, best sklearn LogisticRegression) | - | - | - | - | - | 0.842 |"
cat <<'EOF'

Objective = mean softmax cross-entropy + λ(1−α)/2‖W‖² + λα‖W‖₁ (intercepts unpenalised) on the
60,000 training rows, in double. Compare it between ML.NET and Pipeline with standardization
false only: ML.NET does not standardise, and with standardization true ours penalises the
standardised coefficients (shown in parentheses, not comparable). fit s: the trainer's own
timing (ML.NET: Fit, including its copy of the rows; ours: as our CLI reports it); process s:
the whole command (Parquet read, fit, test evaluation, model write). ML.NET reports no
iteration count. Test accuracy is on the 10,000 t10k images.
EOF
