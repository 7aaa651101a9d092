#!/usr/bin/env bash
# Refresh the JavaScript/CSS that hotspots inlines into its offline HTML maps.
#
# The map a team opens from an email attachment must work with no network, so the
# browser libraries folium links from CDNs are shipped inside the package, in
# src/hotspots/_assets/<package>/, with each package's licence file, and
# hotspots._offline inlines them into the saved HTML.
#
# Usage:   bash tools/vendor_assets.sh
# Needs:   npm (talks to the npm registry only), tar, sha256sum.
# Effect:  rewrites src/hotspots/_assets/{leaflet,jquery,leaflet.markercluster}/ and
#          src/hotspots/_assets/SHA256SUMS. Nothing else is touched.
#
# The versions must be the ones folium 0.20 links to (folium/folium.py `_default_js`,
# `_default_css`; folium/plugins/marker_cluster.py): if folium moves to other versions,
# change them here, re-run, update the URL table `_ASSETS` in src/hotspots/_offline.py
# and src/hotspots/_assets/README.md, and run tests/test_offline.py.
set -euo pipefail

LEAFLET_VERSION=1.9.3
JQUERY_VERSION=3.7.1
MARKERCLUSTER_VERSION=1.1.0

repo="$(cd "$(dirname "$0")/.." && pwd)"
assets="$repo/src/hotspots/_assets"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# npm pack downloads the published tarball and checks it against the registry's integrity hash.
(cd "$work" && npm pack --silent \
    "leaflet@$LEAFLET_VERSION" \
    "jquery@$JQUERY_VERSION" \
    "leaflet.markercluster@$MARKERCLUSTER_VERSION" >/dev/null)

unpack() {  # unpack <tarball> <dir>
    mkdir -p "$work/$2"
    tar -xzf "$work/$1" -C "$work/$2" --strip-components=1
}
unpack "leaflet-$LEAFLET_VERSION.tgz" leaflet
unpack "jquery-$JQUERY_VERSION.tgz" jquery
unpack "leaflet.markercluster-$MARKERCLUSTER_VERSION.tgz" markercluster

copy() {  # copy <source relative to $work> <destination relative to $assets>
    install -D -m 0644 "$work/$1" "$assets/$2"
}

rm -rf "$assets/leaflet" "$assets/jquery" "$assets/leaflet.markercluster"

copy leaflet/LICENSE                       leaflet/LICENSE
copy leaflet/dist/leaflet.js               leaflet/leaflet.js
copy leaflet/dist/leaflet.css              leaflet/leaflet.css
for image in layers.png layers-2x.png marker-icon.png marker-icon-2x.png marker-shadow.png; do
    copy "leaflet/dist/images/$image"      "leaflet/images/$image"
done

copy jquery/LICENSE.txt                    jquery/LICENSE.txt
copy jquery/dist/jquery.min.js             jquery/jquery.min.js

copy markercluster/MIT-LICENCE.txt         leaflet.markercluster/MIT-LICENCE.txt
copy markercluster/dist/leaflet.markercluster.js leaflet.markercluster/leaflet.markercluster.js
copy markercluster/dist/MarkerCluster.css  leaflet.markercluster/MarkerCluster.css
copy markercluster/dist/MarkerCluster.Default.css leaflet.markercluster/MarkerCluster.Default.css

# Checksums of what was vendored, so a later refresh shows exactly what changed.
(cd "$assets" && find leaflet jquery leaflet.markercluster -type f | LC_ALL=C sort \
    | xargs sha256sum > SHA256SUMS)

echo "vendored leaflet@$LEAFLET_VERSION jquery@$JQUERY_VERSION" \
     "leaflet.markercluster@$MARKERCLUSTER_VERSION into $assets"
