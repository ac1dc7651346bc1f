"""Golden fixtures for the more cell families of @rxrnn/cells (mut, typed, highway, residual, grid).

A direct transcription of each paper's equations in PyTorch, in the papers' column-vector form
(W @ v), computed in float64 from float32 weights. The fixtures store the weights in rxrnn's
row-vector layout (`x @ kernel`), i.e. the transposes of the papers' matrices, concatenated by
blocks of H columns in the order the cell documents.

Run:   /usr/bin/python3 tools/goldens/more_cells.py
Writes packages/cells/fixtures/more-cells/<case>.safetensors (+ .json): tensors `weights.<name>`,
`x` [T, B, X], `y` [T, B, Y] (the output of every step) and `state.<key>` (the final state).
"""
import json
import os
import struct

import torch

from safetensors_io import write_safetensors

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'cells', 'fixtures', 'more-cells')
T, B = 5, 2
DT = torch.float64



def save(case, factory, options, weights, xs, ys, state):
    os.makedirs(OUT, exist_ok=True)
    tensors = {f'weights.{k}': v for k, v in weights.items()}
    tensors['x'] = xs
    tensors['y'] = torch.stack(ys)
    for k, v in state.items():
        tensors[f'state.{k}'] = v
    write_safetensors(os.path.join(OUT, f'{case}.safetensors'), tensors)
    meta = {
        'generator': 'tools/goldens/more_cells.py',
        'case': case,
        'factory': factory,
        'options': options,
        'T': T,
        'B': B,
        'weights': list(weights.keys()),
        'state': list(state.keys()),
    }
    with open(os.path.join(OUT, f'{case}.json'), 'w') as f:
        json.dump(meta, f, indent=2)
        f.write('\n')
    print(f'{case}: y {tuple(tensors["y"].shape)}, state {", ".join(state.keys())}')


def mat(rows, cols, scale=0.5):
    """A paper-form matrix W [out=rows, in=cols], float32 values held in float64."""
    return (torch.randn(rows, cols) * scale).to(torch.float32).to(DT)


def vec(n, scale=0.3):
    return (torch.randn(n) * scale).to(torch.float32).to(DT)


def lin(W, v):
    """W v for a batch of row vectors v [B, in] → [B, out]."""
    return v @ W.T


def kernel(*Ws):
    """rxrnn kernel: the transposes of the paper's matrices side by side, [in, k·H]."""
    return torch.cat([W.T for W in Ws], dim=1)


def inputs(X):
    return torch.randn(T, B, X).to(torch.float32).to(DT)


sig, tanh = torch.sigmoid, torch.tanh


# ---- MUT1/2/3: Jozefowicz, Zaremba & Sutskever 2015, §3.2 ----
def mut(variant, X, H):
    Wxz, Wxr, Wxh = mat(H, X), mat(H, X), mat(H, X)
    Whz, Whr, Whh = mat(H, H), mat(H, H), mat(H, H)
    bz, br, bh = vec(H), vec(H), vec(H)
    xs = inputs(X)
    h = torch.zeros(B, H, dtype=DT)
    ys = []
    for t in range(T):
        x = xs[t]
        if variant == 'MUT1':
            z = sig(lin(Wxz, x) + bz)
            r = sig(lin(Wxr, x) + lin(Whr, h) + br)
            h = tanh(lin(Whh, r * h) + tanh(x) + bh) * z + h * (1 - z)
        elif variant == 'MUT2':
            z = sig(lin(Wxz, x) + lin(Whz, h) + bz)
            r = sig(x + lin(Whr, h) + br)
            h = tanh(lin(Whh, r * h) + lin(Wxh, x) + bh) * z + h * (1 - z)
        else:
            z = sig(lin(Wxz, x) + lin(Whz, tanh(h)) + bz)
            r = sig(lin(Wxr, x) + lin(Whr, h) + br)
            h = tanh(lin(Whh, r * h) + lin(Wxh, x) + bh) * z + h * (1 - z)
        ys.append(h)
    weights = {
        'MUT1': {'kernel': kernel(Wxz, Wxr), 'resetKernel': Whr.T, 'candidateKernel': Whh.T},
        'MUT2': {'kernel': kernel(Wxz, Wxh), 'updateKernel': Whz.T, 'resetKernel': Whr.T, 'candidateKernel': Whh.T},
        'MUT3': {'kernel': kernel(Wxz, Wxr, Wxh), 'updateKernel': Whz.T, 'resetKernel': Whr.T, 'candidateKernel': Whh.T},
    }[variant]
    weights['bias'] = torch.cat([bz, br, bh])
    save(variant.lower(), 'mutCell', {'variant': variant, 'inputSize': X, 'hiddenSize': H}, weights, xs, ys, {'h': h})


# ---- T-RNN, T-LSTM, T-GRU: Balduzzi & Ghifary 2016, §3 ----
def t_rnn(X, H):
    W, V, b = mat(H, X), mat(H, X), vec(H)
    xs = inputs(X)
    h = torch.zeros(B, H, dtype=DT)
    ys = []
    for t in range(T):
        z = lin(W, xs[t])
        f = sig(lin(V, xs[t]) + b)
        h = f * h + (1 - f) * z
        ys.append(h)
    save('t-rnn', 'tRnnCell', {'inputSize': X, 'hiddenSize': H}, {'kernel': kernel(W, V), 'bias': b}, xs, ys, {'h': h})


def t_gated(kind, X, H, lag):
    Wz, Wf, Wo = mat(H, X), mat(H, X), mat(H, X)
    Vz, Vf, Vo = mat(H, X), mat(H, X), mat(H, X)
    bz, bf, bo = vec(H), vec(H), vec(H)
    xs = inputs(X)
    h = torch.zeros(B, H, dtype=DT)
    c = torch.zeros(B, H, dtype=DT)
    xprev = torch.zeros(B, X, dtype=DT)
    ys = []
    for t in range(T):
        x = xs[t]
        lagz = lin(Vz, xprev) if lag else 0
        lagf = lin(Vf, xprev) if lag else 0
        lago = lin(Vo, xprev) if lag else 0
        z = lin(Wz, x) + lagz + bz
        f = sig(lin(Wf, x) + lagf + bf)
        o = tanh(lin(Wo, x) + lago + bo)
        if kind == 't-lstm':
            c = f * c + (1 - f) * z
            h = c * o
        else:
            h = f * h + z * o
        xprev = x
        ys.append(h)
    weights = {'kernel': kernel(Wz, Wf, Wo)}
    if lag:
        weights['lagKernel'] = kernel(Vz, Vf, Vo)
    weights['bias'] = torch.cat([bz, bf, bo])
    state = {'c': c} if kind == 't-lstm' else {'h': h}
    if lag:
        state['xPrev'] = xprev
    factory = 'tLstmCell' if kind == 't-lstm' else 'tGruCell'
    save(kind + ('' if lag else '-nolag'), factory, {'inputSize': X, 'hiddenSize': H, 'lag': lag}, weights, xs, ys, state)


# ---- RHN: Zilly et al. 2017, eqs. 6-9 ----
def rhn(case, X, H, L, coupled):
    WH, WT, WC = mat(H, X), mat(H, X), mat(H, X)
    R = [(mat(H, H), mat(H, H), mat(H, H)) for _ in range(L)]
    b = [(vec(H), vec(H) - 1.0, vec(H)) for _ in range(L)]
    xs = inputs(X)
    s = torch.zeros(B, H, dtype=DT)
    ys = []
    for t in range(T):
        x = xs[t]
        for l in range(L):
            first = 1.0 if l == 0 else 0.0
            RH, RT, RC = R[l]
            bH, bT, bC = b[l]
            h = tanh(first * lin(WH, x) + lin(RH, s) + bH)
            tg = sig(first * lin(WT, x) + lin(RT, s) + bT)
            cg = (1 - tg) if coupled else sig(first * lin(WC, x) + lin(RC, s) + bC)
            s = h * tg + s * cg
        ys.append(s)
    weights = {'kernel': kernel(WH, WT) if coupled else kernel(WH, WT, WC)}
    for l in range(L):
        RH, RT, RC = R[l]
        bH, bT, bC = b[l]
        weights[f'layers.{l}.recurrentKernel'] = kernel(RH, RT) if coupled else kernel(RH, RT, RC)
        weights[f'layers.{l}.bias'] = torch.cat([bH, bT] if coupled else [bH, bT, bC])
    save(case, 'rhnCell', {'inputSize': X, 'hiddenSize': H, 'depth': L, 'coupled': coupled}, weights, xs, ys, {'h': s})


# ---- Residual around PyTorch's own nn.LSTMCell (identity or projection shortcut) ----
def residual(case, X, H):
    cell = torch.nn.LSTMCell(X, H).to(DT)
    with torch.no_grad():
        for p in cell.parameters():
            p.copy_(p.to(torch.float32).to(DT))
    P = mat(H, X) if X != H else None
    xs = inputs(X)
    h = torch.zeros(B, H, dtype=DT)
    c = torch.zeros(B, H, dtype=DT)
    ys = []
    with torch.no_grad():
        for t in range(T):
            h, c = cell(xs[t], (h, c))
            shortcut = xs[t] if P is None else lin(P, xs[t])
            ys.append(shortcut + h)
    weights = {
        'inner.kernel': cell.weight_ih.detach().T,
        'inner.recurrentKernel': cell.weight_hh.detach().T,
        'inner.bias': (cell.bias_ih + cell.bias_hh).detach(),
    }
    if P is not None:
        weights['projection'] = P.T
    save(case, 'residualCell(lstmCell)', {'inputSize': X, 'hiddenSize': H}, weights, xs, ys, {'h': h, 'c': c})


# ---- 2-D Grid LSTM over time x depth: Kalchbrenner, Danihelka & Graves 2016, eqs. 1-2 ----
def grid_lstm(case, X, H, N):
    I = mat(H, X)
    Wt = [[mat(H, 2 * H) for _ in range(4)] for _ in range(N)]  # u, f, c, o
    bt = [[vec(H) for _ in range(4)] for _ in range(N)]
    Wd = [[mat(H, 2 * H) for _ in range(4)] for _ in range(N)]
    bd = [[vec(H) for _ in range(4)] for _ in range(N)]

    def lstm(Hc, m, W, b):
        gu = sig(lin(W[0], Hc) + b[0])
        gf = sig(lin(W[1], Hc) + b[1])
        gc = tanh(lin(W[2], Hc) + b[2])
        go = sig(lin(W[3], Hc) + b[3])
        m2 = gf * m + gu * gc
        h2 = tanh(go * m2)
        return h2, m2

    xs = inputs(X)
    hT = [torch.zeros(B, H, dtype=DT) for _ in range(N)]
    mT = [torch.zeros(B, H, dtype=DT) for _ in range(N)]
    ys = []
    for t in range(T):
        hD = lin(I, xs[t])
        mD = torch.zeros(B, H, dtype=DT)
        for n in range(N):
            Hc = torch.cat([hT[n], hD], dim=1)
            hT2, mT2 = lstm(Hc, mT[n], Wt[n], bt[n])
            hD, mD = lstm(Hc, mD, Wd[n], bd[n])
            hT[n], mT[n] = hT2, mT2
        ys.append(hD)
    weights = {'inputProjection': I.T}
    for n in range(N):
        weights[f'layers.{n}.time.kernel'] = kernel(*Wt[n])
        weights[f'layers.{n}.time.bias'] = torch.cat(bt[n])
        weights[f'layers.{n}.depth.kernel'] = kernel(*Wd[n])
        weights[f'layers.{n}.depth.bias'] = torch.cat(bd[n])
    state = {}
    for n in range(N):
        state[f'{n}.h'] = hT[n]
        state[f'{n}.m'] = mT[n]
    save(case, 'gridLstmCell', {'inputSize': X, 'hiddenSize': H, 'layers': N}, weights, xs, ys, state)


if __name__ == '__main__':
    torch.manual_seed(20260125)
    mut('MUT1', 4, 4)
    mut('MUT2', 4, 4)
    mut('MUT3', 3, 4)
    t_rnn(3, 4)
    t_gated('t-lstm', 3, 4, True)
    t_gated('t-lstm', 3, 4, False)
    t_gated('t-gru', 3, 4, True)
    t_gated('t-gru', 3, 4, False)
    rhn('rhn-coupled', 3, 4, 3, True)
    rhn('rhn-uncoupled', 3, 4, 2, False)
    residual('residual-identity', 4, 4)
    residual('residual-projected', 3, 5)
    grid_lstm('grid-lstm', 3, 4, 3)
