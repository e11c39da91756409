#!/bin/sh
# Refresh tests/data from the read-only shared/ folder beside the checkout, when it is there.
# Tests and benchmarks read only tests/data: a clone stands on its own.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-"$here/../shared"}
[ -d "$shared" ] || { echo "no shared/ folder at $shared: nothing to refresh"; exit 0; }
rm -rf "$here/tests/data/conformance" "$here/tests/data/upstream-configurations" "$here/tests/data/entity-schemas"
mkdir -p "$here/tests/data"
cp -R "$shared/conformance" "$here/tests/data/conformance"
cp -R "$shared/reference/upstream-configurations" "$here/tests/data/upstream-configurations"
cp -R "$shared/reference/entity-schemas" "$here/tests/data/entity-schemas"
echo "tests/data refreshed from $shared"
