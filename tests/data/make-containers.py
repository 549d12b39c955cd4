#!/usr/bin/python3
# Writes a synthetic model of refs/ (a zip .pth from torch.save)
# in the two other containers Tessera reads, for the architecture tests:
#   NAME.legacy.pth        torch.save (_use_new_zipfile_serialization=False)
#   NAME.safetensors       written here: 8-byte little-endian header length,
#                          a JSON header padded with spaces to 8 bytes, then
#                          each tensor's raw little-endian bytes in order
# Needs Debian's python3-torch (not numpy, not safetensors). The legacy
# format names storages by their address, so its bytes differ from run to
# run; the tensors do not. Run from anywhere:
#   tests/data/make-containers.py [path/to/NAME.pth]   (default: span_x4.pth)
import json
import os
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, 'refs', 'models', 'synthetic', 'span_x4.pth')

DTYPES = {
    torch.float32: ('F32', 'f'),
    torch.float16: ('F16', 'e'),
    torch.float64: ('F64', 'd'),
    torch.int64: ('I64', 'q'),
    torch.int32: ('I32', 'i'),
}


def tensor_bytes(tensor):
    name, fmt = DTYPES[tensor.dtype]
    values = tensor.contiguous().reshape(-1).tolist()
    return name, struct.pack('<%d%s' % (len(values), fmt), *values)


def write_safetensors(state_dict, path):
    header, blobs, offset = {}, [], 0
    for key, tensor in state_dict.items():
        dtype, data = tensor_bytes(tensor)
        header[key] = {'dtype': dtype, 'shape': list(tensor.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)

    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as out:
        out.write(struct.pack('<Q', len(text)))
        out.write(text)
        for data in blobs:
            out.write(data)


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    state_dict = torch.load(source, map_location='cpu')
    assert all(isinstance(t, torch.Tensor) for t in state_dict.values())

    name = os.path.basename(source)[:-len('.pth')]
    legacy = os.path.join(HERE, name + '.legacy.pth')
    torch.save(state_dict, legacy, _use_new_zipfile_serialization=False)
    safetensors = os.path.join(HERE, name + '.safetensors')
    write_safetensors(state_dict, safetensors)

    # Both read back to the same tensors.
    again = torch.load(legacy, map_location='cpu')
    assert list(again) == list(state_dict)
    assert all(torch.equal(again[k], state_dict[k]) for k in state_dict)
    with open(safetensors, 'rb') as f:
        length = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(length))
        data = f.read()
    for key, tensor in state_dict.items():
        begin, end = header[key]['data_offsets']
        assert data[begin:end] == tensor_bytes(tensor)[1]
    assert end == len(data)

    print('%s: %d tensors -> %s, %s' % (source, len(state_dict), legacy, safetensors))


if __name__ == '__main__':
    main()
