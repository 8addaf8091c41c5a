"""Learns the embedded model's vocabulary: llama.cpp's SentencePiece-style tokenizer over
our byte tokens. Five control tokens, 256 byte tokens (the fallback for anything else),
"▁" (a space, as SentencePiece writes it), then pieces learned by byte-pair merges over the
corpus's words, each scored by its merge rank so llama.cpp merges them in that order.

Usage: vocab.py CORPUS_DIR MERGES OUT.json
"""
import collections
import json
import re
import sys

SPACE = '\u2581'


def words(path):
    counts = collections.Counter()
    with open(path) as f:
        for line in f:
            for message in json.loads(line)['messages']:
                for word in re.findall(r' ?[^\s]+|\n', message['content']):
                    counts[word.replace(' ', SPACE)] += 1
    return counts


def learn(counts, merges):
    # Each word as a tuple of symbols (characters); BPE merges the most frequent adjacent pair.
    vocab = {tuple(w): c for w, c in counts.items() if c >= 3}
    learned = []
    pairs = collections.Counter()
    for word, c in vocab.items():
        for a, b in zip(word, word[1:]):
            pairs[a, b] += c
    for _ in range(merges):
        if not pairs:
            break
        (a, b), _ = pairs.most_common(1)[0]
        learned.append(a + b)
        merged = {}
        for word, c in vocab.items():
            if a not in word or b not in word:
                merged[word] = c
                continue
            out = []
            i = 0
            while i < len(word):
                if i + 1 < len(word) and word[i] == a and word[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            out = tuple(out)
            if out != word:
                for x, y in zip(word, word[1:]):
                    pairs[x, y] -= c
                for x, y in zip(out, out[1:]):
                    pairs[x, y] += c
            merged[out] = merged.get(out, 0) + c
        vocab = merged
        pairs = +pairs
    return learned


def build(corpus_dir, merges):
    counts = words(f'{corpus_dir}/train.jsonl')
    # Single characters that are frequent become pieces too (they seed the merges); rare ones fall back to bytes.
    chars = collections.Counter()
    for w, c in counts.items():
        for ch in w:
            chars[ch] += c
    singles = [ch for ch, c in chars.most_common() if c >= 1000 and len(ch.encode()) >= 1 and ch not in ('\n',)]
    learned = learn(counts, merges)
    control = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>']
    tokens = control + [f'<0x{b:02X}>' for b in range(256)]
    types = [2, 3, 3, 3, 3] + [6] * 256
    scores = [0.0] * len(tokens)
    seen = set(tokens)
    for i, piece in enumerate([SPACE] + singles + learned):
        if piece in seen:
            continue
        seen.add(piece)
        tokens.append(piece)
        types.append(1)
        scores.append(-float(i))
    return {'tokens': tokens, 'types': types, 'scores': scores}


if __name__ == '__main__':
    corpus_dir, merges, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    vocab = build(corpus_dir, merges)
    with open(out, 'w') as f:
        json.dump(vocab, f, ensure_ascii=False)
    print(json.dumps({'tokens': len(vocab['tokens']), 'pieces': sum(1 for t in vocab['types'] if t == 1)}))
