"""A tiny, randomly initialised CogVideoX image-to-video pipeline built from small configs (nothing is
downloaded), in the shape of diffusers' own tests (tests/pipelines/cogvideo/test_cogvideox_image2video.py,
get_dummy_components), saved with save_pretrained so the worker's loader reads it like real weights.

Like CogVideoX-5B-I2V it has learned positional embeddings (one fixed size) and rotary embeddings,
and a CogVideoXDDIMScheduler with v-prediction and trailing timesteps."""

from __future__ import annotations

from pathlib import Path

# The size the tiny model generates (its learned positional embeddings fix it, as 720x480 for 5B-I2V).
TINY_WIDTH = 96
TINY_HEIGHT = 64
TINY_TEXT_LEN = 16

_WORDS = (
    "a photo of the an dog cat person man woman sitting standing running jumping smiling turns head "
    "camera slowly moves and is in on at with left right up down his her its open closed eyes mouth"
).split()


def build_tokenizer():
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2}
    for word in _WORDS:
        vocab.setdefault(word, len(vocab))
    tok = Tokenizer(WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    # T5 appends </s> to every sequence.
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>", model_max_length=TINY_TEXT_LEN
    ), len(vocab)


def build_tiny_pipeline(seed: int = 0):
    import torch
    from diffusers import (
        AutoencoderKLCogVideoX,
        CogVideoXDDIMScheduler,
        CogVideoXImageToVideoPipeline,
        CogVideoXTransformer3DModel,
    )
    from transformers import T5Config, T5EncoderModel

    tokenizer, vocab_size = build_tokenizer()
    torch.manual_seed(seed)
    text_encoder = T5EncoderModel(
        T5Config(
            vocab_size=vocab_size,
            d_model=32,
            d_kv=8,
            d_ff=37,
            num_layers=2,
            num_heads=4,
            relative_attention_num_buckets=8,
            dropout_rate=0.0,
            pad_token_id=0,
            eos_token_id=1,
        )
    ).eval()
    torch.manual_seed(seed)
    transformer = CogVideoXTransformer3DModel(
        num_attention_heads=2,
        attention_head_dim=16,  # heads x dim = 32 inner dim
        in_channels=8,  # 4 noise latent channels + 4 image latent channels
        out_channels=4,
        time_embed_dim=2,
        text_embed_dim=32,  # the T5's d_model
        num_layers=1,
        sample_width=TINY_WIDTH // 8,
        sample_height=TINY_HEIGHT // 8,
        sample_frames=49,
        patch_size=2,
        temporal_compression_ratio=4,
        max_text_seq_length=TINY_TEXT_LEN,
        use_rotary_positional_embeddings=True,
        use_learned_positional_embeddings=True,
    )
    torch.manual_seed(seed)
    vae = AutoencoderKLCogVideoX(
        in_channels=3,
        out_channels=3,
        down_block_types=("CogVideoXDownBlock3D",) * 4,
        up_block_types=("CogVideoXUpBlock3D",) * 4,
        block_out_channels=(8, 8, 8, 8),
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=2,
        temporal_compression_ratio=4,
    )
    scheduler = CogVideoXDDIMScheduler(
        prediction_type="v_prediction", timestep_spacing="trailing", rescale_betas_zero_snr=True
    )
    return CogVideoXImageToVideoPipeline(
        tokenizer=tokenizer, text_encoder=text_encoder, vae=vae, transformer=transformer, scheduler=scheduler
    )


def save_tiny_pipeline(directory: Path) -> Path:
    build_tiny_pipeline().save_pretrained(str(directory))
    return directory
