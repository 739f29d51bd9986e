#!/usr/bin/env bash
# Everything the test suite needs on a fresh machine, then the suite: type-check, lint, mocha.
set -euo pipefail
cd "$(dirname "$0")/.."

# The HTML report test renders in headless Chromium (Debian's package; npm cannot provide it).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

# The store tests run a real, throwaway Postgres server (Debian's package: initdb, pg_ctl, postgres).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
fi

npm ci --no-audit --no-fund
# The e2e test installs the real `heroku` CLI (npm package heroku@11) into
# ~/.cache/heroku-mem-test/heroku-cli on its first run (HEROKU_MEM_TEST_CLI_DIR to use another one).

# mocha's "N passing" is not a summary CI reads: end with the plain "N passed, N failed" line too.
log=$(mktemp)
set +e
npm test 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
count() { grep -Eo "^ +[0-9]+ $1" "$log" | tail -n 1 | grep -Eo '[0-9]+' || echo 0; }
echo "mocha: $(count passing) passed, $(count failing) failed, $(count pending) skipped"
rm -f "$log"
exit "$status"
