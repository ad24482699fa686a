#!/usr/bin/env bash
# A stream (`pipeline run` over a watch source, ResNet18 on CPU) fed at 0.5x and 1.2x its own
# featurize throughput, then hit by a burst of files landed at once.
# - T: one batch is landed and committed to warm the run up, then 20 batches at once; T is the
#   images after the first commit over the time from the first commit to the last.
# - Paced phases: a fresh run each; images are moved (rename, same filesystem) from a staging
#   folder into the label folders at RATE for SECONDS, then the run drains until the landing
#   folder is empty (at most SECONDS + 60 s more).
# - Burst: a fresh run; BURST files moved in at once (one mv per label folder), RSS sampled for
#   BURST_SECONDS while the backlog is huge.
# Landing time: the clock right after this script's mv. Commit time: the ctime of the file in the
# run's archive/ (stream.after: archive): the archive sink moves a batch's files right after the
# batch's part is renamed into place, so it is the commit plus the moves before it in the batch.
# RSS: VmRSS of the process every second; backlog: files still in the landing folder; CPU ms/img:
# user + system time of the process over the phase per committed image, which other jobs on a
# shared machine disturb far less than wall-clock rates.
# Usage: bench/stream.sh [images-folder] [seconds-per-phase] [burst-files] [burst-seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
images=${1:-../shared/data/digits/full}
[ -d "$images" ] || images=samples/digits
seconds=${2:-120}
burst=${3:-10000}
burst_seconds=${4:-90}
batch=32
max_delay=2
images=$(realpath "$images")
out=$(mktemp -d "${TMPDIR:-/tmp}/stream-bench.XXXXXX")
pid=
sampler=
cleanup() {
  [ -z "$sampler" ] || kill "$sampler" 2>/dev/null || true
  [ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true
  if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $out" >&2; else rm -rf "$out"; fi
}
trap cleanup EXIT

dotnet build src/Pipeline.Cli -c Release -warnaserror -v quiet -nologo >/dev/null
cli=$PWD/src/Pipeline.Cli/bin/Release/net10.0/pipeline
# Relative paths of the source images (<label>/.../file), in a fixed shuffled order so that
# labels interleave as they would in a real feed.
(cd "$images" && find . -type f -name '*.png' -printf '%P\n' | sort | shuf --random-source=<(yes)) >"$out/sources"
labels=$(cut -d/ -f1 "$out/sources" | sort -u)
source_count=$(wc -l <"$out/sources")
# A sleep without a fork per image: read with a timeout on a pipe nobody writes.
exec {never}<> <(:)
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
load() { cut -d' ' -f1 /proc/loadavg; }

# prepare PHASE COUNT: a run folder, its pipeline file, a landing folder with every label folder
# (classes are fixed at start) and COUNT staged copies, listed in landing order in PHASE/order as
# paths relative to the landing folder. Copy k of an image lands at <label>/c<k>/<rest>.
prepare() {
  local phase=$out/$1 count=$2 copies k
  mkdir -p "$phase/staging" "$phase/landing"
  copies=$(( (count + source_count - 1) / source_count ))
  for (( k = 0; k < copies; k++ )); do
    cp -rp "$images" "$phase/staging/c$k"
    for label in $labels; do mkdir -p "$phase/landing/$label/c$k"; done
    awk -F/ -v k="$k" '{ rest = $0; sub(/^[^\/]*\//, "", rest); print $1 "/c" k "/" rest }' "$out/sources"
  done >"$phase/copies"
  head -n "$count" "$phase/copies" >"$phase/order"
  # The warm-up batch, copy w.
  for label in $labels; do mkdir -p "$phase/landing/$label/w"; done
  head -n "$batch" "$out/sources" | while read -r rel; do
    mkdir -p "$(dirname "$phase/staging/w/$rel")"
    cp -p "$images/$rel" "$phase/staging/w/$rel"
    echo "${rel%%/*}/w/${rel#*/}"
  done >"$phase/warmup"
  cat >"$phase/stream.yaml" <<EOF
name: bench
source: { kind: watch, path: $phase/landing }
model: { name: resnet18 }
featurize: { device: cpu, batchSize: $batch }
stream: { maxDelaySeconds: $max_delay, after: archive }
output: run
EOF
}

# land PHASE REL...: moves staged images into the landing folder and logs "REL LANDED_US".
land() {
  local phase=$out/$1 rel label copy rest t; shift
  for rel; do
    label=${rel%%/*}; rest=${rel#*/}; copy=${rest%%/*}; rest=${rest#*/}
    mv "$phase/staging/$copy/$label/$rest" "$phase/landing/$rel"
    t=$EPOCHREALTIME
    echo "$rel ${t/./}" >>"$phase/landed"
  done
}

# committed PHASE: "REL COMMIT_US" for every archived image.
committed() {
  local archive=$out/$1/runs/run/archive
  [ -d "$archive" ] || return 0
  find "$archive" -type f -printf '%P %C@\n' | awk '{ sub(/^.*\/landing\//, "", $1); printf "%s %.0f\n", $1, $2 * 1e6 }'
}
# cpu_ms PHASE FROM_TICKS IMAGES: CPU ms (user + system) of the process per image since FROM_TICKS.
ticks() { tail -n 1 "$out/$1/samples" | cut -d' ' -f4; }
cpu_ms() { awk -v a="$2" -v b="$(ticks "$1")" -v n="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", n ? 1000 * (b - a) / hz / n : 0 }'; }
backlog() { find "$out/$1/landing" -type f | wc -l; }
archived() { local a=$out/$1/runs/run/archive; [ -d "$a" ] && find "$a" -type f | wc -l || echo 0; }

# start PHASE: starts the stream and a sampler writing "SECONDS RSS_KIB BACKLOG CPU_TICKS" every second to
# PHASE/samples, then lands one warm-up batch (copy w, not counted) and waits for its commit.
start() {
  local phase=$out/$1 rel
  (cd "$phase" && exec "$cli" run stream.yaml) >"$phase/stdout" 2>"$phase/stderr" &
  pid=$!
  (
    t0=$(now_us)
    while kill -0 "$pid" 2>/dev/null; do
      rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
      cpu=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
      echo "$(( ($(now_us) - t0) / 1000000 )) $rss $(backlog "$1") $cpu"
      read -r -t 1 -u "$never" || true
    done
  ) >"$phase/samples" &
  sampler=$!
  # shellcheck disable=SC2046
  land "$1" $(cat "$phase/warmup")
  until [ "$(archived "$1")" -ge "$batch" ]; do
    kill -0 "$pid" || { cat "$phase/stderr" >&2; exit 1; }
    read -r -t 0.2 -u "$never" || true
  done
  : >"$phase/landed"
}

# stop PHASE: SIGTERM (commits what is in flight), then waits for the process and the sampler.
stop() {
  kill -TERM "$pid"
  wait "$pid" || echo "pipeline run exited $?" >&2
  wait "$sampler" || true
  pid= sampler=
}

# wait_drained PHASE LIMIT_S: waits until every landed image is archived or LIMIT_S passed.
wait_drained() {
  local phase=$out/$1 deadline=$(( $(now_us) + $2 * 1000000 ))
  while [ "$(archived "$1")" -lt "$(( $(wc -l <"$phase/landed") + batch ))" ] && [ "$(now_us)" -lt "$deadline" ]; do
    read -r -t 0.5 -u "$never" || true
  done
}

# rss PHASE FROM_S TO_S: "first max end" in MiB of the samples within [FROM_S, TO_S], then the
# series every 10 s.
rss() {
  awk -v a="$2" -v b="$3" '$1 >= a && $1 <= b && $2 > 0 {
      m = $2 / 1024; if (n++ == 0) first = m; if (m > max) max = m; end = m
      if (($1 - a) % 10 == 0) series = series (series == "" ? "" : " ") sprintf("%.0f", m) }
    END { printf "%.0f|%.0f|%.0f|%s\n", first, max, end, series }' "$out/$1/samples"
}

# latency PHASE: "p50 p95 max committed" in seconds over the images of PHASE/landed.
latency() {
  committed "$1" | awk 'NR == FNR { c[$1] = $2; next } ($1 in c) { print (c[$1] - $2) / 1e6 }' - "$out/$1/landed" | sort -g |
    awk '{ v[++n] = $1 } END {
      if (n == 0) { print "- - - 0"; exit }
      p50 = v[int(0.5 * n + 0.999999)]; p95 = v[int(0.95 * n + 0.999999)]
      printf "%.2f %.2f %.2f %d\n", p50, p95, v[n], n }'
}

# --- T: the stream's own featurize throughput on this machine ---
prepare throughput $(( 20 * batch ))
throughput_load=$(load)
start throughput
throughput_ticks=$(ticks throughput)
# shellcheck disable=SC2046
land throughput $(cat "$out/throughput/order")
wait_drained throughput 300
read -r -t 1.1 -u "$never" || true
throughput_cpu=$(cpu_ms throughput "$throughput_ticks" $(( 20 * batch )))
stop throughput
throughput=$(committed throughput | awk 'NR == FNR { w[$1]; next } !($1 in w) { print $2 }' <(cat "$out/throughput/warmup") - | sort -n |
  awk -v b="$batch" '{ t[++n] = $1 } END { printf "%.1f", (n - b) / ((t[n] - t[1]) / 1e6) }')
inference_s=$(awk -v b="$batch" -v t="$throughput" 'BEGIN { printf "%.2f", b / t }')
target_s=$(awk -v d="$max_delay" -v i="$inference_s" 'BEGIN { printf "%.2f", d + i }')

# --- paced phases ---
rows=()
for factor in 0.5 1.2; do
  phase=paced-$factor
  rate=$(awk -v f="$factor" -v t="$throughput" 'BEGIN { printf "%.1f", f * t }')
  interval_us=$(awk -v r="$rate" 'BEGIN { printf "%d", 1e6 / r }')
  prepare "$phase" "$(awk -v r="$rate" -v s="$seconds" 'BEGIN { printf "%d", r * s + 1 }')"
  phase_load=$(load)
  start "$phase"
  begin_s=$(tail -n 1 "$out/$phase/samples" | cut -d' ' -f1)
  begin_ticks=$(ticks "$phase")
  t0=$(now_us); i=0; end_us=$(( t0 + seconds * 1000000 ))
  while read -r rel; do
    due=$(( t0 + i * interval_us ))
    [ "$due" -lt "$end_us" ] || break
    t=$EPOCHREALTIME; wait_us=$(( due - ${t/./} ))
    [ "$wait_us" -le 0 ] || read -r -t "$(printf '%d.%06d' $((wait_us / 1000000)) $((wait_us % 1000000)))" -u "$never" || true
    land "$phase" "$rel"
    i=$(( i + 1 ))
  done <"$out/$phase/order"
  landed_end_us=$(now_us)
  landed_s=$(tail -n 1 "$out/$phase/samples" | cut -d' ' -f1)
  backlog_end=$(backlog "$phase")
  wait_drained "$phase" $(( seconds + 60 ))
  drained_us=$(now_us)
  left=$(backlog "$phase")
  end_s=$(tail -n 1 "$out/$phase/samples" | cut -d' ' -f1)
  phase_cpu=$(cpu_ms "$phase" "$begin_ticks" "$(( $(archived "$phase") - batch ))")
  stop "$phase"
  actual=$(awk -v n="$i" -v a="$t0" -v b="$landed_end_us" 'BEGIN { printf "%.1f", n / ((b - a) / 1e6) }')
  read -r p50 p95 max n <<<"$(latency "$phase")"
  last_commit=$(committed "$phase" | sort -k2 -n | tail -n 1 | cut -d' ' -f2)
  if [ "$left" -eq 0 ]; then
    drain=$(awk -v a="$landed_end_us" -v b="$last_commit" 'BEGIN { d = (b - a) / 1e6; printf "drained %.1f s after landing stopped", d < 0 ? 0 : d }')
  else
    drain="not drained: $left left $(( (drained_us - landed_end_us) / 1000000 )) s after landing stopped"
  fi
  IFS='|' read -r rss_first rss_max rss_end series <<<"$(rss "$phase" "$begin_s" "$end_s")"
  rows+=("| ${factor}× T ($rate img/s) | $actual | $i | $n | $p50 | $p95 | $max | $backlog_end; $drain | $rss_first / $rss_max / $rss_end | $phase_cpu | $phase_load |")
  series_lines+=("${factor}× T, MiB every 10 s from the first landing (landing stopped at $(( landed_s - begin_s )) s): $series")
  stream_lines+=("${factor}× T, the run's last status line: $(grep -o 'Stream: .*' "$out/$phase/stderr" "$out/$phase/stdout" 2>/dev/null | tail -n 1 | cut -d: -f2- || true)")
done

# --- burst ---
prepare burst "$burst"
burst_load=$(load)
start burst
begin_s=$(tail -n 1 "$out/burst/samples" | cut -d' ' -f1)
begin_ticks=$(ticks burst)
burst_t0=$(now_us)
for copy in $(ls "$out/burst/staging" | grep -v '^w$'); do
  for label in $labels; do
    # Only the staged files the order names (the last copy may be partial).
    grep "^$label/$copy/" "$out/burst/order" | sed "s|^$label/$copy/||" | (cd "$out/burst/staging/$copy/$label" && xargs -r mv -t "$out/burst/landing/$label/$copy/" --)
  done
done
burst_land_s=$(awk -v a="$burst_t0" -v b="$(now_us)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
read -r -t "$burst_seconds" -u "$never" || true
burst_backlog=$(backlog burst)
end_s=$(tail -n 1 "$out/burst/samples" | cut -d' ' -f1)
burst_committed=$(( $(archived burst) - batch ))
burst_cpu=$(cpu_ms burst "$begin_ticks" "$burst_committed")
stop burst
IFS='|' read -r b_first b_max b_end b_series <<<"$(rss burst "$begin_s" "$end_s")"
half=$(( (begin_s + end_s) / 2 ))
IFS='|' read -r _ b_max1 _ _ <<<"$(rss burst "$begin_s" "$half")"
IFS='|' read -r _ b_max2 _ _ <<<"$(rss burst "$half" "$end_s")"

echo "Images: $images ($source_count files); batch $batch, maxDelaySeconds $max_delay, after: archive; $(nproc) cores"
echo
echo "| run | images | img/s | CPU ms/img | load avg (1 min) before |"
echo "|---|---|---|---|---|"
echo "| T: $(( 20 * batch )) landed at once into a warm stream | $(( 20 * batch )) | $throughput | $throughput_cpu | $throughput_load |"
echo
echo "Target at 0.5× T: p95 ≤ maxDelaySeconds + one batch's inference = $max_delay + $batch / $throughput = $target_s s"
echo
echo "| landing rate | landed img/s | landed | committed | latency p50 (s) | p95 (s) | max (s) | backlog at end of landing; drain | RSS MiB first / max / end | CPU ms/img | load avg (1 min) before |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
printf -- '- %s\n' "${series_lines[@]}" "${stream_lines[@]}"
echo
echo "| burst | moved in (s) | sampled (s) | RSS MiB before / max / end | max first half / second half | committed | backlog at end | CPU ms/img | load avg (1 min) before |"
echo "|---|---|---|---|---|---|---|---|---|"
echo "| $burst files at once | $burst_land_s | $(( end_s - begin_s )) | $b_first / $b_max / $b_end | $b_max1 / $b_max2 | $burst_committed | $burst_backlog | $burst_cpu | $burst_load |"
echo
echo "- burst, MiB every 10 s from the burst: $b_series"
