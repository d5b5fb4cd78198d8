"""Record PyTorch's answers to the conformance sweep (conformance_cases.py) into conformance_reference.json.gz.

    .venv/bin/python tests/references/record_conformance.py      (needs torch)

tests/library/test_conformance.py replays every case with minitorch and compares values, dtypes,
gradients and exception classes, without torch.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from conformance_cases import cases, run_case  # noqa: E402

REFERENCE = Path(__file__).with_name("conformance_reference.json.gz")


def main() -> None:
    import warnings

    import torch
    import torch.nn.functional as F

    warnings.simplefilter("ignore")
    torch.manual_seed(0)
    recorded = {}
    for case_id, expr, names, inplace in cases():
        result = run_case(torch, F, expr, names, inplace)
        result.pop("message", None)
        recorded[case_id] = result
    text = json.dumps({"torch": torch.__version__, "cases": recorded}, separators=(",", ":"), sort_keys=True)
    REFERENCE.write_bytes(gzip.compress(text.encode(), mtime=0))
    print(f"wrote {len(recorded)} cases to {REFERENCE} ({REFERENCE.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
