#!/usr/bin/env bash
# Roster's main job on its embedded default: build, start the bundled Zoom simulator with a few
# thousand users, install the Zoom connector, connect, sync into SQLite and summarise.
#
# Usage: scripts/demo.sh            (DEMO_USERS=3000 by default)
# Everything it writes goes to .roster-demo/ in the repository, recreated on each run.
set -euo pipefail

cd "$(dirname "$0")/.."
users="${DEMO_USERS:-3000}"
demo_dir="$PWD/.roster-demo"
roster="$PWD/target/debug/roster"
mock="$PWD/target/debug/mock-zoom"
component="$PWD/target/wasm32-wasip2/release/roster_zoom.wasm"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "Building roster, the mock Zoom server and the Zoom connector component"
rustup target add wasm32-wasip2 >/dev/null
cargo build --quiet -p roster -p mock-zoom
cargo build --quiet --release -p roster-zoom --target wasm32-wasip2

rm -rf "$demo_dir"
mkdir -p "$demo_dir"

step "Starting the mock Zoom server with $users users"
"$mock" --users "$users" --seed 42 >"$demo_dir/mock.out" 2>"$demo_dir/mock.log" &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    [ -s "$demo_dir/mock.out" ] && break
    sleep 0.1
done
url="$(awk '{print $NF}' "$demo_dir/mock.out")"
if [ -z "$url" ]; then
    echo "the mock Zoom server did not start; see $demo_dir/mock.log" >&2
    exit 1
fi
echo "mock Zoom listening on $url"

export ROSTER_DB="$demo_dir/roster.db"
# The mock's client secret; a real one belongs in this variable rather than on the command line.
export ROSTER_CLIENT_SECRET="mock-client-secret"

step "Installing the Zoom connector"
show "$roster" connector add "$component"

step "Connecting the mock account (server-to-server OAuth)"
show "$roster" connect zoom --name acme --account-id fakeAcct0000000000000A \
    --client-id mock-client-id --api-base "$url" --oauth-base "$url"

# The simulated account is on a Business plan, which allows far more report requests than the
# connector's cautious default.
"$roster" app set acme --rate-limit heavy=1800 --rate-limit resource-intensive=1800 >/dev/null
"$roster" app set acme --renewal "$(date -u -d '+75 days' +%F)" --price-per-seat 149.90 --currency USD >/dev/null

step "Syncing every user, then six months of sign-in activity"
show "$roster" sync acme

step "Summary"
show "$roster" summary acme
show "$roster" engagement acme
show "$roster" seats acme
show "$roster" usage acme --top 5

step "Explore further"
cat <<HELP
The database is $ROSTER_DB. Try:
  export ROSTER_DB=$ROSTER_DB
  $roster users acme --license licensed --engagement unused
  $roster users acme --status pending --format csv
  $roster usage acme --month "$(date -u -d '-1 month' +%Y-%m)"
  $roster users acme --format json | head -40
  $roster status
  $roster serve            # then open http://127.0.0.1:8080 for the web UI
Syncing again needs the mock running; run scripts/demo.sh to start over.
HELP
