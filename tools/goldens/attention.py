"""Golden fixtures for @rxrnn/attention: each mechanism transcribed from its paper in PyTorch.

In the papers' column-vector form (W @ v), computed in float64 from float32 weights and inputs; the
location filters are applied with torch.nn.functional.conv1d (cross-correlation, like tfjs). The
fixtures store the weights in rxrnn's row-vector layout (`x @ kernel`), i.e. the transposes of the
papers' matrices, and the conv filters in tfjs's conv1d layout [width, in=1, filters].

Masks: a batch of B = 3 sources of lengths 5, 3 and 1 (padding filled with random keys, so a wrong
mask shows); masked scores get −inf before the softmax (no row is fully masked here).

Run:   /usr/bin/python3 tools/goldens/attention.py
Writes packages/attention/fixtures/attention/<case>.safetensors (+ .json): tensors `weights.<name>`,
`query` [B, Q], `keys` [B, S, D], `mask` [B, S], optional `prev` (α_{i−1}) and `coverage` [B, S], and
the outputs `scores` [B, S] (before masking), `alignment` [B, S], `context` [B, D].
"""
import json
import os

import torch
import torch.nn.functional as F

from safetensors_io import write_safetensors

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'attention', 'fixtures', 'attention')
B, S, Q, D, A = 3, 5, 4, 6, 5
LENGTHS = [5, 3, 1]
DT = torch.float64


def rnd(*shape, scale=0.6):
    """float32 values held in float64."""
    return (torch.randn(*shape) * scale).to(torch.float32).to(DT)


def save(case, factory, options, weights, inputs, scores, alignment, context):
    os.makedirs(OUT, exist_ok=True)
    tensors = {f'weights.{k}': v for k, v in weights.items()}
    tensors.update(inputs)
    tensors['scores'] = scores
    tensors['alignment'] = alignment
    tensors['context'] = context
    write_safetensors(os.path.join(OUT, f'{case}.safetensors'), tensors)
    meta = {
        'generator': 'tools/goldens/attention.py',
        'case': case,
        'factory': factory,
        'options': options,
        'weights': list(weights.keys()),
        'inputs': list(inputs.keys()),
    }
    with open(os.path.join(OUT, f'{case}.json'), 'w') as f:
        json.dump(meta, f, indent=2)
        f.write('\n')
    print(f'{case}: alignment {tuple(alignment.shape)}, context {tuple(context.shape)}')


def mask():
    m = torch.zeros(B, S, dtype=DT)
    for b, n in enumerate(LENGTHS):
        m[b, :n] = 1
    return m


def softmax_masked(e, m, beta=1.0):
    """α_j = exp(β e_j) / Σ_k exp(β e_k) over unmasked positions (Bahdanau eq. 6; β: Chorowski §2.3)."""
    return F.softmax((beta * e).masked_fill(m == 0, float('-inf')), dim=-1)


def smooth_masked(e, m):
    """α_j = σ(e_j) / Σ_k σ(e_k) over unmasked positions (Chorowski et al. 2015, §2.3)."""
    s = torch.sigmoid(e) * m
    return s / s.sum(-1, keepdim=True)


def context_of(alpha, h):
    """c = Σ_j α_j h_j (Bahdanau eq. 5)."""
    return torch.einsum('bs,bsd->bd', alpha, h)


def additive_case(case, factory, bias, coverage):
    """e_ij = v^T tanh(W s + U h_j [+ b] [+ w_c c_ij]) (Bahdanau eq. 6 / A.1.2; Luong concat; See et al. eq. 11)."""
    W, U, v = rnd(A, Q), rnd(A, D), rnd(A)
    b = rnd(A, scale=0.3) if bias else None
    wc = rnd(A) if coverage else None
    s, h, m = rnd(B, Q, scale=1.0), rnd(B, S, D, scale=1.0), mask()
    cov = torch.rand(B, S, dtype=torch.float32).to(DT) * m * 1.5 if coverage else None
    pre = (W @ s.T).T[:, None, :] + torch.einsum('ad,bsd->bsa', U, h)  # [B, S, A]
    if bias:
        pre = pre + b
    if coverage:
        pre = pre + cov[:, :, None] * wc
    e = torch.tanh(pre) @ v  # [B, S]
    alpha = softmax_masked(e, m)
    weights = {'query_kernel': W.T, 'memory_kernel': U.T, 'attention_v': v}
    if bias:
        weights['attention_b'] = b
    if coverage:
        weights['coverage_kernel'] = wc
    inputs = {'query': s, 'keys': h, 'mask': m}
    if coverage:
        inputs['coverage'] = cov
    options = {'querySize': Q, 'keySize': D, 'units': A, 'coverage': coverage}
    save(case, factory, options, weights, inputs, e, alpha, context_of(alpha, h))


def dot_case():
    """e_tj = h_t^T h̄_j (Luong et al. 2015, eq. 8, dot)."""
    s, h, m = rnd(B, D, scale=1.0), rnd(B, S, D, scale=1.0), mask()
    e = torch.einsum('bd,bsd->bs', s, h)
    alpha = softmax_masked(e, m)
    save('dot', 'dotAttention', {'querySize': D, 'keySize': D}, {}, {'query': s, 'keys': h, 'mask': m}, e, alpha, context_of(alpha, h))


def general_case():
    """e_tj = h_t^T W_a h̄_j (Luong et al. 2015, eq. 8, general)."""
    Wa = rnd(Q, D)
    s, h, m = rnd(B, Q, scale=1.0), rnd(B, S, D, scale=1.0), mask()
    e = torch.einsum('bq,qd,bsd->bs', s, Wa, h)
    alpha = softmax_masked(e, m)
    save('general', 'generalAttention', {'querySize': Q, 'keySize': D}, {'memory_kernel': Wa.T}, {'query': s, 'keys': h, 'mask': m}, e, alpha, context_of(alpha, h))


def location_case(case, K, r, beta, smoothing):
    """f = F * α_{i−1}; e_ij = w^T tanh(W s + V h_j + U f_ij + b) (Chorowski et al. 2015, eqs. 8–9, §2.3)."""
    W, V, U, w, b = rnd(A, Q), rnd(A, D), rnd(A, K), rnd(A), rnd(A, scale=0.3)
    Fz = rnd(K, 1, r, scale=1.0)  # torch conv1d layout [out=K, in=1, width=r]
    s, h, m = rnd(B, Q, scale=1.0), rnd(B, S, D, scale=1.0), mask()
    prev = torch.rand(B, S, dtype=torch.float32).to(DT) * m
    prev = prev / prev.sum(-1, keepdim=True)  # a previous alignment: rows sum to 1 over the real source
    f = F.conv1d(prev[:, None, :], Fz, padding=(r - 1) // 2).transpose(1, 2)  # [B, S, K]
    pre = (W @ s.T).T[:, None, :] + torch.einsum('ad,bsd->bsa', V, h) + torch.einsum('ak,bsk->bsa', U, f) + b
    e = torch.tanh(pre) @ w  # [B, S]
    alpha = smooth_masked(e, m) if smoothing else softmax_masked(e, m, beta)
    weights = {
        'query_kernel': W.T,
        'memory_kernel': V.T,
        'location_conv': Fz.permute(2, 1, 0),  # tfjs layout [width, in, out]
        'location_kernel': U.T,
        'attention_b': b,
        'attention_v': w,
    }
    options = {'querySize': Q, 'keySize': D, 'units': A, 'filters': K, 'kernelSize': r, 'sharpening': beta, 'smoothing': smoothing}
    save(case, 'locationAttention', options, weights, {'query': s, 'keys': h, 'mask': m, 'prev': prev}, e, alpha, context_of(alpha, h))


if __name__ == '__main__':
    torch.manual_seed(20261202)
    additive_case('additive', 'additiveAttention', bias=True, coverage=False)
    additive_case('additive-coverage', 'additiveAttention', bias=True, coverage=True)
    additive_case('concat', 'concatAttention', bias=False, coverage=False)
    dot_case()
    general_case()
    location_case('location', K=4, r=3, beta=1.0, smoothing=False)
    location_case('location-sharpened', K=2, r=5, beta=2.0, smoothing=False)
    location_case('location-smoothed', K=3, r=3, beta=1.0, smoothing=True)
