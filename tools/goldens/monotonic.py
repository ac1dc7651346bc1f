"""Golden fixtures for monotonic attention (Raffel et al. 2017) and MoChA (Chiu & Raffel 2018).

Transcribed from the papers with explicit loops, in float64 from float32 weights and inputs, so the
fixtures check rxrnn's parallel (cumprod / cumsum / moving-sum) formulation against the papers'
recurrences:

  energy (Raffel §2.3)      e_ij = g v^T/‖v‖ tanh(W s_{i−1} + V h_j + b) + r
  selection                 p_ij = σ(e_ij + ε_ij)        (ε: the given pre-sigmoid noise; 0 for the hard case)
  expected alignment        q_ij = (1 − p_{i,j−1}) q_{i,j−1} + α_{i−1,j},  α_ij = p_ij q_ij   (Raffel eqs. 10–11)
  hard decision             scan j = t_{i−1}, …, T: stop at the first p_ij > 0.5 (Raffel Algorithm 1 at test
                            time); c_i = h_{t_i}, or c_i = 0 and α_i = 0 if no frame is chosen
  MoChA chunk energy        u_ij = v_c^T tanh(W_c s_{i−1} + V_c h_j + b_c)
  MoChA training            β_ij = Σ_{k=j}^{j+w−1} α_ik exp(u_ij) / Σ_{l=k−w+1}^{k} exp(u_il)   (Chiu & Raffel eq. 20)
  MoChA inference           β_i = softmax(u_i) over the chunk t_i − w + 1 … t_i;  c_i = Σ_j β_ij h_j

Masks: B = 3 sources of lengths 6, 4 and 1; padding keys are random (a wrong mask shows); padded
positions have p = 0 and u = −∞.

Run:   /usr/bin/python3 tools/goldens/monotonic.py
Writes packages/attention/fixtures/monotonic/<case>.safetensors (+ .json): `weights.<name>` (row-vector
layout, `x @ kernel`), `query` [B, Q], `keys` [B, S, D], `mask` [B, S], `prev` (α_{i−1}, a distribution)
and `noise` [B, S] for the expected alignment, `prevHard` (one-hot t_{i−1}) for the hard decision, and
the outputs `scores` (e, before noise), `p` (σ(e + noise)), `alignment`, `context` (training path) and
`hardAlignment`, `hardContext`, `hardPosition` (inference path; −1 for no stop). MoChA cases also store
`chunkScores` (u) and `monotonic` (α_i; `alignment` is then β_i).
"""
import json
import math
import os

import torch

from safetensors_io import write_safetensors

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'attention', 'fixtures', 'monotonic')
B, S, Q, D, A = 3, 6, 4, 5, 5
LENGTHS = [6, 4, 1]
DT = torch.float64


def rnd(*shape, scale=0.6):
    """float32 values held in float64."""
    return (torch.randn(*shape) * scale).to(torch.float32).to(DT)


def mask():
    m = torch.zeros(B, S, dtype=DT)
    for b, n in enumerate(LENGTHS):
        m[b, :n] = 1
    return m


def additive(W, V, v, b, s, h):
    """tanh(W s + V h_j + b) per position, [B, S, A]."""
    return torch.tanh((W @ s.T).T[:, None, :] + torch.einsum('ad,bsd->bsa', V, h) + b)


def energy(w, s, h):
    """Raffel §2.3: e_ij = g v^T/‖v‖ tanh(W s + V h_j + b) + r, [B, S]."""
    v = w['v']
    return w['g'] * (additive(w['W'], w['V'], v, w['b'], s, h) @ (v / v.norm())) + w['r']


def expected_alignment(p, prev, m):
    """Raffel eqs. 10–11 as the loop they are: q_ij = (1 − p_{i,j−1}) q_{i,j−1} + α_{i−1,j}, α_ij = p_ij q_ij."""
    alpha = torch.zeros_like(p)
    for bb in range(B):
        q = 0.0
        for j in range(S):
            q = (1 - p[bb, j - 1]) * q + prev[bb, j] if j > 0 else prev[bb, 0]
            alpha[bb, j] = p[bb, j] * q * m[bb, j]
    return alpha


def hard_positions(p, start, m):
    """Raffel Algorithm 1 at test time: from t_{i−1}, the first j with p_ij > 0.5 (−1: none chosen)."""
    out = []
    for bb in range(B):
        t = -1
        if start[bb] >= 0:
            for j in range(start[bb], S):
                if m[bb, j] > 0 and p[bb, j] > 0.5:
                    t = j
                    break
        out.append(t)
    return out


def one_hot(pos):
    a = torch.zeros(B, S, dtype=DT)
    for bb, t in enumerate(pos):
        if t >= 0:
            a[bb, t] = 1
    return a


def mocha_beta(alpha, u, m, w):
    """Chiu & Raffel eq. 20: β_ij = Σ_{k=j}^{j+w−1} α_ik exp(u_ij) / Σ_{l=k−w+1}^{k} exp(u_il), over real positions."""
    beta = torch.zeros_like(alpha)
    eu = torch.exp(u) * m
    for bb in range(B):
        for j in range(S):
            total = 0.0
            for k in range(j, min(j + w, S)):
                den = sum(eu[bb, l] for l in range(max(0, k - w + 1), k + 1))
                if alpha[bb, k] != 0:
                    total = total + alpha[bb, k] * eu[bb, j] / den
            beta[bb, j] = total
    return beta


def mocha_hard(u, pos, m, w):
    """Softmax of u over the chunk t − w + 1 … t (real positions); zeros for no stop."""
    beta = torch.zeros(B, S, dtype=DT)
    for bb, t in enumerate(pos):
        if t < 0:
            continue
        lo = max(0, t - w + 1)
        idx = [j for j in range(lo, t + 1) if m[bb, j] > 0]
        ex = torch.stack([torch.exp(u[bb, j]) for j in idx])
        ex = ex / ex.sum()
        for k, j in enumerate(idx):
            beta[bb, j] = ex[k]
    return beta


def context_of(alpha, h):
    return torch.einsum('bs,bsd->bd', alpha, h)


def save(case, factory, options, weights, tensors):
    os.makedirs(OUT, exist_ok=True)
    out = {f'weights.{k}': v for k, v in weights.items()}
    out.update(tensors)
    write_safetensors(os.path.join(OUT, f'{case}.safetensors'), out)
    meta = {'generator': 'tools/goldens/monotonic.py', 'case': case, 'factory': factory, 'options': options, 'weights': list(weights.keys())}
    with open(os.path.join(OUT, f'{case}.json'), 'w') as f:
        json.dump(meta, f, indent=2)
        f.write('\n')
    print(f'{case}: hard positions {tensors["hardPosition"].tolist()}')


def case(name, chunk):
    while True:
        w = {'W': rnd(A, Q), 'V': rnd(A, D), 'v': rnd(A), 'b': rnd(A, scale=0.3), 'g': rnd(1, scale=1.0).abs() + 1.0, 'r': rnd(1, scale=0.5)}
        s, h, m = rnd(B, Q, scale=1.0), rnd(B, S, D, scale=1.0), mask()
        noise = rnd(B, S, scale=1.0)
        prev = torch.rand(B, S, dtype=torch.float32).to(DT) * m
        prev = prev / prev.sum(-1, keepdim=True)  # α_{i−1}: a distribution over the real source
        start = [1, 0, 0]  # t_{i−1} per row
        e = energy(w, s, h)
        p_hard = torch.sigmoid(e)
        real = p_hard[m > 0]
        if (real - 0.5).abs().min() < 0.02:  # no borderline decision: redraw
            continue
        pos = hard_positions(p_hard, start, m)
        if not any(t > t0 for t, t0 in zip(pos, start)) or -1 not in pos:  # want a scan past rejected frames and a row with no stop
            continue
        break
    p = torch.sigmoid(e + noise) * m
    alpha = expected_alignment(p, prev, m)
    hard = one_hot(pos)
    weights = {'query_kernel': w['W'].T, 'memory_kernel': w['V'].T, 'attention_v': w['v'], 'attention_b': w['b'], 'attention_g': w['g'], 'attention_r': w['r']}
    options = {'querySize': Q, 'keySize': D, 'units': A}
    tensors = {'query': s, 'keys': h, 'mask': m, 'prev': prev, 'noise': noise, 'prevHard': one_hot(start), 'scores': e, 'p': p,
               'hardPosition': torch.tensor(pos, dtype=DT)}
    if chunk:
        wc = {'W': rnd(A, Q), 'V': rnd(A, D), 'v': rnd(A), 'b': rnd(A, scale=0.3)}
        u = additive(wc['W'], wc['V'], wc['v'], wc['b'], s, h) @ wc['v']
        beta = mocha_beta(alpha, u, m, chunk)
        hard_beta = mocha_hard(u, pos, m, chunk)
        weights.update({'chunk_query_kernel': wc['W'].T, 'chunk_memory_kernel': wc['V'].T, 'chunk_v': wc['v'], 'chunk_b': wc['b']})
        options['chunkSize'] = chunk
        tensors.update({'chunkScores': u, 'monotonic': alpha, 'alignment': beta, 'context': context_of(beta, h),
                        'hardAlignment': hard_beta, 'hardContext': context_of(hard_beta, h)})
        save(name, 'mochaAttention', options, weights, tensors)
    else:
        tensors.update({'alignment': alpha, 'context': context_of(alpha, h), 'hardAlignment': hard, 'hardContext': context_of(hard, h)})
        save(name, 'monotonicAttention', options, weights, tensors)

    # the parallel form agrees with the recurrence (a self-check of the transcription, eq. 12 vs eqs. 10–11)
    cp = torch.cat([torch.ones(B, 1, dtype=DT), torch.cumprod(1 - p, dim=1)[:, :-1]], dim=1)
    par = p * cp * torch.cumsum(prev / cp.clamp(min=1e-10), dim=1)
    assert torch.allclose(par * m, alpha, atol=1e-9), 'cumprod form ≠ recurrence'
    assert not math.isnan(alpha.sum().item())


if __name__ == '__main__':
    torch.manual_seed(20261202)
    case('monotonic', chunk=0)
    case('mocha', chunk=3)
    case('mocha-w1', chunk=1)
