#!/usr/bin/env bash
# Builds the Spark and Flink peers (Maven; versions pinned in their pom.xml) and runs the full
# benchmark suite with them on the same files: `npm run bench:peers [-- flags for bench/run.ts]`.
# Not part of `npm test`. Needs Java 17 and Maven (3.8.7 here); the first build downloads about
# 400 MB of jars from Maven Central into ~/.m2. Build outputs stay in bench/peers/*/target/ (ignored).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

command -v java >/dev/null || { echo "bench/peers/run.sh: java not found (Java 17 needed)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "bench/peers/run.sh: mvn not found (Maven 3.8+ needed)" >&2; exit 1; }

for peer in spark flink; do
  echo "[peers] building $peer" >&2
  (cd "$here/$peer" && mvn -B -q compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2)
done

cd "$root"
exec npx tsx bench/run.ts --peers "$@"
