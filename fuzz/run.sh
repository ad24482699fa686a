#!/usr/bin/env bash
# Coverage-guided fuzzing of the product's readers with SharpFuzz 2.3.0 and afl++ (see fuzz/README.md).
#   fuzz/run.sh decode|load SECONDS              build, instrument, seed and fuzz for SECONDS
#   fuzz/run.sh repro decode|load FILE           run one input through the uninstrumented harness
#   fuzz/run.sh tmin decode|load FILE OUT TEXT   minimise FILE with afl-tmin, keeping the finding
#                                                whose exception type and message contain TEXT
# Findings land in fuzz/.findings/TARGET/default/{crashes,hangs}; a second run resumes there.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
fuzz="$repo/fuzz"
build="$fuzz/.build"
tools="$fuzz/.tools"

usage() { echo "usage: fuzz/run.sh decode|load SECONDS | repro decode|load FILE | tmin decode|load FILE OUT TEXT" >&2; exit 2; }

# Publishes the harness twice: plain (seeds, repro) and instrumented (afl-fuzz). Only the product and
# the parsers it hands untrusted bytes to are instrumented, so the coverage map tracks their branches.
build_harness() {
  nice -n 19 dotnet publish "$fuzz/Pipeline.Fuzz/Pipeline.Fuzz.csproj" -c Release -o "$build/plain" --nologo -v quiet
  if [[ ! -x "$tools/sharpfuzz" ]]; then
    dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0
  fi
  rm -rf "$build/instrumented"
  cp -r "$build/plain" "$build/instrumented"
  for dll in Pipeline.Core SixLabors.ImageSharp YamlDotNet Parquet; do
    "$tools/sharpfuzz" "$build/instrumented/$dll.dll"
  done
}

# Every execution writes its input to a file: keep them in memory when there is a /dev/shm.
with_scratch() {
  PIPELINE_FUZZ_SCRATCH=$(mktemp -d "$([[ -d /dev/shm ]] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/pipeline-fuzz.XXXXXX")
  export PIPELINE_FUZZ_SCRATCH
  trap 'rm -rf "$PIPELINE_FUZZ_SCRATCH"' EXIT
}

# dotnet itself is not instrumented (SKIP_BIN_CHECK), and it takes seconds to start on a busy machine.
export AFL_SKIP_BIN_CHECK=1 AFL_FORKSRV_INIT_TMOUT=60000

case "${1:-}" in
  repro)
    [[ $# -eq 3 && ( "$2" == decode || "$2" == load ) ]] || usage
    [[ -f "$build/plain/Pipeline.Fuzz.dll" ]] || build_harness
    cd "$repo"
    with_scratch
    dotnet "$build/plain/Pipeline.Fuzz.dll" "$2" < "$3"
    ;;
  tmin)
    [[ $# -eq 5 && ( "$2" == decode || "$2" == load ) ]] || usage
    [[ -f "$build/instrumented/Pipeline.Fuzz.dll" ]] || build_harness
    cd "$repo"
    with_scratch
    PIPELINE_FUZZ_EXPECT=$5 nice -n 19 afl-tmin -i "$3" -o "$4" -m none -t 5000 -- dotnet "$build/instrumented/Pipeline.Fuzz.dll" "$2"
    ;;
  decode|load)
    [[ $# -eq 2 && "$2" =~ ^[0-9]+$ ]] || usage
    target=$1
    build_harness
    cd "$repo"
    seeds="$build/seeds"
    rm -rf "$seeds"
    dotnet "$build/plain/Pipeline.Fuzz.dll" seeds "$seeds/decode" "$seeds/load"
    # The shared two-core machine has no core to pin or governor to check; no core dumps are wanted.
    # The GC heap limit turns an allocation that a header merely claims into an OutOfMemoryException,
    # i.e. a crash, instead of a swapping machine. -m none: .NET reserves far more address space than
    # it uses. -t: a decode within the 1-megapixel limit takes milliseconds.
    export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_AUTORESUME=1
    export DOTNET_GCHeapHardLimit=0x40000000 DOTNET_gcServer=0
    [[ -t 1 ]] || export AFL_NO_UI=1
    with_scratch
    mkdir -p "$fuzz/.findings"
    nice -n 19 afl-fuzz -i "$seeds/$target" -o "$fuzz/.findings/$target" -t 2000 -m none -V "$2" \
      -x "$fuzz/dictionaries/$target.dict" -- dotnet "$build/instrumented/Pipeline.Fuzz.dll" "$target"
    ;;
  *) usage ;;
esac
