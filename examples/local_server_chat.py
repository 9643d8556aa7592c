"""Talk to `desktop-assistant serve --ready-file ready.json` with google-genai alone."""

import asyncio
import json
import ssl
import sys

from google import genai


async def main(ready: dict[str, str]) -> None:
    trust = {"ssl": ssl.create_default_context(cafile=ready["ca_file"]), "proxy": None}
    options = {"base_url": ready["base_url"], "async_client_args": trust}
    live = genai.Client(api_key=ready["api_key"], http_options=options).aio.live
    config = {"response_modalities": ["AUDIO"], "output_audio_transcription": {}}
    async with live.connect(model="gemini-2.5-flash-native-audio-latest", config=config) as s:
        await s.send_realtime_input(text="Hello from the example!")
        async for msg in s.receive():
            if msg.server_content and msg.server_content.output_transcription:
                sys.stdout.write(msg.server_content.output_transcription.text or "")


asyncio.run(main(json.loads(open(sys.argv[1] if sys.argv[1:] else "ready.json").read())))
