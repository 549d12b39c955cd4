#!/usr/bin/python3
# Makes the small model files test-models.c and the fuzz seeds use: one
# tiny Real-ESRGAN Compact (×2: body.0 conv 3→4, PReLU, conv 4→4, PReLU,
# conv 4→12) in every container Tessera reads, and hostile .pth files.
#
# PyTorch is not needed: stand-in `torch` modules let Python's own pickler
# write the same GLOBALs and persistent ids torch.save writes (protocol 2),
# in the zip container (archive/data.pkl, archive/data/N, STORED) and in the
# legacy one (magic, protocol 1001, sys_info, object, keys, storages).
# The real files from PyTorch are tested too, from ../refs and the
# npm packages. Run from this directory: ./make-test-models.py
import collections
import io
import json
import pickle
import struct
import sys
import types
import zipfile

torch = types.ModuleType('torch')
torch_utils = types.ModuleType('torch._utils')
sys.modules['torch'] = torch
sys.modules['torch._utils'] = torch_utils


def _rebuild_tensor_v2(*args):
    raise NotImplementedError


_rebuild_tensor_v2.__module__ = 'torch._utils'
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2


def storage_class(name):
    cls = type(name, (), {})
    cls.__module__ = 'torch'
    setattr(torch, name, cls)
    return cls


FloatStorage = storage_class('FloatStorage')
HalfStorage = storage_class('HalfStorage')


class Storage:
    def __init__(self, key, cls, fmt, values):
        self.key, self.cls, self.fmt, self.values = key, cls, fmt, values

    def raw(self):
        return struct.pack('<%d%s' % (len(self.values), self.fmt), *self.values)


class Tensor:
    def __init__(self, storage, shape):
        self.storage, self.shape = storage, shape

    def __reduce_ex__(self, protocol):
        stride, step = [], 1
        for size in reversed(self.shape):
            stride.insert(0, step)
            step *= size
        return (_rebuild_tensor_v2, (self.storage, 0, tuple(self.shape), tuple(stride), False,
                                     collections.OrderedDict()))


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ('storage', obj.cls, obj.key, 'cpu', len(obj.values))
        return None


def tiny_compact(half=False, seed=0, blend=None):
    """The tiny Compact's state dict, weights in fp16 when asked; another
    seed gives other weights of the same shapes; blend=(w, seed_a, seed_b)
    gives w · A + (1 − w) · B, as deep network interpolation does."""
    shapes = [('body.0.weight', (4, 3, 3, 3)), ('body.0.bias', (4,)), ('body.1.weight', (4,)),
              ('body.2.weight', (4, 4, 3, 3)), ('body.2.bias', (4,)), ('body.3.weight', (4,)),
              ('body.4.weight', (12, 4, 3, 3)), ('body.4.bias', (12,))]
    state, storages = collections.OrderedDict(), []
    for i, (name, shape) in enumerate(shapes):
        n = 1
        for s in shape:
            n *= s
        # Multiples of 1/64 in [-0.5, 0.5): exact in fp16 as in fp32.
        def value(j, seed):
            return ((i * 37 + j * 11 + seed * 13 * (j % 5 + 1)) % 64 - 32) / 64
        if blend:
            w, a, b = blend
            values = [w * value(j, a) + (1 - w) * value(j, b) for j in range(n)]
        else:
            values = [value(j, seed) for j in range(n)]
        fp16 = half and name.endswith('weight') and len(shape) == 4
        storage = Storage(str(i), HalfStorage if fp16 else FloatStorage, 'e' if fp16 else 'f', values)
        storages.append(storage)
        state[name] = Tensor(storage, shape)
    return state, storages


def pickle_bytes(obj):
    out = io.BytesIO()
    TorchPickler(out, protocol=2).dump(obj)
    return out.getvalue()


def write_zip(name, obj, storages, compress=False, skip=None):
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    members = [('archive/data.pkl', pickle_bytes(obj))]
    members += [('archive/data/' + s.key, s.raw()) for s in storages if s.key != skip]
    members += [('archive/version', b'3\n'), ('archive/byteorder', b'little')]
    with zipfile.ZipFile(name, 'w', method) as z:
        for member, data in members:
            # A fixed date: the files do not change each time they are made.
            z.writestr(zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0)), data, method)


def write_legacy(name, obj, storages):
    with open(name, 'wb') as f:
        for value in (0x1950a86a20f9469cfc6c, 1001,
                      {'protocol_version': 1001, 'little_endian': True,
                       'type_sizes': {'short': 2, 'int': 4, 'long': 4}}):
            pickle.dump(value, f, protocol=2)
        f.write(pickle_bytes(obj))
        pickle.dump([s.key for s in storages], f, protocol=2)
        for storage in storages:
            f.write(struct.pack('<q', len(storage.values)))
            f.write(storage.raw())


def write_safetensors(name, state, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for key, tensor in state.items():
        raw = tensor.storage.raw()
        dtype = 'F16' if tensor.storage.fmt == 'e' else 'F32'
        header[key] = {'dtype': dtype, 'shape': list(tensor.shape),
                       'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b' ' * (-len(text) % 8)
    with open(name, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))


state, storages = tiny_compact()
# A Compact and its denoising twin, named as Real-ESRGAN names them, and
# their half-and-half blend for checking --denoise 0.5.
write_safetensors('dni/tiny-general-x2.safetensors', tiny_compact(seed=0)[0])
write_safetensors('dni/tiny-general-wdn-x2.safetensors', tiny_compact(seed=1)[0])
write_safetensors('dni/tiny-blend-half.safetensors', tiny_compact(blend=(0.5, 0, 1))[0])
write_zip('tiny-compact.pth', state, storages)
# Compact's keys, but body.2 reads 5 channels where body.0 makes 4.
broken = tiny_compact()[0]
broken['body.2.weight'] = Tensor(Storage('b', FloatStorage, 'f', [0.0] * 180), (4, 5, 3, 3))
write_safetensors('broken-compact.safetensors', broken)
write_legacy('tiny-compact.legacy.pth', state, storages)
write_safetensors('tiny-compact.safetensors', state)
write_zip('tiny-compact-ema.pth', {'params': state, 'params_ema': state, 'iter': 5000}, storages)
write_zip('tiny-compact-module.pth',
          collections.OrderedDict(('module.' + k, v) for k, v in state.items()), storages)
half_state, half_storages = tiny_compact(half=True)
write_zip('tiny-compact-fp16.pth', half_state, half_storages)

# ncnn: the same network as ncnn writes it, fp16 weights behind their tag.
with open('tiny-compact.param', 'w') as f:
    f.write('7767517\n11 12\n'
            'Input            input        0 1 data\n'
            'Split            split        1 2 data data_0 data_1\n'
            'Convolution      conv_0       1 1 data_1 c0 0=4 1=3 4=1 5=1 6=108\n'
            'PReLU            prelu_1      1 1 c0 p1 0=4\n'
            'Convolution      conv_2       1 1 p1 c2 0=4 1=3 4=1 5=1 6=144\n'
            'PReLU            prelu_3      1 1 c2 p3 0=4\n'
            'Convolution      conv_4       1 1 p3 c4 0=12 1=3 4=1 5=1 6=432\n'
            'PixelShuffle     shuffle      1 1 c4 s 0=2\n'
            'Interp           up           1 1 data_0 u 0=1 1=2.000000e+00 2=2.000000e+00\n'
            'BinaryOp         add          2 1 s u sum 0=0\n'
            'Noop             output       1 1 sum output\n')
with open('tiny-compact.bin', 'wb') as f:
    for key in ('body.0', 'body.1', 'body.2', 'body.3', 'body.4'):
        weight = half_state[key + '.weight'].storage
        if weight.fmt == 'e':
            raw = weight.raw()
            f.write(struct.pack('<I', 0x01306B47) + raw + b'\0' * (-len(raw) % 4))
        else:
            f.write(weight.raw())
        if key + '.bias' in half_state:
            f.write(half_state[key + '.bias'].storage.raw())

# waifu2x JSON: vgg_7 with two planes inside.
planes = [3, 2, 2, 2, 2, 2, 2, 3]
layers = []
for i in range(7):
    n_in, n_out = planes[i], planes[i + 1]
    layers.append({'class_name': 'nn.SpatialConvolutionMM', 'nInputPlane': n_in, 'nOutputPlane': n_out,
                   'kW': 3, 'kH': 3, 'dW': 1, 'dH': 1, 'padW': 0, 'padH': 0,
                   'weight': [[[[((o * 7 + c * 3 + y * 5 + x + i) % 16 - 8) / 16 for x in range(3)]
                                for y in range(3)] for c in range(n_in)] for o in range(n_out)],
                   'bias': [(o - 1) / 8 for o in range(n_out)]})
layers[0]['model_config'] = {'arch_name': 'vgg_7', 'scale_factor': 1, 'channels': 3, 'offset': 7}
with open('tiny-vgg7.json', 'w') as f:
    json.dump(layers, f)


# Hostile files: each must be refused, naming what it asked for.
class Call:
    """Pickles as a call of module.name(*args), as an exploit would."""
    def __init__(self, module, name, args):
        self.module, self.name, self.args = module, name, args

    def __reduce__(self):
        module = types.ModuleType(self.module)
        function = lambda *a: None  # noqa: E731
        function.__module__, function.__qualname__ = self.module, self.name
        setattr(module, self.name, function)
        sys.modules[self.module] = module
        return (function, self.args)


evil_state = collections.OrderedDict(state)
evil_state['body.5.weight'] = Call('os', 'system', ('echo tessera was here > /tmp/tessera-pwned',))
write_zip('evil-os-system.pth', evil_state, storages)
write_legacy('evil-os-system.legacy.pth', evil_state, storages)


# INST opcode: `i module\nname\n` builds an instance; put one first.
with zipfile.ZipFile('evil-inst.pth', 'w') as z:
    z.writestr(zipfile.ZipInfo('archive/data.pkl', date_time=(2026, 1, 1, 0, 0, 0)),
               b'\x80\x02(ibuiltins\nexec\n.')
write_zip('compressed.pth', state, storages, compress=True)
write_zip('missing-storage.pth', state, storages, skip='3')


class Strided(Tensor):
    """A tensor as a view: shape and stride that torch.save would never write
    for a state dict, or that reach past the storage."""
    def __init__(self, storage, shape, stride, offset=0):
        super().__init__(storage, shape)
        self.stride, self.offset = stride, offset

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2, (self.storage, self.offset, tuple(self.shape), tuple(self.stride), False,
                                     collections.OrderedDict()))


def with_tensor(name, tensor):
    copy = collections.OrderedDict(state)
    copy[name] = tensor
    return copy


write_zip('tensor-past-storage.pth', with_tensor('body.0.bias', Strided(storages[1], (4,), (1,), offset=2)),
          storages)
write_zip('non-contiguous.pth', with_tensor('body.0.weight', Strided(storages[0], (4, 27), (1, 4))), storages)
short = Storage('1', FloatStorage, 'f', [0.5] * 3)
short_state = with_tensor('body.0.bias', Tensor(Storage('1', FloatStorage, 'f', [0.5] * 4), (4,)))
write_zip('short-storage.pth', short_state, [s if s.key != '1' else short for s in storages])

# The ncnn fuzz target reads one input: .param, NUL, .bin.
with open('../../fuzz/corpus/fuzz-ncnn/tiny-compact', 'wb') as f:
    f.write(open('tiny-compact.param', 'rb').read() + b'\0' + open('tiny-compact.bin', 'rb').read())
