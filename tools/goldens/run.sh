#!/usr/bin/env bash
# Regenerate the committed reference fixtures (goldens) from their generators in tools/goldens/:
#   *.py with Debian's Python (/usr/bin/python3, not a pyenv python3 that may come first on PATH):
#        PyTorch, or NLTK for bleu.py (python3-torch / python3-nltk are installed through
#        tools/setup/apt.sh if missing),
#   *.ts with tsx (tfjs-layers and other TypeScript references).
# Usage: tools/goldens/run.sh                      every generator
#        tools/goldens/run.sh torch_rnn.py keras_layers.ts   only these (fromTorch/fromKeras/bidirectional)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ $# -gt 0 ]; then
  generators=("$@")
else
  generators=()
  for f in tools/goldens/*.py tools/goldens/*.ts; do
    case "$f" in *.test.ts | *.d.ts) continue ;; esac
    [ -e "$f" ] && generators+=("$(basename "$f")")
  done
fi
for g in "${generators[@]}"; do
  case "$g" in
    *.py)
      case "$g" in
        bleu.py) if ! /usr/bin/python3 -c 'import nltk' 2>/dev/null; then tools/setup/apt.sh python3-nltk; fi ;;
        *) if ! /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then tools/setup/apt.sh python3-torch python3-numpy; fi ;;
      esac
      echo "== /usr/bin/python3 tools/goldens/$g"
      /usr/bin/python3 "tools/goldens/$g"
      ;;
    *.ts)
      echo "== npx tsx tools/goldens/$g"
      npx tsx --conditions=@rxrnn/source "tools/goldens/$g"
      ;;
    *) echo "tools/goldens/run.sh: unknown generator $g" >&2; exit 2 ;;
  esac
done
echo "goldens written; run the tests that read them, e.g. npx vitest run packages/cells/src/io packages/cells/src/bidirectional"
