"""What google-genai would put on the wire, produced with the SDK's own converters (no socket).

``setup_frame`` follows ``AsyncLive.connect`` step by step (model transform, config transform,
``_LiveConnectParameters_to_mldev``/``_to_vertex``, byte encoding), so a test can assert exact wire
paths for every setting. ``server_message`` parses a JSON frame the way ``AsyncSession._receive``
does, giving the real ``LiveServerMessage`` object the app would see.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from google import genai
from google.genai import _common, _live_converters, live, types
from google.genai import _transformers as t


def setup_frame(
    model: str, config: types.LiveConnectConfig, *, vertex: bool = False
) -> dict[str, Any]:
    client = genai.Client(vertexai=True, api_key="k") if vertex else genai.Client(api_key="k")
    api = client._api_client
    name = t.t_model(api, model)
    params = asyncio.run(live._t_live_connect_config(api, config.model_copy(deep=True)))
    convert = (
        _live_converters._LiveConnectParameters_to_vertex
        if vertex
        else _live_converters._LiveConnectParameters_to_mldev
    )
    request = _common.convert_to_dict(
        convert(
            api_client=api,
            from_object=types.LiveConnectParameters(model=name, config=params).model_dump(
                exclude_none=True
            ),
        )
    )
    del request["config"]
    request = _common.encode_unserializable_types(request)
    request["setup"]["model"] = name
    wire: dict[str, Any] = json.loads(json.dumps(request))
    return wire["setup"]


def server_message(frame: dict[str, Any]) -> types.LiveServerMessage:
    converted = _live_converters._LiveServerMessage_from_mldev(frame)
    return types.LiveServerMessage._from_response(
        response=converted, kwargs=types.LiveServerMessage().model_dump()
    )
