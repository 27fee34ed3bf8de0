"""How a snapshot's content is stored: compressed JSON, never pickle.

* the scenario: ``zlib(JSON {"scenario": scenario_to_dict(...), "provenance": [...]})``
  with a SHA-256 of the stored bytes, so salvage can tell an intact row from a damaged one;
* the key results: plain JSON (``workbench.risk.report.summary_dict`` plus method, trials and seed);
* the full results (only when asked): a JSON tree of the result objects in which each
  numpy array is replaced by a reference into an ``.npz`` archive stored beside it.
  They come back as plain data (dicts, lists, numpy arrays), not as result objects, so
  an old snapshot stays readable whatever the result classes become.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import math
import struct
import zlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.results import RunResult
    from workbench.scenario import Scenario

MAGIC_RESULTS = b"WBR1"


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode_scenario(scn: Scenario) -> bytes:
    """The stored form of a scenario and its provenance."""
    from workbench.serialize import provenance_to_list, scenario_to_dict

    return zlib.compress(_dumps({"scenario": scenario_to_dict(scn), "provenance": provenance_to_list(scn)}), 6)


def decode_scenario(blob: bytes) -> Scenario:
    """The Scenario (provenance included) back from :func:`encode_scenario` bytes."""
    from dataclasses import replace

    from workbench.serialize import provenance_from_list, scenario_from_dict

    data = json.loads(zlib.decompress(blob).decode())
    scn = scenario_from_dict(data["scenario"])
    return replace(scn, provenance=provenance_from_list(data.get("provenance") or []))


def plain(x: Any) -> Any:
    """JSON-safe plain data: non-finite floats -> None, numpy scalars -> Python numbers."""
    import numpy as np  # here, not at the top: the CLI's help does not load numpy

    if isinstance(x, (float, np.floating)):
        f = float(x)
        return f if math.isfinite(f) else None
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if x is None or isinstance(x, (bool, int, str)):
        return x
    return str(x)


def summary_of(result: RunResult, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The key results of a RunResult as plain JSON data."""
    from workbench.risk.report import summary_dict

    out = dict(summary_dict(result))
    for key in ("method", "trials", "seed", "scenario_hash"):
        value = getattr(result, key, None)
        if value is not None:
            out.setdefault(key, value)
    out.update(extra or {})
    summary: dict[str, Any] = plain(out)   # a dict stays a dict
    return summary


def encode_summary(summary: dict[str, Any] | None) -> str | None:
    return None if summary is None else _dumps(plain(summary)).decode()


def decode_summary(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    summary: dict[str, Any] = json.loads(text)   # stored by encode_summary: a JSON object
    return summary


# ---------------------------------------------------------------- full results
def _tree(x: Any, arrays: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd

    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        out = {"__type__": type(x).__name__}
        for f in dataclasses.fields(x):
            out[f.name] = _tree(getattr(x, f.name), arrays)
        return out
    if isinstance(x, np.ndarray):
        if x.dtype == object:
            return [_tree(v, arrays) for v in x.tolist()]
        key = f"a{len(arrays)}"
        arrays[key] = x
        return {"__array__": key}
    if isinstance(x, pd.DataFrame):
        return {"__frame__": {"columns": [str(c) for c in x.columns], "index": _tree(list(x.index), arrays),
                              "data": {str(c): _tree(x[c].to_numpy(), arrays) for c in x.columns}}}
    if isinstance(x, pd.Series):
        return {"__series__": {"index": _tree(list(x.index), arrays), "data": _tree(x.to_numpy(), arrays)}}
    if isinstance(x, dict):
        return {str(k): _tree(v, arrays) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_tree(v, arrays) for v in x]
    if isinstance(x, (np.generic, float, int, bool, str)) or x is None:
        return plain(x)
    return str(x)


def encode_results(result: Any) -> bytes:
    """Full results as bytes: magic, JSON length, compressed JSON tree, compressed npz of the arrays."""
    import numpy as np

    arrays: dict[str, Any] = {}
    tree = _tree(result, arrays)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    head = zlib.compress(_dumps(tree), 6)
    return MAGIC_RESULTS + struct.pack("<Q", len(head)) + head + buf.getvalue()


def decode_results(blob: bytes) -> Any:
    """Plain data back from :func:`encode_results` (arrays as numpy arrays, no pickle)."""
    import numpy as np

    if blob[:4] != MAGIC_RESULTS:
        raise ValueError("not a stored results record")
    (n,) = struct.unpack("<Q", blob[4:12])
    tree = json.loads(zlib.decompress(blob[12:12 + n]).decode())
    with np.load(io.BytesIO(blob[12 + n:]), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}

    def back(x: Any) -> Any:
        if isinstance(x, dict):
            if set(x) == {"__array__"}:
                return arrays[x["__array__"]]
            return {k: back(v) for k, v in x.items()}
        if isinstance(x, list):
            return [back(v) for v in x]
        return x

    return back(tree)
