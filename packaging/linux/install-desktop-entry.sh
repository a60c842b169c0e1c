#!/bin/sh
# Add MgSO4 Preterm Proforma to the Linux desktop menu: the .desktop entry and the app icon.
#
#   packaging/linux/install-desktop-entry.sh [--system] [--exec COMMAND]
#
#   --system        for every user: into /usr/local/share (run as root); default is this
#                   user only, into ${XDG_DATA_HOME:-~/.local/share}
#   --exec COMMAND  the program the menu entry starts, e.g. /opt/mgso4-proforma/mgso4 for the
#                   bundle; default "mgso4" (found on PATH: a wheel installed with pipx or into
#                   a venv whose bin/ is on PATH)
#
# Installs only the menu entry and icons; the app itself is installed separately (see
# docs/admin-guide.md). It never touches the record or settings folders.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
icons="$here/../../resources/icons"
target="${XDG_DATA_HOME:-$HOME/.local/share}"
command="mgso4"

while [ $# -gt 0 ]; do
    case "$1" in
        --system) target="/usr/local/share" ;;
        --exec)
            [ $# -ge 2 ] || { echo "install-desktop-entry.sh: --exec needs a command" >&2; exit 2; }
            command="$2"
            shift
            ;;
        *) echo "install-desktop-entry.sh: unknown option $1 (use --system or --exec COMMAND)" >&2; exit 2 ;;
    esac
    shift
done

# The command goes into the .desktop file's Exec key unquoted: allow only plain path characters.
case "$command" in
    "" | *[!A-Za-z0-9/._+-]*)
        echo "install-desktop-entry.sh: --exec \"$command\": use a path of letters, digits and / . _ + - only (no spaces)" >&2
        exit 2
        ;;
esac

for size in 16 24 32 48 64 128 256; do
    install -D -m 644 "$icons/app-icon-$size.png" \
        "$target/icons/hicolor/${size}x${size}/apps/mgso4-proforma.png"
done
install -D -m 644 "$icons/app-icon.svg" "$target/icons/hicolor/scalable/apps/mgso4-proforma.svg"

mkdir -p "$target/applications"
# Point both Exec lines (the app and the training action) at the chosen command.
sed -e "s|^Exec=mgso4\$|Exec=$command|" -e "s|^Exec=mgso4 --training\$|Exec=$command --training|" \
    "$here/mgso4-proforma.desktop" > "$target/applications/mgso4-proforma.desktop"
chmod 644 "$target/applications/mgso4-proforma.desktop"

# Refresh the menu and icon caches where the tools exist; a missing tool only delays the refresh.
command -v update-desktop-database >/dev/null 2>&1 \
    && update-desktop-database -q "$target/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 \
    && gtk-update-icon-cache -q -t "$target/icons/hicolor" || true

echo "Installed $target/applications/mgso4-proforma.desktop (starts: $command)"
