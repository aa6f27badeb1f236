#!/bin/sh
# Renders the Slack report of each common cause to an HTML page styled like
# a Slack message and screenshots it with headless Chromium (Debian:
# apt-get install -y chromium fonts-noto-color-emoji), into docs/screenshots/
# for the README. Run from the repository root: scripts/screenshots.sh
set -eu
out=docs/screenshots
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$chrome" ] || { echo "screenshots: chromium not found (apt-get install -y chromium)" >&2; exit 1; }
mkdir -p "$out"
go run ./scripts/screenshots -html "$tmp/html" > "$tmp/names"
while read -r name; do
	height=1000
	[ "$name" = ten_references ] && height=2200
	"$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--hide-scrollbars --user-data-dir="$tmp/profile" \
		--screenshot="$out/slack-$name.png" --window-size=760,$height \
		"file://$tmp/html/$name.html" >/dev/null 2>&1
	echo "$out/slack-$name.png"
done < "$tmp/names" > "$tmp/pngs"
# shellcheck disable=SC2046
go run ./scripts/screenshots -trim $(cat "$tmp/pngs")
cat "$tmp/pngs"
