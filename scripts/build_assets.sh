#!/usr/bin/env bash
# Build Commissioner's front-end assets from the pinned npm packages (never from a CDN):
#   static/build/app.css                                  GOV.UK Frontend + app styles (compressed)
#   static/vendor/govuk-frontend/govuk-frontend.min.js    GOV.UK Frontend JavaScript (ES module, + .map)
#   static/vendor/govuk-frontend/assets/images/           favicons, crest, icons (no fonts: we use Arial)
#   static/vendor/govuk-frontend/assets/manifest.json
#   static/vendor/axe-core/axe.min.js                     for the accessibility tests
# Idempotent; run from anywhere (it changes to the repository root).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v npm >/dev/null 2>&1; then
    echo "build_assets.sh: npm is required (Node.js 18 or later) but was not found on PATH" >&2
    exit 1
fi

# 1. node_modules: `npm ci` only when package-lock.json changed since the last install.
stamp=node_modules/.commissioner-lock.sha256
lock_sum="$(sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$stamp" ]] || [[ "$(cat "$stamp")" != "$lock_sum" ]] \
    || [[ ! -x node_modules/.bin/sass ]] || [[ ! -d node_modules/govuk-frontend ]]; then
    echo "build_assets.sh: installing npm packages (npm ci)"
    # No package here needs an install script (sass's optional file watcher is unused).
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    echo "$lock_sum" >"$stamp"
fi

# 2. CSS
mkdir -p static/build
node_modules/.bin/sass \
    --load-path=node_modules \
    --style=compressed \
    --no-source-map \
    --quiet-deps \
    static/scss/app.scss static/build/app.css.tmp
mv -f static/build/app.css.tmp static/build/app.css
if grep -q "GDS Transport" static/build/app.css; then
    echo "build_assets.sh: static/build/app.css references the GDS Transport font" >&2
    exit 1
fi

# 3. Vendored JavaScript and images (rebuilt from scratch so removed files do not linger).
govuk=node_modules/govuk-frontend/dist/govuk
vendor=static/vendor
rm -rf "$vendor/govuk-frontend" "$vendor/axe-core"
mkdir -p "$vendor/govuk-frontend/assets" "$vendor/axe-core"
cp "$govuk/govuk-frontend.min.js" "$vendor/govuk-frontend/govuk-frontend.min.js"
# The .js ends with a sourceMappingURL comment: Django's manifest storage (collectstatic with
# whitenoise) fails if the file it names is missing, so ship the map beside it.
cp "$govuk/govuk-frontend.min.js.map" "$vendor/govuk-frontend/govuk-frontend.min.js.map"
cp -R "$govuk/assets/images" "$vendor/govuk-frontend/assets/images"
if [[ -f "$govuk/assets/manifest.json" ]]; then
    cp "$govuk/assets/manifest.json" "$vendor/govuk-frontend/assets/manifest.json"
fi
cp node_modules/axe-core/axe.min.js "$vendor/axe-core/axe.min.js"

echo "build_assets.sh: built static/build/app.css ($(wc -c <static/build/app.css) bytes) and static/vendor/"
