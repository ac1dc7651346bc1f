#!/usr/bin/python3
"""Golden fixtures for @rxrnn/cells' LSTM variants (packages/cells/src/lstm-variants).

A direct transcription, in PyTorch (float64), of the papers' equations:
  * Greff, Srivastava, Koutník, Steunebrink & Schmidhuber 2017, "LSTM: A Search Space Odyssey"
    (IEEE TNNLS 28(10)): the vanilla (peephole) LSTM of §II and the eight variants of §III-B
    (NIG, NFG, NOG, NIAF, NOAF, NP, CIFG, FGR);
  * Ba, Kiros & Hinton 2016, "Layer Normalization", §6 eqs. 20-22 (layer-normalised LSTM),
    using torch.nn.functional.layer_norm as the LN.
As a cross-check, NP (no peepholes) is also run through torch.nn.LSTMCell and must agree.

The equations are written in the papers' column-vector notation with per-gate matrices
(W_i: H x X, R_i: H x H, ...); the fixtures are written in rxrnn's row-vector layout:
kernel = [W_i; W_f; W_z; W_o]^T ([X, nH], an absent gate's block left out), recurrentKernel
likewise, bias concatenated, peepholes p_i/p_f/p_o, and for FGR gateRecurrentKernel [3H, 3H]
whose block (row a, column b) is R_ab^T (gate a at t-1 -> gate b).

Writes packages/cells/fixtures/lstm-variants/<name>.safetensors + <name>.json with the weights,
x [T, B, X], the initial state (h0, c0, and gates0 for FGR), the outputs y [T, B, H] and cells
c [T, B, H] of every step, and the final hT, cT.

Run:  /usr/bin/python3 tools/goldens/lstm_variants.py
"""
import json
import os
import struct

import torch

from safetensors_io import write_safetensors
import torch.nn.functional as F

torch.manual_seed(20170101)
torch.set_default_dtype(torch.float64)

X, H, T, B = 3, 4, 5, 2
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'cells', 'fixtures', 'lstm-variants')
VARIANTS = ['vanilla', 'NIG', 'NFG', 'NOG', 'NIAF', 'NOAF', 'NP', 'CIFG', 'FGR']



def u(*shape, a=0.6):
    return (torch.rand(*shape) * 2 - 1) * a


def mv(M, v):
    """M v for a batch of column vectors stored as rows of v: [B, in] -> [B, out]."""
    return v @ M.T


# ---------------------------------------------------------------- Greff et al. 2017

def greff_params(variant):
    has = {'i': variant != 'NIG', 'f': variant not in ('NFG', 'CIFG'), 'z': True, 'o': variant != 'NOG'}
    P = {}
    for g in 'ifzo':
        if has[g]:
            P['W_' + g] = u(H, X)
            P['R_' + g] = u(H, H)
            P['b_' + g] = u(H, a=0.3)
    if variant != 'NP':
        for g in 'ifo':
            if has[g]:
                P['p_' + g] = u(H)
    if variant == 'FGR':
        for a in 'ifo':
            for b in 'ifo':
                P['R_' + a + b] = u(H, H, a=0.4)  # R_ab: gate a at t-1 -> gate b
    return has, P


def greff_step(variant, P, x, y_prev, c_prev, gates_prev):
    """One step, transcribed from Greff et al. §II with the §III-B modification of `variant`."""
    sigma = torch.sigmoid
    g_act = (lambda v: v) if variant == 'NIAF' else torch.tanh  # g: block input activation
    h_act = (lambda v: v) if variant == 'NOAF' else torch.tanh  # h: block output activation
    p = lambda name: P.get(name, torch.zeros(H))  # NP: no peepholes
    i_prev, f_prev, o_prev = gates_prev

    def fgr(target):  # FGR: sum_a R_a,target a^{t-1}
        if variant != 'FGR':
            return 0
        return mv(P['R_i' + target], i_prev) + mv(P['R_f' + target], f_prev) + mv(P['R_o' + target], o_prev)

    # block input
    z_bar = mv(P['W_z'], x) + mv(P['R_z'], y_prev) + P['b_z']
    z = g_act(z_bar)
    # input gate
    if variant == 'NIG':
        i = torch.ones_like(c_prev)
    else:
        i_bar = mv(P['W_i'], x) + mv(P['R_i'], y_prev) + p('p_i') * c_prev + P['b_i'] + fgr('i')
        i = sigma(i_bar)
    # forget gate
    if variant == 'NFG':
        f = torch.ones_like(c_prev)
    elif variant == 'CIFG':
        f = 1 - i
    else:
        f_bar = mv(P['W_f'], x) + mv(P['R_f'], y_prev) + p('p_f') * c_prev + P['b_f'] + fgr('f')
        f = sigma(f_bar)
    # cell
    c = z * i + c_prev * f
    # output gate
    if variant == 'NOG':
        o = torch.ones_like(c)
    else:
        o_bar = mv(P['W_o'], x) + mv(P['R_o'], y_prev) + p('p_o') * c + P['b_o'] + fgr('o')
        o = sigma(o_bar)
    # block output
    y = h_act(c) * o
    return y, c, (i, f, o)


def greff_layout(variant, has, P):
    """rxrnn's row-vector layout: blocks in order i, f, g(=z), o, an absent gate left out."""
    order = [g for g in 'ifzo' if has[g]]
    out = {
        'kernel': torch.cat([P['W_' + g] for g in order], 0).T,  # [X, nH]
        'recurrentKernel': torch.cat([P['R_' + g] for g in order], 0).T,  # [H, nH]
        'bias': torch.cat([P['b_' + g] for g in order], 0),  # [nH]
    }
    for g in 'ifo':
        if 'p_' + g in P:
            out['peephole' + g.upper()] = P['p_' + g]
    if variant == 'FGR':
        # [i f o]^{t-1} (row) @ G: column block b gets sum_a a^{t-1} R_ab^T, i.e. (R_ab a)^T.
        out['gateRecurrentKernel'] = torch.cat([torch.cat([P['R_' + a + b].T for b in 'ifo'], 1) for a in 'ifo'], 0)
    return out


def make_greff(variant):
    has, P = greff_params(variant)
    xs = u(T, B, X, a=1.0)
    h0, c0 = u(B, H, a=0.5), u(B, H, a=0.5)
    gates0 = torch.rand(B, 3 * H)  # previous gate activations in (0, 1), used by FGR only
    y, c = h0, c0
    gates = tuple(torch.split(gates0, H, 1))
    ys, cs = [], []
    for t in range(T):
        y, c, gates = greff_step(variant, P, xs[t], y, c, gates)
        ys.append(y)
        cs.append(c)
    if variant == 'NP':  # cross-check: NP is PyTorch's LSTMCell (gate order i, f, g, o)
        cell = torch.nn.LSTMCell(X, H)
        with torch.no_grad():
            cell.weight_ih.copy_(torch.cat([P['W_i'], P['W_f'], P['W_z'], P['W_o']], 0))
            cell.weight_hh.copy_(torch.cat([P['R_i'], P['R_f'], P['R_z'], P['R_o']], 0))
            cell.bias_ih.copy_(torch.cat([P['b_i'], P['b_f'], P['b_z'], P['b_o']], 0))
            cell.bias_hh.zero_()
            hh, cc = h0, c0
            for t in range(T):
                hh, cc = cell(xs[t], (hh, cc))
                assert torch.allclose(hh, ys[t], atol=1e-12), 'NP transcription disagrees with torch.nn.LSTMCell'
    tensors = dict(greff_layout(variant, has, P))
    tensors.update({'x': xs, 'h0': h0, 'c0': c0, 'y': torch.stack(ys), 'c': torch.stack(cs), 'hT': ys[-1], 'cT': cs[-1]})
    if variant == 'FGR':
        tensors['gates0'] = gates0
    config = {'kind': 'lstm-variant', 'variant': variant, 'inputSize': X, 'hiddenSize': H, 'T': T, 'B': B,
              'generator': 'tools/goldens/lstm_variants.py', 'reference': 'Greff et al. 2017, LSTM: A Search Space Odyssey, §II and §III-B'}
    return tensors, config


# ---------------------------------------------------------------- Ba, Kiros & Hinton 2016

def make_layernorm():
    eps = 1e-5
    W_x, W_h, b = u(4 * H, X), u(4 * H, H), u(4 * H, a=0.3)  # rows in gate order i, f, g, o
    a1, b1 = 1 + u(4 * H, a=0.3), u(4 * H, a=0.3)  # LN on W_h h
    a2, b2 = 1 + u(4 * H, a=0.3), u(4 * H, a=0.3)  # LN on W_x x
    a3, b3 = 1 + u(H, a=0.3), u(H, a=0.3)  # LN on c
    LN = lambda z, a, bb: F.layer_norm(z, (z.shape[-1],), a, bb, eps)
    xs = u(T, B, X, a=1.0)
    h, c = u(B, H, a=0.5), u(B, H, a=0.5)
    h0, c0 = h, c
    ys, cs = [], []
    for t in range(T):
        pre = LN(mv(W_h, h), a1, b1) + LN(mv(W_x, xs[t]), a2, b2) + b  # eq. 20
        i, f, g, o = torch.split(pre, H, 1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)  # eq. 21
        h = torch.sigmoid(o) * torch.tanh(LN(c, a3, b3))  # eq. 22
        ys.append(h)
        cs.append(c)
    tensors = {'kernel': W_x.T, 'recurrentKernel': W_h.T, 'bias': b, 'lnInputGain': a2, 'lnInputBias': b2,
               'lnRecurrentGain': a1, 'lnRecurrentBias': b1, 'lnCellGain': a3, 'lnCellBias': b3,
               'x': xs, 'h0': h0, 'c0': c0, 'y': torch.stack(ys), 'c': torch.stack(cs), 'hT': ys[-1], 'cT': cs[-1]}
    config = {'kind': 'layernorm-lstm', 'inputSize': X, 'hiddenSize': H, 'epsilon': eps, 'T': T, 'B': B,
              'generator': 'tools/goldens/lstm_variants.py', 'reference': 'Ba, Kiros & Hinton 2016, Layer Normalization, eqs. 20-22'}
    return tensors, config


def main():
    os.makedirs(OUT, exist_ok=True)
    jobs = [(v, lambda v=v: make_greff(v)) for v in VARIANTS] + [('layernorm', make_layernorm)]
    for name, make in jobs:
        tensors, config = make()
        write_safetensors(os.path.join(OUT, name + '.safetensors'), tensors)
        with open(os.path.join(OUT, name + '.json'), 'w') as f:
            json.dump(config, f, indent=2)
            f.write('\n')
        print('wrote', name, sorted(tensors))


if __name__ == '__main__':
    main()
