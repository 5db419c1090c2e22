"""Per-process runtimes: a forked work horse builds its own instead of sharing the parent's connections."""

from __future__ import annotations

import os

from arena.runtime import runtime_for
from arena.settings import Settings


def test_a_forked_child_does_not_share_the_parents_engine(settings: Settings) -> None:
    parent = runtime_for(settings)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report whether it got the parent's engine, then leave without cleanup
        os.close(reader)
        os.write(writer, b"shared" if runtime_for(settings).engine is parent.engine else b"own")
        os._exit(0)
    os.close(writer)
    answer = os.read(reader, 16)
    os.close(reader)
    os.waitpid(pid, 0)
    assert answer == b"own"
    assert runtime_for(settings) is parent
