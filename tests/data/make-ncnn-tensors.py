#!/usr/bin/env python3
# make-ncnn-tensors.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The refs ran two ncnn models converted to PyTorch by their own script
# (refs/models/NAME-from-ncnn.pth, sha256 in refs/MANIFEST.json under
# ncnn_conversions). Those 35 MB are not in the repository: the tests
# convert the fetched ncnn models with tessera-cli instead and check the
# result against refs/models/NAME-from-ncnn.tensors.json, which this
# writes from the .pth files: each tensor's name, safetensors dtype, shape
# and the SHA-256 of its bytes (little-endian, C order).
#
# The .pth is read here with the standard library alone (zipfile and a
# restricted unpickler), not with PyTorch and not with Tessera's reader,
# so that the list does not depend on the code it checks.
#
#   python3 make-ncnn-tensors.py PTH...
#
# with the two *-from-ncnn.pth files the refs were made with (the
# conversions of spandrel's authors; not kept in the repository).

import collections
import hashlib
import json
import os
import pickle
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REFS = os.path.join(HERE, 'refs')

# torch storage classes: safetensors dtype and element size.
STORAGES = {
    'HalfStorage': ('F16', 2),
    'FloatStorage': ('F32', 4),
}


class Tensor:
    def __init__(self, storage, offset, shape, stride):
        self.storage, self.offset, self.shape, self.stride = storage, offset, tuple(shape), tuple(stride)


def rebuild_tensor(storage, offset, shape, stride, *rest):
    return Tensor(storage, offset, shape, stride)


class Unpickler(pickle.Unpickler):
    def __init__(self, data, archive, prefix):
        super().__init__(data)
        self.archive, self.prefix = archive, prefix

    def find_class(self, module, name):
        if (module, name) == ('collections', 'OrderedDict'):
            return collections.OrderedDict
        if (module, name) == ('torch._utils', '_rebuild_tensor_v2'):
            return rebuild_tensor
        if module == 'torch' and name in STORAGES:
            return name
        raise pickle.UnpicklingError(f'{module}.{name} is not expected in a state dict')

    def persistent_load(self, pid):
        kind, storage_type, key, location, numel = pid
        assert kind == 'storage'
        dtype, size = STORAGES[storage_type]
        data = self.archive.read(f'{self.prefix}/data/{key}')
        assert len(data) == numel * size
        return dtype, size, data


def read_state_dict(path):
    with zipfile.ZipFile(path) as archive:
        pickled = [n for n in archive.namelist() if n.endswith('/data.pkl')]
        assert len(pickled) == 1, path
        prefix = pickled[0][:-len('/data.pkl')]
        with archive.open(pickled[0]) as data:
            return Unpickler(data, archive, prefix).load()


def contiguous_strides(shape):
    strides, step = [], 1
    for n in reversed(shape):
        strides.insert(0, step)
        step *= n
    return tuple(strides)


def tensor_entry(name, tensor):
    dtype, size, data = tensor.storage
    n = 1
    for d in tensor.shape:
        n *= d
    assert tensor.stride == contiguous_strides(tensor.shape), f'{name} is not contiguous'
    raw = data[tensor.offset * size:(tensor.offset + n) * size]
    assert len(raw) == n * size
    return {'name': name, 'dtype': dtype, 'shape': list(tensor.shape), 'sha256': hashlib.sha256(raw).hexdigest()}


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: make-ncnn-tensors.py PTH...')
    with open(os.path.join(REFS, 'MANIFEST.json')) as f:
        conversions = {os.path.basename(c['output']): c for c in json.load(f)['ncnn_conversions']}

    for path in sys.argv[1:]:
        base = os.path.basename(path)
        conversion = conversions[base]
        with open(path, 'rb') as f:
            sha256 = hashlib.sha256(f.read()).hexdigest()
        assert sha256 == conversion['output_sha256'], f'{path} is not the file MANIFEST.json names'

        tensors = [tensor_entry(name, t) for name, t in read_state_dict(path).items()]
        assert len(tensors) == conversion['n_tensors']

        out = os.path.join(REFS, 'models', base[:-len('.pth')] + '.tensors.json')
        with open(out, 'w') as f:
            f.write('{\n')
            f.write(f'  "source": {json.dumps(conversion["output"])},\n')
            f.write(f'  "source_sha256": "{sha256}",\n')
            f.write('  "tensors": [\n')
            f.write(',\n'.join('    ' + json.dumps(t) for t in tensors))
            f.write('\n  ]\n}\n')
        print(f'{out}: {len(tensors)} tensors')


if __name__ == '__main__':
    main()
