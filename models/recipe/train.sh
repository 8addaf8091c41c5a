#!/usr/bin/env bash
# Rebuilds LightSeed's embedded model from scratch: corpus, vocabulary, tokens, training,
# GGUF export with our writer, the llama.cpp-vs-PyTorch check and the model card's samples.
#   npm run model:train                  # about an hour on 2 cores (45 minutes of training)
#   LIGHTSEED_TRAIN_MINUTES=5 npm run model:train   # a quick, weaker model
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${LIGHTSEED_TRAIN_DIR:-models/recipe/.work}"
minutes="${LIGHTSEED_TRAIN_MINUTES:-45}"
# Where the model and its record go (a trial run can write elsewhere and leave the shipped model alone).
out="${LIGHTSEED_MODEL_OUT:-models}"
python=/usr/bin/python3

need=()
$python -c 'import torch' 2>/dev/null || need+=(python3-torch libopenblas0-pthread)
[ -f /usr/share/games/fortunes/fortunes ] || need+=(fortunes)
[ -f /usr/share/wordnet/data.noun ] || need+=(wordnet-base)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "model:train: installing ${need[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y --no-install-recommends "${need[@]}"
fi

mkdir -p "$work/corpus" "$work/train"
$python models/recipe/corpus.py "$work/corpus"
$python models/recipe/vocab.py "$work/corpus" 1000 "$work/corpus/vocab.json"
node models/recipe/run-ts.mjs models/recipe/tokenize-corpus.node.ts "$work/corpus"
$python models/recipe/train.py "$work/corpus" "$work/train" "$minutes"
LIGHTSEED_CORPUS="$work/corpus" node models/recipe/run-ts.mjs models/recipe/export-gguf.node.ts "$work/train" "$out/lightseed-companion.gguf"
npx electron-vite build >/dev/null
node models/recipe/run-ts.mjs models/recipe/check-logits.node.ts "$out/lightseed-companion.gguf" "$work/train" | tee "$work/check.json"
node models/recipe/run-ts.mjs models/recipe/samples.node.ts "$out/lightseed-companion.gguf" out/main/engine-worker.js | tee "$work/samples.json"
$python - "$work" "$out" <<'PY'
import json, sys
work, out = sys.argv[1], sys.argv[2]
training = json.load(open(f'{work}/train/training.json'))
training.pop('log')
record = {'training': training, 'tokens': json.load(open(f'{work}/corpus/tokens.json')), 'check': json.load(open(f'{work}/check.json')), 'samples': json.load(open(f'{work}/samples.json'))}
json.dump(record, open(f'{out}/training-record.json', 'w'), indent=1)
print(f'model:train: wrote {out}/lightseed-companion.gguf and {out}/training-record.json; update MODEL_CARD.md from the record')
PY
