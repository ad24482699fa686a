#!/usr/bin/env bash
# Applies the mechanical fixes for the rules .editorconfig enforces, so the build passes with
# -warnaserror. Idempotent: a second run changes nothing. Run it after a merge, then build.
#
# Usage: scripts/format.sh
# Needs: .NET 10 SDK, perl. Takes ~2 min on 2 cores (each dotnet format loads the solution).
set -euo pipefail
cd "$(dirname "$0")/.."

# The public surface: every top-level type of Pipeline.Core not in tests/Pipeline.Tests/PublicSurface.txt
# becomes internal.
scripts/internalize.sh

# CA2007's fixer appends .ConfigureAwait(false) to the initializer of `await using var x = ...`,
# which turns x into a ConfiguredAsyncDisposable and breaks every use of it. So first split each such
# declaration into the variable and a configured disposal, the form the code already uses:
#     var x = ...;
#     await using var _ = x.ConfigureAwait(false);
# (and the block form `await using (var x = ...)` into `var x = ...;` + `await using (x.ConfigureAwait(false))`).
find src/Pipeline.Core -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*' -print0 |
    xargs -0 perl -0pi -e '
        s{^([ \t]*)await using var (?!_ )(\w+) = (.+?);$}{$1var $2 = $3;\n$1await using var _ = $2.ConfigureAwait(false);}gms;
        s{^([ \t]*)await using \(var (\w+) = (.+?)\)$}{$1var $2 = $3;\n$1await using ($2.ConfigureAwait(false))}gm;
    '

# The remaining awaits in the library (CA2007, an error only in src/Pipeline.Core; see .editorconfig).
dotnet format analyzers src/Pipeline.Core/Pipeline.Core.csproj --diagnostics CA2007 --severity warn

# Braces on every if/else/for/foreach/while/using body (IDE0011), no unused using (IDE0005), and the
# other enforced style rules that have a fixer: modifier order, explicit accessibility, readonly
# fields, usings outside the namespace, file-scoped namespaces. Naming (IDE1006) is left to the build.
# The projects outside Pipeline.sln (the ML.NET baseline, the fuzz harness) inherit the same rules.
for project in Pipeline.sln bench/MlNetBaseline/MlNetBaseline.csproj fuzz/Pipeline.Fuzz/Pipeline.Fuzz.csproj; do
    dotnet format style "$project" --diagnostics IDE0011 IDE0005 IDE0036 IDE0040 IDE0044 IDE0065 IDE0161 --severity warn
done
