#!/usr/bin/env sh
# Prints the path of a working Python 3.12 interpreter: python3.12 on PATH, else pyenv's newest 3.12.
for candidate in python3.12 "$(command -v pyenv >/dev/null 2>&1 && ls -d "$(pyenv root)"/versions/3.12*/bin/python3.12 2>/dev/null | sort -V | tail -n 1)"; do
  if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1; then
    command -v "$candidate" 2>/dev/null || echo "$candidate"
    exit 0
  fi
done
echo "No Python 3.12 found: install it (e.g. 'pyenv install 3.12') and make python3.12 available." >&2
exit 1
