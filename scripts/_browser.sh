# Sourced by scripts/test.sh (from the repository root): what the browser tests (tests/browser)
# need besides the Python packages of the dev extra — Debian's chromium and its driver, and
# axe-core from npm at the version tests/browser/package-lock.json pins. Idempotent and quiet once
# installed. When something cannot be installed (not root, no apt-get or npm), it says so once and
# the browser tests skip with that reason; with REQUIRE_BROWSER=1 (CI) they fail instead.
_browser_log="${TMPDIR:-/tmp}/ambassador-bot-browser-setup.log"
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
        echo "Installing Debian's chromium for the browser tests (log: $_browser_log)"
        if ! { apt-get install -y -qq --no-install-recommends chromium chromium-driver \
                || { apt-get update -qq && apt-get install -y -qq --no-install-recommends \
                         chromium chromium-driver; }; } > "$_browser_log" 2>&1; then
            echo "Could not install chromium (see $_browser_log): the browser tests will skip" >&2
        fi
    else
        echo "No /usr/bin/chromium and no root apt-get to install it: the browser tests will skip" >&2
    fi
fi
_browser_dir="tests/browser"
if [ ! -f "$_browser_dir/node_modules/axe-core/axe.min.js" ] \
    || [ "$_browser_dir/package-lock.json" -nt "$_browser_dir/node_modules/.package-lock.json" ]; then
    if command -v npm > /dev/null; then
        if ! (cd "$_browser_dir" && npm ci --no-audit --no-fund --loglevel=error) > "$_browser_log" 2>&1; then
            echo "npm ci in $_browser_dir failed (see $_browser_log): the accessibility tests will skip" >&2
        fi
    else
        echo "No npm to install axe-core: the accessibility tests will skip" >&2
    fi
fi
unset _browser_log _browser_dir
