"""Import moto's SSM without moto's EC2 tables.

moto's SSM module imports `moto.ec2` at its top for one feature, Run Command's instance targets. Importing
`moto.ec2` loads every instance type and every region's instance-type offerings: about 100 MB resident and half
a second, in an emulator that rarely serves EC2 (measured: `import moto.ec2` takes a process from 47 to 147 MB).
`import_ssm_without_ec2()` imports SSM while a stand-in `moto.ec2` is registered, whose `ec2_backends` imports the
real module when first used, then removes the stand-in: EC2 requests and Run Command still get the real backends,
loaded the first time either happens.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__all__ = ["import_ssm_without_ec2"]

_EC2 = "moto.ec2"
_SSM = "moto.ssm.models"


class _DeferredEc2Backends:
    """What SSM gets as `ec2_backends`: the real one, imported on first use."""

    def __getitem__(self, account_id: str) -> Any:
        return importlib.import_module(_EC2).ec2_backends[account_id]


def import_ssm_without_ec2() -> None:
    """Import `moto.ssm.models`, leaving `moto.ec2` unloaded (nothing to do when either is already loaded)."""
    if _EC2 in sys.modules or _SSM in sys.modules:
        return
    stand_in = types.ModuleType(_EC2)
    stand_in.ec2_backends = _DeferredEc2Backends()  # type: ignore[attr-defined]
    sys.modules[_EC2] = stand_in
    try:
        importlib.import_module(_SSM)
    finally:
        if sys.modules.get(_EC2) is stand_in:
            del sys.modules[_EC2]
