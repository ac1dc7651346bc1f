"""Golden fixtures for @rxrnn/memory: the Neural Turing Machine (Graves, Wayne & Danihelka 2014)
transcribed from the paper's equations in PyTorch, in float64 from float32 inputs.

Addressing (§3.3): eq. 6 cosine similarity (with ε = 1e-8 inside the norms, so a zero row or a zero
memory gives K = 0), eq. 5 content weights with β = softplus(β̂), eq. 7 interpolation with g = σ(ĝ),
eq. 8 circular convolution written as the paper's sum over shifts with indices modulo N, eq. 9
sharpening in its plain form (w̃ + ε)^γ / Σ (w̃ + ε)^γ with γ = 1 + softplus(γ̂) (rxrnn computes the
same ratio as a softmax of γ log(w̃ + ε)); eq. 2 reading; eqs. 3–4 erase (e = σ(ê)) then add, the
erasures of several heads multiplied, their adds summed.

The NTM step (@rxrnn/memory's ntm-step.ts): an LSTM controller (gate order i, f, g, o; row-vector
layout x @ kernel) on [x; previous reads]; the heads' raw outputs ξ = clip(h K + b, ±clip), per head
[k | β̂ | ĝ | ŝ | γ̂] (+ [ê | a] for a write head), read heads first; keys and add vectors through tanh;
write heads address M_{t−1} and write, then read heads address and read M_t; y = [h; reads] K_y + b_y.
Initial state: h = c = 0, memory = 1e-6, reads = init.reads, weightings = softmax(init.*Weights).

Run:   /usr/bin/python3 tools/goldens/ntm.py
Writes packages/memory/fixtures/ntm/<case>.safetensors (+ .json).
"""
import json
import os

import torch
import torch.nn.functional as F

from safetensors_io import write_safetensors

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'memory', 'fixtures', 'ntm')
DT = torch.float64
COS_EPS = 1e-8
SHARPEN_EPS = 1e-12


def rnd(*shape, scale=1.0):
    """float32 values held in float64."""
    return (torch.randn(*shape) * scale).to(torch.float32).to(DT)


def save(case, meta, tensors):
    os.makedirs(OUT, exist_ok=True)
    write_safetensors(os.path.join(OUT, f'{case}.safetensors'), tensors)
    with open(os.path.join(OUT, f'{case}.json'), 'w') as f:
        json.dump({'generator': 'tools/goldens/ntm.py', 'case': case, **meta}, f, indent=2)
        f.write('\n')
    print(f'{case}: {", ".join(f"{k} {tuple(v.shape)}" for k, v in tensors.items())}')


def cosine(mem, key):
    """K[k, M(i)] = k · M(i) / (‖k‖ ‖M(i)‖), eq. 6 (ε inside the norms)."""
    dot = torch.einsum('bnm,bm->bn', mem, key)
    return dot / (torch.sqrt((mem ** 2).sum(-1) + COS_EPS) * torch.sqrt((key ** 2).sum(-1, keepdim=True) + COS_EPS))


def content(mem, key, beta_hat):
    """w^c(i) = exp(β K[k, M(i)]) / Σ_j exp(β K[k, M(j)]), eq. 5."""
    return torch.softmax(F.softplus(beta_hat) * cosine(mem, key), -1)


def interpolate(wc, w_prev, g_hat):
    """w^g = g w^c + (1 − g) w_{t−1}, eq. 7."""
    g = torch.sigmoid(g_hat)
    return g * wc + (1 - g) * w_prev


def shift(wg, s_hat):
    """w̃(i) = Σ_j w^g(j) s(i − j), indices modulo N (eq. 8), over shifts k = j − S in −S … S."""
    s = torch.softmax(s_hat, -1)
    B, N = wg.shape
    S = (s.shape[1] - 1) // 2
    out = torch.zeros_like(wg)
    for i in range(N):
        for k in range(-S, S + 1):
            out[:, i] += wg[:, (i - k) % N] * s[:, k + S]
    return out


def sharpen(wt, gamma_hat):
    """w(i) = w̃(i)^γ / Σ_j w̃(j)^γ, eq. 9, γ = 1 + softplus(γ̂)."""
    gamma = 1 + F.softplus(gamma_hat)
    p = (wt + SHARPEN_EPS) ** gamma
    return p / p.sum(-1, keepdim=True)


def read(mem, w):
    """r = Σ_i w(i) M(i), eq. 2."""
    return torch.einsum('bn,bnm->bm', w, mem)


def write(mem, heads):
    """M̃(i) = M(i) Π_h [1 − w_h(i) e_h] (eq. 3), M(i) = M̃(i) + Σ_h w_h(i) a_h (eq. 4)."""
    kept = mem
    for w, e_hat, a in heads:
        kept = kept * (1 - w[:, :, None] * torch.sigmoid(e_hat)[:, None, :])
    for w, e_hat, a in heads:
        kept = kept + w[:, :, None] * a[:, None, :]
    return kept


def addressing_case(case, B, N, M, S):
    mem = rnd(B, N, M)
    mem[1, 0] = 0  # a zero row
    mem[-1] = 0  # a zero memory: uniform content weights, no NaN
    key = rnd(B, M)
    beta_hat, g_hat, gamma_hat = rnd(B, 1, scale=2), rnd(B, 1, scale=2), rnd(B, 1, scale=2)
    s_hat = rnd(B, 2 * S + 1, scale=2)
    w_prev = torch.softmax(rnd(B, N, scale=3), -1).to(torch.float32).to(DT)
    K = cosine(mem, key)
    wc = content(mem, key, beta_hat)
    wg = interpolate(wc, w_prev, g_hat)
    wt = shift(wg, s_hat)
    w = sharpen(wt, gamma_hat)
    r = read(mem, w)
    w2 = torch.softmax(rnd(B, N, scale=3), -1).to(torch.float32).to(DT)
    e1, a1, e2, a2 = rnd(B, M), rnd(B, M), rnd(B, M), rnd(B, M)
    written = write(mem, [(w, e1, a1), (w2, e2, a2)])
    tensors = {
        'memory': mem, 'key': key, 'betaHat': beta_hat, 'gHat': g_hat, 'sHat': s_hat, 'gammaHat': gamma_hat, 'wPrev': w_prev,
        'cosine': K, 'wc': wc, 'wg': wg, 'wTilde': wt, 'w': w, 'read': r,
        'w2': w2, 'eraseHat1': e1, 'add1': a1, 'eraseHat2': e2, 'add2': a2, 'written': written,
    }
    save(case, {'B': B, 'N': N, 'M': M, 'S': S}, tensors)


def lstm(x, h, c, kernel, recurrent, bias):
    z = x @ kernel + h @ recurrent + bias
    i, f, g, o = z.chunk(4, -1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def ntm_case(case, X, Y, N, M, R, W, H, S, clip, T, B):
    rw = M + 3 + 2 * S + 1
    ww = rw + 2 * M
    P = R * rw + W * ww
    p = {
        'controller.kernel': rnd(X + R * M, 4 * H, scale=0.5),
        'controller.recurrentKernel': rnd(H, 4 * H, scale=0.5),
        'controller.bias': rnd(4 * H, scale=0.3),
        'heads.kernel': rnd(H, P, scale=2.0),
        'heads.bias': rnd(P, scale=0.5),
        'output.kernel': rnd(H + R * M, Y, scale=0.5),
        'output.bias': rnd(Y, scale=0.3),
        'init.reads': rnd(R, M, scale=0.3),
        'init.readWeights': rnd(R, N, scale=2.0),
        'init.writeWeights': rnd(W, N, scale=2.0),
    }
    xs = rnd(T, B, X)
    h = torch.zeros(B, H, dtype=DT)
    c = torch.zeros(B, H, dtype=DT)
    mem = torch.full((B, N, M), 1e-6, dtype=DT)
    reads = [p['init.reads'][i].expand(B, M) for i in range(R)]
    rws = [torch.softmax(p['init.readWeights'][i], -1).expand(B, N) for i in range(R)]
    wws = [torch.softmax(p['init.writeWeights'][i], -1).expand(B, N) for i in range(W)]
    ys = []

    def head(xi, at, w_prev, memory):
        k = torch.tanh(xi[:, at:at + M])
        b_hat, g_hat = xi[:, at + M:at + M + 1], xi[:, at + M + 1:at + M + 2]
        s_hat = xi[:, at + M + 2:at + M + 3 + 2 * S]
        y_hat = xi[:, at + M + 3 + 2 * S:at + M + 4 + 2 * S]
        return sharpen(shift(interpolate(content(memory, k, b_hat), w_prev, g_hat), s_hat), y_hat)

    for t in range(T):
        u = torch.cat([xs[t]] + reads, -1)
        h, c = lstm(u, h, c, p['controller.kernel'], p['controller.recurrentKernel'], p['controller.bias'])
        xi = torch.clamp(h @ p['heads.kernel'] + p['heads.bias'], -clip, clip)
        writes = []
        for i in range(W):
            at = R * rw + i * ww
            w = head(xi, at, wws[i], mem)
            writes.append((w, xi[:, at + rw:at + rw + M], torch.tanh(xi[:, at + rw + M:at + rw + 2 * M])))
        mem = write(mem, writes)
        wws = [w for w, _, _ in writes]
        rws = [head(xi, i * rw, rws[i], mem) for i in range(R)]
        reads = [read(mem, w) for w in rws]
        ys.append(torch.cat([h] + reads, -1) @ p['output.kernel'] + p['output.bias'])
    tensors = {f'weights.{k}': v for k, v in p.items()}
    tensors.update({
        'xs': xs, 'ys': torch.stack(ys), 'h': h, 'c': c, 'memory': mem,
        'readWeights': torch.stack(rws, 1), 'writeWeights': torch.stack(wws, 1), 'reads': torch.stack(reads, 1),
    })
    options = {'inputSize': X, 'outputSize': Y, 'memorySize': N, 'memoryWidth': M, 'readHeads': R, 'writeHeads': W, 'controllerSize': H, 'shiftRange': S, 'clip': clip}
    save(case, {'options': options, 'weights': list(p.keys()), 'T': T, 'B': B}, tensors)


if __name__ == '__main__':
    torch.manual_seed(20261202)
    addressing_case('addressing', B=3, N=7, M=5, S=1)
    addressing_case('addressing-shift2', B=3, N=6, M=4, S=2)
    ntm_case('ntm-steps', X=3, Y=2, N=6, M=4, R=2, W=1, H=5, S=1, clip=1.5, T=5, B=2)
    ntm_case('ntm-steps-2writes', X=2, Y=3, N=5, M=3, R=1, W=2, H=4, S=1, clip=20.0, T=4, B=2)
