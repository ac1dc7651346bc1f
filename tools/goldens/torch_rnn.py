#!/usr/bin/env python3
"""Reference fixtures for fromTorch / bidirectional (packages/cells/src/io, packages/cells/src/bidirectional).

Run with Debian's PyTorch:  /usr/bin/python3 tools/goldens/torch_rnn.py   (or tools/goldens/run.sh)

For each case it builds an nn.RNN / nn.LSTM / nn.GRU with a fixed seed and writes, in
packages/cells/fixtures/torch/:

  <case>.weights.safetensors   the module's state_dict, exactly as a user would export it
                               (names weight_ih_l0, bias_hh_l1_reverse, weight_hr_l0, ...)
  <case>.safetensors           input [T, B, X], output [T, B, D*H_out], h_n [L*D, B, H_out], c_n [L*D, B, H] (LSTM)
  <case>.json                  the constructor arguments and the sizes

It also writes packages/cells/fixtures/keras/gru_reset_after.* : Keras' GRU with reset_after=True
(tfjs-layers refuses reset_after=true, and there is no Python TensorFlow here). Keras' reset-after
GRU computes exactly PyTorch's GRU equations, so the reference values come from nn.GRU and the
weights are rearranged into Keras' layout: kernel [X, 3H] and recurrent_kernel [H, 3H] with gate
blocks z, r, h, and bias [2, 3H] = (input bias, recurrent bias).

safetensors is written by hand (no safetensors package here): 8-byte little-endian header length,
JSON header {name: {dtype, shape, data_offsets}}, then the raw little-endian float32 bytes.
"""
import json
import os
import struct

import torch

from safetensors_io import write_safetensors

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'cells', 'fixtures')
T, B, X = 6, 2, 3



def torch_case(name, mode, seed, hidden, num_layers=1, bidirectional=False, proj_size=0, bias=True, nonlinearity='tanh'):
    torch.manual_seed(seed)
    if mode.startswith('RNN'):
        module = torch.nn.RNN(X, hidden, num_layers=num_layers, nonlinearity=nonlinearity, bias=bias, bidirectional=bidirectional)
    elif mode == 'LSTM':
        module = torch.nn.LSTM(X, hidden, num_layers=num_layers, bias=bias, bidirectional=bidirectional, proj_size=proj_size)
    else:
        module = torch.nn.GRU(X, hidden, num_layers=num_layers, bias=bias, bidirectional=bidirectional)
    module.eval()
    x = torch.randn(T, B, X) * 1.5
    with torch.no_grad():
        out, state = module(x)
    io = {'input': x, 'output': out}
    if mode == 'LSTM':
        io['h_n'], io['c_n'] = state
    else:
        io['h_n'] = state
    d = os.path.join(ROOT, 'torch')
    write_safetensors(os.path.join(d, f'{name}.weights.safetensors'), module.state_dict())
    write_safetensors(os.path.join(d, f'{name}.safetensors'), io)
    config = {
        'generator': 'tools/goldens/torch_rnn.py',
        'torch': torch.__version__,
        'seed': seed,
        'mode': mode,
        'input_size': X,
        'hidden_size': hidden,
        'num_layers': num_layers,
        'bidirectional': bidirectional,
        'proj_size': proj_size,
        'bias': bias,
        'T': T,
        'B': B,
        'weights': f'{name}.weights.safetensors',
        'state_dict': {k: list(v.shape) for k, v in module.state_dict().items()},
    }
    with open(os.path.join(d, f'{name}.json'), 'w') as f:
        json.dump(config, f, indent=2)
        f.write('\n')
    print(f'torch/{name}: output {list(out.shape)}')


def keras_gru_reset_after(seed, hidden):
    torch.manual_seed(seed)
    module = torch.nn.GRU(X, hidden).eval()
    x = torch.randn(B, T, X) * 1.5  # Keras is batch-major
    with torch.no_grad():
        out, h_n = module(x.transpose(0, 1))
    H = hidden

    def zrh(w):  # PyTorch blocks r, z, n (rows) -> Keras blocks z, r, h
        return torch.cat([w[H:2 * H], w[0:H], w[2 * H:3 * H]], 0)

    sd = module.state_dict()
    weights = {
        'gru/kernel': zrh(sd['weight_ih_l0']).t(),  # [X, 3H]
        'gru/recurrent_kernel': zrh(sd['weight_hh_l0']).t(),  # [H, 3H]
        'gru/bias': torch.stack([zrh(sd['bias_ih_l0']), zrh(sd['bias_hh_l0'])]),  # [2, 3H]
    }
    d = os.path.join(ROOT, 'keras')
    write_safetensors(os.path.join(d, 'gru_reset_after.weights.safetensors'), weights)
    write_safetensors(os.path.join(d, 'gru_reset_after.safetensors'), {'input': x, 'output': out.transpose(0, 1), 'h': h_n[0]})
    config = {
        'generator': 'tools/goldens/torch_rnn.py',
        'reference': 'torch.nn.GRU (Keras reset_after=True computes the same equations; tfjs-layers refuses reset_after=true)',
        'torch': torch.__version__,
        'seed': seed,
        'type': 'GRU',
        'units': H,
        'input_size': X,
        'T': T,
        'B': B,
        'layer_config': {'units': H, 'activation': 'tanh', 'recurrent_activation': 'sigmoid', 'use_bias': True, 'reset_after': True},
        'weights': 'gru_reset_after.weights.safetensors',
    }
    with open(os.path.join(d, 'gru_reset_after.json'), 'w') as f:
        json.dump(config, f, indent=2)
        f.write('\n')
    print(f'keras/gru_reset_after: output {list(out.shape)}')


if __name__ == '__main__':
    os.makedirs(os.path.join(ROOT, 'torch'), exist_ok=True)
    os.makedirs(os.path.join(ROOT, 'keras'), exist_ok=True)
    torch_case('rnn_tanh', 'RNN_TANH', 1, 4, nonlinearity='tanh')
    torch_case('rnn_relu', 'RNN_RELU', 2, 4, nonlinearity='relu')
    torch_case('lstm', 'LSTM', 3, 5)
    torch_case('lstm_proj', 'LSTM', 4, 5, proj_size=3)
    torch_case('gru', 'GRU', 5, 4)
    torch_case('lstm_2layer', 'LSTM', 6, 4, num_layers=2)
    torch_case('gru_2layer', 'GRU', 7, 4, num_layers=2)
    torch_case('lstm_bidir', 'LSTM', 8, 4, bidirectional=True)
    torch_case('lstm_bidir_2layer', 'LSTM', 9, 4, num_layers=2, bidirectional=True)
    torch_case('lstm_nobias', 'LSTM', 10, 4, bias=False)
    torch_case('gru_bidir', 'GRU', 11, 3, bidirectional=True)
    torch_case('lstm_proj_bidir_2layer', 'LSTM', 12, 5, num_layers=2, bidirectional=True, proj_size=2)
    keras_gru_reset_after(13, 4)
