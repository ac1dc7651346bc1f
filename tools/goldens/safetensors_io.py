"""safetensors written by hand (there is no safetensors package for Debian's python here):
an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}} padded with
spaces so the data starts 8-byte aligned, then the raw little-endian float32 bytes. Shared by the
golden generators in this folder; read back by @rxrnn/core's readSafetensors."""
import json
import struct

import torch


def write_safetensors(path, tensors):
    """Write {name: tensor} (any float dtype, any device) as F32 tensors, in the dict's order."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        a = t.detach().to(torch.float32).contiguous().cpu()
        raw = a.numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(a.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(',', ':')).encode('utf-8')
    head += b' ' * ((8 - len(head) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(head)))
        f.write(head)
        for raw in blobs:
            f.write(raw)
