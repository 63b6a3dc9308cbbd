"""The Rasa server runs without TensorFlow when no component needs it, and says so when one does."""

from __future__ import annotations

import pytest

from rasa_plugins.runtime import lean_server


def test_this_projects_pipeline_needs_no_tensorflow_but_diet_would(tmp_path):
    assert lean_server.pipeline_is_tensorflow_free()
    config = tmp_path / "config.yml"
    config.write_text("pipeline:\n  - name: DIETClassifier\npolicies:\n  - name: RulePolicy\n")
    assert not lean_server.pipeline_is_tensorflow_free(config)


def test_a_placeholder_has_every_name_and_refuses_to_be_used():
    module = lean_server._placeholder("rasa.nlu.classifiers.diet_classifier")
    assert module.DIETClassifier is module.DIETClassifier  # importable, one class per name
    with pytest.raises(RuntimeError, match="needs TensorFlow"):
        module.DIETClassifier()


def test_the_running_rasa_server_has_not_loaded_tensorflow(servers):
    """Read from the server process's own memory map: no TensorFlow library is mapped."""
    import subprocess

    rasa_pids = subprocess.run(["pgrep", "-f", "rasa_plugins.runtime.lean_server run"], capture_output=True, text=True)
    pids = [pid for pid in rasa_pids.stdout.split() if f"--port {servers.ports.rasa}" in _cmdline(pid)]
    assert pids, "the Rasa server was not started through rasa_plugins.runtime.lean_server"
    maps = open(f"/proc/{pids[0]}/maps").read()
    assert "tensorflow" not in maps and "numpy" in maps


def _cmdline(pid: str) -> str:
    try:
        return open(f"/proc/{pid}/cmdline").read().replace("\0", " ")
    except OSError:
        return ""
