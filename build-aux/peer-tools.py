#!/usr/bin/python3
"""Small helpers for the peer scripts (peers.sh, make-peer-outputs.sh,
compare-peers.sh). Needs Pillow and numpy (Debian: python3-pil,
python3-numpy), hence /usr/bin/python3.

  peer-tools.py vkinfo
      The first Vulkan device and its driver, asked through libvulkan with
      ctypes (no vulkaninfo needed): tab-separated device name, driver info
      ("Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6)") and Vulkan version.
  peer-tools.py psnr A.png B.png
      PSNR in dB over all pixels and the R, G, B channels, 8-bit peak 255;
      "inf" when identical.
  peer-tools.py sanity INPUT.png OUTPUT.png SCALE
      Checks a peer output: size, no dark-to-255 corruption (Mesa 22's
      lavapipe turns dark values into 255), PSNR against a bicubic upscale.
      Prints the numbers as JSON; exits 1 when the output looks wrong.
  peer-tools.py pixels-sha256 IMAGE.png
      sha256 of the raw RGB bytes, row-major: the same for any PNG encoding.
  peer-tools.py reencode SRC.png DST.png
      Writes the same pixels with Pillow's best PNG compression (the peers'
      stb_image_write files are about 1.6 times larger).
  peer-tools.py model-file PEER FOLDER OPTIONS...
      The .param file a peer loads for these -n/-s options, as its main.cpp
      builds the name.
  peer-tools.py entry KEY=VALUE...
      One MANIFEST.json entry (a JSON line) for a stored output; runs the
      sanity check and fails when it fails (used by make-peer-outputs.sh).
  peer-tools.py manifest KEY=VALUE... < ENTRIES.jsonl
      The whole MANIFEST.json.
  peer-tools.py runs MANIFEST.json [WORD...]
      The manifest's runs as tab-separated lines (peer, label, image,
      model folder, model file, scale, options), only those whose peer,
      label or image contains one of the WORDs, if any.
"""

import ctypes
import hashlib
import json
import math
import os
import sys

import numpy as np
from PIL import Image


def load_rgb(path):
    with Image.open(path) as im:
        if im.mode not in ("RGB", "L", "P"):
            raise SystemExit(f"{path}: mode {im.mode}, expected 8-bit RGB")
        return np.asarray(im.convert("RGB"), dtype=np.uint8)


def psnr(a, b):
    if a.shape != b.shape:
        raise SystemExit(f"sizes differ: {a.shape[1]}x{a.shape[0]} vs {b.shape[1]}x{b.shape[0]}")
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return math.inf if mse == 0 else 10 * math.log10(255.0 ** 2 / mse)


def fmt_db(v):
    return "inf" if math.isinf(v) else f"{v:.2f}"


def cmd_psnr(a_path, b_path):
    print(fmt_db(psnr(load_rgb(a_path), load_rgb(b_path))))


def sanity(in_path, out_path, scale):
    src = load_rgb(in_path)
    out = load_rgb(out_path)
    h, w = src.shape[:2]
    problems = []
    if out.shape[:2] != (h * scale, w * scale):
        problems.append(f"size {out.shape[1]}x{out.shape[0]}, expected {w * scale}x{h * scale}")
        return {"problems": problems}
    if scale == 1:
        ref = src
    else:
        ref = np.asarray(Image.fromarray(src).resize((w * scale, h * scale), Image.BICUBIC))
    # The corruption signature: pixels that are dark in the reference but
    # (near) white in the peer's output.
    dark = ref.max(axis=2) <= 24
    flipped = dark & (out.min(axis=2) >= 230)
    result = {
        "psnr_vs_bicubic": round(psnr(ref, out), 2),
        "mean_in": round(float(src.mean()), 2),
        "mean_out": round(float(out.mean()), 2),
        "dark_pixels": int(dark.sum()),
        "dark_turned_white": int(flipped.sum()),
        "zeros_out": int((out == 0).sum()),
        "saturated_out": int((out == 255).sum()),
    }
    if result["dark_turned_white"] > 0:
        problems.append("dark pixels came out white (broken Vulkan driver?)")
    if abs(result["mean_out"] - result["mean_in"]) > 8:
        problems.append("mean brightness changed by more than 8 levels")
    # GAN models sharpen line art far beyond bicubic: about 21 dB is normal.
    if result["psnr_vs_bicubic"] < 18:
        problems.append("PSNR against bicubic below 18 dB")
    result["problems"] = problems
    return result


def cmd_sanity(in_path, out_path, scale):
    result = sanity(in_path, out_path, int(scale))
    print(json.dumps(result))
    return 1 if result["problems"] else 0


def cmd_pixels_sha256(path):
    print(hashlib.sha256(load_rgb(path).tobytes()).hexdigest())


def cmd_reencode(src, dst):
    Image.fromarray(load_rgb(src)).save(dst, optimize=True)


# --- Peers' options and the manifest ---------------------------------------

# Defaults of -n and -s in each peer's main.cpp.
DEFAULTS = {
    "realesrgan-ncnn-vulkan": {"-n": "realesr-animevideov3", "-s": "4"},
    "realcugan-ncnn-vulkan": {"-n": "-1", "-s": "2"},
    "waifu2x-ncnn-vulkan": {"-n": "0", "-s": "2"},
}


def option_values(peer, options):
    values = dict(DEFAULTS[peer])
    for i, opt in enumerate(options[:-1]):
        if opt in values:
            values[opt] = options[i + 1]
    return values["-n"], int(values["-s"])


def model_file(peer, folder, options):
    n, s = option_values(peer, options)
    if peer == "realesrgan-ncnn-vulkan":
        name = f"{n}-x{s}" if n == "realesr-animevideov3" else n
    elif peer == "realcugan-ncnn-vulkan":
        name = {"-1": f"up{s}x-conservative", "0": f"up{s}x-no-denoise"}.get(n, f"up{s}x-denoise{n}x")
    else:
        name = "scale2.0x_model" if n == "-1" else f"noise{n}_model" if s == 1 else f"noise{n}_scale2.0x_model"
    return f"{folder}/{name}.param"


def cmd_model_file(peer, folder, *options):
    print(model_file(peer, folder, list(options)))


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def cmd_entry(*pairs):
    a = dict(p.split("=", 1) for p in pairs)
    options = a["options"].split()
    scale = option_values(a["peer"], options)[1]
    stored = os.path.join(a["made"], a["output"])
    check = sanity(os.path.join(a["data"], a["image"]), a["peer_file"], scale)
    if check["problems"]:
        raise SystemExit(f"{a['output']}: " + "; ".join(check["problems"]) + f" {json.dumps(check)}")
    if not np.array_equal(load_rgb(stored), load_rgb(a["peer_file"])):
        raise SystemExit(f"{a['output']}: the re-encoded file has other pixels")
    out = load_rgb(stored)
    binary = os.path.realpath(a["peer_binary"])
    entry = {
        "output": a["output"],
        "peer": a["peer"],
        "peer_binary": "/".join(binary.split("/")[-3:]),
        "peer_sha256": sha256_file(binary),
        "model": a["model"],
        "model_label": a["label"],
        "image": a["image"],
        "scale": scale,
        "options": ["-m", "$MODELS/" + a["model_dir"]] + options,
        "output_size": [out.shape[1], out.shape[0]],
        "output_sha256": sha256_file(stored),
        "pixels_sha256": hashlib.sha256(out.tobytes()).hexdigest(),
        "peer_png_sha256": sha256_file(a["peer_file"]),
        "seconds": float(a["seconds"]),
        "psnr_vs_bicubic": check["psnr_vs_bicubic"],
    }
    print(json.dumps(entry))


def cmd_manifest(*pairs):
    a = dict(p.split("=", 1) for p in pairs)
    entries = [json.loads(line) for line in sys.stdin if line.strip()]
    manifest = {
        "made_by": "build-aux/make-peer-outputs.sh",
        "device": a["device"],
        "driver": a["driver"],
        "vulkan": a["vulkan"],
        "driver_packages": a["packages"].split(),
        "notes": [
            "Each output is the peer's PNG re-encoded losslessly with Pillow: pixels_sha256 "
            "(raw RGB bytes, row-major) is the peer's; peer_png_sha256 is the peer's own file.",
            "Command: build-aux/peers.sh run PEER -i tests/data/peers/IMAGE -o OUT.png OPTIONS, "
            "with $MODELS the folder build-aux/fetch-models.sh prints.",
            "-t 256 is larger than every input: one tile covers the whole image, so the network "
            "sees the whole image plus the peer's own border padding. No TTA (no -x).",
            "realcugan: -c 0 turns the SE-block sync-gap off; with one tile the SE means are "
            "the whole (padded) image's, as in the PyTorch model.",
            "Two runs of each gave identical pixels. seconds: wall time of the faster run, "
            "process start-up and Vulkan pipeline creation included (two cores, lavapipe).",
            "psnr_vs_bicubic: PSNR against Pillow's bicubic upscale of the input, a sanity check.",
        ],
        "entries": entries,
    }
    json.dump(manifest, sys.stdout, indent=1)
    sys.stdout.write("\n")


def cmd_runs(manifest_path, *words):
    with open(manifest_path) as f:
        manifest = json.load(f)
    for e in manifest["entries"]:
        if words and not any(w in f"{e['peer']} {e['model_label']} {e['image']}" for w in words):
            continue
        opts = e["options"]
        folder = opts[1].removeprefix("$MODELS/")
        print("\t".join([e["peer"], e["model_label"], e["image"], folder, e["model"],
                         str(e["scale"]), " ".join(opts[2:])]))


# --- Vulkan through ctypes -------------------------------------------------

VK_STRUCTURE_TYPE_APPLICATION_INFO = 0
VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO = 1
VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2 = 1000059001
VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES = 1000196000


class VkApplicationInfo(ctypes.Structure):
    _fields_ = [("sType", ctypes.c_int), ("pNext", ctypes.c_void_p),
                ("pApplicationName", ctypes.c_char_p), ("applicationVersion", ctypes.c_uint32),
                ("pEngineName", ctypes.c_char_p), ("engineVersion", ctypes.c_uint32),
                ("apiVersion", ctypes.c_uint32)]


class VkInstanceCreateInfo(ctypes.Structure):
    _fields_ = [("sType", ctypes.c_int), ("pNext", ctypes.c_void_p), ("flags", ctypes.c_uint32),
                ("pApplicationInfo", ctypes.POINTER(VkApplicationInfo)),
                ("enabledLayerCount", ctypes.c_uint32), ("ppEnabledLayerNames", ctypes.c_void_p),
                ("enabledExtensionCount", ctypes.c_uint32), ("ppEnabledExtensionNames", ctypes.c_void_p)]


class VkPhysicalDeviceDriverProperties(ctypes.Structure):
    _fields_ = [("sType", ctypes.c_int), ("pNext", ctypes.c_void_p), ("driverID", ctypes.c_int),
                ("driverName", ctypes.c_char * 256), ("driverInfo", ctypes.c_char * 256),
                ("conformanceVersion", ctypes.c_uint8 * 4)]


class VkPhysicalDeviceProperties2(ctypes.Structure):
    # VkPhysicalDeviceProperties is 824 bytes on x86-64; only its head is read.
    _fields_ = [("sType", ctypes.c_int), ("pNext", ctypes.c_void_p),
                ("apiVersion", ctypes.c_uint32), ("driverVersion", ctypes.c_uint32),
                ("vendorID", ctypes.c_uint32), ("deviceID", ctypes.c_uint32),
                ("deviceType", ctypes.c_int), ("deviceName", ctypes.c_char * 256),
                ("rest", ctypes.c_uint8 * 1024)]


def cmd_vkinfo():
    vk = ctypes.CDLL("libvulkan.so.1")
    app = VkApplicationInfo(VK_STRUCTURE_TYPE_APPLICATION_INFO, None, b"tessera-peers", 0,
                            None, 0, (1 << 22) | (2 << 12))  # Vulkan 1.2: driver properties
    info = VkInstanceCreateInfo(VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, None, 0,
                                ctypes.pointer(app), 0, None, 0, None)
    instance = ctypes.c_void_p()
    rc = vk.vkCreateInstance(ctypes.byref(info), None, ctypes.byref(instance))
    if rc != 0:
        raise SystemExit(f"vkCreateInstance failed ({rc}): no Vulkan driver found")
    count = ctypes.c_uint32(0)
    vk.vkEnumeratePhysicalDevices(instance, ctypes.byref(count), None)
    if count.value == 0:
        raise SystemExit("no Vulkan device")
    devices = (ctypes.c_void_p * count.value)()
    vk.vkEnumeratePhysicalDevices(instance, ctypes.byref(count), devices)
    driver = VkPhysicalDeviceDriverProperties(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES)
    props = VkPhysicalDeviceProperties2(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                                        ctypes.cast(ctypes.pointer(driver), ctypes.c_void_p))
    vk.vkGetPhysicalDeviceProperties2(ctypes.c_void_p(devices[0]), ctypes.byref(props))
    api = props.apiVersion
    print("\t".join([props.deviceName.decode(), driver.driverInfo.decode(),
                     f"{api >> 22 & 0x7f}.{api >> 12 & 0x3ff}.{api & 0xfff}"]))
    vk.vkDestroyInstance(instance, None)


COMMANDS = {"vkinfo": cmd_vkinfo, "psnr": cmd_psnr, "sanity": cmd_sanity,
            "pixels-sha256": cmd_pixels_sha256, "reencode": cmd_reencode,
            "model-file": cmd_model_file, "entry": cmd_entry, "manifest": cmd_manifest,
            "runs": cmd_runs}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        raise SystemExit(__doc__)
    sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]) or 0)
