#!/usr/bin/env sh
# Prints the path of a working Python 3.12: python3.12 on PATH, else pyenv's newest 3.12
# (found through `pyenv root`, $PYENV_ROOT or ~/.pyenv, so pyenv need not be on PATH).
pyenv_versions() {
  for root in "$(pyenv root 2>/dev/null)" "${PYENV_ROOT:-}" "$HOME/.pyenv"; do
    [ -n "$root" ] && ls -d "$root"/versions/3.12*/bin/python3.12 2>/dev/null
  done | sort -V -r
}
for candidate in python3.12 $(pyenv_versions); do
  if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1; then
    command -v "$candidate"
    exit 0
  fi
done
echo "No Python 3.12 found: install it (e.g. 'pyenv install 3.12') and make python3.12 available." >&2
exit 1
