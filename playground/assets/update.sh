#!/usr/bin/env bash
# Rebuilds the playground's vendored files from the exact versions in
# package.json and package-lock.json (npm ci, in a scratch directory), and
# rewrites VERSIONS with each file's package and sha256. Run it by hand after
# changing a version (npm install --save-exact --package-lock-only here), then
# run go test ./playground and commit the result.
set -euo pipefail
cd "$(dirname "$0")"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp package.json package-lock.json "$work/"
(cd "$work" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null)
modules="$work/node_modules"

version() { node -p "require('$modules/$1/package.json').version"; }

# vendor PACKAGE FILE: copies FILE of PACKAGE here and records it in VERSIONS.
# Scripts stay as shipped, less their source-map comment (no maps are served);
# stylesheets are minified, since GraphiQL ships its own unminified.
vendor() {
  local pkg=$1 file=$2 name
  name=$(basename "$file")
  case "$name" in
    *.css) "$modules/.bin/esbuild" --log-level=warning --minify "$modules/$pkg/$file" --outfile="$name" ;;
    *) grep -v '^//# sourceMappingURL=' "$modules/$pkg/$file" >"$name" ;;
  esac
  printf '%s %s@%s %s\n' "$name" "$pkg" "$(version "$pkg")" "$(sha256sum "$name" | cut -d' ' -f1)" >>VERSIONS.new
}

cat >VERSIONS.new <<'EOF'
# The playground's vendored files: name, npm package@version, sha256.
# Written by update.sh; a test checks the embedded files against it.
EOF
vendor graphiql graphiql.min.js
vendor graphiql graphiql.min.css
vendor react umd/react.production.min.js
vendor react-dom umd/react-dom.production.min.js
mv VERSIONS.new VERSIONS

mkdir -p licenses
for pkg in graphiql react react-dom; do
  cp "$modules/$pkg/LICENSE" "licenses/$pkg.LICENSE"
done
cat VERSIONS
