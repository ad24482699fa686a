#!/usr/bin/env bash
# Makes every top-level public type in src/Pipeline.Core internal unless it is listed in
# tests/Pipeline.Tests/PublicSurface.txt, the library's public surface (PublicSurfaceTests pins it).
# Idempotent. After a merge: run it, build, and add to the list a type the compiler says a listed
# signature exposes (CS0050-CS0061), or make that member internal.
#
# Usage: scripts/internalize.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# The simple names of the listed top-level types (a nested type, Outer+Inner, follows its outer type).
keep=$(grep -vE '^\s*(#|$)' tests/Pipeline.Tests/PublicSurface.txt | grep -v '+' | sed -E 's/.*\.//; s/`.*//' | paste -sd'|')
find src/Pipeline.Core -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*' -print0 |
    KEEP="$keep" xargs -0 perl -pi -e '
        BEGIN { %keep = map { $_ => 1 } split /\|/, $ENV{KEEP} }
        s/^public (?=(?:(?:sealed|static|abstract|readonly|partial|ref) )*(?:record struct|record class|record|class|struct|interface|enum) (\w+))/exists $keep{$1} ? "public " : "internal "/e;
        s/^public (?=delegate [^(]*?(\w+)\s*[(<])/exists $keep{$1} ? "public " : "internal "/e;
    '
