"""Golden fixture for @rxrnn/attention's encoder–decoder (seq2seqModel): one teacher-forced forward
pass of a tiny model, written in PyTorch from the papers, in float64 from float32 weights.

  encoder  embedding → bidirectional LSTM (torch.nn.LSTM, bidirectional=True, over
           pack_padded_sequence: PyTorch's own handling of padded sources) → two unidirectional
           LSTM layers of width D = 2 H_enc, the second with a residual connection (GNMT §3.2:
           from the third layer on)
  decoder  three stacked LSTMCells (the third residual), Luong input feeding x'_t = [e_t; h̃_{t−1}]
           (Luong et al. 2015 §3.3), additive attention on the top output (Bahdanau eq. 6;
           masked softmax), h̃_t = tanh(W_c [c_t; h_t]) (Luong eq. 5), logits = h̃_t W_o + b_o
  loss     torch.nn.functional.cross_entropy(label_smoothing=0.1) over the real target tokens

Sources of lengths 5, 3 and 1 (padding filled with random ids, so a wrong mask shows); targets of
lengths 3, 1 and 0 (+ EOS). The weights are stored under the model's parameter names, in rxrnn's
row-vector layout (LSTM kernel = W_ih^T, recurrentKernel = W_hh^T, bias = b_ih + b_hh, gates i f g o).

Run:   /usr/bin/python3 tools/goldens/seq2seq.py   (or npm run goldens -- seq2seq.py)
Writes packages/attention/fixtures/seq2seq/forward.safetensors (+ .json): `params.<name>`,
`sources` [B, S] and `targets` [B, T−1] (ids as floats, −1 past each length), `logits` [T, B, V],
`alignment` [T, B, S], `loss` [] (mean label-smoothed cross entropy per target token).
"""
import json
import os

import torch
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from safetensors_io import write_safetensors

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'attention', 'fixtures', 'seq2seq')
DT = torch.float64
VS, VT, E, HE, H = 7, 6, 3, 2, 4
D = 2 * HE
BOS, EOS = 1, 2
SOURCES = [[3, 4, 5, 6, 3], [6, 5, 4], [2]]
TARGETS = [[3, 4, 5], [5], []]
SMOOTHING = 0.1


def rnd(*shape, scale=0.5):
    """float32 values held in float64."""
    return (torch.randn(*shape) * scale).to(torch.float32).to(DT)


def lstm_params(mod, suffix=''):
    """rxrnn's LSTM parameters from a torch LSTM/LSTMCell (row-vector layout, one bias)."""
    w_ih, w_hh = getattr(mod, f'weight_ih{suffix}'), getattr(mod, f'weight_hh{suffix}')
    b = getattr(mod, f'bias_ih{suffix}') + getattr(mod, f'bias_hh{suffix}')
    return {'kernel': w_ih.T, 'recurrentKernel': w_hh.T, 'bias': b}


def randomise(mod):
    with torch.no_grad():
        for p in mod.parameters():
            p.copy_(rnd(*p.shape))
    return mod


def main():
    torch.manual_seed(20261216)
    params = {}
    B = len(SOURCES)
    S = max(len(s) for s in SOURCES)
    lengths = torch.tensor([len(s) for s in SOURCES])
    src = torch.zeros(B, S, dtype=torch.long)
    for b, s in enumerate(SOURCES):
        src[b, : len(s)] = torch.tensor(s)
        src[b, len(s):] = torch.randint(0, VS, (S - len(s),))  # garbage under the mask
    mask = (torch.arange(S)[None, :] < lengths[:, None]).to(DT)  # [B, S]

    # --- encoder
    emb_src = rnd(VS, E)
    params['source_embedding.embeddings'] = emb_src
    bi = randomise(torch.nn.LSTM(E, HE, bidirectional=True, batch_first=True).to(DT))
    for k, v in lstm_params(bi, '_l0').items():
        params[f'encoder.forward.{k}'] = v
    for k, v in lstm_params(bi, '_l0_reverse').items():
        params[f'encoder.backward.{k}'] = v
    x = emb_src[src]  # [B, S, E]
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    h, _ = pad_packed_sequence(bi(packed)[0], batch_first=True, total_length=S)  # [B, S, 2 HE]
    up1 = randomise(torch.nn.LSTM(D, D, batch_first=True).to(DT))
    up2 = randomise(torch.nn.LSTM(D, D, batch_first=True).to(DT))
    for k, v in lstm_params(up1, '_l0').items():
        params[f'encoder.upper.layers.0.{k}'] = v
    for k, v in lstm_params(up2, '_l0').items():
        params[f'encoder.upper.layers.1.inner.{k}'] = v
    h = up1(h)[0]  # layer 2 (index 1): no residual
    h = h + up2(h)[0]  # layer 3 (index 2): residual
    keys = h  # [B, S, D]

    # --- decoder
    emb_tgt = rnd(VT, E)
    params['target_embedding.embeddings'] = emb_tgt
    cells = [randomise(torch.nn.LSTMCell(E + H if l == 0 else H, H).to(DT)) for l in range(3)]
    for l, c in enumerate(cells):
        prefix = f'decoder.cell.layers.{l}.' + ('inner.' if l >= 2 else '')
        for k, v in lstm_params(c).items():
            params[prefix + k] = v
    W, U, v, bA = rnd(H, H), rnd(H, D), rnd(H), rnd(H, scale=0.3)  # additive: A = H units
    params['decoder.attention.query_kernel'] = W.T
    params['decoder.attention.memory_kernel'] = U.T
    params['decoder.attention.attention_v'] = v
    params['decoder.attention.attention_b'] = bA
    Wc = rnd(H, D + H)
    params['decoder.output_kernel'] = Wc.T
    Wo, bo = rnd(VT, H), rnd(VT, scale=0.3)
    params['projection.kernel'] = Wo.T
    params['projection.bias'] = bo

    T = max(len(t) for t in TARGETS) + 1
    inputs = torch.zeros(T, B, dtype=torch.long)
    outputs = torch.full((T, B), -100, dtype=torch.long)  # ignore_index past each EOS
    for b, y in enumerate(TARGETS):
        seq_in, seq_out = [BOS] + y, y + [EOS]
        inputs[: len(seq_in), b] = torch.tensor(seq_in)
        outputs[: len(seq_out), b] = torch.tensor(seq_out)
    state = [(torch.zeros(B, H, dtype=DT), torch.zeros(B, H, dtype=DT)) for _ in cells]
    att = torch.zeros(B, H, dtype=DT)  # h̃_0
    proj_keys = torch.einsum('bsd,ad->bsa', keys, U) + bA  # U h_j + b  [B, S, A]
    all_logits, all_align = [], []
    for t in range(T):
        y = torch.cat([emb_tgt[inputs[t]], att], 1)  # x'_t [B, E + H]
        for l, c in enumerate(cells):
            hc = c(y, state[l])
            state[l] = hc
            y = y + hc[0] if l >= 2 else hc[0]
        e = torch.tanh(proj_keys + (y @ W.T)[:, None, :]) @ v  # [B, S]
        alpha = F.softmax(e.masked_fill(mask == 0, float('-inf')), -1)
        ctx = torch.einsum('bs,bsd->bd', alpha, keys)
        att = torch.tanh(torch.cat([ctx, y], 1) @ Wc.T)  # h̃_t
        all_logits.append(att @ Wo.T + bo)
        all_align.append(alpha)
    logits = torch.stack(all_logits)  # [T, B, V]
    alignment = torch.stack(all_align)  # [T, B, S]
    loss = F.cross_entropy(logits.reshape(-1, VT), outputs.reshape(-1), ignore_index=-100, label_smoothing=SMOOTHING)

    pad_ids = lambda seqs, n: torch.tensor([s + [-1] * (n - len(s)) for s in seqs], dtype=DT)
    tensors = {f'params.{k}': t for k, t in params.items()}
    tensors['sources'] = pad_ids(SOURCES, S)
    tensors['targets'] = pad_ids(TARGETS, T - 1)
    tensors['logits'] = logits
    tensors['alignment'] = alignment
    tensors['loss'] = loss
    os.makedirs(OUT, exist_ok=True)
    write_safetensors(os.path.join(OUT, 'forward.safetensors'), tensors)
    meta = {
        'generator': 'tools/goldens/seq2seq.py',
        'options': {'sourceVocab': VS, 'targetVocab': VT, 'bos': BOS, 'eos': EOS, 'embeddingSize': E, 'encoderSize': HE, 'decoderSize': H, 'encoderLayers': 3, 'decoderLayers': 3, 'residualFrom': 2, 'attention': 'additive'},
        'labelSmoothing': SMOOTHING,
        'params': list(params.keys()),
    }
    with open(os.path.join(OUT, 'forward.json'), 'w') as f:
        json.dump(meta, f, indent=2)
        f.write('\n')
    print(f'seq2seq forward: logits {tuple(logits.shape)}, alignment {tuple(alignment.shape)}, loss {loss.item():.6f}')


if __name__ == '__main__':
    main()
