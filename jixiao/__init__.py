"""jixiao (绩效): ingest, check and compare project performance goal and self-evaluation tables."""

import os as _os

__version__ = "0.1.0"

# Polars (imported after this) gives its allocator's freed pages back to the system after half a
# second; derive frees and re-allocates frames of a million rows within seconds, and faulting the
# pages back in was a fifth of its CPU. Ten seconds keeps them for reuse (a few hundred MB more at
# the peak). Polars appends this to its own settings, so these win; a value already set is kept.
_os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:10000,muzzy_decay_ms:10000")
