"""Trains LightSeed's embedded model: a small LLaMA-shaped ternary language model with the
BitNet b1.58 recipe, built so that llama.cpp's `llama` graph computes what was trained.

- Every linear layer of the blocks is a BitLinear: weights ternarised by absmean
  (W/γ rounded to {-1, 0, 1}, γ = mean|W| rounded to fp16 as TQ2_0 stores it), inputs
  quantised to 8 bits by absmax per 256 values (what llama.cpp's Q8_K does for TQ2_0
  dot products), both through a straight-through estimator.
- RMSNorm (ε = 1e-5) before attention and feed-forward, SwiGLU feed-forward
  (down(silu(gate x) · up x)), RoPE on adjacent pairs (llama.cpp's "normal" rope type),
  tied embeddings quantised like Q8_0 (blocks of 32, fp16 scale), and the output layer's
  input quantised like llama.cpp's Q8_0 dot product.

Usage: train.py CORPUS_DIR OUT_DIR MINUTES
Writes OUT_DIR/weights.bin (float32, GGUF names and layouts, ternary layers already as
trits·γ), OUT_DIR/weights.json (the manifest), OUT_DIR/reference.json (logits on held-out
text for the llama.cpp comparison) and OUT_DIR/training.json (steps, tokens, losses, time).
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIG = dict(embd=256, layers=4, heads=4, ffn=768, context=256, batch=32, lr=2e-3, warmup=200, weight_decay=0.05, seed=1)


def ste(x, q):
    return x + (q - x).detach()


def fake_quant_blocks(x, block):
    """8-bit absmax quantisation per `block` values along the last axis (Q8_K for 256, Q8_0 for 32),
    with the straight-through gradient, in one fused op (rounding half to even, as llama.cpp)."""
    shape = x.shape
    xb = x.reshape(-1, block)
    amax = xb.detach().abs().amax(dim=1).clamp(min=1e-8)
    if block == 32:
        amax = amax.half().float().clamp(min=1e-8)  # Q8_0 keeps its scale in fp16
    zero = torch.zeros(amax.shape[0], dtype=torch.int32)
    return torch.fake_quantize_per_channel_affine(xb, amax / 127.0, zero, 0, -127, 127).reshape(shape)


def ternary(w):
    gamma = w.abs().mean().clamp(min=1e-5).half().float()
    return torch.round(w / gamma).clamp(-1, 1) * gamma


class BitLinear(nn.Linear):
    def __init__(self, inputs, outputs):
        super().__init__(inputs, outputs, bias=False)

    def forward(self, x):
        return F.linear(fake_quant_blocks(x, 256), ste(self.weight, ternary(self.weight)))


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope(x, cos, sin):
    # x: [batch, heads, seq, head_dim]; rotate adjacent pairs (x0, x1), (x2, x3), …
    x0, x1 = x[..., 0::2], x[..., 1::2]
    out = torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), dim=-1)
    return out.flatten(-2)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, f = c['embd'], c['ffn']
        self.heads = c['heads']
        self.attn_norm = RMSNorm(d)
        self.q, self.k, self.v, self.o = (BitLinear(d, d) for _ in range(4))
        self.ffn_norm = RMSNorm(d)
        self.gate, self.up = BitLinear(d, f), BitLinear(d, f)
        self.down = BitLinear(f, d)

    def forward(self, x, cos, sin):
        b, t, d = x.shape
        h = self.attn_norm(x)
        split = lambda y: y.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
        scores = scores.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float('-inf'))
        a = scores.softmax(-1) @ v
        x = x + self.o(a.transpose(1, 2).reshape(b, t, d))
        h = self.ffn_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Model(nn.Module):
    def __init__(self, c, vocab):
        super().__init__()
        self.c = c
        self.embed = nn.Embedding(vocab, c['embd'])
        nn.init.normal_(self.embed.weight, std=0.02)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c['layers']))
        self.norm = RMSNorm(c['embd'])
        hd = c['embd'] // c['heads']
        inv = 10000.0 ** (-torch.arange(0, hd, 2).float() / hd)
        angles = torch.arange(c['context']).float()[:, None] * inv[None, :]
        self.register_buffer('cos', angles.cos(), persistent=False)
        self.register_buffer('sin', angles.sin(), persistent=False)

    def forward(self, tokens):
        t = tokens.shape[1]
        table = fake_quant_blocks(self.embed.weight, 32)
        x = F.embedding(tokens, table)
        for block in self.blocks:
            x = block(x, self.cos[:t], self.sin[:t])
        x = self.norm(x)
        return F.linear(fake_quant_blocks(x, 32), table)


def load_tokens(path):
    return torch.from_numpy(np.fromfile(path, dtype=np.uint16).astype(np.int64))


@torch.no_grad()
def evaluate(model, tokens, context, max_windows=None):
    model.eval()
    total, count = 0.0, 0
    windows = (len(tokens) - 1) // context
    if max_windows:
        windows = min(windows, max_windows)
    for i in range(0, windows, 8):
        rows = [tokens[j * context:(j + 1) * context + 1] for j in range(i, min(i + 8, windows))]
        batch = torch.stack(rows)
        logits = model(batch[:, :-1])
        total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1), reduction='sum').item()
        count += batch[:, 1:].numel()
    model.train()
    return total, count


def export(model, out_dir, vocab):
    c = model.c
    tensors = []
    blob = bytearray()

    def add(name, value):
        array = value.detach().float().contiguous().numpy()
        tensors.append({'name': name, 'dims': list(reversed(array.shape)), 'offset': len(blob)})
        blob.extend(array.astype('<f4').tobytes())

    add('token_embd.weight', model.embed.weight)
    for i, b in enumerate(model.blocks):
        p = f'blk.{i}.'
        add(p + 'attn_norm.weight', b.attn_norm.weight)
        for name, layer in [('attn_q', b.q), ('attn_k', b.k), ('attn_v', b.v), ('attn_output', b.o), ('ffn_gate', b.gate), ('ffn_up', b.up), ('ffn_down', b.down)]:
            add(p + name + '.weight', ternary(layer.weight))
        add(p + 'ffn_norm.weight', b.ffn_norm.weight)
    add('output_norm.weight', model.norm.weight)
    with open(os.path.join(out_dir, 'weights.bin'), 'wb') as f:
        f.write(blob)
    manifest = {'config': c, 'vocabulary': vocab, 'tensors': tensors}
    with open(os.path.join(out_dir, 'weights.json'), 'w') as f:
        json.dump(manifest, f)


def main():
    corpus, out_dir, minutes = sys.argv[1], sys.argv[2], float(sys.argv[3])
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(CONFIG['seed'])
    torch.set_num_threads(int(os.environ.get('LIGHTSEED_TRAIN_THREADS', os.cpu_count() or 1)))
    vocab = len(json.load(open(os.path.join(corpus, 'vocab.json')))['tokens'])
    meta = json.load(open(os.path.join(corpus, 'tokens.json')))
    train = load_tokens(os.path.join(corpus, 'train.tokens'))
    held = load_tokens(os.path.join(corpus, 'heldout.tokens'))
    c = CONFIG
    model = Model(c, vocab)
    params = sum(p.numel() for p in model.parameters())
    decay = [p for n, p in model.named_parameters() if p.dim() == 2]
    rest = [p for n, p in model.named_parameters() if p.dim() != 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': c['weight_decay']}, {'params': rest, 'weight_decay': 0}], lr=c['lr'], betas=(0.9, 0.95))
    gen = torch.Generator().manual_seed(c['seed'])
    budget = minutes * 60
    start = time.time()
    step, seen, log = 0, 0, []
    while True:
        elapsed = time.time() - start
        progress = elapsed / budget
        if progress >= 1:
            break
        lr = c['lr'] * min(1, (step + 1) / c['warmup']) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))
        for g in opt.param_groups:
            g['lr'] = lr
        starts = torch.randint(0, len(train) - c['context'] - 1, (c['batch'],), generator=gen)
        batch = torch.stack([train[s:s + c['context'] + 1] for s in starts.tolist()])
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, vocab), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        seen += batch[:, 1:].numel()
        if step % 50 == 0:
            entry = {'step': step, 'tokens': seen, 'loss': round(loss.item(), 4), 'lr': round(lr, 6), 'seconds': round(time.time() - start, 1)}
            if step % 500 == 0:
                total, count = evaluate(model, held, c['context'], max_windows=64)
                entry['heldout_loss'] = round(total / count, 4)
            log.append(entry)
            print(json.dumps(entry), flush=True)
    seconds = time.time() - start
    total, count = evaluate(model, held, c['context'])
    bytes_per_token = meta['heldout']['bytes'] / meta['heldout']['tokens']
    bpb = (total / count) / math.log(2) / bytes_per_token
    export(model, out_dir, vocab)
    # Reference logits for the llama.cpp comparison: the first held-out conversations.
    model.eval()
    with torch.no_grad():
        sample = held[:256]
        ref = model(sample[None])[0]
        nll = F.cross_entropy(ref[:-1], sample[1:], reduction='sum').item()
    json.dump({'tokens': sample.tolist(), 'logits': ref.tolist(), 'perplexity': math.exp(nll / (len(sample) - 1))}, open(os.path.join(out_dir, 'reference.json'), 'w'))
    summary = {'config': c, 'parameters': params, 'vocabulary': vocab, 'steps': step, 'training_tokens': seen, 'seconds': round(seconds),
               'threads': torch.get_num_threads(), 'heldout_tokens': count, 'heldout_loss': total / count, 'heldout_bits_per_byte': bpb,
               'torch': torch.__version__, 'log': log}
    json.dump(summary, open(os.path.join(out_dir, 'training.json'), 'w'), indent=1)
    print(json.dumps({k: v for k, v in summary.items() if k != 'log'}))


if __name__ == '__main__':
    main()
