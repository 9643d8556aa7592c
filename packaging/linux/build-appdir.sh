#!/usr/bin/env bash
# Build build/AppDir (and build/payload.squashfs with mksquashfs, when available) from the onedir.
# DIST_DIR=dist (where the onedir is), BUILD_DIR=build (where the AppDir goes).
# An AppImage is the AppImage type2 runtime followed by that payload; the runtime is not available
# from the package registries these machines reach, so the hosted workflow appends it.
set -euo pipefail
cd "$(dirname "$0")/../.."
app_id=$(python3 -c 'import re; print(re.search(r"APP_ID = \"([^\"]+)\"", open("desktop_assistant/__init__.py").read()).group(1))')
onedir=${DIST_DIR:-dist}/desktop-assistant
build=${BUILD_DIR:-build}
[ -x "$onedir/desktop-assistant" ] || { echo "no frozen app in $onedir: run PyInstaller first" >&2; exit 1; }

appdir=$build/AppDir
rm -rf "$appdir" && mkdir -p "$appdir/usr/lib" "$appdir/usr/share/applications" "$appdir/usr/share/metainfo"
cp -a "$onedir" "$appdir/usr/lib/desktop-assistant"
cp "packaging/linux/$app_id.desktop" "$appdir/$app_id.desktop"
cp "packaging/linux/$app_id.desktop" "$appdir/usr/share/applications/"
version=$(python3 -c 'import re; print(re.search(r"__version__ = \"([^\"]+)\"", open("desktop_assistant/__init__.py").read()).group(1))')
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$(date -u +%Y-%m-%d)/" \
    "packaging/linux/$app_id.metainfo.xml" > "$appdir/usr/share/metainfo/$app_id.appdata.xml"
cp resources/icons/app.png "$appdir/$app_id.png"
ln -s "$app_id.png" "$appdir/.DirIcon"
cat > "$appdir/AppRun" <<'RUN'
#!/bin/sh
# Entry point of the AppImage: the PyInstaller onedir lives in usr/lib/desktop-assistant.
here="$(dirname "$(readlink -f "$0")")"
exec "$here/usr/lib/desktop-assistant/desktop-assistant" "$@"
RUN
chmod +x "$appdir/AppRun"
# SQUASHFS=0 skips the payload (it takes about a minute on two cores; CI tests the AppDir itself).
if [ "${SQUASHFS:-1}" = 1 ] && command -v mksquashfs > /dev/null; then
  rm -f "$build/payload.squashfs"
  mksquashfs "$appdir" "$build/payload.squashfs" -root-owned -noappend -comp zstd -quiet > /dev/null
  echo "$build/payload.squashfs"
fi
echo "$appdir"
