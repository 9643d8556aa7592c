#!/usr/bin/env bash
# Build dist/desktop-assistant_<version>_<arch>.deb from the PyInstaller onedir.
#   packaging/linux/build-deb.sh                 (after: pyinstaller packaging/pyinstaller/desktop-assistant.spec)
# DEB_COMPRESS=zstd (default, fast: CI) or xz (smallest: releases); DIST_DIR=dist (where the
# onedir is, and where the .deb goes).
# Layout: the app in /opt/desktop-assistant, a /usr/bin launcher link, the .desktop file, hicolor
# icons and AppStream metainfo. No maintainer scripts: dpkg triggers refresh the menus and icons.
set -euo pipefail
cd "$(dirname "$0")/../.."

dist=${DIST_DIR:-dist}
onedir=$dist/desktop-assistant
[ -x "$onedir/desktop-assistant" ] || { echo "no frozen app in $onedir: run PyInstaller first" >&2; exit 1; }

version=$(python3 -c 'import re,sys; print(re.search(r"__version__ = \"([^\"]+)\"", open("desktop_assistant/__init__.py").read()).group(1))')
app_id=$(python3 -c 'import re; print(re.search(r"APP_ID = \"([^\"]+)\"", open("desktop_assistant/__init__.py").read()).group(1))')
arch=$(dpkg --print-architecture)
compress=${DEB_COMPRESS:-zstd}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
mkdir -p "$root/opt" "$root/usr/bin" "$root/usr/share/applications" "$root/usr/share/metainfo" \
         "$root/usr/share/icons/hicolor/256x256/apps" "$root/usr/share/icons/hicolor/scalable/apps" \
         "$root/usr/share/doc/desktop-assistant" "$root/DEBIAN"
cp -a "$onedir" "$root/opt/desktop-assistant"
ln -s /opt/desktop-assistant/desktop-assistant "$root/usr/bin/desktop-assistant"
cp "packaging/linux/$app_id.desktop" "$root/usr/share/applications/"
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$(date -u +%Y-%m-%d)/" \
    "packaging/linux/$app_id.metainfo.xml" > "$root/usr/share/metainfo/$app_id.metainfo.xml"
cp resources/icons/app.png "$root/usr/share/icons/hicolor/256x256/apps/$app_id.png"
cp resources/icons/app.svg "$root/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
cat > "$root/usr/share/doc/desktop-assistant/copyright" <<COPY
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: desktop-assistant
Files: *
License: MIT
 The bundled third-party components keep their own licences; see /opt/desktop-assistant/_internal.
COPY

# The newest glibc symbol version any bundled ELF file needs is the floor the package can run on.
glibc_floor=$(find "$root/opt/desktop-assistant" -type f \( -name '*.so*' -o -perm -u+x \) -print0 \
  | { xargs -0 objdump -T 2> /dev/null || true; } | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)
# (objdump fails on the non-ELF files among the executables; only the ELF ones matter.)
[ -n "$glibc_floor" ] || { echo "could not read the glibc floor from the bundle" >&2; exit 1; }

# Libraries Qt's xcb platform plugin loads that the build host may not have had (so they are not
# in the bundle), the system CA store google-genai's TLS trusts, and espeak-ng, the local
# server's voice. PortAudio is bundled; the system one is preferred when present.
depends="libc6 (>= $glibc_floor), ca-certificates, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxkbcommon-x11-0, libegl1, libgl1, libfontconfig1, libdbus-1-3"
recommends="libportaudio2, libasound2-plugins, espeak-ng, gnome-keyring | kwalletmanager"
installed_kb=$(du -sk "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: desktop-assistant
Version: $version
Architecture: $arch
Maintainer: Desktop Assistant developers <maintainers@desktop-assistant.invalid>
Installed-Size: $installed_kb
Depends: $depends
Recommends: $recommends
Section: sound
Priority: optional
Description: talk with Gemini in real time, by voice
 Desktop Assistant lets you talk with Gemini in real time, by voice, with your
 webcam or screen in view, and interrupt it at any moment. It cancels the echo
 of its own voice, shows a live transcript of both sides, and can run offline.
CONTROL

out="$dist/desktop-assistant_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Z"$compress" --build "$root" "$out" > /dev/null
echo "$out"
